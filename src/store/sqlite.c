/*
 * store/sqlite — the SQLite driver of store/ (see driver.h for the contract).
 *
 * Each connection: busy_timeout 5000 ms, WAL, synchronous=NORMAL, foreign_keys=ON, opened
 * SQLITE_OPEN_NOMUTEX because one thread owns it. ":memory:" becomes a uniquely named
 * in-memory database of the "memdb" VFS, so that every thread's connection of one store sees
 * the same data with ordinary file-style locking (writers wait up to the busy time-out; the
 * shared-cache alternative fails at once with SQLITE_LOCKED instead). store.c keeps one extra
 * connection open so the database lives as long as the store. WAL does not apply to it.
 * Placeholders `$n` are rewritten to `?n` so that they may repeat and come in any order.
 */
#include "store/driver.h"
#include "core/clock.h"
#include "core/hash.h"

#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SQLITE_BUSY_TIMEOUT_MS 5000

/* cache_size: up to 64 MiB of page cache per connection (SQLite's default is 2 MiB); the
 * unique indexes on fingerprints and serials are written in random order, and with the
 * default cache an import slowed from ~7,900 to ~4,300 certificates/s between 20k and 100k
 * rows on page misses. That is a ceiling, not a reservation: all connections of the process
 * share SQLITE_HEAP_BUDGET (below), past which SQLite recycles cache pages instead of
 * allocating. mmap is off: with mmap_size 1 GiB every connection (one per server thread)
 * mapped the file, and at 1M certificates RSS reached 3.4 GB under load (issue 11); reads
 * now go through the bounded page cache.
 *
 * A writer copies the WAL back into the database itself (a checkpoint, inside its commit)
 * only once the WAL holds this many pages (~40 MiB). Until then the server's background job
 * (jobs/checkpoint, store_checkpoint) does it every second, off the writers' path; with
 * SQLite's default of 1,000 pages an import checkpointed every ~2,000 certificates and
 * rewrote the same index pages each time (a tenth of `certkeeper import`'s time). */
#define SQLITE_WAL_AUTOCHECKPOINT_PAGES "10000"
static const char sqlite_pragmas[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA cache_size=-65536;"
    "PRAGMA wal_autocheckpoint=" SQLITE_WAL_AUTOCHECKPOINT_PAGES ";"
    "PRAGMA mmap_size=0;";

/* The process-wide SQLite heap budget (sqlite3_soft_heap_limit64): page caches of every
 * connection together stay near it, so RSS no longer grows with the number of threads. */
#define SQLITE_HEAP_BUDGET ((sqlite3_int64)160 << 20)

static pthread_once_t heap_budget_once = PTHREAD_ONCE_INIT;

/* Statement journals (the undo of one statement inside a longer transaction) stay in memory.
 * SQLite's default spills one to a temporary file past 64 KiB, and an insert into
 * certificates touches more pages than that (its indexes and side tables): an import wrote
 * ~80 journal pages per certificate to /var/tmp (issue 11). -1 = never spill, in 1 KiB
 * chunks (a positive threshold would also be the chunk size: an 8 MiB allocation for every
 * statement). A statement journal holds the pages the statement changed that existed before
 * it, so it is bounded by what one statement rewrites. Process-wide; must be set before
 * SQLite initialises, hence before the first open. */
#define SQLITE_STMT_SPILL_BYTES (-1)
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void configure_sqlite(void)
{
	/* fails only if SQLite is already initialised: then its default stays */
	(void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, SQLITE_STMT_SPILL_BYTES);
}

static void set_heap_budget(void) { sqlite3_soft_heap_limit64(SQLITE_HEAP_BUDGET); }

/* Maps an SQLite result code (extended) to CK_E_*, filling err. `what` says which
 * operation failed (for logs). */
/* The statement time limit (store.h store_thread_statement_limit): per thread, since a
 * connection is used by its own thread only. Armed at the first step of a read-only
 * statement; a write statement or store_exec() disarms it (a nested read started while an
 * outer one runs moves the deadline on: the limit bounds each statement's own start). */
static _Thread_local int tl_limit_ms;
static _Thread_local int tl_armed;
static _Thread_local int64_t tl_deadline_ns;

void store_thread_statement_limit(int ms)
{
	tl_limit_ms = ms > 0 ? ms : 0;
	tl_armed = 0;
}

/* sqlite3_progress_handler: non-zero interrupts the running statement (SQLITE_INTERRUPT). */
static int sq_progress(void *arg)
{
	(void)arg;
	return tl_armed && ck_mono_ns() > tl_deadline_ns;
}

static int map_error(sqlite3 *db, int rc, const char *what, struct ck_error *err)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	char cols[CK_ERROR_FIELD_MAX];

	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		store_sqlite_unique_columns(msg, cols, sizeof(cols));
		return ck_error_set(err, CK_E_DUPLICATE, cols,
				    "an object with this %s already exists", cols);
	case SQLITE_CONSTRAINT_TRIGGER:
		/* ON DELETE RESTRICT reports "FOREIGN KEY constraint failed" with this code */
		if (!strstr(msg, "FOREIGN KEY"))
			break;
		/* fall through */
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "a referenced object does not exist or is still referenced");
	case SQLITE_NOMEM:
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	case SQLITE_TOOBIG:
		return ck_error_set(err, CK_E_TOOBIG, NULL, "value too large for the database");
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ck_error_set(err, CK_E_BUSY, NULL, "database is busy: %s", msg);
	}
	return ck_error_set(err, CK_E_DB, NULL, "%s: %s (%d)", what, msg, rc);
}

void store_sqlite_unique_columns(const char *msg, char *out, size_t size)
{
	const char *p = strstr(msg, "failed: ");
	size_t n = 0;

	if (!size)
		return;
	p = p ? p + 8 : msg;
	while (*p && n + 1 < size) {
		/* one "table.column" item: keep what follows the last '.' */
		const char *end = strstr(p, ", ");
		const char *stop = end ? end : p + strlen(p);
		const char *dot = memchr(p, '.', (size_t)(stop - p));
		const char *col = dot ? dot + 1 : p;

		if (n && n + 1 < size)
			out[n++] = ',';
		while (col < stop && n + 1 < size)
			out[n++] = *col++;
		p = end ? end + 2 : stop;
	}
	out[n] = '\0';
}

void store_sqlite_rewrite_params(const char *sql, char *out)
{
	size_t i = 0;

	while (sql[i]) {
		char c = sql[i];

		out[i] = c;
		if (c == '\'' || c == '"') { /* '' and "" escapes re-enter the same state */
			for (i++; sql[i] && sql[i] != c; i++)
				out[i] = sql[i];
			if (sql[i])
				out[i] = sql[i], i++;
			continue;
		}
		if (c == '-' && sql[i + 1] == '-') {
			for (; sql[i] && sql[i] != '\n'; i++)
				out[i] = sql[i];
			continue;
		}
		if (c == '/' && sql[i + 1] == '*') {
			out[i + 1] = '*';
			for (i += 2; sql[i] && !(sql[i] == '*' && sql[i + 1] == '/'); i++)
				out[i] = sql[i];
			if (sql[i])
				out[i] = '*', out[i + 1] = '/', i += 2;
			continue;
		}
		if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9')
			out[i] = '?';
		i++;
	}
	out[i] = '\0';
}

static int sq_target(const char *rest, char **ret_target, int *ret_is_memory, struct ck_error *err)
{
	static atomic_uint seq;
	char buf[96];
	const char *t = rest;
	int mem = !strcmp(rest, ":memory:");

	if (mem) {
		snprintf(buf, sizeof(buf), "file:/certkeeper-mem-%u-%p?vfs=memdb",
			 atomic_fetch_add(&seq, 1), (void *)&buf);
		t = buf;
	} else if (!*rest) {
		return ck_error_set(err, CK_E_INVALID, "db", "empty database path");
	}
	*ret_target = strdup(t);
	if (!*ret_target)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	*ret_is_memory = mem;
	return 0;
}

static int sq_open(const char *target, void **ret_db, struct ck_error *err)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc;

	if (!strncmp(target, "file:", 5))
		flags |= SQLITE_OPEN_URI;
	pthread_once(&config_once, configure_sqlite);
	rc = sqlite3_open_v2(target, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		rc = ck_error_set(err, rc == SQLITE_NOMEM ? CK_E_NOMEM : CK_E_DB, "db",
				  "cannot open database %s: %s", target,
				  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto close_db;
	}
	pthread_once(&heap_budget_once, set_heap_budget);
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, SQLITE_BUSY_TIMEOUT_MS);
	sqlite3_progress_handler(db, STORE_PROGRESS_OPS, sq_progress, NULL);
	rc = sqlite3_exec(db, sqlite_pragmas, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = map_error(db, rc, "configuring the connection", err);
		goto close_db;
	}
	*ret_db = db;
	return 0;
close_db:
	sqlite3_close_v2(db);
	return rc;
}

static void sq_close(void *db) { sqlite3_close_v2(db); }

static int sq_exec(void *db, const char *sql, struct ck_error *err)
{
	int rc;

	tl_armed = 0;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : map_error(db, rc, "exec", err);
}

static int sq_prepare(void *db, const char *sql, void **ret_stmt, struct ck_error *err)
{
	size_t len = strlen(sql);
	sqlite3_stmt *st = NULL;
	char *text;
	int rc;

	if (len >= INT_MAX)
		return ck_error_set(err, CK_E_TOOBIG, NULL, "SQL text too long");
	text = malloc(len + 1);
	if (!text)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	store_sqlite_rewrite_params(sql, text);
	rc = sqlite3_prepare_v3(db, text, (int)len + 1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = map_error(db, rc, "prepare", err);
		goto free_text;
	}
	if (!st) { /* only whitespace or comments */
		rc = ck_error_set(err, CK_E_INTERNAL, NULL, "empty SQL statement");
		goto free_text;
	}
	*ret_stmt = st;
	rc = 0;
free_text:
	free(text);
	return rc;
}

static void sq_finalize(void *stmt) { sqlite3_finalize(stmt); }

static void sq_reset(void *stmt) { sqlite3_reset(stmt); }

static void sq_clear(void *stmt) { sqlite3_clear_bindings(stmt); }

static int bind_rc(void *stmt, int rc)
{
	switch (rc) {
	case SQLITE_OK:
		return 0;
	case SQLITE_NOMEM:
		return CK_E_NOMEM;
	case SQLITE_TOOBIG:
		return CK_E_TOOBIG;
	case SQLITE_RANGE:
		return CK_E_INVALID;
	}
	(void)stmt;
	return CK_E_DB;
}

static int sq_bind_i64(void *stmt, int idx, int64_t v)
{
	return bind_rc(stmt, sqlite3_bind_int64(stmt, idx, v));
}

static int sq_bind_double(void *stmt, int idx, double v)
{
	return bind_rc(stmt, sqlite3_bind_double(stmt, idx, v));
}

static int sq_bind_text(void *stmt, int idx, const char *text, size_t len)
{
	if (len > INT_MAX)
		return CK_E_TOOBIG;
	return bind_rc(stmt, sqlite3_bind_text(stmt, idx, text, (int)len, SQLITE_TRANSIENT));
}

static int sq_bind_null(void *stmt, int idx) { return bind_rc(stmt, sqlite3_bind_null(stmt, idx)); }

static int sq_step(void *stmt, struct ck_error *err)
{
	int rc;

	if (!sqlite3_stmt_busy(stmt)) { /* the statement's first step */
		tl_armed = tl_limit_ms && sqlite3_stmt_readonly(stmt);
		if (tl_armed)
			tl_deadline_ns = ck_mono_ns() + (int64_t)tl_limit_ms * 1000000;
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	if (rc == SQLITE_INTERRUPT && tl_armed)
		return ck_error_set(err, CK_E_TIMEOUT, NULL,
				    "statement time limit (%d ms) exceeded", tl_limit_ms);
	return map_error(sqlite3_db_handle(stmt), rc, "step", err);
}

static int sq_col_count(void *stmt) { return sqlite3_column_count(stmt); }

static int sq_col_is_null(void *stmt, int col)
{
	return sqlite3_column_type(stmt, col) == SQLITE_NULL;
}

static int64_t sq_col_i64(void *stmt, int col) { return sqlite3_column_int64(stmt, col); }

static double sq_col_double(void *stmt, int col) { return sqlite3_column_double(stmt, col); }

static const char *sq_col_text(void *stmt, int col, size_t *ret_len)
{
	const char *t = (const char *)sqlite3_column_text(stmt, col);

	if (ret_len)
		*ret_len = t ? (size_t)sqlite3_column_bytes(stmt, col) : 0;
	return t;
}

static const char *sq_col_name(void *stmt, int col) { return sqlite3_column_name(stmt, col); }

static int64_t sq_changes(void *db) { return sqlite3_changes64(db); }

static int sq_has_table(void *db, const char *name, struct ck_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return map_error(db, rc, "has_table", err);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = 1;
	else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = map_error(db, rc, "has_table", err);
	sqlite3_finalize(st);
	return rc;
}

static const char *sq_migration_sql(const struct store_migration *m) { return m->sqlite; }

/* ---- dialect (driver.h): SQLite's JSON1 functions, LIKE (ASCII case-insensitive by
 * default), SUM over 0/1 truth values, group_concat ---- */

static void sq_json_array_has(struct strbuf *sql, const char *array_expr, const char *value_expr)
{
	strbuf_addf(sql, "EXISTS (SELECT 1 FROM json_each(%s) WHERE json_each.value = %s)",
		    array_expr, value_expr);
}

static void sq_json_elements(struct strbuf *sql, const char *json_expr, const char *key,
			     const char *alias)
{
	if (key)
		strbuf_addf(sql, "json_each(%s, '$.%s') %s", json_expr, key, alias);
	else
		strbuf_addf(sql, "json_each(%s) %s", json_expr, alias);
}

static void sq_json_element_is_text(struct strbuf *sql, const char *alias)
{
	strbuf_addf(sql, "%s.type = 'text'", alias);
}

static void sq_json_object_keys(struct strbuf *sql, const char *json_expr, const char *alias)
{
	strbuf_addf(sql, "json_each(%s) %s", json_expr, alias);
}

static void sq_json_type(struct strbuf *sql, const char *json_expr, const char *key)
{
	strbuf_addf(sql, "json_type(%s, '$.%s')", json_expr, key);
}

static void sq_json_get(struct strbuf *sql, const char *json_expr, const char *key)
{
	strbuf_addf(sql, "json_extract(%s, '$.%s')", json_expr, key);
}

static void sq_json_agg_object(struct strbuf *sql, const char *const *keys,
			       const char *const *value_exprs, size_t n)
{
	strbuf_adds(sql, "json_group_array(json_object(");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sql, "%s'%s', %s", i ? ", " : "", keys[i], value_exprs[i]);
	strbuf_adds(sql, "))");
}

static void sq_json_int_array_agg(struct strbuf *sql, const char *expr)
{
	strbuf_addf(sql, "json_group_array(%s)", expr);
}

static void sq_count_if(struct strbuf *sql, const char *cond) { strbuf_addf(sql, "SUM(%s)", cond); }

static void sq_ilike(struct strbuf *sql, const char *expr, const char *pattern_expr, int negate)
{
	strbuf_addf(sql, "%s%s LIKE %s ESCAPE '\\'", negate ? "NOT " : "", expr, pattern_expr);
}

/* "SELECT rowid FROM <table>_fts WHERE ... MATCH" a phrase of bound value $bind in any of the
 * columns `cols`: a phrase of the trigram tokenizer is a substring; '"' is doubled inside it. */
static void sq_fts_phrase(struct strbuf *sql, const char *table, const char *const *cols, int ncols,
			  int bind)
{
	strbuf_addf(sql, "SELECT rowid FROM %s_fts WHERE %s_fts MATCH '{", table, table);
	for (int i = 0; i < ncols; i++)
		strbuf_addf(sql, "%s%s", i ? " " : "", cols[i]);
	strbuf_addf(sql, "} : \"' || REPLACE($%d, '\"', '\"\"') || '\"'", bind);
}

static void sq_trigram_contains_any(struct strbuf *sql, const char *table, const char *const *cols,
				    int ncols, int bind, int queued)
{
	/* Rows still queued for the index (sq_deferred_index_sql) are candidates too: the
	 * caller checks every candidate against the column itself. The queue is mostly empty
	 * (the server's job drains it within a second), and without it the planner weighs the
	 * pre-filter right (a compound subquery looked costlier than a status index: q with
	 * status=active read 800k rows, 1.2 s at 1M), so it is named only when not empty. */
	strbuf_adds(sql, "t.id IN (");
	sq_fts_phrase(sql, table, cols, ncols, bind);
	if (queued)
		strbuf_addf(sql, " UNION ALL SELECT id FROM %s_fts_pending", table);
	strbuf_addch(sql, ')');
}

static void sq_trigram_contains(struct strbuf *sql, const char *table, const char *col, int bind,
				int queued)
{
	sq_trigram_contains_any(sql, table, &col, 1, bind, queued);
}

static void sq_in_subquery(struct strbuf *sql, const char *expr, const char *subquery)
{
	strbuf_addf(sql, "%s IN (%s)", expr, subquery);
}

static void sq_trigram_sample(struct strbuf *sql, const char *table, const char *const *cols,
			      int ncols)
{
	strbuf_adds(sql, "SELECT COUNT(*) FROM (");
	sq_fts_phrase(sql, table, cols, ncols, 1);
	strbuf_adds(sql, " LIMIT $2)");
}

static void sq_string_agg(struct strbuf *sql, const char *expr, const char *sep_expr)
{
	strbuf_addf(sql, "group_concat(%s, %s)", expr, sep_expr);
}

/* The trigram index of the certificates queued by the triggers of schema.c (migration 9),
 * written by store_deferred_index_drain() in batches of $1 rows, outside the writers'
 * transactions: indexing cost a third of an import's time when every commit did it. */
static const char *const sq_deferred_index_sql[] = {
    "INSERT INTO certificates_fts(rowid, common_name, issuer, serial_key, fingerprint_sha256)"
    " SELECT c.id, c.common_name, c.issuer, c.serial_key, c.fingerprint_sha256"
    " FROM certificates c WHERE c.id IN"
    " (SELECT id FROM certificates_fts_pending ORDER BY id LIMIT $1)",
    "DELETE FROM certificates_fts_pending WHERE id IN"
    " (SELECT id FROM certificates_fts_pending ORDER BY id LIMIT $1)",
    NULL,
};

/* The answers of sq_page_subquery_sorts per SQL text, per thread: a plan depends only on the
 * statement and the schema (no ANALYZE statistics), and the list queries of a server are a
 * few hundred shapes, so most requests cost one hash instead of a prepare. */
#define SQ_PLAN_CACHE 256
static _Thread_local struct {
	uint64_t hash; /* 0: empty */
	int sorts;
} sq_plan_cache[SQ_PLAN_CACHE];

/* EXPLAIN QUERY PLAN rows are (id, parent, notused, detail); the PAGE form's inner query is
 * the "LIST SUBQUERY" node's subtree (children list their parent's id, which comes first). */
#define SQ_PLAN_ROWS 64
static int sq_page_subquery_sorts(void *db, const char *sql, struct ck_error *err)
{
	uint64_t h = ck_fnv1a(sql, strlen(sql)) | 1; /* never 0: 0 marks an empty slot */
	unsigned slot = (unsigned)(h % SQ_PLAN_CACHE);
	int inner[SQ_PLAN_ROWS], ninner = 0, sorts = 0, rc;
	sqlite3_stmt *st = NULL;
	struct strbuf q;

	if (sq_plan_cache[slot].hash == h)
		return sq_plan_cache[slot].sorts;
	strbuf_init(&q, strlen(sql) + 32);
	strbuf_adds(&q, "EXPLAIN QUERY PLAN ");
	strbuf_adds(&q, sql);
	rc = strbuf_result(&q) ? SQLITE_NOMEM
			       : sqlite3_prepare_v2(db, strbuf_str(&q), -1, &st, NULL);
	strbuf_release(&q);
	if (rc != SQLITE_OK)
		return map_error(db, rc, "explaining a page query", err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int id = sqlite3_column_int(st, 0), parent = sqlite3_column_int(st, 1), in = 0;
		const char *d = (const char *)sqlite3_column_text(st, 3);

		for (int k = 0; k < ninner && !in; k++)
			in = inner[k] == parent;
		if (d && (in || strstr(d, "LIST SUBQUERY")) && ninner < SQ_PLAN_ROWS)
			inner[ninner++] = id;
		if (d && in && !strcmp(d, "USE TEMP B-TREE FOR ORDER BY"))
			sorts = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return map_error(db, rc, "explaining a page query", err);
	sq_plan_cache[slot].hash = h;
	sq_plan_cache[slot].sorts = sorts;
	return sorts;
}

static void sq_char(struct strbuf *sql, int code) { strbuf_addf(sql, "char(%d)", code); }

static void sq_upsert(struct strbuf *sql, const char *conflict_cols, const char *const *update_cols)
{
	strbuf_addf(sql, " ON CONFLICT (%s) DO ", conflict_cols);
	if (!update_cols || !update_cols[0]) {
		strbuf_adds(sql, "NOTHING");
		return;
	}
	strbuf_adds(sql, "UPDATE SET ");
	for (size_t i = 0; update_cols[i]; i++)
		strbuf_addf(sql, "%s%s = excluded.%s", i ? ", " : "", update_cols[i],
			    update_cols[i]);
}

const struct store_driver store_sqlite_driver = {
    .name = "sqlite",
    .target = sq_target,
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .clear = sq_clear,
    .bind_i64 = sq_bind_i64,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_is_null = sq_col_is_null,
    .col_i64 = sq_col_i64,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_name = sq_col_name,
    .changes = sq_changes,
    .has_table = sq_has_table,
    .begin_sql = "BEGIN IMMEDIATE",
    .deferred_index_table = "certificates_fts_pending",
    .deferred_index_sql = sq_deferred_index_sql,
    .checkpoint_sql = "PRAGMA wal_checkpoint(PASSIVE)",
    .no_index_mark = "+",
    .page_subquery_sorts = sq_page_subquery_sorts,
    .migration_sql = sq_migration_sql,
    .sql_json_array_has = sq_json_array_has,
    .sql_json_elements = sq_json_elements,
    .sql_json_element_is_text = sq_json_element_is_text,
    .sql_json_object_keys = sq_json_object_keys,
    .sql_json_type = sq_json_type,
    .sql_json_get = sq_json_get,
    .sql_json_agg_object = sq_json_agg_object,
    .sql_json_int_array_agg = sq_json_int_array_agg,
    .sql_count_if = sq_count_if,
    .sql_ilike = sq_ilike,
    .sql_trigram_contains = sq_trigram_contains,
    .sql_in_subquery = sq_in_subquery,
    .sql_trigram_contains_any = sq_trigram_contains_any,
    .sql_trigram_sample = sq_trigram_sample,
    .sql_string_agg = sq_string_agg,
    .sql_char = sq_char,
    .sql_upsert = sq_upsert,
    .sql_skip_locked = "",
};
