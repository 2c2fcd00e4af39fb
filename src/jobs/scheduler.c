/* jobs/scheduler — named periodic jobs on one thread. See scheduler.h for the invariants.
 *
 * The thread sleeps on a condition variable bound to CLOCK_MONOTONIC until the earliest job
 * is due (a wall-clock step never makes a job run twice or stall), runs that one job with the
 * mutex released, records its status, and picks again. jobs_trigger and jobs_stop wake it. */
#include "jobs/scheduler.h"
#include "core/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum sched_state { JS_IDLE, JS_RUNNING, JS_STOPPED };

struct job {
	struct jobs_def def;	   /* def.name points at status.name */
	struct timespec next_due;  /* monotonic; zero = due at once */
	int triggered;		   /* jobs_trigger asked for a run */
	uint64_t attempts;	   /* runs + skips, numbers the run ids */
	struct jobs_status status; /* guarded by the scheduler's mutex */
};

struct jobs_scheduler {
	pthread_mutex_t mu;
	pthread_cond_t wake; /* CLOCK_MONOTONIC */
	pthread_t thread;
	enum sched_state state;
	int stopping;
	int has_lock;
	struct jobs_lock lock;
	size_t njobs;
	struct job jobs[JOBS_MAX];
};

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int64_t ms_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

int jobs_scheduler_new(const struct jobs_lock *lock, struct jobs_scheduler **ret)
{
	struct jobs_scheduler *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (!s)
		return CK_E_NOMEM;
	if (pthread_condattr_init(&ca))
		goto free_s;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&s->wake, &ca))
		goto free_attr;
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&s->mu, NULL);
	if (lock && lock->try_acquire) {
		s->lock = *lock;
		s->has_lock = 1;
	}
	*ret = s;
	return 0;

free_attr:
	pthread_condattr_destroy(&ca);
free_s:
	free(s);
	return CK_E_NOMEM;
}

static int name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= JOBS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", name[i]))
			return 0;
	return 1;
}

static struct job *find(struct jobs_scheduler *s, const char *name)
{
	for (size_t i = 0; i < s->njobs; i++)
		if (!strcmp(s->jobs[i].status.name, name))
			return &s->jobs[i];
	return NULL;
}

int jobs_add(struct jobs_scheduler *s, const struct jobs_def *def, struct ck_error *err)
{
	struct job *j;

	if (s->state != JS_IDLE)
		return ck_error_set(err, CK_E_INVALID, NULL, "jobs are added before the start");
	if (!name_ok(def->name))
		return ck_error_set(err, CK_E_INVALID, "name",
				    "a job name is 1-%d characters of [a-z0-9_-]",
				    JOBS_NAME_MAX - 1);
	if (def->interval_s < 1 || def->interval_s > JOBS_INTERVAL_MAX || !def->run)
		return ck_error_set(err, CK_E_INVALID, "interval_s",
				    "job '%s': interval must be 1..%d seconds and run set",
				    def->name, JOBS_INTERVAL_MAX);
	if (find(s, def->name))
		return ck_error_set(err, CK_E_DUPLICATE, "name", "job '%s' exists", def->name);
	if (s->njobs == JOBS_MAX)
		return ck_error_set(err, CK_E_TOOBIG, NULL, "at most %d jobs", JOBS_MAX);
	j = &s->jobs[s->njobs++];
	memset(j, 0, sizeof(*j));
	snprintf(j->status.name, sizeof(j->status.name), "%s", def->name);
	j->status.interval_s = def->interval_s;
	j->def = *def;
	j->def.name = j->status.name;
	return 0;
}

/* The job to run next and whether it is due now; s->mu held. */
static struct job *next_job(struct jobs_scheduler *s, const struct timespec *now, int *ret_due)
{
	struct job *best = NULL;

	for (size_t i = 0; i < s->njobs; i++) {
		struct job *j = &s->jobs[i];

		if (j->triggered) {
			*ret_due = 1;
			return j;
		}
		if (!best || ts_before(&j->next_due, &best->next_due))
			best = j;
	}
	*ret_due = !ts_before(now, &best->next_due);
	return best;
}

/* Asks the cluster lock, then runs the job; returns 1 when skipped. Mutex not held. */
static int perform(struct jobs_scheduler *s, struct job *j, const struct jobs_run *run, int *ret_rc,
		   struct ck_error *err)
{
	int rc = 1;
	int locked = s->has_lock && !j->def.every_node;

	if (locked)
		rc = s->lock.try_acquire(s->lock.ctx, j->def.name, run->slot, j->def.interval_s,
					 err);
	if (rc == 0)
		return 1;
	if (rc < 0) {
		*ret_rc = rc;
		return 0;
	}
	*ret_rc = j->def.run(j->def.arg, run, err);
	if (locked && s->lock.release)
		s->lock.release(s->lock.ctx, j->def.name, run->slot);
	return 0;
}

static void record(struct jobs_status *st, const struct jobs_run *run, int skipped, int rc,
		   const struct ck_error *err, int64_t ms)
{
	if (skipped) {
		st->skipped++;
		return;
	}
	st->runs++;
	st->last_start = run->started;
	st->last_duration_ms = ms;
	st->last_result = rc;
	st->last_error[0] = '\0';
	if (rc) {
		st->failures++;
		snprintf(st->last_error, sizeof(st->last_error), "%s",
			 err->msg[0] ? err->msg : ck_strerror(rc));
	}
}

/* One run of j; s->mu held on entry and on return, released while the job runs. */
static void run_one(struct jobs_scheduler *s, struct job *j)
{
	struct timespec t0, t1;
	struct ck_error err;
	char run_id[JOBS_NAME_MAX + 24];
	struct jobs_run run = {.name = j->def.name, .run_id = run_id};
	int rc = 0, skipped;

	j->triggered = 0;
	j->status.running = 1;
	run.run_no = ++j->attempts;
	pthread_mutex_unlock(&s->mu);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	run.started = (int64_t)time(NULL);
	run.slot = run.started - run.started % j->def.interval_s;
	snprintf(run_id, sizeof(run_id), "%s-%llu", j->def.name, (unsigned long long)run.run_no);
	ck_error_clear(&err);
	skipped = perform(s, j, &run, &rc, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc)
		ck_log(CK_LOG_ERROR, run_id, "job %s failed: %s", j->def.name,
		       err.msg[0] ? err.msg : ck_strerror(rc));
	else if (skipped)
		ck_log(CK_LOG_DEBUG, run_id, "job %s skipped: another node has this interval",
		       j->def.name);
	else if (s->has_lock && !j->def.every_node) /* which node ran which slot: one line per
						     * claimed run, cluster-wide (every_node jobs
						     * claim none, and run every second) */
		ck_log(CK_LOG_INFO, run_id, "job %s ran for slot %lld on this node", j->def.name,
		       (long long)run.slot);

	pthread_mutex_lock(&s->mu);
	record(&j->status, &run, skipped, rc, &err, ms_between(&t0, &t1));
	j->status.running = 0;
	j->next_due = t0;
	j->next_due.tv_sec += j->def.interval_s;
}

static void *sched_main(void *arg)
{
	struct jobs_scheduler *s = arg;
	struct timespec now;
	struct job *j;
	int due;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		j = next_job(s, &now, &due);
		if (due)
			run_one(s, j);
		else
			pthread_cond_timedwait(&s->wake, &s->mu, &j->next_due);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int jobs_start(struct jobs_scheduler *s)
{
	if (s->state != JS_IDLE)
		return CK_E_INVALID;
	if (!s->njobs)
		return 0;
	s->stopping = 0;
	if (pthread_create(&s->thread, NULL, sched_main, s))
		return CK_E_NOMEM;
	s->state = JS_RUNNING;
	return 0;
}

int jobs_trigger(struct jobs_scheduler *s, const char *name)
{
	struct job *j;

	pthread_mutex_lock(&s->mu);
	j = find(s, name);
	if (j) {
		j->triggered = 1;
		pthread_cond_signal(&s->wake);
	}
	pthread_mutex_unlock(&s->mu);
	return j ? 0 : CK_E_NOTFOUND;
}

int jobs_status(struct jobs_scheduler *s, const char *name, struct jobs_status *ret)
{
	struct job *j;

	pthread_mutex_lock(&s->mu);
	j = find(s, name);
	if (j)
		*ret = j->status;
	pthread_mutex_unlock(&s->mu);
	return j ? 0 : CK_E_NOTFOUND;
}

void jobs_stop(struct jobs_scheduler *s)
{
	if (s->state != JS_RUNNING)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	s->state = JS_STOPPED;
}

void jobs_scheduler_free(struct jobs_scheduler *s)
{
	if (!s)
		return;
	jobs_stop(s);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
