/*
 * api/rowcache — rendered row JSON reused across requests (issue 11: the render path spent
 * ~28 % of a list request escaping and copying the same PEM text again and again).
 *
 * An entry is the text of one row object (between its braces) with holes: the values that
 * must be rendered at every request — the computed fields (days_remaining, expiry_status,
 * renewal_status...: they move with the clock), the URL (base URL of the request), display,
 * nested foreign-key objects and tags (other rows), and SQL-expression fields (other
 * tables). Everything else is a pure function of the row's own stored columns.
 *
 * Keyed by (resource, brief, id) and validated by a 64-bit hash of exactly the stored
 * columns the template holds (last_updated among them). The hash, not last_updated alone,
 * decides validity because last_updated has one-second resolution (two PATCHes within a
 * second) and some writers (sweeper, chain validation) update columns without touching it.
 *
 * Bounded: entries take at most the byte budget (ROWCACHE_DEFAULT_BUDGET, or
 * CERTKEEPER_ROW_CACHE_BYTES; least recently used evicted first); rows larger than
 * ROWCACHE_MAX_ROW or with more than ROWCACHE_MAX_HOLES holes are not kept.
 * CERTKEEPER_ROW_CACHE=0 disables it. Thread-safe; a held entry stays valid until released
 * even if evicted meanwhile.
 */
#ifndef CK_API_ROWCACHE_H
#define CK_API_ROWCACHE_H

#include <stddef.h>
#include <stdint.h>

#define ROWCACHE_DEFAULT_BUDGET ((size_t)64 << 20)
#define ROWCACHE_MAX_ROW ((size_t)256 << 10)
#define ROWCACHE_MAX_HOLES 32

struct rowcache_entry;

/* The template of a held entry: text with hole i at byte offset holes[i] (ascending). */
struct rowcache_view {
	const char *text;
	size_t len;
	const uint32_t *holes;
	int nholes;
};

/* 1 when the cache is enabled (environment read once). */
int api_rowcache_enabled(void);

/* The entry for (res, brief, id) when its hash equals `hash`, held (release it with
 * api_rowcache_release), its template in *v; NULL on a miss. */
const struct rowcache_entry *api_rowcache_get(const void *res, int brief, int64_t id, uint64_t hash,
					      struct rowcache_view *v);

void api_rowcache_release(const struct rowcache_entry *e);

/* Stores (replaces) the template for (res, brief, id, hash); ignored when over the limits
 * or out of memory. */
void api_rowcache_put(const void *res, int brief, int64_t id, uint64_t hash, const char *text,
		      size_t len, const uint32_t *holes, int nholes);

/* Sets the byte budget (evicting down to it); 0 restores the default (tests). */
void api_rowcache_set_budget(size_t bytes);

/* Entries and bytes currently kept (tests, figures). */
void api_rowcache_stats(size_t *ret_entries, size_t *ret_bytes);

/* Drops every entry not currently held (tests). */
void api_rowcache_clear(void);

/* A 64-bit hash step over n bytes (not cryptographic), for the validation hash. */
uint64_t api_rowcache_hash(uint64_t h, const void *data, size_t n);

#endif
