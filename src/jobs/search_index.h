/*
 * jobs/search_index — writes the search index behind the writers: every second it indexes
 * the certificates queued for the engine's deferred index (store_deferred_index_drain;
 * SQLite's trigram index, migration 9), in batches of JOBS_SEARCH_INDEX_BATCH rows, each its
 * own short write transaction, until the queue is empty or the run has used
 * JOBS_SEARCH_INDEX_BUDGET_MS. A queued certificate is already found by `q` and `__ic`
 * searches (they check queued rows directly), so the job only keeps those searches fast;
 * imports no longer pay for the index in their own transactions.
 *
 * The job runs on every node (jobs_def.every_node): draining is idempotent and the engine
 * serialises writers, so two nodes at once only take turns. Engines without a deferred
 * index (PostgreSQL) find nothing to do.
 *
 * Lifecycle: fill a struct jobs_search_index, keep it alive while the scheduler runs,
 * register it with jobs_search_index_add().
 */
#ifndef CK_JOBS_SEARCH_INDEX_H
#define CK_JOBS_SEARCH_INDEX_H

#include "jobs/scheduler.h"
#include "store/store.h"

#define JOBS_SEARCH_INDEX_NAME "search-index"
#define JOBS_SEARCH_INDEX_BATCH 1000	/* rows per transaction: ~15-30 ms of write lock */
#define JOBS_SEARCH_INDEX_BUDGET_MS 500 /* longest run; the rest waits for the next second */

struct jobs_search_index {
	struct store *store; /* borrowed; the job takes the thread's connection */
	int64_t indexed;     /* rows indexed so far (scheduler thread only) */
};

/* The job body (jobs_fn). Returns 0, or the store's CK_E_* code with `err` filled. */
int jobs_search_index_run(void *job, const struct jobs_run *run, struct ck_error *err);

/* Registers the job as "search-index", every second, on every node. As jobs_add(). */
int jobs_search_index_add(struct jobs_scheduler *s, struct jobs_search_index *job,
			  struct ck_error *err);

#endif
