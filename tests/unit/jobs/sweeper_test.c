/* Unit tests for jobs/sweeper: registered with the scheduler, its first run (at start) expires
 * an active certificate past valid_to on the scheduler thread's own connection to a file
 * database, and the status shows the run; sweep_interval_s = 0 registers nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "jobs/scheduler.h"
#include "jobs/sweeper.h"
#include "store/store.h"

#define WAIT_MAX_MS 5000

struct tmpdb {
	char dir[64], path[128], url[160];
	struct store *st;
};

static void tmpdb_open(struct tmpdb *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/ck-jobs-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/test.db", t->dir);
	snprintf(t->url, sizeof(t->url), "sqlite:%s", t->path);
	assert_int_equal(store_open(t->url, 0, &t->st, NULL), 0);
}

static void tmpdb_close(struct tmpdb *t)
{
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[192];

	store_close(t->st);
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static void exec(struct tmpdb *t, const char *sql)
{
	struct ck_error e;

	ck_error_clear(&e);
	if (store_exec(store_conn_get(t->st), sql, &e))
		fail_msg("%s: %s", sql, e.msg);
}

static int64_t scalar(struct tmpdb *t, const char *sql)
{
	int64_t v = -1;

	assert_int_equal(store_scalar_i64(store_conn_get(t->st), sql, NULL, 0, &v, NULL), 0);
	return v;
}

static void cert(struct tmpdb *t, const char *cn, int64_t valid_to)
{
	char sql[768];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO certificates (common_name, serial_number, serial_key, "
		 "fingerprint_sha256, issuer, issuer_key, valid_from, valid_to, status, "
		 "archive_pinned, created, last_updated) VALUES ('%s', '0%zu', '%zu', 'FP%s', "
		 "'CN=CA', 'cn=ca', %lld, %lld, 'active', 0, 1, 1)",
		 cn, strlen(cn), strlen(cn), cn, (long long)(valid_to - 90 * 86400),
		 (long long)valid_to);
	exec(t, sql);
}

static void test_first_run_expires_past_certificates(void **state)
{
	struct tmpdb t;
	struct ck_config cfg;
	struct jobs_sweeper sw;
	struct jobs_scheduler *s = NULL;
	struct jobs_status st;
	int64_t now = (int64_t)time(NULL);
	int waited = 0;

	(void)state;
	tmpdb_open(&t);
	cert(&t, "past.example.com", now - 60);
	cert(&t, "future.example.com", now + 86400);
	ck_config_defaults(&cfg);
	cfg.sweep_interval_s = 3600;
	sw = (struct jobs_sweeper){.store = t.st, .cfg = &cfg};
	assert_int_equal(jobs_scheduler_new(NULL, &s), 0);
	assert_int_equal(jobs_sweeper_add(s, &sw, NULL), 0);
	assert_int_equal(jobs_start(s), 0);
	do {
		assert_int_equal(jobs_status(s, JOBS_SWEEPER_NAME, &st), 0);
		usleep(5000);
		waited += 5;
	} while ((st.runs == 0 || st.running) && waited < WAIT_MAX_MS);
	jobs_scheduler_free(s);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.interval_s, 3600);
	assert_int_equal(st.last_result, 0);
	assert_string_equal(st.last_error, "");
	assert_int_equal(scalar(&t, "SELECT COUNT(*) FROM certificates WHERE status = 'expired' "
				    "AND common_name = 'past.example.com'"),
			 1);
	assert_int_equal(scalar(&t, "SELECT COUNT(*) FROM certificates WHERE status = 'active' "
				    "AND common_name = 'future.example.com'"),
			 1);
	/* the changelog row names the job, as the sweeper thread's rows did */
	assert_int_equal(scalar(&t, "SELECT COUNT(*) FROM object_changes WHERE request_id = "
				    "'sweep'"),
			 1);
	tmpdb_close(&t);
}

static void test_interval_zero_disables(void **state)
{
	struct ck_config cfg;
	struct jobs_sweeper sw = {.store = NULL, .cfg = &cfg};
	struct jobs_scheduler *s = NULL;
	struct jobs_status st;

	(void)state;
	ck_config_defaults(&cfg);
	cfg.sweep_interval_s = 0;
	assert_int_equal(jobs_scheduler_new(NULL, &s), 0);
	assert_int_equal(jobs_sweeper_add(s, &sw, NULL), 0);
	assert_int_equal(jobs_status(s, JOBS_SWEEPER_NAME, &st), CK_E_NOTFOUND);
	jobs_scheduler_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_run_expires_past_certificates),
	    cmocka_unit_test(test_interval_zero_disables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
