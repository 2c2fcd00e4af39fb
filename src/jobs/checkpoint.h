/*
 * jobs/checkpoint — copies the write-ahead log back into the database every second
 * (store_checkpoint; SQLite: a PASSIVE checkpoint), so that writers, which only checkpoint
 * themselves once the log is large (store/sqlite.c SQLITE_WAL_AUTOCHECKPOINT_PAGES), never
 * pay for it in a request and the log stays small. A PASSIVE checkpoint neither waits for
 * readers nor blocks writers; what a reader still needs is copied by a later run.
 *
 * Runs on every node (jobs_def.every_node): each process checkpoints the file it writes.
 * Engines without a log to copy (PostgreSQL) do nothing.
 *
 * Lifecycle: fill a struct jobs_checkpoint, keep it alive while the scheduler runs, register
 * it with jobs_checkpoint_add().
 */
#ifndef CK_JOBS_CHECKPOINT_H
#define CK_JOBS_CHECKPOINT_H

#include "jobs/scheduler.h"
#include "store/store.h"

#define JOBS_CHECKPOINT_NAME "checkpoint"

struct jobs_checkpoint {
	struct store *store; /* borrowed; the job takes the thread's connection */
};

/* The job body (jobs_fn). Returns 0, or the store's CK_E_* code with `err` filled. */
int jobs_checkpoint_run(void *job, const struct jobs_run *run, struct ck_error *err);

/* Registers the job as "checkpoint", every second, on every node. As jobs_add(). */
int jobs_checkpoint_add(struct jobs_scheduler *s, struct jobs_checkpoint *job,
			struct ck_error *err);

#endif
