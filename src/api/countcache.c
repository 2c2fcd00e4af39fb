/* api/countcache — see countcache.h. */
#include "api/countcache.h"
#include "core/hash.h"
#include "api/filter.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key; /* owned; NULL = empty slot */
	size_t len;
	uint64_t hash;
	uint64_t gen;
	uint64_t used; /* tick of the last hit or store */
	int64_t count;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry slots[COUNTCACHE_SLOTS];
static uint64_t tick, hits, misses;

static uint64_t hash_key(const char *s, size_t n) { return ck_fnv1a(s, n); }

static int usable(const struct strbuf *key)
{
	return !strbuf_result(key) && key->len && key->len <= COUNTCACHE_MAX_KEY;
}

static struct entry *find(const struct strbuf *key, uint64_t h)
{
	for (size_t i = 0; i < COUNTCACHE_PROBE; i++) {
		struct entry *e = &slots[(h + i) & (COUNTCACHE_SLOTS - 1)];
		if (e->key && e->hash == h && e->len == key->len &&
		    !memcmp(e->key, strbuf_str(key), key->len))
			return e;
	}
	return NULL;
}

int api_countcache_get(const struct strbuf *key, uint64_t gen, int64_t *ret)
{
	uint64_t h;
	struct entry *e;
	int hit = 0;

	if (!usable(key))
		return 0;
	h = hash_key(strbuf_str(key), key->len);
	pthread_mutex_lock(&lock);
	e = find(key, h);
	if (e && e->gen == gen) {
		e->used = ++tick;
		*ret = e->count;
		hit = 1;
		hits++;
	} else {
		misses++;
	}
	pthread_mutex_unlock(&lock);
	return hit;
}

/* The slot to (re)use for h: the same key, else an empty slot, else the least recently used. */
static struct entry *victim(const struct strbuf *key, uint64_t h)
{
	struct entry *e = find(key, h), *old = NULL;

	for (size_t i = 0; !e && i < COUNTCACHE_PROBE; i++) {
		struct entry *c = &slots[(h + i) & (COUNTCACHE_SLOTS - 1)];
		if (!c->key)
			return c;
		if (!old || c->used < old->used)
			old = c;
	}
	return e ? e : old;
}

void api_countcache_put(const struct strbuf *key, uint64_t gen, int64_t count)
{
	uint64_t h;
	struct entry *e;
	char *copy;

	if (!usable(key))
		return;
	h = hash_key(strbuf_str(key), key->len);
	copy = malloc(key->len);
	if (!copy)
		return;
	memcpy(copy, strbuf_str(key), key->len);
	pthread_mutex_lock(&lock);
	e = victim(key, h);
	/* a writer racing with an older generation must not replace a newer result */
	if (e->key && e->gen > gen && e->hash == h) {
		pthread_mutex_unlock(&lock);
		free(copy);
		return;
	}
	free(e->key);
	*e = (struct entry){copy, key->len, h, gen, ++tick, count};
	pthread_mutex_unlock(&lock);
}

void api_countcache_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < COUNTCACHE_SLOTS; i++) {
		free(slots[i].key);
		slots[i] = (struct entry){0};
	}
	hits = misses = 0;
	pthread_mutex_unlock(&lock);
}

void api_countcache_stats(uint64_t *ret_hits, uint64_t *ret_misses)
{
	pthread_mutex_lock(&lock);
	*ret_hits = hits;
	*ret_misses = misses;
	pthread_mutex_unlock(&lock);
}
