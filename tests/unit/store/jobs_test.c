/* store/jobs: the once-per-interval slot claim and the outbox claim, on SQLite (a file shared by
 * two stores = two processes) and, when CK_TEST_PG_URL names a server, on PostgreSQL (two
 * stores = two nodes). Concurrency is real: threads with their own connections. The
 * PostgreSQL statement time limit is tested here too (it is what keeps the SKIP LOCKED test
 * from hanging if the rows were waited for instead of skipped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "store/changes.h"
#include "store/jobs.h"
#include "store/store.h"

#define SLOTS 200	/* slots raced for by two threads */
#define OUTBOX_ROWS 300 /* outbox rows drained by two threads */

/* ---- databases ---- */

static const char *pg_url(void) { return getenv("CK_TEST_PG_URL"); }

/* A fresh database URL for `engine` ("sqlite" or "postgres") in buf. */
static void fresh_url(const char *engine, char *buf, size_t size)
{
	static int seq;

	seq++;
	if (!strcmp(engine, "sqlite")) {
		char dir[] = "/tmp/ck-jobs-test-XXXXXX";

		assert_non_null(mkdtemp(dir));
		snprintf(buf, size, "sqlite:%s/db%d.sqlite", dir, seq);
		return;
	}
	{
		char name[64], sql[128];
		struct store *admin = NULL;
		struct ck_error err = {0};
		const char *q = strchr(pg_url(), '?');

		snprintf(name, sizeof(name), "ck_jobs_%ld_%d_%d", (long)time(NULL), (int)getpid(),
			 seq);
		assert_int_equal(store_open(pg_url(), 1, &admin, &err), 0);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		assert_int_equal(store_exec(store_conn_get(admin), sql, &err), 0);
		store_close(admin);
		snprintf(buf, size, "postgresql:///%s%s", name, q ? q : "");
	}
}

static struct store *open_url(const char *url)
{
	struct store *st = NULL;
	struct ck_error err = {0};

	assert_int_equal(store_open(url, 0, &st, &err), 0);
	return st;
}

/* Runs body(url) on SQLite and, when a server is configured, on PostgreSQL. */
static void on_each_engine(void (*body)(const char *engine, const char *url))
{
	static const char *const engines[] = {"sqlite", "postgres"};
	char url[512];

	for (size_t i = 0; i < 2; i++) {
		if (!strcmp(engines[i], "postgres") && !pg_url())
			continue;
		fresh_url(engines[i], url, sizeof(url));
		body(engines[i], url);
	}
}

static int64_t scalar(struct store *st, const char *sql)
{
	struct ck_error err = {0};
	int64_t v = -1;

	assert_int_equal(store_scalar_i64(store_conn_get(st), sql, NULL, 0, &v, &err), 0);
	return v;
}

/* ---- the slot claim ---- */

static void claim_once_body(const char *engine, const char *url)
{
	struct store *a = open_url(url), *b = open_url(url);
	struct ck_error err = {0};
	struct store_stmt *s = NULL;

	(void)engine;
	assert_int_equal(
	    store_job_slot_claim(store_conn_get(a), "sweep", 3600, 60, "node-a", 3601, &err), 1);
	/* the same slot from another node (store): already claimed */
	assert_int_equal(
	    store_job_slot_claim(store_conn_get(b), "sweep", 3600, 60, "node-b", 3602, &err), 0);
	assert_int_equal(
	    store_job_slot_claim(store_conn_get(a), "sweep", 3600, 60, "node-a", 3603, &err), 0);
	/* the next slot and another job's same slot are free */
	assert_int_equal(
	    store_job_slot_claim(store_conn_get(b), "sweep", 3660, 60, "node-b", 3661, &err), 1);
	assert_int_equal(
	    store_job_slot_claim(store_conn_get(b), "other", 3600, 60, "node-b", 3661, &err), 1);
	/* an older slot (a node whose clock lags) is never claimed after a newer one */
	assert_int_equal(
	    store_job_slot_claim(store_conn_get(a), "sweep", 3540, 60, "node-a", 3541, &err), 0);
	assert_int_equal(scalar(a, "SELECT COUNT(*) FROM job_runs"), 3);
	assert_int_equal(store_query(store_conn_get(a),
				     "SELECT node, claimed_at FROM job_runs"
				     " WHERE name = 'sweep' AND slot = 3600",
				     &s, &err),
			 0);
	assert_int_equal(store_step(s, &err), STORE_ROW);
	assert_string_equal(store_col_text(s, 0, NULL), "node-a");
	assert_int_equal(store_col_i64(s, 1), 3601);
	store_done(s);
	store_close(b);
	store_close(a);
}

static void test_claim_once(void **state)
{
	(void)state;
	on_each_engine(claim_once_body);
}

struct racer {
	struct store *st;
	const char *node;
	int won;
	int failed;
};

static void *race_slots(void *arg)
{
	struct racer *r = arg;
	struct store_conn *c = store_conn_get(r->st);

	for (int64_t slot = 0; c && slot < SLOTS; slot++) {
		int rc = store_job_slot_claim(c, "race", slot * 10, 10, r->node, slot * 10, NULL);

		if (rc < 0)
			r->failed++;
		else
			r->won += rc;
	}
	return NULL;
}

/* Two nodes (stores) race for every slot at the same time: each slot is won exactly once. */
static void claim_race_body(const char *engine, const char *url)
{
	struct store *a = open_url(url), *b = open_url(url);
	struct racer ra = {.st = a, .node = "a"}, rb = {.st = b, .node = "b"};
	pthread_t ta, tb;

	(void)engine;
	assert_int_equal(pthread_create(&ta, NULL, race_slots, &ra), 0);
	assert_int_equal(pthread_create(&tb, NULL, race_slots, &rb), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(ra.failed + rb.failed, 0);
	assert_int_equal(ra.won + rb.won, SLOTS);
	/* STORE_JOB_RUNS_KEEP of the SLOTS slots are kept, one row each */
	assert_int_equal(scalar(a, "SELECT COUNT(*) FROM job_runs WHERE name = 'race'"),
			 STORE_JOB_RUNS_KEEP);
	assert_int_equal(scalar(a, "SELECT COUNT(DISTINCT slot) FROM job_runs"),
			 STORE_JOB_RUNS_KEEP);
	store_close(b);
	store_close(a);
}

static void test_claim_race(void **state)
{
	(void)state;
	on_each_engine(claim_race_body);
}

/* Limits: a node name of STORE_JOB_NODE_MAX - 1 bytes is kept, one more byte is refused;
 * an empty job name and an interval below 1 are refused. */
static void claim_limits_body(const char *engine, const char *url)
{
	struct store *st = open_url(url);
	struct store_conn *c = store_conn_get(st);
	struct ck_error err = {0};
	char node[STORE_JOB_NODE_MAX + 1];

	(void)engine;
	memset(node, 'n', sizeof(node) - 1);
	node[STORE_JOB_NODE_MAX - 1] = '\0';
	assert_int_equal(store_job_slot_claim(c, "j", 0, 1, node, 0, &err), 1);
	node[STORE_JOB_NODE_MAX - 1] = 'n';
	node[STORE_JOB_NODE_MAX] = '\0';
	assert_int_equal(store_job_slot_claim(c, "j", 1, 1, node, 0, &err), CK_E_INVALID);
	assert_int_equal(store_job_slot_claim(c, "", 1, 1, "n", 0, &err), CK_E_INVALID);
	assert_int_equal(store_job_slot_claim(c, "j", 1, 0, "n", 0, &err), CK_E_INVALID);
	assert_int_equal(scalar(st, "SELECT COUNT(*) FROM job_runs"), 1);
	store_close(st);
}

static void test_claim_limits(void **state)
{
	(void)state;
	on_each_engine(claim_limits_body);
}

/* ---- the outbox claim ---- */

static void add_outbox(struct store *st, int n)
{
	struct store_conn *c = store_conn_get(st);
	struct ck_error err = {0};

	assert_int_equal(store_tx_begin(c, &err), 0);
	for (int i = 0; i < n; i++) {
		struct store_outbox_row row = {.object_type = "netbox_ssl.certificate",
					       .object_id = i + 1,
					       .event = "created",
					       .request_id = "t",
					       .created = 1000};

		assert_int_equal(store_outbox_insert(c, &row, NULL, &err), 0);
	}
	assert_int_equal(store_tx_commit(c, &err), 0);
}

static void claim_ids(struct store *st, const char *worker, int64_t now, size_t max,
		      const int64_t *want, size_t nwant)
{
	struct ck_error err = {0};
	int64_t *ids = NULL;
	size_t n = 99;

	assert_int_equal(
	    store_outbox_claim(store_conn_get(st), worker, now, 30, max, &ids, &n, &err), 0);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], want[i]);
	free(ids);
}

static void outbox_lease_body(const char *engine, const char *url)
{
	struct store *st = open_url(url);
	struct ck_error err = {0};
	int64_t *ids = NULL;
	size_t n = 0;

	(void)engine;
	add_outbox(st, 8);
	assert_int_equal(store_outbox_mark_consumed(store_conn_get(st), 2, 1001, &err), 0);
	claim_ids(st, "w1", 2000, 3, (const int64_t[]){1, 3, 4}, 3); /* 2 is consumed */
	claim_ids(st, "w2", 2000, 3, (const int64_t[]){5, 6, 7}, 3);
	claim_ids(st, "w2", 2029, 5, (const int64_t[]){8}, 1);
	claim_ids(st, "w3", 2029, 5, NULL, 0); /* every pending row is leased */
	/* at the end of w1's lease (2000 + 30) its rows are offered again */
	claim_ids(st, "w3", 2030, 2, (const int64_t[]){1, 3}, 2);
	assert_int_equal(scalar(st, "SELECT COUNT(*) FROM outbox WHERE claimed_by = 'w3'"), 2);
	/* limits: 0 and STORE_OUTBOX_CLAIM_MAX + 1 rows, a lease of 0 s */
	assert_int_equal(store_outbox_claim(store_conn_get(st), "w", 0, 30, 0, &ids, &n, &err),
			 CK_E_INVALID);
	assert_int_equal(store_outbox_claim(store_conn_get(st), "w", 0, 30,
					    STORE_OUTBOX_CLAIM_MAX + 1, &ids, &n, &err),
			 CK_E_INVALID);
	assert_int_equal(store_outbox_claim(store_conn_get(st), "w", 0, 0, 1, &ids, &n, &err),
			 CK_E_INVALID);
	store_close(st);
}

static void test_outbox_lease(void **state)
{
	(void)state;
	on_each_engine(outbox_lease_body);
}

struct drainer {
	struct store *st;
	const char *worker;
	int64_t got[OUTBOX_ROWS + 1];
	size_t n;
	int failed;
};

static void *drain(void *arg)
{
	struct drainer *d = arg;
	struct store_conn *c = store_conn_get(d->st);

	for (int i = 0; c && i < OUTBOX_ROWS * 2; i++) { /* bounded: each round takes ≥ 1 row */
		int64_t *ids = NULL;
		size_t n = 0;

		if (store_outbox_claim(c, d->worker, 5000, 600, 2, &ids, &n, NULL) < 0) {
			d->failed++;
			continue;
		}
		for (size_t k = 0; k < n && d->n <= OUTBOX_ROWS; k++)
			d->got[d->n++] = ids[k];
		free(ids);
		if (!n)
			break;
	}
	return NULL;
}

/* Two consumers on two connections drain the outbox at once: every row is claimed exactly
 * once, none by both. */
static void outbox_race_body(const char *engine, const char *url)
{
	struct store *a = open_url(url), *b = open_url(url);
	static struct drainer da, db;
	pthread_t ta, tb;
	static char seen[OUTBOX_ROWS + 1];

	(void)engine;
	add_outbox(a, OUTBOX_ROWS);
	memset(&da, 0, sizeof(da));
	memset(&db, 0, sizeof(db));
	memset(seen, 0, sizeof(seen));
	da = (struct drainer){.st = a, .worker = "a"};
	db = (struct drainer){.st = b, .worker = "b"};
	assert_int_equal(pthread_create(&ta, NULL, drain, &da), 0);
	assert_int_equal(pthread_create(&tb, NULL, drain, &db), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(da.failed + db.failed, 0);
	assert_int_equal(da.n + db.n, OUTBOX_ROWS);
	for (size_t i = 0; i < da.n + db.n; i++) {
		int64_t id = i < da.n ? da.got[i] : db.got[i - da.n];

		assert_true(id >= 1 && id <= OUTBOX_ROWS);
		assert_int_equal(seen[id], 0);
		seen[id] = 1;
	}
	store_close(b);
	store_close(a);
}

static void test_outbox_race(void **state)
{
	(void)state;
	on_each_engine(outbox_race_body);
}

/* PostgreSQL: while one consumer's transaction holds rows it claimed, another consumer gets
 * the next rows at once instead of waiting (SKIP LOCKED). Without SKIP LOCKED the second claim
 * would wait for the first transaction and fail on its statement time limit. */
static void test_pg_skip_locked(void **state)
{
	char url[512];
	struct store *a, *b;
	struct ck_error err = {0};

	(void)state;
	if (!pg_url())
		skip();
	fresh_url("postgres", url, sizeof(url));
	a = open_url(url);
	b = open_url(url);
	add_outbox(a, 6);
	assert_int_equal(store_set_statement_timeout(b, 2000, &err), 0);
	assert_int_equal(store_exec(store_conn_get(a), "BEGIN", &err), 0);
	claim_ids(a, "a", 100, 3, (const int64_t[]){1, 2, 3}, 3); /* locked, not committed */
	claim_ids(b, "b", 100, 3, (const int64_t[]){4, 5, 6}, 3);
	assert_int_equal(store_exec(store_conn_get(a), "ROLLBACK", &err), 0);
	/* a's claim rolled back: its rows are pending and unleased again */
	claim_ids(b, "b", 100, 5, (const int64_t[]){1, 2, 3}, 3);
	store_close(b);
	store_close(a);
}

/* ---- PostgreSQL statement time limit ---- */

static void test_pg_statement_timeout(void **state)
{
	char url[512];
	struct store *st, *other;
	struct ck_error err = {0};
	struct store_conn *c;
	int64_t v = 0, pid = 0;

	(void)state;
	if (!pg_url())
		skip();
	fresh_url("postgres", url, sizeof(url));
	st = open_url(url);
	c = store_conn_get(st);
	assert_int_equal(store_set_statement_timeout(st, 100, &err), 0);
	assert_int_equal(store_scalar_i64(c, "SELECT 1 FROM pg_sleep(0.5)", NULL, 0, &v, &err),
			 CK_E_TIMEOUT);
	assert_int_equal(store_scalar_i64(c, "SELECT 7", NULL, 0, &v, &err), 0);
	assert_int_equal(v, 7);
	/* a write transaction is never limited */
	assert_int_equal(store_tx_begin(c, &err), 0);
	assert_int_equal(store_scalar_i64(c, "SELECT 2 FROM pg_sleep(0.3)", NULL, 0, &v, &err), 0);
	assert_int_equal(store_tx_commit(c, &err), 0);
	assert_int_equal(v, 2);
	/* ... and after it the limit holds again */
	assert_int_equal(store_scalar_i64(c, "SELECT 1 FROM pg_sleep(0.5)", NULL, 0, &v, &err),
			 CK_E_TIMEOUT);
	/* a connection opened later (another thread's) and a reconnected session keep it */
	assert_int_equal(store_scalar_i64(c, "SELECT pg_backend_pid()", NULL, 0, &pid, &err), 0);
	other = open_url(url);
	{
		int64_t one[1] = {pid};

		assert_int_equal(store_scalar_i64(store_conn_get(other),
						  "SELECT 1 FROM pg_terminate_backend($1::int)",
						  one, 1, &v, &err),
				 0);
	}
	store_close(other);
	usleep(100 * 1000);
	if (store_scalar_i64(c, "SELECT 1", NULL, 0, &v, &err) < 0) /* may see the dead session */
		assert_int_equal(store_scalar_i64(c, "SELECT 1", NULL, 0, &v, &err), 0);
	assert_int_equal(store_scalar_i64(c, "SELECT 1 FROM pg_sleep(0.5)", NULL, 0, &v, &err),
			 CK_E_TIMEOUT);
	/* 0 lifts it */
	assert_int_equal(store_set_statement_timeout(st, 0, &err), 0);
	assert_int_equal(store_scalar_i64(c, "SELECT 3 FROM pg_sleep(0.3)", NULL, 0, &v, &err), 0);
	store_close(st);
}

/* SQLite has no statement time limit here: setting one changes nothing and fails nothing. */
static void test_sqlite_statement_timeout_is_noop(void **state)
{
	char url[512];
	struct store *st;
	struct ck_error err = {0};

	(void)state;
	fresh_url("sqlite", url, sizeof(url));
	st = open_url(url);
	assert_int_equal(store_set_statement_timeout(st, 1, &err), 0);
	assert_int_equal(scalar(st, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r"
				    " WHERE n < 200000) SELECT COUNT(*) FROM r"),
			 200000);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claim_once),
	    cmocka_unit_test(test_claim_race),
	    cmocka_unit_test(test_claim_limits),
	    cmocka_unit_test(test_outbox_lease),
	    cmocka_unit_test(test_outbox_race),
	    cmocka_unit_test(test_pg_skip_locked),
	    cmocka_unit_test(test_pg_statement_timeout),
	    cmocka_unit_test(test_sqlite_statement_timeout_is_noop),
	};
	return cmocka_run_group_tests_name("store_jobs", tests, NULL, NULL);
}
