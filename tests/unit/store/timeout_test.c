/* The statement time limit (store.h store_thread_statement_limit, SQLite progress handler):
 * a long read stops with CK_E_TIMEOUT soon after the limit, short reads and every write run
 * whole, and a thread without a limit is never stopped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <time.h>

#include "core/config.h"
#include "store/store.h"

/* Counts to n in a recursive CTE: seconds of VM work for n = 1e9. */
#define SLOW_READ                                                                                  \
	"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1)"             \
	" SELECT COUNT(*) FROM c"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(struct store_conn *c, const char *sql, int64_t n, int64_t *ret)
{
	struct store_stmt *s;
	struct ck_error err = {0};
	int r = store_query(c, sql, &s, &err);

	if (r)
		return r;
	store_bind_i64(s, 1, n);
	r = store_step(s, &err);
	if (r == STORE_ROW && ret)
		*ret = store_col_i64(s, 0);
	store_done(s);
	return r < 0 ? r : 0;
}

static void test_limit(void **state)
{
	struct store *st;
	struct store_conn *c;
	int64_t v = 0;
	double t0;

	(void)state;
	assert_int_equal(store_open("sqlite::memory:", 1, &st, NULL), 0);
	c = store_conn_get(st);
	assert_int_equal(store_exec(c, "CREATE TABLE t (i INTEGER)", NULL), 0);

	store_thread_statement_limit(100);
	t0 = now_s();
	assert_int_equal(run(c, SLOW_READ, 1000000000, &v), CK_E_TIMEOUT);
	assert_true(now_s() - t0 < 5.0); /* stopped, not run for its minutes */
	/* a short read under the limit runs whole */
	assert_int_equal(run(c, SLOW_READ, 1000, &v), 0);
	assert_int_equal(v, 1000);
	/* the same statement may run again after it was stopped */
	assert_int_equal(run(c, SLOW_READ, 2000, &v), 0);
	assert_int_equal(v, 2000);

	/* writes are never limited: an insert of many rows runs past the limit */
	store_thread_statement_limit(1);
	assert_int_equal(run(c,
			     "INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1"
			     " FROM c WHERE i < $1) SELECT i FROM c",
			     300000, NULL),
			 0);
	assert_int_equal(run(c, "SELECT COUNT(*) FROM t WHERE i > $1", 0, &v), CK_E_TIMEOUT);

	/* no limit (the default of every thread): the read runs whole */
	store_thread_statement_limit(0);
	assert_int_equal(run(c, "SELECT COUNT(*) FROM t WHERE i > $1", 0, &v), 0);
	assert_int_equal(v, 300000);
	store_close(st);
}

/* The setting: 2 s by default, 0 (off) to 3600000 ms; 3600001 is refused. */
static void test_setting(void **state)
{
	struct ck_config cfg;
	struct ck_error err = {0};

	(void)state;
	ck_config_defaults(&cfg);
	assert_int_equal(cfg.statement_timeout_ms, 2000);
	assert_int_equal(ck_config_set(&cfg, "statement_timeout_ms", "0", &err), 0);
	assert_int_equal(ck_config_set(&cfg, "statement_timeout_ms", "3600000", &err), 0);
	assert_int_equal(cfg.statement_timeout_ms, 3600000);
	assert_int_equal(ck_config_set(&cfg, "statement_timeout_ms", "3600001", &err),
			 CK_E_INVALID);
	assert_int_equal(ck_config_set(&cfg, "statement_timeout_ms", "-1", &err), CK_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_setting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
