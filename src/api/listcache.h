/*
 * api/listcache — rendered list pages, reused for identical requests within one second.
 *
 * A GET list's body is a pure function of: the database content, the store it comes from,
 * the request's path and query parameters (in order), its base URL (absolute links), the
 * acting user (kept in the key in case rendering ever depends on it), the configuration
 * (fixed per process) and `now` in whole seconds (days_remaining, is_expired, expiry filters).
 * An entry is keyed by all of these, with the database content represented by the
 * store/generation value: any committed write (this process or another) changes it, so a
 * hit returns exactly the bytes a fresh render at that second would produce.
 *
 * Bounded: LISTCACHE_SLOTS entries, bodies of at most LISTCACHE_MAX_BODY bytes (larger
 * pages are never stored), keys of at most LISTCACHE_MAX_KEY bytes. Bodies are immutable
 * and reference-counted, so a hit copies outside the lock. Thread-safe.
 * Set CERTKEEPER_LIST_CACHE=0 in the environment to disable (benchmarks of the render path).
 */
#ifndef CK_API_LISTCACHE_H
#define CK_API_LISTCACHE_H

#include <stdint.h>

#include "core/strbuf.h"

#define LISTCACHE_SLOTS 64
#define LISTCACHE_PROBE 4
#define LISTCACHE_MAX_BODY (1u << 20)
#define LISTCACHE_MAX_KEY 8192

/* 1 when the cache is enabled (environment read once). */
int api_listcache_enabled(void);

/* Appends the body stored for key at (gen, now) to out and returns 1; 0 on a miss (or when
 * out cannot take it). */
int api_listcache_get(const struct strbuf *key, uint64_t gen, int64_t now, struct strbuf *out);

/* Stores body for key at (gen, now); oversized or failed buffers are ignored. */
void api_listcache_put(const struct strbuf *key, uint64_t gen, int64_t now,
		       const struct strbuf *body);

/* Empties the cache (tests). */
void api_listcache_clear(void);

#endif
