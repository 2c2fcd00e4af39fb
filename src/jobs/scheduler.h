/*
 * jobs/scheduler — named periodic jobs run on one background thread (DESIGN.md §2: jobs/
 * owns "schedules (once per interval per cluster)"). The status sweep (jobs/sweeper) is the
 * first job; outbox consumers, source syncs and ARI checks join it later.
 *
 * Invariants:
 *  1. One run at a time: every job of a scheduler runs on the scheduler's single thread, so
 *     two runs (of the same job or of different jobs) never overlap. A job therefore owns its
 *     thread's store connection while it runs, and must bound its own work (the sweep is
 *     batched) because a long run delays the others.
 *  2. Each job runs once right after jobs_start() and then every interval_s seconds, measured
 *     from the start of its previous run on the monotonic clock; a run that overruns its
 *     interval is followed by the next one at once, never by a burst of catch-up runs.
 *  3. Before each run the scheduler asks the cluster lock (struct jobs_lock), when one is set
 *     and the job is not every_node, whether this node may run the job for the current
 *     interval; a refusal counts as a skip, not a failure. Without a lock every node runs
 *     every job (single-node deployments).
 *  4. The status of each job (struct jobs_status) is updated under the scheduler's mutex after
 *     each run and may be read from any thread with jobs_status() at any time.
 *
 * Lifecycle: jobs_scheduler_new → jobs_add (before start) → jobs_start → [jobs_trigger,
 * jobs_status] → jobs_stop → jobs_scheduler_free. jobs_stop wakes the thread, lets a running
 * job finish, and joins; jobs_scheduler_free stops first if needed. All functions except
 * jobs_add/jobs_start/jobs_stop/jobs_scheduler_free (one controlling thread) are thread-safe.
 */
#ifndef CK_JOBS_SCHEDULER_H
#define CK_JOBS_SCHEDULER_H

#include <stdint.h>

#include "core/error.h"

#define JOBS_MAX 16			/* jobs per scheduler */
#define JOBS_NAME_MAX 32		/* bytes of a job name, NUL included */
#define JOBS_INTERVAL_MAX (366 * 86400) /* longest interval_s accepted (a year) */

/* What a job learns about the run it performs. */
struct jobs_run {
	const char *name;   /* the job's name */
	const char *run_id; /* "<name>-<run number>", for log lines */
	uint64_t run_no;    /* 1 for the first run */
	int64_t started;    /* wall-clock epoch seconds of the start */
	int64_t slot;	    /* start of the interval this run belongs to (started rounded down
			     * to a multiple of interval_s): the unit of "once per interval" */
};

/* A job's body. Returns 0, or a negative CK_E_* code with `err` filled (both recorded in the
 * job's status). Runs on the scheduler thread; must not call back into the scheduler's
 * jobs_add/jobs_start/jobs_stop. */
typedef int (*jobs_fn)(void *arg, const struct jobs_run *run, struct ck_error *err);

struct jobs_def {
	const char *name; /* copied; 1..JOBS_NAME_MAX-1 bytes of [a-z0-9_-], unique */
	int interval_s;	  /* 1..JOBS_INTERVAL_MAX */
	jobs_fn run;
	void *arg;	/* borrowed; must outlive the scheduler's thread */
	int every_node; /* 1: runs on every node, the cluster lock is not asked (for idempotent
			 * upkeep such as jobs/search_index, where claiming a slot every second
			 * would cost more than the run) */
};

/*
 * The cluster-wide "once per interval" hook. cli/cmd_serve passes jobs/cluster's lock: one
 * job_runs row per (job, slot), inserted by whichever node gets there first
 * (store/jobs.h store_job_slot_claim), on SQLite (several processes on one file) and
 * PostgreSQL (several nodes) alike. Without a lock every node runs every job.
 * try_acquire returns 1 when this node owns (name, slot) and must run the job, 0 when another
 * node already ran or is running it for that slot (the run is skipped and counted), or a
 * negative CK_E_* code (recorded as the run's error; the job does not run). release, which
 * may be NULL, is called after a run that try_acquire allowed (e.g. to drop a session-level
 * advisory lock); a slot claimed in a row needs no release. Both are called on the scheduler
 * thread, so they may use that thread's store connection.
 */
struct jobs_lock {
	int (*try_acquire)(void *ctx, const char *name, int64_t slot, int interval_s,
			   struct ck_error *err);
	void (*release)(void *ctx, const char *name, int64_t slot);
	void *ctx;
};

/* The observable state of one job, as of its last finished run. */
struct jobs_status {
	char name[JOBS_NAME_MAX];
	int interval_s;
	uint64_t runs;		  /* runs that happened (successful or not; skips excluded) */
	uint64_t failures;	  /* runs that returned an error (or whose lock failed) */
	uint64_t skipped;	  /* runs skipped because the cluster lock said another node */
	int running;		  /* 1 while a run is in progress */
	int64_t last_start;	  /* epoch seconds of the last run's start; 0 = never ran */
	int64_t last_duration_ms; /* wall time of the last run, monotonic clock */
	int last_result;	  /* 0 or the last run's CK_E_* code */
	char last_error[CK_ERROR_MSG_MAX]; /* message of the last failure; "" after a success */
};

struct jobs_scheduler;

/* Creates an idle scheduler. `lock` (copied; may be NULL) is the cluster lock described
 * above. Returns 0 and *ret (free with jobs_scheduler_free), or CK_E_NOMEM. */
int jobs_scheduler_new(const struct jobs_lock *lock, struct jobs_scheduler **ret);

/* Registers a job; only before jobs_start. Returns 0, CK_E_INVALID (bad name or interval,
 * NULL run, already started), CK_E_DUPLICATE (name taken) or CK_E_TOOBIG (JOBS_MAX jobs
 * already); `err` says which. */
int jobs_add(struct jobs_scheduler *s, const struct jobs_def *def, struct ck_error *err);

/* Starts the thread (a scheduler without jobs starts nothing and returns 0). Returns 0,
 * CK_E_INVALID when already started, CK_E_NOMEM when the thread cannot be created. */
int jobs_start(struct jobs_scheduler *s);

/* Asks for a run of `name` as soon as the thread is free (at most one pending request per
 * job; the interval then counts from that run). Returns 0 or CK_E_NOTFOUND. */
int jobs_trigger(struct jobs_scheduler *s, const char *name);

/* Copies the status of job `name` into *ret. Returns 0 or CK_E_NOTFOUND. */
int jobs_status(struct jobs_scheduler *s, const char *name, struct jobs_status *ret);

/* Stops the thread: no new run starts, a running job finishes, then the thread is joined.
 * Safe when not started or already stopped. */
void jobs_stop(struct jobs_scheduler *s);

/* Stops (if needed) and frees. NULL accepted. */
void jobs_scheduler_free(struct jobs_scheduler *s);

#endif
