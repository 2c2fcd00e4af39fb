/* api/rowcache — see rowcache.h for the contract. */
#include "api/rowcache.h"
#include "core/parse.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define ROWCACHE_BUCKETS (1u << 16)

struct rowcache_entry {
	const void *res;
	int64_t id;
	int brief;
	uint64_t hash;
	size_t size;				    /* bytes charged to the budget */
	int refs;				    /* holders, plus 1 while linked in the cache */
	struct rowcache_entry *next;		    /* bucket chain */
	struct rowcache_entry *prev_lru, *next_lru; /* most recent at lru_head */
	char *text;
	size_t len;
	int nholes;
	uint32_t holes[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct rowcache_entry *buckets[ROWCACHE_BUCKETS];
static struct rowcache_entry *lru_head, *lru_tail;
static size_t used_bytes, nentries, budget;

int api_rowcache_enabled(void)
{
	static atomic_int state; /* 0 unknown, 1 on, 2 off */
	int s = atomic_load(&state);

	if (!s) {
		const char *v = getenv("CERTKEEPER_ROW_CACHE");
		s = v && !strcmp(v, "0") ? 2 : 1;
		atomic_store(&state, s);
	}
	return s == 1;
}

static size_t budget_locked(void)
{
	if (!budget) {
		const char *v = getenv("CERTKEEPER_ROW_CACHE_BYTES");
		int64_t n;
		budget =
		    v && !ck_parse_i64(v, 1, INT64_MAX, &n) ? (size_t)n : ROWCACHE_DEFAULT_BUDGET;
	}
	return budget;
}

/* Four independent lanes of multiply-xorshift over 32-byte blocks (one dependent multiply
 * chain was latency-bound: ~6 % of a list request hashing PEM text), then 8-byte steps. */
uint64_t api_rowcache_hash(uint64_t h, const void *data, size_t n)
{
	const unsigned char *s = data;
	uint64_t w, l[4] = {h, h ^ 0x9E3779B97F4A7C15ull, h ^ 0xC2B2AE3D27D4EB4Full,
			    h ^ 0x165667B19E3779F9ull};

	h ^= (uint64_t)n * 0x9E3779B97F4A7C15ull;
	if (n >= 32) {
		for (; n >= 32; s += 32, n -= 32) {
			for (int i = 0; i < 4; i++) {
				memcpy(&w, s + 8 * i, 8);
				l[i] = (l[i] ^ w) * 0xff51afd7ed558ccdull;
				l[i] ^= l[i] >> 32;
			}
		}
		for (int i = 0; i < 4; i++)
			h = (h ^ l[i]) * 0xc4ceb9fe1a85ec53ull;
	}
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static unsigned bucket_of(const void *res, int brief, int64_t id)
{
	uint64_t k =
	    ((uint64_t)id * 0x9E3779B97F4A7C15ull) ^ (uint64_t)(uintptr_t)res ^ (uint64_t)brief;

	k ^= k >> 31;
	return (unsigned)(k & (ROWCACHE_BUCKETS - 1));
}

static void entry_unref_locked(struct rowcache_entry *e)
{
	if (--e->refs == 0) {
		free(e->text);
		free(e);
	}
}

static void lru_unlink(struct rowcache_entry *e)
{
	if (e->prev_lru)
		e->prev_lru->next_lru = e->next_lru;
	else
		lru_head = e->next_lru;
	if (e->next_lru)
		e->next_lru->prev_lru = e->prev_lru;
	else
		lru_tail = e->prev_lru;
	e->prev_lru = e->next_lru = NULL;
}

static void lru_push_front(struct rowcache_entry *e)
{
	e->prev_lru = NULL;
	e->next_lru = lru_head;
	if (lru_head)
		lru_head->prev_lru = e;
	lru_head = e;
	if (!lru_tail)
		lru_tail = e;
}

/* Takes e out of the cache (its holders keep it alive). */
static void remove_locked(struct rowcache_entry *e)
{
	struct rowcache_entry **pp = &buckets[bucket_of(e->res, e->brief, e->id)];

	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	lru_unlink(e);
	used_bytes -= e->size;
	nentries--;
	entry_unref_locked(e);
}

static void evict_to_locked(size_t limit)
{
	while (lru_tail && used_bytes > limit)
		remove_locked(lru_tail);
}

static struct rowcache_entry *find_locked(const void *res, int brief, int64_t id)
{
	struct rowcache_entry *e = buckets[bucket_of(res, brief, id)];

	while (e && !(e->res == res && e->brief == brief && e->id == id))
		e = e->next;
	return e;
}

const struct rowcache_entry *api_rowcache_get(const void *res, int brief, int64_t id, uint64_t hash,
					      struct rowcache_view *v)
{
	struct rowcache_entry *e;

	pthread_mutex_lock(&lock);
	e = find_locked(res, brief, id);
	if (e && e->hash == hash) {
		e->refs++;
		lru_unlink(e);
		lru_push_front(e);
	} else {
		e = NULL;
	}
	pthread_mutex_unlock(&lock);
	if (e) {
		v->text = e->text;
		v->len = e->len;
		v->holes = e->holes;
		v->nholes = e->nholes;
	}
	return e;
}

void api_rowcache_release(const struct rowcache_entry *ce)
{
	if (!ce)
		return;
	pthread_mutex_lock(&lock);
	entry_unref_locked((struct rowcache_entry *)ce);
	pthread_mutex_unlock(&lock);
}

void api_rowcache_put(const void *res, int brief, int64_t id, uint64_t hash, const char *text,
		      size_t len, const uint32_t *holes, int nholes)
{
	struct rowcache_entry *e, *old;
	size_t size;

	if (len > ROWCACHE_MAX_ROW || nholes < 0 || nholes > ROWCACHE_MAX_HOLES)
		return;
	size = sizeof(*e) + (size_t)nholes * sizeof(uint32_t) + len;
	e = malloc(sizeof(*e) + (size_t)nholes * sizeof(uint32_t));
	if (!e)
		return;
	e->text = malloc(len ? len : 1);
	if (!e->text) {
		free(e);
		return;
	}
	memcpy(e->text, text, len);
	if (nholes)
		memcpy(e->holes, holes, (size_t)nholes * sizeof(uint32_t));
	e->res = res;
	e->brief = brief;
	e->id = id;
	e->hash = hash;
	e->len = len;
	e->nholes = nholes;
	e->size = size;
	e->refs = 1;
	e->prev_lru = e->next_lru = NULL;
	pthread_mutex_lock(&lock);
	if (size > budget_locked()) {
		pthread_mutex_unlock(&lock);
		free(e->text);
		free(e);
		return;
	}
	old = find_locked(res, brief, id);
	if (old)
		remove_locked(old);
	evict_to_locked(budget_locked() - size);
	e->next = buckets[bucket_of(res, brief, id)];
	buckets[bucket_of(res, brief, id)] = e;
	lru_push_front(e);
	used_bytes += size;
	nentries++;
	pthread_mutex_unlock(&lock);
}

void api_rowcache_set_budget(size_t bytes)
{
	pthread_mutex_lock(&lock);
	budget = bytes;
	evict_to_locked(budget_locked());
	pthread_mutex_unlock(&lock);
}

void api_rowcache_stats(size_t *ret_entries, size_t *ret_bytes)
{
	pthread_mutex_lock(&lock);
	if (ret_entries)
		*ret_entries = nentries;
	if (ret_bytes)
		*ret_bytes = used_bytes;
	pthread_mutex_unlock(&lock);
}

void api_rowcache_clear(void)
{
	pthread_mutex_lock(&lock);
	evict_to_locked(0);
	pthread_mutex_unlock(&lock);
}
