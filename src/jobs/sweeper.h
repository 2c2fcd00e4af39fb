/*
 * jobs/sweeper — the lifecycle status sweep as a scheduled job (the first job of
 * jobs/scheduler): each run calls dom_lifecycle_sweep() (active → expired, expired/replaced
 * → archived) on the scheduler thread's store connection and logs one line when it changed
 * something. `certkeeper sweep` runs the same domain call once, for cron.
 *
 * Lifecycle: fill a struct jobs_sweeper, keep it alive while the scheduler runs, register it
 * with jobs_sweeper_add(). The job only reads the struct.
 */
#ifndef CK_JOBS_SWEEPER_H
#define CK_JOBS_SWEEPER_H

#include "core/config.h"
#include "jobs/scheduler.h"
#include "store/store.h"

#define JOBS_SWEEPER_NAME "sweep"

struct jobs_sweeper {
	struct store *store;	     /* borrowed; the job takes the thread's connection */
	const struct ck_config *cfg; /* borrowed; sweep_interval_s, auto_archive_after_days */
};

/* The job body (jobs_fn): one sweep at run->started. Returns 0, or the domain's CK_E_* code
 * with `err` filled (CK_E_DB when no connection can be opened). */
int jobs_sweeper_run(void *sweeper, const struct jobs_run *run, struct ck_error *err);

/* Registers the sweep as job "sweep" every cfg->sweep_interval_s seconds; an interval <= 0
 * disables the sweep and returns 0 without adding it. Otherwise as jobs_add(). */
int jobs_sweeper_add(struct jobs_scheduler *s, struct jobs_sweeper *sw, struct ck_error *err);

#endif
