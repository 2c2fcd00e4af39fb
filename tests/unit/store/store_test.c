/* Unit tests for store/: URLs, migrations, binding, the $n rewrite, the statement cache,
 * error mapping, transactions, per-thread connections and lock contention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "store/driver.h"
#include "store/schema.h"
#include "store/store.h"

struct tmpdb {
	char dir[64];
	char path[128];
	char url[160];
};

static void tmpdb_init(struct tmpdb *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/ck-store-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/test.db", t->dir);
	snprintf(t->url, sizeof(t->url), "sqlite:%s", t->path);
}

static void tmpdb_release(struct tmpdb *t)
{
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm", "-journal"};

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static int last_version(void) { return store_migrations[store_migration_count - 1].version; }

static struct store *open_mem(void)
{
	struct store *st = NULL;
	struct ck_error err;

	ck_error_clear(&err);
	assert_int_equal(store_open("sqlite::memory:", 0, &st, &err), 0);
	assert_non_null(st);
	return st;
}

static int64_t scalar(struct store_conn *c, const char *sql)
{
	int64_t v = -1;

	assert_int_equal(store_scalar_i64(c, sql, NULL, 0, &v, NULL), 0);
	return v;
}

static void test_open_memory_migrations(void **state)
{
	struct store *st = open_mem();
	struct store_conn *c = store_conn_get(st);
	int applied = -1;

	(void)state;
	assert_non_null(c);
	assert_string_equal(store_dialect(c), "sqlite");
	assert_int_equal(store_schema_version(st), last_version());
	assert_int_equal(store_migrate(st, &applied, NULL), 0);
	assert_int_equal(applied, 0); /* idempotent */
	assert_int_equal(scalar(c, "SELECT COUNT(*) FROM schema_migrations"),
			 store_migration_count);
	assert_int_equal(scalar(c, "SELECT COUNT(*) FROM users"), 0);
	assert_int_equal(scalar(c, "PRAGMA foreign_keys"), 1);
	store_close(st);
}

static void test_open_file_pragmas(void **state)
{
	struct tmpdb t;
	struct store *st = NULL;
	struct store_conn *c;
	struct store_stmt *s = NULL;
	int applied = -1;

	(void)state;
	tmpdb_init(&t);
	assert_int_equal(store_open(t.url, 1, &st, NULL), 0);
	assert_int_equal(store_schema_version(st), 0);
	assert_int_equal(store_migrate(st, &applied, NULL), 0);
	assert_int_equal(applied, store_migration_count);
	assert_int_equal(store_schema_version(st), last_version());
	c = store_conn_get(st);
	assert_int_equal(store_query(c, "PRAGMA journal_mode", &s, NULL), 0);
	assert_int_equal(store_step(s, NULL), STORE_ROW);
	assert_string_equal(store_col_text(s, 0, NULL), "wal");
	store_done(s);
	assert_int_equal(scalar(c, "PRAGMA foreign_keys"), 1);
	assert_int_equal(scalar(c, "PRAGMA busy_timeout"), 5000);
	assert_int_equal(scalar(c, "PRAGMA synchronous"), 1); /* NORMAL */
	store_close(st);

	/* reopen: bare path form, nothing to apply */
	st = NULL;
	assert_int_equal(store_open(t.path, 0, &st, NULL), 0);
	assert_int_equal(store_migrate(st, &applied, NULL), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(scalar(store_conn_get(st), "SELECT COUNT(*) FROM schema_migrations"),
			 store_migration_count);
	store_close(st);
	tmpdb_release(&t);
}

static off_t wal_size(const struct tmpdb *t)
{
	char p[200];
	struct stat sb;

	snprintf(p, sizeof(p), "%s-wal", t->path);
	assert_int_equal(stat(p, &sb), 0);
	return sb.st_size;
}

/* The trigram index behind the writers: rows queue up, each drain indexes one batch in its
 * own transaction and says how many it took, searches find queued rows; the checkpoint
 * empties the WAL. */
static void test_deferred_index_and_checkpoint(void **state)
{
	struct tmpdb t;
	struct store *st = NULL;
	struct store_conn *c;
	struct ck_error err;
	int done = -1;
	off_t wal1;

	(void)state;
	tmpdb_init(&t);
	assert_int_equal(store_open(t.url, 1, &st, NULL), 0);
	c = store_conn_get(st);
	/* before migration 9 there is no queue: nothing to drain, no error */
	assert_int_equal(store_deferred_index_drain(c, 10, &done, NULL), 0);
	assert_int_equal(done, 0);
	assert_int_equal(store_migrate(st, NULL, NULL), 0);
	assert_int_equal(scalar(c, "PRAGMA wal_autocheckpoint"), 10000);
	for (int i = 0; i < 5; i++) {
		char sql[400];

		snprintf(
		    sql, sizeof(sql),
		    "INSERT INTO certificates (common_name, serial_number, serial_key,"
		    " fingerprint_sha256, issuer, issuer_key, valid_from, valid_to, created,"
		    " last_updated) VALUES ('dqx%d.example', 'S%d', 'S%d', 'FP%d', 'CN=X', 'cn=x',"
		    " 0, 1, 0, 0)",
		    i, i, i, i);
		assert_int_equal(store_exec(c, sql, NULL), 0);
	}
	assert_int_equal(scalar(c, "SELECT COUNT(*) FROM certificates_fts_pending"), 5);
	assert_int_equal(scalar(c, "SELECT COUNT(*) FROM certificates_fts"
				   " WHERE certificates_fts MATCH 'common_name : \"dqx\"'"),
			 0);
	ck_error_clear(&err);
	assert_int_equal(store_deferred_index_drain(c, 0, &done, &err), CK_E_INVALID);
	assert_int_equal(store_deferred_index_drain(c, 2, &done, NULL), 0);
	assert_int_equal(done, 2);
	assert_int_equal(scalar(c, "SELECT MIN(id) FROM certificates_fts_pending"),
			 3); /* oldest first */
	assert_int_equal(store_deferred_index_drain(c, 2, &done, NULL), 0);
	assert_int_equal(done, 2);
	assert_int_equal(store_deferred_index_drain(c, 2, &done, NULL), 0);
	assert_int_equal(done, 1); /* short batch: the queue is empty */
	assert_int_equal(store_deferred_index_drain(c, 2, &done, NULL), 0);
	assert_int_equal(done, 0);
	assert_int_equal(scalar(c, "SELECT COUNT(*) FROM certificates_fts"
				   " WHERE certificates_fts MATCH 'common_name : \"dqx\"'"),
			 5);
	/* never inside a transaction: the drain commits its own */
	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_int_equal(store_deferred_index_drain(c, 2, &done, &err), CK_E_INTERNAL);
	assert_int_equal(store_checkpoint(c, &err), CK_E_INTERNAL);
	store_tx_rollback(c);
	/* without a checkpoint the WAL grows (writers checkpoint only past 10,000 pages); after
	 * one, the next write starts the WAL from its beginning again */
	assert_int_equal(store_exec(c,
				    "INSERT INTO tags (name, slug, created, last_updated)"
				    " VALUES ('w1', 'w1', 0, 0)",
				    NULL),
			 0);
	wal1 = wal_size(&t);
	assert_int_equal(store_exec(c,
				    "INSERT INTO tags (name, slug, created, last_updated)"
				    " VALUES ('w2', 'w2', 0, 0)",
				    NULL),
			 0);
	assert_true(wal_size(&t) > wal1);
	wal1 = wal_size(&t);
	assert_int_equal(store_checkpoint(c, NULL), 0);
	assert_int_equal(store_exec(c,
				    "INSERT INTO tags (name, slug, created, last_updated)"
				    " VALUES ('w3', 'w3', 0, 0)",
				    NULL),
			 0);
	assert_int_equal(wal_size(&t), wal1);
	store_close(st);
	tmpdb_release(&t);
}

static void test_urls(void **state)
{
	struct store *st = NULL;
	struct ck_error err;
	char *longurl;
	size_t n = 4096 + 1; /* STORE_URL_MAX + 1 */

	(void)state;
	ck_error_clear(&err);
	/* PostgreSQL is reached, and an unreachable server is a database error naming "db" */
	assert_int_equal(store_open("postgresql:///x?host=/nonexistent-dir", 0, &st, &err),
			 CK_E_DB);
	assert_string_equal(err.field, "db");
	assert_non_null(strstr(err.msg, "cannot connect to PostgreSQL"));
	assert_int_equal(store_open("mysql://db/x", 0, &st, &err), CK_E_INVALID);
	assert_int_equal(store_open("sqlite:", 0, &st, &err), CK_E_INVALID);
	assert_int_equal(store_open("sqlite:/nonexistent-dir/sub/x.db", 0, &st, &err), CK_E_DB);
	assert_null(st);
	longurl = malloc(n + 1);
	assert_non_null(longurl);
	memcpy(longurl, "sqlite:", 7);
	memset(longurl + 7, 'a', n - 7);
	longurl[n] = '\0';
	assert_int_equal(store_open(longurl, 0, &st, &err), CK_E_TOOBIG);
	free(longurl);
	assert_null(st);
}

static void test_bind_types(void **state)
{
	struct store *st = open_mem();
	struct store_conn *c = store_conn_get(st);
	struct store_stmt *s = NULL;
	size_t len = 0;
	const char blob[] = "a\0b";

	(void)state;
	assert_int_equal(
	    store_exec(c, "CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT, e TEXT)", NULL), 0);
	assert_int_equal(store_query(c, "INSERT INTO t VALUES ($1, $2, $3, $4, $5)", &s, NULL), 0);
	assert_int_equal(store_bind_i64(s, 1, INT64_MIN), 0);
	assert_int_equal(store_bind_double(s, 2, 2.5), 0);
	assert_int_equal(store_bind_text(s, 3, "héllo world", 6), 0); /* prefix only */
	assert_int_equal(store_bind_null(s, 4), 0);
	assert_int_equal(store_bind_text(s, 5, blob, 3), 0);	 /* embedded NUL kept */
	assert_int_equal(store_bind_i64(s, 6, 1), CK_E_INVALID); /* no such parameter */
	assert_int_equal(store_step(s, NULL), STORE_DONE);
	store_done(s);
	assert_int_equal(store_changes(c), 1);

	assert_int_equal(store_query(c, "SELECT i, d, s, n, e FROM t", &s, NULL), 0);
	assert_int_equal(store_step(s, NULL), STORE_ROW);
	assert_int_equal(store_col_count(s), 5);
	assert_string_equal(store_col_name(s, 2), "s");
	assert_true(store_col_i64(s, 0) == INT64_MIN);
	assert_true(store_col_double(s, 1) == 2.5);
	assert_string_equal(store_col_text(s, 2, &len), "h\xc3\xa9llo");
	assert_int_equal(len, 6);
	assert_true(store_col_is_null(s, 3));
	assert_false(store_col_is_null(s, 2));
	assert_null(store_col_text(s, 3, &len));
	assert_int_equal(len, 0);
	assert_int_equal(store_col_i64(s, 3), 0);
	assert_non_null(store_col_text(s, 4, &len));
	assert_int_equal(len, 3);
	assert_int_equal(store_step(s, NULL), STORE_DONE);
	store_done(s);

	/* bindings are cleared by store_done(): the same text now sees NULLs */
	assert_int_equal(store_query(c, "SELECT $1 IS NULL", &s, NULL), 0);
	assert_int_equal(store_bind_i64(s, 1, 7), 0);
	assert_int_equal(store_step(s, NULL), STORE_ROW);
	assert_int_equal(store_col_i64(s, 0), 0);
	store_done(s);
	assert_int_equal(store_query(c, "SELECT $1 IS NULL", &s, NULL), 0);
	assert_int_equal(store_step(s, NULL), STORE_ROW);
	assert_int_equal(store_col_i64(s, 0), 1);
	store_done(s);
	store_done(NULL);
	store_close(st);
	store_close(NULL);
}

static void test_param_rewrite(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"SELECT $1", "SELECT ?1"},
	    {"SELECT $2, $1, $2", "SELECT ?2, ?1, ?2"},
	    {"SELECT '$1', $1", "SELECT '$1', ?1"},
	    {"SELECT 'it''s $3', $3", "SELECT 'it''s $3', ?3"},
	    {"SELECT \"$1\" FROM t WHERE x = $1", "SELECT \"$1\" FROM t WHERE x = ?1"},
	    {"SELECT 1 -- $1 here\n, $1", "SELECT 1 -- $1 here\n, ?1"},
	    {"SELECT /* $1 */ $1", "SELECT /* $1 */ ?1"},
	    {"SELECT $abc", "SELECT $abc"},
	    {"SELECT 'unterminated $1", "SELECT 'unterminated $1"},
	    {"SELECT /* unterminated $1", "SELECT /* unterminated $1"},
	    {"", ""},
	};
	char out[128];
	struct store *st = open_mem();
	struct store_conn *c = store_conn_get(st);
	struct store_stmt *s = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		store_sqlite_rewrite_params(cases[i].in, out);
		assert_string_equal(out, cases[i].out);
	}
	/* end to end: reordered, repeated, and a literal '$1' left alone */
	assert_int_equal(store_query(c, "SELECT $2 || $1 || $2, '$1 stays'", &s, NULL), 0);
	assert_int_equal(store_bind_text(s, 1, "a", (size_t)-1), 0);
	assert_int_equal(store_bind_text(s, 2, "b", (size_t)-1), 0);
	assert_int_equal(store_step(s, NULL), STORE_ROW);
	assert_string_equal(store_col_text(s, 0, NULL), "bab");
	assert_string_equal(store_col_text(s, 1, NULL), "$1 stays");
	store_done(s);
	store_close(st);
}

static void test_stmt_cache(void **state)
{
	struct store *st = open_mem();
	struct store_conn *c = store_conn_get(st);
	struct store_stmt *a = NULL, *b = NULL, *held = NULL;
	struct store_cache_stats cs;
	struct ck_error err;
	char sql[64];

	(void)state;
	assert_int_equal(store_query(c, "SELECT 1", &a, NULL), 0);
	store_done(a);
	store_conn_cache_stats(c, &cs);
	uint64_t prepares = cs.prepares;
	assert_int_equal(store_query(c, "SELECT 1", &b, NULL), 0);
	assert_ptr_equal(a, b); /* same text, same statement */
	/* the same text while in use is a programmer error */
	assert_int_equal(store_query(c, "SELECT 1", &a, &err), CK_E_INTERNAL);
	store_done(b);
	store_conn_cache_stats(c, &cs);
	assert_int_equal(cs.prepares, prepares);
	assert_true(cs.hits >= 1);
	assert_int_equal(cs.capacity, STORE_STMT_CACHE_MAX);

	/* eviction: LRU, bounded */
	assert_int_equal(store_conn_set_cache_capacity(c, 0), CK_E_INVALID);
	assert_int_equal(store_conn_set_cache_capacity(c, 4), 0);
	assert_int_equal(store_query(c, "SELECT 'held'", &held, NULL), 0); /* kept in use */
	for (int i = 0; i < 10; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", 100 + i);
		assert_int_equal(store_query(c, sql, &a, NULL), 0);
		store_done(a);
	}
	store_conn_cache_stats(c, &cs);
	assert_int_equal(cs.entries, 4);
	assert_true(cs.evictions >= 7);
	/* the held statement survived eviction and still works */
	assert_int_equal(store_step(held, NULL), STORE_ROW);
	assert_string_equal(store_col_text(held, 0, NULL), "held");
	store_done(held);
	/* an evicted text is prepared again */
	prepares = cs.prepares;
	assert_int_equal(store_query(c, "SELECT 100", &a, NULL), 0);
	store_done(a);
	store_conn_cache_stats(c, &cs);
	assert_int_equal(cs.prepares, prepares + 1);

	/* all in use: the bound is exceeded, then trimmed back once they are done */
	struct store_stmt *many[6];
	for (int i = 0; i < 6; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", 200 + i);
		assert_int_equal(store_query(c, sql, &many[i], NULL), 0);
	}
	store_conn_cache_stats(c, &cs);
	assert_int_equal(cs.entries, 6);
	for (int i = 0; i < 6; i++)
		store_done(many[i]);
	store_conn_cache_stats(c, &cs);
	assert_int_equal(cs.entries, 4);
	/* a bad statement is not cached */
	assert_int_equal(store_query(c, "SELEC nonsense", &a, &err), CK_E_DB);
	store_conn_cache_stats(c, &cs);
	assert_int_equal(cs.entries, 4);
	store_close(st);
}

static void test_errors(void **state)
{
	struct store *st = open_mem();
	struct store_conn *c = store_conn_get(st);
	struct store_stmt *s = NULL;
	struct ck_error err;
	char cols[CK_ERROR_FIELD_MAX];

	(void)state;
	ck_error_clear(&err);
	assert_int_equal(store_exec(c,
				    "INSERT INTO tenants (name, slug, created, last_updated)"
				    " VALUES ('a', 'a', 0, 0)",
				    &err),
			 0);
	assert_int_equal(store_query(c,
				     "INSERT INTO tenants (name, slug, created, last_updated)"
				     " VALUES ($1, $2, 0, 0)",
				     &s, NULL),
			 0);
	store_bind_text(s, 1, "a", (size_t)-1);
	store_bind_text(s, 2, "b", (size_t)-1);
	assert_int_equal(store_step(s, &err), CK_E_DUPLICATE);
	assert_string_equal(err.field, "name");
	store_done(s);

	assert_int_equal(store_exec(c, "CREATE TABLE u (a TEXT, b TEXT, UNIQUE (a, b))", NULL), 0);
	assert_int_equal(store_exec(c, "INSERT INTO u VALUES ('x', 'y')", NULL), 0);
	assert_int_equal(store_exec(c, "INSERT INTO u VALUES ('x', 'y')", &err), CK_E_DUPLICATE);
	assert_string_equal(err.field, "a,b");

	/* foreign key */
	ck_error_clear(&err);
	assert_int_equal(store_exec(c,
				    "INSERT INTO tokens (user_id, key_hash, created)"
				    " VALUES (999, 'h', 0)",
				    &err),
			 CK_E_INVALID);
	/* anything else */
	assert_int_equal(store_exec(c, "INSERT INTO nosuchtable VALUES (1)", &err), CK_E_DB);

	/* the message parser, including truncation to the field size */
	store_sqlite_unique_columns("UNIQUE constraint failed: certificates.serial_key, "
				    "certificates.issuer_key",
				    cols, sizeof(cols));
	assert_string_equal(cols, "serial_key,issuer_key");
	store_sqlite_unique_columns("UNIQUE constraint failed: index 'x'", cols, sizeof(cols));
	assert_string_equal(cols, "index 'x'");
	store_sqlite_unique_columns("UNIQUE constraint failed: t.abcdef", cols, 4);
	assert_string_equal(cols, "abc");
	store_close(st);
}

static void test_transactions(void **state)
{
	struct store *st = open_mem();
	struct store_conn *c = store_conn_get(st);
	struct ck_error err;

	(void)state;
	assert_int_equal(store_exec(c, "CREATE TABLE t (v INTEGER)", NULL), 0);
	assert_false(store_in_tx(c));
	assert_int_equal(store_tx_commit(c, &err), CK_E_INTERNAL);
	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_true(store_in_tx(c));
	assert_int_equal(store_tx_begin(c, &err), CK_E_INTERNAL); /* no nesting */
	assert_int_equal(store_exec(c, "INSERT INTO t VALUES (1)", NULL), 0);
	assert_int_equal(store_tx_commit(c, NULL), 0);
	assert_false(store_in_tx(c));
	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_int_equal(store_exec(c, "INSERT INTO t VALUES (2)", NULL), 0);
	store_tx_rollback(c);
	assert_false(store_in_tx(c));
	store_tx_rollback(c); /* harmless outside a transaction */
	assert_int_equal(scalar(c, "SELECT COUNT(*) FROM t"), 1);
	assert_int_equal(scalar(c, "SELECT SUM(v) FROM t"), 1);
	store_close(st);
}

/* ---- threads ---- */

#define WRITER_ROUNDS 200

struct writer_arg {
	struct store *st;
	struct store_conn *conn; /* out */
	int failures;
};

/* Read-modify-write of one counter plus one row per round, each in BEGIN IMMEDIATE. */
static void *writer(void *p)
{
	struct writer_arg *a = p;
	struct store_conn *c = store_conn_get(a->st);
	int64_t v = 0;

	a->conn = c;
	for (int i = 0; c && i < WRITER_ROUNDS; i++) {
		struct store_stmt *s = NULL;

		if (store_tx_begin(c, NULL) < 0 ||
		    store_scalar_i64(c, "SELECT v FROM counter", NULL, 0, &v, NULL) < 0 ||
		    store_query(c, "UPDATE counter SET v = $1", &s, NULL) < 0) {
			a->failures++;
			store_tx_rollback(c);
			continue;
		}
		store_bind_i64(s, 1, v + 1);
		if (store_step(s, NULL) < 0)
			a->failures++;
		store_done(s);
		if (store_exec(c, "INSERT INTO rows_ DEFAULT VALUES", NULL) < 0 ||
		    store_tx_commit(c, NULL) < 0) {
			a->failures++;
			store_tx_rollback(c);
		}
	}
	return NULL;
}

static void two_writers(const char *url)
{
	struct store *st = NULL;
	struct store_conn *c;
	struct writer_arg a = {0}, b = {0};
	pthread_t ta, tb;

	assert_int_equal(store_open(url, 0, &st, NULL), 0);
	c = store_conn_get(st);
	assert_int_equal(
	    store_exec(c,
		       "CREATE TABLE counter (v INTEGER); INSERT INTO counter VALUES (0);"
		       "CREATE TABLE rows_ (id INTEGER PRIMARY KEY)",
		       NULL),
	    0);
	a.st = b.st = st;
	assert_int_equal(pthread_create(&ta, NULL, writer, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, writer, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.failures + b.failures, 0);
	assert_non_null(a.conn);
	assert_non_null(b.conn);
	assert_ptr_not_equal(a.conn, b.conn);
	assert_ptr_not_equal(a.conn, c);
	assert_int_equal(scalar(c, "SELECT v FROM counter"), 2 * WRITER_ROUNDS);
	assert_int_equal(scalar(c, "SELECT COUNT(*) FROM rows_"), 2 * WRITER_ROUNDS);
	store_close(st); /* the threads' connections were freed at thread exit */
}

static void test_two_threads_no_lost_rows(void **state)
{
	struct tmpdb t;

	(void)state;
	tmpdb_init(&t);
	two_writers(t.url);
	tmpdb_release(&t);
	/* the in-memory database locks like a file one: writers wait, nothing is lost */
	two_writers("sqlite::memory:");
}

struct holder_arg {
	struct store *st;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int phase; /* 1: lock held, 2: main is done trying */
	int rc;
};

static void *lock_holder(void *p)
{
	struct holder_arg *h = p;
	struct store_conn *c = store_conn_get(h->st);

	h->rc = c ? store_tx_begin(c, NULL) : CK_E_DB;
	pthread_mutex_lock(&h->mu);
	h->phase = 1;
	pthread_cond_broadcast(&h->cv);
	while (h->phase != 2)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	if (c && h->rc == 0)
		h->rc = store_tx_commit(c, NULL);
	return NULL;
}

static void test_busy(void **state)
{
	struct tmpdb t;
	struct store *st = NULL;
	struct store_conn *c;
	struct holder_arg h = {.phase = 0};
	struct ck_error err;
	pthread_t th;

	(void)state;
	tmpdb_init(&t);
	assert_int_equal(store_open(t.url, 0, &st, NULL), 0);
	c = store_conn_get(st);
	h.st = st;
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	assert_int_equal(pthread_create(&th, NULL, lock_holder, &h), 0);
	pthread_mutex_lock(&h.mu);
	while (h.phase != 1)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);
	assert_int_equal(h.rc, 0);
	/* shorten this connection's wait so the test is quick; the default is 5000 ms */
	assert_int_equal(store_exec(c, "PRAGMA busy_timeout=50", NULL), 0);
	ck_error_clear(&err);
	assert_int_equal(store_tx_begin(c, &err), CK_E_BUSY);
	assert_false(store_in_tx(c));
	assert_int_equal(store_exec(c,
				    "INSERT INTO tags (name, slug, created, last_updated)"
				    " VALUES ('t', 't', 0, 0)",
				    &err),
			 CK_E_BUSY);
	/* readers are not blocked by a writer under WAL */
	assert_int_equal(scalar(c, "SELECT COUNT(*) FROM users"), 0);
	pthread_mutex_lock(&h.mu);
	h.phase = 2;
	pthread_cond_broadcast(&h.cv);
	pthread_mutex_unlock(&h.mu);
	pthread_join(th, NULL);
	assert_int_equal(h.rc, 0);
	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_int_equal(store_tx_commit(c, NULL), 0);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
	store_close(st);
	tmpdb_release(&t);
}

static void *mem_inserter(void *p)
{
	struct store_conn *c = store_conn_get(p);

	if (c)
		store_exec(c,
			   "INSERT INTO tags (name, slug, created, last_updated)"
			   " VALUES ('x', 'x', 0, 0)",
			   NULL);
	return NULL;
}

static void test_memory_shared_between_threads(void **state)
{
	struct store *st = open_mem();
	struct store *other = open_mem();
	pthread_t th;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, mem_inserter, st), 0);
	pthread_join(th, NULL);
	assert_int_equal(scalar(store_conn_get(st), "SELECT COUNT(*) FROM tags"), 1);
	/* two memory stores are two databases */
	assert_int_equal(scalar(store_conn_get(other), "SELECT COUNT(*) FROM tags"), 0);
	store_close(other);
	store_close(st);
}

struct opener_arg {
	const char *url;
	int rc;
};

static void *opener(void *p)
{
	struct opener_arg *o = p;
	struct store *st = NULL;

	o->rc = store_open(o->url, 0, &st, NULL);
	store_close(st);
	return NULL;
}

static void test_concurrent_migration(void **state)
{
	struct tmpdb t;
	struct opener_arg o[4];
	pthread_t th[4];
	struct store *st = NULL;

	(void)state;
	tmpdb_init(&t);
	for (int i = 0; i < 4; i++) {
		o[i].url = t.url;
		o[i].rc = 1;
		assert_int_equal(pthread_create(&th[i], NULL, opener, &o[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(o[i].rc, 0);
	}
	assert_int_equal(store_open(t.url, 1, &st, NULL), 0);
	assert_int_equal(scalar(store_conn_get(st), "SELECT COUNT(*) FROM schema_migrations"),
			 store_migration_count);
	assert_int_equal(store_schema_version(st), last_version());
	store_close(st);
	tmpdb_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_memory_migrations),
	    cmocka_unit_test(test_open_file_pragmas),
	    cmocka_unit_test(test_urls),
	    cmocka_unit_test(test_bind_types),
	    cmocka_unit_test(test_param_rewrite),
	    cmocka_unit_test(test_stmt_cache),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_transactions),
	    cmocka_unit_test(test_two_threads_no_lost_rows),
	    cmocka_unit_test(test_busy),
	    cmocka_unit_test(test_memory_shared_between_threads),
	    cmocka_unit_test(test_concurrent_migration),
	    cmocka_unit_test(test_deferred_index_and_checkpoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
