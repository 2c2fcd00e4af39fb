/*
 * store/generation — a process-wide data generation: a number that changes whenever the
 * database may have changed, for caches of query results (api/countcache).
 *
 * Contract: store_data_generation(c) returns G. If any write was committed to the database
 * (by any connection of this process, including c, or by another process) after a call
 * that returned G, every later call — on any connection — returns a value other than G.
 * Values only grow. Spurious changes are allowed (a rolled-back write may bump it).
 *
 * How (SQLite): each connection remembers the last `PRAGMA data_version` (changes when
 * ANOTHER connection or process commits) and `total_changes()` (changes when THIS
 * connection writes) it saw; when either differs, the global counter is incremented. The
 * memory lives in a per-connection SQL function registered on first use, so it dies with
 * the connection (a new connection at a reused address cannot inherit it).
 *
 * How (PostgreSQL): the same counter, bumped when the hash of pg_current_snapshot() seen by a
 * connection changes — any write transaction of any node starting or ending changes it.
 *
 * Not meaningful inside a write transaction (uncommitted own writes): callers skip caches
 * then. Thread-safe; each thread passes its own connection.
 */
#ifndef CK_STORE_GENERATION_H
#define CK_STORE_GENERATION_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* Writes the current generation to *ret. CK_E_INTERNAL when the engine has no support
 * (callers then must not cache), store errors otherwise. */
int store_data_generation(struct store_conn *c, uint64_t *ret, struct ck_error *err);

#endif
