/* Unit tests for jobs/scheduler: first run at start, status (runs, failures, last error,
 * duration), triggers, intervals, one run at a time across jobs, prompt and clean stop (a
 * running job finishes), the cluster-lock hook (skip, run + release, error), and the limits
 * of jobs_add at limit + 1. Waits are bounded polls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "jobs/scheduler.h"

#define WAIT_MAX_MS 5000 /* bound of every poll below */

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms) { usleep((useconds_t)ms * 1000); }

/* Polls job `name` until runs + skipped >= n; fails the test after WAIT_MAX_MS. */
static struct jobs_status wait_attempts(struct jobs_scheduler *s, const char *name, uint64_t n)
{
	struct jobs_status st;
	int64_t end = mono_ms() + WAIT_MAX_MS;

	for (;;) {
		assert_int_equal(jobs_status(s, name, &st), 0);
		if (st.runs + st.skipped >= n && !st.running)
			return st;
		if (mono_ms() > end)
			fail_msg("job %s: %llu attempts after %d ms, want %llu", name,
				 (unsigned long long)(st.runs + st.skipped), WAIT_MAX_MS,
				 (unsigned long long)n);
		sleep_ms(2);
	}
}

/* A job whose behaviour the test scripts: it counts calls, sleeps, fails on demand, and
 * tracks how many jobs of the shared group run at the same moment. */
static pthread_mutex_t group_mu = PTHREAD_MUTEX_INITIALIZER;
static int group_active, group_max;

struct probe {
	int calls;
	int sleep_ms;
	int fail_code; /* returned (with message "boom <n>") while non-zero */
	int finished;  /* set at the very end of a run */
	struct jobs_run last;
};

static int probe_run(void *arg, const struct jobs_run *run, struct ck_error *err)
{
	struct probe *p = arg;

	pthread_mutex_lock(&group_mu);
	if (++group_active > group_max)
		group_max = group_active;
	pthread_mutex_unlock(&group_mu);
	p->calls++;
	p->last = *run;
	p->last.run_id = NULL; /* the string belongs to the scheduler */
	if (p->sleep_ms)
		sleep_ms(p->sleep_ms);
	pthread_mutex_lock(&group_mu);
	group_active--;
	pthread_mutex_unlock(&group_mu);
	p->finished = 1;
	if (p->fail_code)
		return ck_error_set(err, p->fail_code, NULL, "boom %d", p->calls);
	return 0;
}

static struct jobs_scheduler *with_job(const char *name, int interval, struct probe *p)
{
	struct jobs_scheduler *s = NULL;
	struct jobs_def def = {.name = name, .interval_s = interval, .run = probe_run, .arg = p};

	assert_int_equal(jobs_scheduler_new(NULL, &s), 0);
	assert_int_equal(jobs_add(s, &def, NULL), 0);
	return s;
}

static void test_first_run_at_start_and_status(void **state)
{
	struct probe p = {0};
	struct jobs_scheduler *s = with_job("sweep", 3600, &p);
	int64_t before = (int64_t)time(NULL);
	struct jobs_status st;

	(void)state;
	assert_int_equal(jobs_status(s, "sweep", &st), 0);
	assert_int_equal(st.runs, 0);
	assert_int_equal(st.last_start, 0);
	assert_int_equal(jobs_start(s), 0);
	st = wait_attempts(s, "sweep", 1);
	assert_string_equal(st.name, "sweep");
	assert_int_equal(st.interval_s, 3600);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.failures, 0);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.last_result, 0);
	assert_string_equal(st.last_error, "");
	assert_true(st.last_start >= before && st.last_start <= (int64_t)time(NULL));
	assert_int_equal(p.last.run_no, 1);
	assert_string_equal(p.last.name, "sweep");
	/* the next run is an hour away: nothing more happens meanwhile */
	sleep_ms(150);
	assert_int_equal(jobs_status(s, "sweep", &st), 0);
	assert_int_equal(st.runs, 1);
	assert_int_equal(p.calls, 1);
	jobs_scheduler_free(s);
}

static void test_trigger_runs_again(void **state)
{
	struct probe p = {0};
	struct jobs_scheduler *s = with_job("sweep", 3600, &p);

	(void)state;
	assert_int_equal(jobs_start(s), 0);
	wait_attempts(s, "sweep", 1);
	assert_int_equal(jobs_trigger(s, "sweep"), 0);
	wait_attempts(s, "sweep", 2);
	assert_int_equal(p.calls, 2);
	assert_int_equal(p.last.run_no, 2);
	assert_int_equal(jobs_trigger(s, "nope"), CK_E_NOTFOUND);
	jobs_scheduler_free(s);
}

static void test_failure_then_success(void **state)
{
	struct probe p = {.fail_code = CK_E_DB};
	struct jobs_scheduler *s = with_job("sweep", 3600, &p);
	struct jobs_status st;

	(void)state;
	assert_int_equal(jobs_start(s), 0);
	st = wait_attempts(s, "sweep", 1);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.last_result, CK_E_DB);
	assert_string_equal(st.last_error, "boom 1");
	p.fail_code = 0; /* the thread is idle (the run finished): no race */
	assert_int_equal(jobs_trigger(s, "sweep"), 0);
	st = wait_attempts(s, "sweep", 2);
	assert_int_equal(st.runs, 2);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.last_result, 0);
	assert_string_equal(st.last_error, "");
	jobs_scheduler_free(s);
}

static void test_duration_measured(void **state)
{
	struct probe p = {.sleep_ms = 60};
	struct jobs_scheduler *s = with_job("slow", 3600, &p);
	struct jobs_status st;

	(void)state;
	assert_int_equal(jobs_start(s), 0);
	st = wait_attempts(s, "slow", 1);
	assert_true(st.last_duration_ms >= 60);
	assert_true(st.last_duration_ms < WAIT_MAX_MS);
	jobs_scheduler_free(s);
}

static void test_interval_reruns(void **state)
{
	struct probe p = {0};
	struct jobs_scheduler *s = with_job("tick", 1, &p);
	int64_t t0 = mono_ms();

	(void)state;
	assert_int_equal(jobs_start(s), 0);
	wait_attempts(s, "tick", 2);
	/* the second run waits for the interval (1 s) after the first one's start */
	assert_true(mono_ms() - t0 >= 900);
	jobs_scheduler_free(s);
}

static void test_one_run_at_a_time(void **state)
{
	struct probe a = {.sleep_ms = 15}, b = {.sleep_ms = 15};
	struct jobs_def da = {.name = "a", .interval_s = 1, .run = probe_run, .arg = &a};
	struct jobs_def db = {.name = "b", .interval_s = 1, .run = probe_run, .arg = &b};
	struct jobs_scheduler *s = NULL;

	(void)state;
	group_active = group_max = 0;
	assert_int_equal(jobs_scheduler_new(NULL, &s), 0);
	assert_int_equal(jobs_add(s, &da, NULL), 0);
	assert_int_equal(jobs_add(s, &db, NULL), 0);
	assert_int_equal(jobs_start(s), 0);
	for (int i = 0; i < 10; i++) { /* pending triggers of both while either runs */
		assert_int_equal(jobs_trigger(s, "a"), 0);
		assert_int_equal(jobs_trigger(s, "b"), 0);
		sleep_ms(5);
	}
	wait_attempts(s, "a", 3);
	wait_attempts(s, "b", 3);
	jobs_scheduler_free(s);
	assert_true(a.calls >= 3 && b.calls >= 3);
	assert_int_equal(group_max, 1);
}

static void test_stop_is_prompt_and_lets_the_run_finish(void **state)
{
	struct probe p = {0};
	struct jobs_scheduler *s = with_job("sweep", 3600, &p);
	struct jobs_status st;
	int64_t t0;

	(void)state;
	assert_int_equal(jobs_start(s), 0);
	wait_attempts(s, "sweep", 1);
	/* idle with an hour to wait: stop wakes it at once */
	t0 = mono_ms();
	jobs_stop(s);
	assert_true(mono_ms() - t0 < 1000);
	jobs_stop(s);				       /* again: no-op */
	assert_int_equal(jobs_start(s), CK_E_INVALID); /* a stopped scheduler stays stopped */
	jobs_scheduler_free(s);

	/* stopped in the middle of a run: the run completes before jobs_stop returns */
	p = (struct probe){.sleep_ms = 200};
	s = with_job("sweep", 3600, &p);
	assert_int_equal(jobs_start(s), 0);
	t0 = mono_ms();
	do { /* until the first run is in progress */
		assert_int_equal(jobs_status(s, "sweep", &st), 0);
		sleep_ms(1);
	} while (!st.running && mono_ms() - t0 < WAIT_MAX_MS);
	assert_int_equal(st.running, 1);
	jobs_stop(s);
	assert_int_equal(p.finished, 1);
	assert_int_equal(jobs_status(s, "sweep", &st), 0);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.running, 0);
	jobs_scheduler_free(s);
}

/* A scripted cluster lock: answers `answer`, records what it was asked and released. */
struct fake_lock {
	int answer;
	int asked, released;
	int64_t asked_slot, released_slot;
	int asked_interval;
	char asked_name[JOBS_NAME_MAX];
};

static int fake_try(void *ctx, const char *name, int64_t slot, int interval_s, struct ck_error *err)
{
	struct fake_lock *l = ctx;

	l->asked++;
	l->asked_slot = slot;
	l->asked_interval = interval_s;
	snprintf(l->asked_name, sizeof(l->asked_name), "%s", name);
	if (l->answer < 0)
		return ck_error_set(err, l->answer, NULL, "lock table unavailable");
	return l->answer;
}

static void fake_release(void *ctx, const char *name, int64_t slot)
{
	struct fake_lock *l = ctx;

	(void)name;
	l->released++;
	l->released_slot = slot;
}

static void test_cluster_lock_hook(void **state)
{
	struct fake_lock fl = {.answer = 0};
	struct jobs_lock lock = {.try_acquire = fake_try, .release = fake_release, .ctx = &fl};
	struct probe p = {0};
	struct jobs_def def = {.name = "sweep", .interval_s = 600, .run = probe_run, .arg = &p};
	struct jobs_scheduler *s = NULL;
	struct jobs_status st;

	(void)state;
	assert_int_equal(jobs_scheduler_new(&lock, &s), 0);
	assert_int_equal(jobs_add(s, &def, NULL), 0);
	assert_int_equal(jobs_start(s), 0);

	/* another node has this interval: skipped, the job is not called, nothing released */
	st = wait_attempts(s, "sweep", 1);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.runs, 0);
	assert_int_equal(p.calls, 0);
	assert_int_equal(fl.released, 0);
	assert_string_equal(fl.asked_name, "sweep");
	assert_int_equal(fl.asked_interval, 600);
	assert_int_equal(fl.asked_slot % 600, 0);
	assert_true(fl.asked_slot <= (int64_t)time(NULL));
	assert_true(fl.asked_slot > (int64_t)time(NULL) - 600 - 5);

	/* this node wins: the job runs in the slot it was granted, then the lock is released */
	fl.answer = 1;
	assert_int_equal(jobs_trigger(s, "sweep"), 0);
	st = wait_attempts(s, "sweep", 2);
	assert_int_equal(st.runs, 1);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.last.slot, fl.asked_slot);
	assert_true(p.last.started >= p.last.slot && p.last.started < p.last.slot + 600);
	assert_int_equal(fl.released, 1);
	assert_int_equal(fl.released_slot, fl.asked_slot);

	/* the lock itself fails: recorded as the run's error, the job is not called */
	fl.answer = CK_E_DB;
	assert_int_equal(jobs_trigger(s, "sweep"), 0);
	st = wait_attempts(s, "sweep", 3);
	assert_int_equal(st.runs, 2);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.last_result, CK_E_DB);
	assert_string_equal(st.last_error, "lock table unavailable");
	assert_int_equal(p.calls, 1);
	assert_int_equal(fl.released, 1);
	jobs_scheduler_free(s);
}

/* An every_node job runs without asking the cluster lock, beside a job that asks it. */
static void test_every_node_job_skips_the_lock(void **state)
{
	struct fake_lock fl = {.answer = 0};
	struct jobs_lock lock = {.try_acquire = fake_try, .release = fake_release, .ctx = &fl};
	struct probe p = {0}, q = {0};
	struct jobs_def local = {
	    .name = "upkeep", .interval_s = 600, .run = probe_run, .arg = &p, .every_node = 1};
	struct jobs_def shared = {.name = "sweep", .interval_s = 600, .run = probe_run, .arg = &q};
	struct jobs_scheduler *s = NULL;
	struct jobs_status st;

	(void)state;
	assert_int_equal(jobs_scheduler_new(&lock, &s), 0);
	assert_int_equal(jobs_add(s, &local, NULL), 0);
	assert_int_equal(jobs_add(s, &shared, NULL), 0);
	assert_int_equal(jobs_start(s), 0);
	st = wait_attempts(s, "upkeep", 1);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(p.calls, 1);
	st = wait_attempts(s, "sweep", 1);
	assert_int_equal(st.skipped, 1); /* the lock said another node */
	assert_int_equal(q.calls, 0);
	assert_int_equal(fl.asked, 1); /* asked for "sweep" only */
	assert_string_equal(fl.asked_name, "sweep");
	assert_int_equal(fl.released, 0);
	jobs_scheduler_free(s);
}

static void test_add_limits(void **state)
{
	struct probe p = {0};
	struct jobs_scheduler *s = NULL;
	struct jobs_def def = {.interval_s = 60, .run = probe_run, .arg = &p};
	struct ck_error err;
	char name[JOBS_NAME_MAX + 1];
	struct jobs_status st;

	(void)state;
	assert_int_equal(jobs_scheduler_new(NULL, &s), 0);
	const char *bad[] = {"", "Sweep", "two words", "a/b", NULL};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		def.name = bad[i];
		assert_int_equal(jobs_add(s, &def, &err), CK_E_INVALID);
		assert_string_equal(err.field, "name");
	}
	memset(name, 'a', JOBS_NAME_MAX); /* JOBS_NAME_MAX characters: one too many */
	name[JOBS_NAME_MAX] = '\0';
	def.name = name;
	assert_int_equal(jobs_add(s, &def, NULL), CK_E_INVALID);
	name[JOBS_NAME_MAX - 1] = '\0'; /* the longest name */
	assert_int_equal(jobs_add(s, &def, NULL), 0);

	def.name = "interval";
	def.interval_s = 0;
	assert_int_equal(jobs_add(s, &def, NULL), CK_E_INVALID);
	def.interval_s = JOBS_INTERVAL_MAX + 1;
	assert_int_equal(jobs_add(s, &def, NULL), CK_E_INVALID);
	def.interval_s = JOBS_INTERVAL_MAX;
	def.run = NULL;
	assert_int_equal(jobs_add(s, &def, NULL), CK_E_INVALID);
	def.run = probe_run;
	assert_int_equal(jobs_add(s, &def, NULL), 0);
	assert_int_equal(jobs_add(s, &def, &err), CK_E_DUPLICATE);

	for (int i = 2; i < JOBS_MAX; i++) { /* fill up to JOBS_MAX */
		char n[16];
		snprintf(n, sizeof(n), "job-%d", i);
		def.name = n;
		assert_int_equal(jobs_add(s, &def, NULL), 0);
	}
	def.name = "one-too-many";
	assert_int_equal(jobs_add(s, &def, NULL), CK_E_TOOBIG);
	assert_int_equal(jobs_status(s, "one-too-many", &st), CK_E_NOTFOUND);
	jobs_scheduler_free(s);

	s = with_job("sweep", 3600, &p);
	assert_int_equal(jobs_start(s), 0);
	def.name = "late";
	assert_int_equal(jobs_add(s, &def, NULL), CK_E_INVALID); /* after the start */
	assert_int_equal(jobs_start(s), CK_E_INVALID);
	jobs_scheduler_free(s);
	jobs_scheduler_free(NULL);
}

static void test_no_jobs_no_thread(void **state)
{
	struct jobs_scheduler *s = NULL;

	(void)state;
	assert_int_equal(jobs_scheduler_new(NULL, &s), 0);
	assert_int_equal(jobs_start(s), 0);
	jobs_stop(s);
	jobs_scheduler_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_run_at_start_and_status),
	    cmocka_unit_test(test_trigger_runs_again),
	    cmocka_unit_test(test_failure_then_success),
	    cmocka_unit_test(test_duration_measured),
	    cmocka_unit_test(test_interval_reruns),
	    cmocka_unit_test(test_one_run_at_a_time),
	    cmocka_unit_test(test_stop_is_prompt_and_lets_the_run_finish),
	    cmocka_unit_test(test_cluster_lock_hook),
	    cmocka_unit_test(test_every_node_job_skips_the_lock),
	    cmocka_unit_test(test_add_limits),
	    cmocka_unit_test(test_no_jobs_no_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
