/* api/listcache — see listcache.h. */
#include "api/listcache.h"
#include "core/hash.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct body {
	atomic_int refs;
	size_t len;
	char data[];
};

struct entry {
	char *key; /* owned; NULL = empty slot */
	size_t klen;
	uint64_t hash;
	uint64_t gen;
	int64_t now;
	uint64_t used;
	struct body *body;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry slots[LISTCACHE_SLOTS];
static uint64_t tick;

int api_listcache_enabled(void)
{
	static atomic_int state; /* 0 unknown, 1 on, 2 off */
	int s = atomic_load(&state);

	if (!s) {
		const char *v = getenv("CERTKEEPER_LIST_CACHE");
		s = v && !strcmp(v, "0") ? 2 : 1;
		atomic_store(&state, s);
	}
	return s == 1;
}

static void body_unref(struct body *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static uint64_t hash_key(const char *s, size_t n) { return ck_fnv1a(s, n); }

static int key_usable(const struct strbuf *key)
{
	return !strbuf_result(key) && key->len && key->len <= LISTCACHE_MAX_KEY;
}

static struct entry *find(const struct strbuf *key, uint64_t h)
{
	for (size_t i = 0; i < LISTCACHE_PROBE; i++) {
		struct entry *e = &slots[(h + i) & (LISTCACHE_SLOTS - 1)];
		if (e->key && e->hash == h && e->klen == key->len &&
		    !memcmp(e->key, strbuf_str(key), key->len))
			return e;
	}
	return NULL;
}

int api_listcache_get(const struct strbuf *key, uint64_t gen, int64_t now, struct strbuf *out)
{
	struct body *b = NULL;
	struct entry *e;
	uint64_t h;
	int r;

	if (!key_usable(key))
		return 0;
	h = hash_key(strbuf_str(key), key->len);
	pthread_mutex_lock(&lock);
	e = find(key, h);
	if (e && e->gen == gen && e->now == now) {
		b = e->body;
		atomic_fetch_add(&b->refs, 1);
		e->used = ++tick;
	}
	pthread_mutex_unlock(&lock);
	if (!b)
		return 0;
	r = strbuf_add(out, b->data, b->len);
	body_unref(b);
	return r == 0;
}

static struct entry *victim(const struct strbuf *key, uint64_t h)
{
	struct entry *e = find(key, h), *old = NULL;

	for (size_t i = 0; !e && i < LISTCACHE_PROBE; i++) {
		struct entry *c = &slots[(h + i) & (LISTCACHE_SLOTS - 1)];
		if (!c->key)
			return c;
		if (!old || c->used < old->used)
			old = c;
	}
	return e ? e : old;
}

void api_listcache_put(const struct strbuf *key, uint64_t gen, int64_t now,
		       const struct strbuf *body)
{
	struct body *b, *drop_body;
	struct entry *e;
	char *k, *drop_key;
	uint64_t h;

	if (!key_usable(key) || strbuf_result(body) || body->len > LISTCACHE_MAX_BODY)
		return;
	h = hash_key(strbuf_str(key), key->len);
	b = malloc(sizeof(*b) + body->len);
	k = malloc(key->len);
	if (!b || !k) {
		free(b);
		free(k);
		return;
	}
	atomic_init(&b->refs, 1);
	b->len = body->len;
	memcpy(b->data, strbuf_str(body), body->len);
	memcpy(k, strbuf_str(key), key->len);
	pthread_mutex_lock(&lock);
	e = victim(key, h);
	drop_key = e->key;
	drop_body = e->body;
	*e = (struct entry){k, key->len, h, gen, now, ++tick, b};
	pthread_mutex_unlock(&lock);
	free(drop_key);
	body_unref(drop_body);
}

void api_listcache_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < LISTCACHE_SLOTS; i++) {
		free(slots[i].key);
		body_unref(slots[i].body);
		slots[i] = (struct entry){0};
	}
	pthread_mutex_unlock(&lock);
}
