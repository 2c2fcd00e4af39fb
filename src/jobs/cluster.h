/*
 * jobs/cluster — the cluster lock of jobs/scheduler (struct jobs_lock) over the database:
 * a periodic job runs once per interval in the whole cluster, whichever node gets there
 * first (store/jobs.h store_job_slot_claim: one job_runs row per (job, slot)). The same row
 * works on SQLite (several processes on one file) and PostgreSQL (several nodes), so
 * `certkeeper serve` always uses it.
 *
 * Lifecycle: fill a struct jobs_cluster_lock with jobs_cluster_lock_init(), pass the struct
 * jobs_lock it fills to jobs_scheduler_new(); keep the jobs_cluster_lock alive while the
 * scheduler runs. try_acquire runs on the scheduler thread and uses that thread's store
 * connection; there is nothing to release (the slot row stays as the record of the run).
 */
#ifndef CK_JOBS_CLUSTER_H
#define CK_JOBS_CLUSTER_H

#include "jobs/scheduler.h"
#include "store/jobs.h"
#include "store/store.h"

struct jobs_cluster_lock {
	struct store *store;	       /* borrowed */
	char node[STORE_JOB_NODE_MAX]; /* who ran a slot, as job_runs.node shows it */
};

/* Sets cl up for `st` and node name `node` (copied, cut to STORE_JOB_NODE_MAX - 1 bytes)
 * and fills *ret with the hook to give jobs_scheduler_new(). */
void jobs_cluster_lock_init(struct jobs_cluster_lock *cl, struct store *st, const char *node,
			    struct jobs_lock *ret);

#endif
