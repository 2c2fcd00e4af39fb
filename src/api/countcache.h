/*
 * api/countcache — the list path's `count` without a `SELECT COUNT(*)` per request.
 *
 * NetBox lists carry the total `count`; at 1M rows SQLite needs tens of milliseconds to
 * count, every request. This process-wide cache maps the exact COUNT query (SQL text plus
 * every bound value, so `now`-dependent filters key on the second they were built for) to
 * its result, valid only for the store/generation value it was computed under: any
 * committed write — this process or another — changes the generation and so misses.
 *
 * Bounded: COUNTCACHE_SLOTS entries (replacing the least recently used of a small probe
 * window), keys of at most COUNTCACHE_MAX_KEY bytes (longer queries are not cached).
 * Thread-safe (one mutex, held for a key compare).
 */
#ifndef CK_API_COUNTCACHE_H
#define CK_API_COUNTCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

#define COUNTCACHE_SLOTS 256	 /* entries (power of two) */
#define COUNTCACHE_PROBE 8	 /* slots examined per look-up */
#define COUNTCACHE_MAX_KEY 16384 /* bytes of SQL + bound values; longer: not cached */

/* Keys: store_qs_key() of the list's spec in its COUNT form (rendered SQL and every bound
 * value), after a prefix naming the database. */

/* 1 and *ret when `key` was stored under generation `gen`; 0 otherwise. */
int api_countcache_get(const struct strbuf *key, uint64_t gen, int64_t *ret);

/* Stores count for key under gen (keys over COUNTCACHE_MAX_KEY or failed strbufs ignored). */
void api_countcache_put(const struct strbuf *key, uint64_t gen, int64_t count);

/* Empties the cache (tests). */
void api_countcache_clear(void);

/* Hits and misses since start (tests, benchmarks). */
void api_countcache_stats(uint64_t *ret_hits, uint64_t *ret_misses);

#endif
