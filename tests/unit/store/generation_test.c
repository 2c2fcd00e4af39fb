/* Unit tests for store/generation: the data generation moves after every committed write —
 * by the same connection, by another connection of the process, by another "process" (a
 * second store on the same file) — and stays put while nothing is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "store/generation.h"
#include "store/store.h"

struct tmpdb {
	char dir[64];
	char url[160];
	char path[128];
};

static void tmpdb_init(struct tmpdb *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/ck-gen-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/test.db", t->dir);
	snprintf(t->url, sizeof(t->url), "sqlite:%s", t->path);
}

static void tmpdb_release(struct tmpdb *t)
{
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[160];

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static struct store *open_url(const char *url)
{
	struct store *st = NULL;
	struct ck_error err;

	ck_error_clear(&err);
	assert_int_equal(store_open(url, 1, &st, &err), 0);
	return st;
}

static uint64_t gen(struct store_conn *c)
{
	uint64_t g = 0;
	struct ck_error err;

	ck_error_clear(&err);
	assert_int_equal(store_data_generation(c, &g, &err), 0);
	assert_true(g > 0);
	return g;
}

static void exec_ok(struct store_conn *c, const char *sql)
{
	struct ck_error err;

	ck_error_clear(&err);
	assert_int_equal(store_exec(c, sql, &err), 0);
}

static void test_stable_without_writes(void **state)
{
	struct store *st = open_url("sqlite::memory:");
	struct store_conn *c = store_conn_get(st);
	uint64_t a, b;

	(void)state;
	exec_ok(c, "CREATE TABLE t (x INTEGER)");
	a = gen(c);
	b = gen(c);
	assert_int_equal(a, b);
	store_close(st);
}

static void test_own_write_moves(void **state)
{
	struct store *st = open_url("sqlite::memory:");
	struct store_conn *c = store_conn_get(st);
	uint64_t a, b;

	(void)state;
	exec_ok(c, "CREATE TABLE t (x INTEGER)");
	a = gen(c);
	exec_ok(c, "INSERT INTO t VALUES (1)");
	b = gen(c);
	assert_true(b > a);
	assert_int_equal(gen(c), b);
	/* inside a committed transaction too */
	assert_int_equal(store_tx_begin(c, NULL), 0);
	exec_ok(c, "UPDATE t SET x = 2");
	assert_int_equal(store_tx_commit(c, NULL), 0);
	assert_true(gen(c) > b);
	store_close(st);
}

/* A second store on the same file is a separate SQLite connection, exactly what another
 * process is to the first one: only PRAGMA data_version can tell. */
static void test_other_connection_moves(void **state)
{
	struct tmpdb t;
	struct store *a, *b;
	struct store_conn *ca, *cb;
	uint64_t g0, g1;

	(void)state;
	tmpdb_init(&t);
	a = open_url(t.url);
	b = open_url(t.url);
	ca = store_conn_get(a);
	cb = store_conn_get(b);
	exec_ok(ca, "CREATE TABLE t (x INTEGER)");
	gen(cb);
	g0 = gen(ca);
	assert_int_equal(gen(ca), g0);
	exec_ok(cb, "INSERT INTO t VALUES (1)");
	g1 = gen(ca);
	assert_true(g1 > g0);
	assert_int_equal(gen(ca), gen(ca));
	store_close(b);
	store_close(a);
	tmpdb_release(&t);
}

struct writer_arg {
	struct store *st;
	int rc;
};

static void *writer(void *p)
{
	struct writer_arg *w = p;
	struct store_conn *c = store_conn_get(w->st);

	w->rc = c ? store_exec(c, "INSERT INTO t VALUES (7)", NULL) : -1;
	return NULL;
}

/* Another thread of the process (its own connection) on a shared in-memory database. */
static void test_other_thread_moves(void **state)
{
	struct store *st = open_url("sqlite::memory:");
	struct store_conn *c = store_conn_get(st);
	struct writer_arg w = {st, 1};
	pthread_t th;
	uint64_t g0;

	(void)state;
	exec_ok(c, "CREATE TABLE t (x INTEGER)");
	g0 = gen(c);
	assert_int_equal(gen(c), g0);
	assert_int_equal(pthread_create(&th, NULL, writer, &w), 0);
	pthread_join(th, NULL);
	assert_int_equal(w.rc, 0);
	assert_true(gen(c) > g0);
	store_close(st);
}

/* A new connection (here: a new store, possibly at a reused address) never reports a value
 * seen before its first call. */
static void test_new_connection_moves(void **state)
{
	struct store *st = open_url("sqlite::memory:");
	uint64_t g0 = gen(store_conn_get(st));

	(void)state;
	store_close(st);
	st = open_url("sqlite::memory:");
	assert_true(gen(store_conn_get(st)) > g0);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stable_without_writes),
	    cmocka_unit_test(test_own_write_moves),
	    cmocka_unit_test(test_other_connection_moves),
	    cmocka_unit_test(test_other_thread_moves),
	    cmocka_unit_test(test_new_connection_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
