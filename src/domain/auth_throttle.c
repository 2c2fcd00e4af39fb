/*
 * domain/auth_throttle — see auth_throttle.h.
 *
 * Each table (invariants):
 *  1. entries[0..used) are live keys; a key is in exactly one hash chain (buckets[], next)
 *     and in the LRU list (head = most recently used). Links are index + 1, 0 = none.
 *  2. A key with attempts in flight (pending > 0) is never evicted, so auth_throttle_end()
 *     always finds the key its auth_throttle_begin() reserved.
 *  3. failures counts failures since window_start; a window that has passed counts zero.
 *  4. With a store connection, the database's count of a key (read before the mutex is
 *     taken) replaces the entry's when it is larger: failures only ever grow within a window.
 */
#include "domain/auth_throttle.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/error.h"
#include "store/throttle.h"

#define THROTTLE_BUCKETS (2 * AUTH_THROTTLE_ENTRIES)

struct entry {
	char key[AUTH_THROTTLE_KEY_MAX + 1];
	uint64_t hash;
	int64_t window_start;
	int failures, pending;
	uint32_t next, lru_prev, lru_next; /* index + 1; 0 = none */
};

struct table {
	struct entry entries[AUTH_THROTTLE_ENTRIES];
	uint32_t buckets[THROTTLE_BUCKETS]; /* index + 1 of the chain's first entry */
	uint32_t used, lru_head, lru_tail;
};

static struct {
	pthread_mutex_t lock;
	int seeded;
	uint64_t seed; /* keeps chain lengths out of a client's control */
	struct table addresses, accounts;
} T = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t key_hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL ^ T.seed;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return h;
}

static struct entry *at(struct table *t, uint32_t link)
{
	return link ? &t->entries[link - 1] : NULL;
}

static uint32_t link_of(struct table *t, struct entry *e) { return (uint32_t)(e - t->entries) + 1; }

static void lru_unlink(struct table *t, struct entry *e)
{
	if (e->lru_prev)
		at(t, e->lru_prev)->lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next)
		at(t, e->lru_next)->lru_prev = e->lru_prev;
	else
		t->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = 0;
}

static void lru_push_front(struct table *t, struct entry *e)
{
	e->lru_prev = 0;
	e->lru_next = t->lru_head;
	if (t->lru_head)
		at(t, t->lru_head)->lru_prev = link_of(t, e);
	t->lru_head = link_of(t, e);
	if (!t->lru_tail)
		t->lru_tail = t->lru_head;
}

static struct entry *find(struct table *t, const char *key, uint64_t h)
{
	struct entry *e;

	for (e = at(t, t->buckets[h % THROTTLE_BUCKETS]); e; e = at(t, e->next))
		if (e->hash == h && !strcmp(e->key, key))
			return e;
	return NULL;
}

static void chain_unlink(struct table *t, struct entry *victim)
{
	uint32_t *p = &t->buckets[victim->hash % THROTTLE_BUCKETS];

	while (*p && at(t, *p) != victim)
		p = &at(t, *p)->next;
	if (*p)
		*p = victim->next;
}

/* A free entry: a never-used one, else the least recently used one with nothing in flight.
 * NULL when every entry has an attempt in flight. */
static struct entry *take_free(struct table *t)
{
	struct entry *e;

	if (t->used < AUTH_THROTTLE_ENTRIES)
		return &t->entries[t->used++];
	for (e = at(t, t->lru_tail); e && e->pending; e = at(t, e->lru_prev))
		;
	if (!e)
		return NULL;
	chain_unlink(t, e);
	lru_unlink(t, e);
	return e;
}

/* The entry of `key`, created when absent, moved to the front of the LRU list. */
static struct entry *touch(struct table *t, const char *key)
{
	uint64_t h = key_hash(key);
	struct entry *e = find(t, key, h);

	if (e) {
		lru_unlink(t, e);
	} else {
		e = take_free(t);
		if (!e)
			return NULL;
		memset(e, 0, sizeof(*e));
		snprintf(e->key, sizeof(e->key), "%s", key);
		e->hash = h;
		e->next = t->buckets[h % THROTTLE_BUCKETS];
		t->buckets[h % THROTTLE_BUCKETS] = link_of(t, e);
	}
	lru_push_front(t, e);
	return e;
}

static void expire(struct entry *e, int window_s, int64_t now)
{
	if (e->failures && (now - e->window_start >= window_s || now < e->window_start))
		e->failures = 0;
}

/* The database's count of one key (invariant 4); failures 0 when unknown. */
struct shared_count {
	int failures;
	int64_t window_start;
};

static void shared_get(struct store_conn *c, const char *kind, const char *key, int window_s,
		       int64_t now, struct shared_count *ret)
{
	ret->failures = 0;
	ret->window_start = 0;
	if (c && key &&
	    store_auth_failures_get(c, kind, key, window_s, now, &ret->failures, &ret->window_start,
				    NULL) < 0)
		ret->failures = 0; /* fall back to this process's count */
}

/* Takes the database's count when it is larger (invariant 4); e already expired. */
static void merge(struct entry *e, const struct shared_count *sc)
{
	if (sc->failures > e->failures) {
		e->failures = sc->failures;
		e->window_start = sc->window_start;
	}
}

/* 0 when `e` may take one more attempt under `limit`; else the seconds to wait. */
static int64_t wait_s(const struct entry *e, int limit, int window_s, int64_t now)
{
	int64_t left;

	if (!limit || e->failures + e->pending < limit)
		return 0;
	if (e->failures < limit)
		return 1; /* attempts in flight hold the last places: they end within seconds */
	left = e->window_start + window_s - now;
	return left > 0 ? left : 1;
}

/* The address key: IPv6 by its /64, IPv4-mapped IPv6 as IPv4, anything else as given. */
static void address_key(const char *address, char out[AUTH_THROTTLE_KEY_MAX + 1])
{
	unsigned char a[16];
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (!address)
		address = "";
	if (strchr(address, ':') && inet_pton(AF_INET6, address, a) == 1) {
		if (!memcmp(a, mapped, sizeof(mapped)))
			inet_ntop(AF_INET, a + 12, out, AUTH_THROTTLE_KEY_MAX + 1);
		else
			snprintf(out, AUTH_THROTTLE_KEY_MAX + 1,
				 "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", a[0], a[1], a[2], a[3],
				 a[4], a[5], a[6], a[7]);
		return;
	}
	snprintf(out, AUTH_THROTTLE_KEY_MAX + 1, "%s", address);
}

/* Usernames longer than a key cannot exist (AUTH_USERNAME_MAX < AUTH_THROTTLE_KEY_MAX). */
static const char *account_key(const char *account)
{
	return account && strlen(account) <= AUTH_THROTTLE_KEY_MAX ? account : NULL;
}

static void seed_once(void)
{
	if (T.seeded)
		return;
	if (getrandom(&T.seed, sizeof(T.seed), GRND_NONBLOCK) != (ssize_t)sizeof(T.seed))
		T.seed = (uint64_t)(uintptr_t)&T;
	T.seeded = 1;
}

int auth_throttle_begin(struct store_conn *c, const struct auth_throttle_limits *lim,
			const char *address, const char *account, int64_t now,
			int64_t *ret_retry_after)
{
	char akey[AUTH_THROTTLE_KEY_MAX + 1];
	const char *ukey = account_key(account);
	struct shared_count sa, su;
	struct entry *a, *u = NULL;
	int64_t wait;

	address_key(address, akey);
	shared_get(c, "address", akey, lim->window_s, now, &sa);
	shared_get(c, "account", ukey, lim->window_s, now, &su);
	pthread_mutex_lock(&T.lock);
	seed_once();
	a = touch(&T.addresses, akey);
	if (a && ukey)
		u = touch(&T.accounts, ukey);
	if (!a || (ukey && !u)) {
		wait = 1; /* every key has an attempt in flight: refuse rather than forget one */
	} else {
		expire(a, lim->window_s, now);
		merge(a, &sa);
		wait = wait_s(a, lim->per_address, lim->window_s, now);
		if (u) {
			int64_t w;

			expire(u, lim->window_s, now);
			merge(u, &su);
			w = wait_s(u, lim->per_account, lim->window_s, now);
			wait = w > wait ? w : wait;
		}
	}
	if (!wait) {
		a->pending++;
		if (u)
			u->pending++;
	}
	pthread_mutex_unlock(&T.lock);
	if (wait && ret_retry_after)
		*ret_retry_after = wait;
	return wait ? CK_E_THROTTLED : 0;
}

static void end_one(struct table *t, const char *key, int window_s, int64_t now,
		    enum auth_throttle_outcome outcome)
{
	struct entry *e = find(t, key, key_hash(key));

	if (!e || e->pending <= 0)
		return; /* not begun: a programmer error, nothing to release */
	e->pending--;
	if (outcome != AUTH_THROTTLE_FAILURE)
		return;
	expire(e, window_s, now);
	if (!e->failures)
		e->window_start = now;
	e->failures++;
}

void auth_throttle_end(struct store_conn *c, const struct auth_throttle_limits *lim,
		       const char *address, const char *account, int64_t now,
		       enum auth_throttle_outcome outcome)
{
	char akey[AUTH_THROTTLE_KEY_MAX + 1];
	const char *ukey = account_key(account);

	address_key(address, akey);
	/* This process's count first, the database's after. The other order let a sign-in of
	 * this process that began in between read the failure from the database while the
	 * attempt still held its place in `pending`: counted twice, that sign-in was refused one
	 * failure early, and the merged count then grew by one more when the attempt ended
	 * (found by test_cap_holds_under_concurrent_guesses on PostgreSQL: 9 sign-ins answered
	 * instead of 10). Another node sees this failure once the database has it; attempts in
	 * flight on a node were never visible to the others (auth_throttle.h). */
	pthread_mutex_lock(&T.lock);
	end_one(&T.addresses, akey, lim->window_s, now, outcome);
	if (ukey)
		end_one(&T.accounts, ukey, lim->window_s, now, outcome);
	pthread_mutex_unlock(&T.lock);
	if (c && outcome == AUTH_THROTTLE_FAILURE) {
		store_auth_failure_add(c, "address", akey, lim->window_s, now, NULL);
		if (ukey)
			store_auth_failure_add(c, "account", ukey, lim->window_s, now, NULL);
	}
}

void auth_throttle_reset(void)
{
	pthread_mutex_lock(&T.lock);
	memset(&T.addresses, 0, sizeof(T.addresses));
	memset(&T.accounts, 0, sizeof(T.accounts));
	pthread_mutex_unlock(&T.lock);
}
