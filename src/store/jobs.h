/*
 * store/jobs — the database half of jobs/ when several nodes share one database (issue 12,
 * docs/internals/jobs.md): the once-per-interval claim of a periodic job's slot, and the claim
 * of pending outbox rows by the job queue's consumers.
 *
 * Invariants:
 *  1. A (job name, slot) pair is claimed at most once, by one connection of one node, on every
 *     engine: the claim is one INSERT into job_runs whose primary key is (name, slot), with
 *     ON CONFLICT DO NOTHING; the loser of two concurrent claims waits for the winner's commit
 *     and inserts nothing. The claim commits before the job runs (autocommit), so a node that
 *     dies during the run loses that slot's run (at most once per slot), and the next slot
 *     runs as usual.
 *  2. Slots only move forward: a slot at or below the newest claimed slot of the job is never
 *     claimed (a node whose clock lags, or that wakes late, skips it). So job_runs can keep
 *     just the last STORE_JOB_RUNS_KEEP slots of each job (older ones are deleted by the claim
 *     that moves past them) without an old slot ever becoming claimable again. The rows say
 *     which node ran which slot, for operators and tests.
 *  3. An outbox row is held by at most one consumer at a time: store_outbox_claim() picks
 *     pending rows (consumed IS NULL) whose lease is absent or over, with FOR UPDATE SKIP
 *     LOCKED on PostgreSQL (rows another consumer is claiming are skipped, never waited for)
 *     and marks them claimed_by/claimed_until in the same statement. On SQLite the one
 *     statement is atomic by itself (one writer at a time).
 *
 * Thread-safety: as store.h (each thread passes its own connection). Must not be called
 * inside a store_tx_begin() transaction on PostgreSQL when concurrency matters: a write
 * transaction holds the cluster-wide write lock, which would serialise the consumers.
 */
#ifndef CK_STORE_JOBS_H
#define CK_STORE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define STORE_JOB_RUNS_KEEP 100	    /* slots kept per job in job_runs (invariant 2) */
#define STORE_JOB_NODE_MAX 128	    /* bytes of a node or worker name, NUL included */
#define STORE_OUTBOX_CLAIM_MAX 1000 /* rows one store_outbox_claim() may take */

/* Claims slot `slot` of job `name` (interval `interval_s` seconds) for `node` at `now`.
 * Returns 1 when this call claimed it (the caller runs the job), 0 when it was already
 * claimed (by any node), or a negative CK_E_* code. CK_E_INVALID for an empty name, a node of
 * STORE_JOB_NODE_MAX bytes or more, or interval_s < 1. */
int store_job_slot_claim(struct store_conn *c, const char *name, int64_t slot, int interval_s,
			 const char *node, int64_t now, struct ck_error *err);

/* Claims up to `max` (1..STORE_OUTBOX_CLAIM_MAX) pending outbox rows for `worker` until
 * now + lease_s (lease_s ≥ 1), oldest first (invariant 3). *ret (caller frees; NULL when
 * none) receives their ids ascending and *ret_n how many; written only on success. */
int store_outbox_claim(struct store_conn *c, const char *worker, int64_t now, int lease_s,
		       size_t max, int64_t **ret, size_t *ret_n, struct ck_error *err);

#endif
