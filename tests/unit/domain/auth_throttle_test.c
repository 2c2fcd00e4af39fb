/* Unit tests for domain/auth_throttle: exact keys, limits at limit + 1, windows, Retry-After,
 * reservations under concurrency, the LRU bound at AUTH_THROTTLE_ENTRIES + 1, IPv6 /64; and
 * the counts shared through the database (another node = the memory forgotten, the database
 * kept), on SQLite and, with CK_TEST_PG_URL, on PostgreSQL. */
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

#include "core/error.h"
#include "domain/auth_throttle.h"
#include "store/store.h"

/* The store connection the attempts pass: NULL (process memory only) except in the
 * database tests below. */
static struct store_conn *conn;

static const struct auth_throttle_limits lim = {.per_address = 3, .per_account = 5, .window_s = 60};

static int setup(void **state)
{
	(void)state;
	auth_throttle_reset();
	conn = NULL;
	return 0;
}

/* One whole attempt: 0 when it was allowed (and recorded as `outcome`), else CK_E_THROTTLED. */
static int attempt(const char *addr, const char *account, int64_t now,
		   enum auth_throttle_outcome outcome, int64_t *ret_retry)
{
	int rc = auth_throttle_begin(conn, &lim, addr, account, now, ret_retry);

	if (!rc)
		auth_throttle_end(conn, &lim, addr, account, now, outcome);
	return rc;
}

static void test_address_limit_and_window(void **state)
{
	int64_t retry = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(attempt("10.0.0.1", "bob", 1000 + i, AUTH_THROTTLE_FAILURE, NULL),
				 0);
	/* limit + 1: refused, even a right password; the wait runs to the window's end */
	assert_int_equal(attempt("10.0.0.1", "bob", 1010, AUTH_THROTTLE_SUCCESS, &retry),
			 CK_E_THROTTLED);
	assert_int_equal(retry, 1000 + 60 - 1010);
	/* another address and another account are not affected */
	assert_int_equal(attempt("10.0.0.2", "bob", 1010, AUTH_THROTTLE_SUCCESS, NULL), 0);
	/* the window has passed: counting starts again */
	assert_int_equal(attempt("10.0.0.1", "bob", 1060, AUTH_THROTTLE_FAILURE, NULL), 0);
	assert_int_equal(attempt("10.0.0.1", "bob", 1061, AUTH_THROTTLE_FAILURE, NULL), 0);
}

static void test_success_and_unchecked_do_not_count(void **state)
{
	(void)state;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(attempt("10.0.0.3", "carol", 1000, AUTH_THROTTLE_SUCCESS, NULL),
				 0);
		assert_int_equal(attempt("10.0.0.3", "carol", 1000, AUTH_THROTTLE_UNCHECKED, NULL),
				 0);
	}
	/* and a success does not reset failures */
	for (int i = 0; i < 2; i++)
		assert_int_equal(attempt("10.0.0.3", "carol", 1000, AUTH_THROTTLE_FAILURE, NULL),
				 0);
	assert_int_equal(attempt("10.0.0.3", "carol", 1000, AUTH_THROTTLE_SUCCESS, NULL), 0);
	assert_int_equal(attempt("10.0.0.3", "carol", 1000, AUTH_THROTTLE_FAILURE, NULL), 0);
	assert_int_equal(attempt("10.0.0.3", "carol", 1000, AUTH_THROTTLE_SUCCESS, NULL),
			 CK_E_THROTTLED);
}

static void test_account_limit_across_addresses(void **state)
{
	char addr[32];
	int64_t retry = 0;

	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(addr, sizeof(addr), "10.1.0.%d", i);
		assert_int_equal(attempt(addr, "dave", 2000, AUTH_THROTTLE_FAILURE, NULL), 0);
	}
	assert_int_equal(attempt("10.1.0.99", "dave", 2001, AUTH_THROTTLE_SUCCESS, &retry),
			 CK_E_THROTTLED);
	assert_int_equal(retry, 59);
	assert_int_equal(attempt("10.1.0.99", "erin", 2001, AUTH_THROTTLE_SUCCESS, NULL), 0);
	/* keys are exact: another spelling is another account */
	assert_int_equal(attempt("10.1.0.99", "Dave", 2001, AUTH_THROTTLE_SUCCESS, NULL), 0);
	/* a name too long to exist counts against the address only */
	char longname[AUTH_THROTTLE_KEY_MAX + 2];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (int i = 0; i < 3; i++)
		assert_int_equal(attempt("10.1.0.100", longname, 2001, AUTH_THROTTLE_FAILURE, NULL),
				 0);
	assert_int_equal(attempt("10.1.0.100", "erin", 2001, AUTH_THROTTLE_SUCCESS, NULL),
			 CK_E_THROTTLED);
}

static void test_reservations_are_exact(void **state)
{
	int64_t retry = 0;

	(void)state;
	/* three attempts in flight hold every place of the address: the fourth waits 1 s */
	for (int i = 0; i < 3; i++)
		assert_int_equal(auth_throttle_begin(conn, &lim, "10.2.0.1", NULL, 3000, NULL), 0);
	assert_int_equal(auth_throttle_begin(conn, &lim, "10.2.0.1", NULL, 3000, &retry),
			 CK_E_THROTTLED);
	assert_int_equal(retry, 1);
	/* one ends unchecked: its place is free again */
	auth_throttle_end(conn, &lim, "10.2.0.1", NULL, 3000, AUTH_THROTTLE_UNCHECKED);
	assert_int_equal(auth_throttle_begin(conn, &lim, "10.2.0.1", NULL, 3000, NULL), 0);
	for (int i = 0; i < 3; i++)
		auth_throttle_end(conn, &lim, "10.2.0.1", NULL, 3000, AUTH_THROTTLE_FAILURE);
	assert_int_equal(auth_throttle_begin(conn, &lim, "10.2.0.1", NULL, 3000, &retry),
			 CK_E_THROTTLED);
	assert_int_equal(retry, 60);
}

static void test_ipv6_by_network(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		char addr[64];

		snprintf(addr, sizeof(addr), "2001:db8:1:2::%x", i + 1);
		assert_int_equal(attempt(addr, NULL, 4000, AUTH_THROTTLE_FAILURE, NULL), 0);
	}
	assert_int_equal(attempt("2001:db8:1:2:ffff::9", NULL, 4000, AUTH_THROTTLE_SUCCESS, NULL),
			 CK_E_THROTTLED);
	assert_int_equal(attempt("2001:db8:1:3::1", NULL, 4000, AUTH_THROTTLE_SUCCESS, NULL), 0);
	/* an IPv4-mapped address is its IPv4 address */
	for (int i = 0; i < 3; i++)
		assert_int_equal(
		    attempt("::ffff:10.3.0.1", NULL, 4000, AUTH_THROTTLE_FAILURE, NULL), 0);
	assert_int_equal(attempt("10.3.0.1", NULL, 4000, AUTH_THROTTLE_SUCCESS, NULL),
			 CK_E_THROTTLED);
}

/* Memory is bounded: AUTH_THROTTLE_ENTRIES + 1 addresses push out the least recently used
 * one (forgetting its failures), not a recently used one, and never one in flight. */
static void test_lru_bound(void **state)
{
	char addr[32];

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(attempt("192.0.2.1", NULL, 5000, AUTH_THROTTLE_FAILURE, NULL),
				 0); /* oldest */
		assert_int_equal(attempt("192.0.2.2", NULL, 5000, AUTH_THROTTLE_FAILURE, NULL), 0);
	}
	assert_int_equal(auth_throttle_begin(conn, &lim, "192.0.2.3", NULL, 5000, NULL),
			 0); /* in flight */
	/* fill the table: 3 keys so far, AUTH_THROTTLE_ENTRIES - 3 more make it full */
	for (int i = 0; i < AUTH_THROTTLE_ENTRIES - 3; i++) {
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255,
			 i & 255);
		if (i == 100) /* keep .2 recent */
			assert_int_equal(
			    attempt("192.0.2.2", NULL, 5000, AUTH_THROTTLE_SUCCESS, NULL),
			    CK_E_THROTTLED);
		assert_int_equal(attempt(addr, NULL, 5000, AUTH_THROTTLE_SUCCESS, NULL), 0);
	}
	/* full: .1 still locked */
	assert_int_equal(attempt("192.0.2.1", NULL, 5000, AUTH_THROTTLE_SUCCESS, NULL),
			 CK_E_THROTTLED);
	/* limit + 1 keys, twice over: the least recently used go (.1 was just used, so it
	 * takes AUTH_THROTTLE_ENTRIES new keys to reach it; .3 is in flight and stays) */
	for (int i = 0; i < AUTH_THROTTLE_ENTRIES; i++) {
		snprintf(addr, sizeof(addr), "11.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255,
			 i & 255);
		assert_int_equal(attempt(addr, NULL, 5000, AUTH_THROTTLE_SUCCESS, NULL), 0);
	}
	assert_int_equal(attempt("192.0.2.1", NULL, 5000, AUTH_THROTTLE_SUCCESS, NULL),
			 0); /* forgotten */
	assert_int_equal(attempt("192.0.2.2", NULL, 5000, AUTH_THROTTLE_SUCCESS, NULL),
			 0); /* forgotten */
	auth_throttle_end(conn, &lim, "192.0.2.3", NULL, 5000, AUTH_THROTTLE_FAILURE);
	/* the in-flight key kept its entry: its failure was recorded (2 more reach the limit) */
	assert_int_equal(attempt("192.0.2.3", NULL, 5000, AUTH_THROTTLE_FAILURE, NULL), 0);
	assert_int_equal(attempt("192.0.2.3", NULL, 5000, AUTH_THROTTLE_FAILURE, NULL), 0);
	assert_int_equal(attempt("192.0.2.3", NULL, 5000, AUTH_THROTTLE_SUCCESS, NULL),
			 CK_E_THROTTLED);
}

/* ---- counts shared through the database ---- */

static struct store *open_db(const char *engine)
{
	static int seq;
	struct store *st = NULL;
	struct ck_error err = {0};
	char url[512];

	seq++;
	if (!strcmp(engine, "sqlite")) {
		snprintf(url, sizeof(url), "sqlite::memory:");
	} else {
		const char *base = getenv("CK_TEST_PG_URL"), *q = strchr(base, '?');
		char name[64], sql[128];

		snprintf(name, sizeof(name), "ck_throttle_%ld_%d_%d", (long)time(NULL),
			 (int)getpid(), seq);
		assert_int_equal(store_open(base, 1, &st, &err), 0);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		assert_int_equal(store_exec(store_conn_get(st), sql, &err), 0);
		store_close(st);
		snprintf(url, sizeof(url), "postgresql:///%s%s", name, q ? q : "");
	}
	assert_int_equal(store_open(url, 0, &st, &err), 0);
	return st;
}

/* A node that never saw the failures (auth_throttle_reset: another process) refuses once the
 * database holds limit failures, with the Retry-After of the first failure's window; the
 * counts of two "nodes" add up; windows expire as in memory. */
static void shared_body(const char *engine)
{
	struct store *st = open_db(engine);
	int64_t retry = 0;

	conn = store_conn_get(st);
	auth_throttle_reset();
	assert_int_equal(attempt("10.8.0.1", "dave", 1000, AUTH_THROTTLE_FAILURE, NULL), 0);
	assert_int_equal(attempt("10.8.0.1", "dave", 1001, AUTH_THROTTLE_FAILURE, NULL), 0);
	auth_throttle_reset(); /* node B: 2 failures so far, all on node A */
	assert_int_equal(attempt("10.8.0.1", "dave", 1002, AUTH_THROTTLE_FAILURE, NULL), 0);
	auth_throttle_reset(); /* node C: 3 failures in the database = the limit */
	assert_int_equal(attempt("10.8.0.1", "dave", 1010, AUTH_THROTTLE_SUCCESS, &retry),
			 CK_E_THROTTLED);
	assert_int_equal(retry, 1000 + 60 - 1010);
	/* the account too: 2 more failures from elsewhere make 5 for dave */
	assert_int_equal(attempt("10.8.0.2", "dave", 1011, AUTH_THROTTLE_FAILURE, NULL), 0);
	auth_throttle_reset();
	assert_int_equal(attempt("10.8.0.3", "dave", 1012, AUTH_THROTTLE_FAILURE, NULL), 0);
	auth_throttle_reset();
	assert_int_equal(attempt("10.8.0.4", "dave", 1013, AUTH_THROTTLE_SUCCESS, NULL),
			 CK_E_THROTTLED);
	assert_int_equal(attempt("10.8.0.4", "erin", 1013, AUTH_THROTTLE_SUCCESS, NULL), 0);
	/* the window of the first failure has passed: everything may sign in again */
	auth_throttle_reset();
	assert_int_equal(attempt("10.8.0.1", "dave", 1072, AUTH_THROTTLE_SUCCESS, NULL), 0);
	conn = NULL;
	store_close(st);
}

static void test_shared_counts_sqlite(void **state)
{
	(void)state;
	shared_body("sqlite");
}

static void test_shared_counts_postgres(void **state)
{
	(void)state;
	if (!getenv("CK_TEST_PG_URL"))
		skip();
	shared_body("postgres");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_address_limit_and_window, setup),
	    cmocka_unit_test_setup(test_success_and_unchecked_do_not_count, setup),
	    cmocka_unit_test_setup(test_account_limit_across_addresses, setup),
	    cmocka_unit_test_setup(test_reservations_are_exact, setup),
	    cmocka_unit_test_setup(test_ipv6_by_network, setup),
	    cmocka_unit_test_setup(test_lru_bound, setup),
	    cmocka_unit_test_setup(test_shared_counts_sqlite, setup),
	    cmocka_unit_test_setup(test_shared_counts_postgres, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
