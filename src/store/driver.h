/*
 * store/driver — the boundary between the engine-neutral store (store.c: URL, per-thread
 * connections, statement cache, transactions, migrations) and one database engine (after
 * freebsd pkg's backend ops). INTERNAL to store/: callers use store/store.h only; tests may
 * include this header for the statement-cache statistics.
 *
 * A driver handles opaque `void *` connection and statement handles. Every function that can
 * fail returns 0 or a negative CK_E_* code already mapped from the engine's code (see
 * store.h: unique → CK_E_DUPLICATE with the columns in err->field, foreign key →
 * CK_E_INVALID, lock time-out → CK_E_BUSY, else CK_E_DB). Statements are used by one thread.
 *
 * Adding an engine = one new file that defines a `struct store_driver` and one line in
 * store.c's driver table; nothing else changes.
 */
#ifndef CK_STORE_DRIVER_H
#define CK_STORE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "store/schema.h"
#include "store/store.h"

struct store_driver {
	const char *name; /* store_dialect(): "sqlite", "postgres" */

	/* Turns the part of the URL after the scheme into the target passed to open(); caller
	 * frees *ret_target. `is_memory` set when every connection must share one private
	 * database that lives as long as the store (see store.c: the keeper connection). */
	int (*target)(const char *rest, char **ret_target, int *ret_is_memory,
		      struct ck_error *err);
	/* Opens one connection configured for certkeeper (pragmas, time-outs). */
	int (*open)(const char *target, void **ret_db, struct ck_error *err);
	void (*close)(void *db); /* NULL accepted */

	int (*exec)(void *db, const char *sql, struct ck_error *err);
	/* Prepares `sql` written with $n placeholders (the driver translates the dialect). */
	int (*prepare)(void *db, const char *sql, void **ret_stmt, struct ck_error *err);
	void (*finalize)(void *stmt); /* NULL accepted */
	void (*reset)(void *stmt);    /* rewinds; keeps bindings */
	void (*clear)(void *stmt);    /* clears bindings */

	int (*bind_i64)(void *stmt, int idx, int64_t v);
	int (*bind_double)(void *stmt, int idx, double v);
	int (*bind_text)(void *stmt, int idx, const char *text, size_t len);
	int (*bind_null)(void *stmt, int idx);
	int (*step)(void *stmt, struct ck_error *err); /* STORE_ROW, STORE_DONE, or < 0 */

	int (*col_count)(void *stmt);
	int (*col_is_null)(void *stmt, int col);
	int64_t (*col_i64)(void *stmt, int col);
	double (*col_double)(void *stmt, int col);
	const char *(*col_text)(void *stmt, int col, size_t *ret_len);
	const char *(*col_name)(void *stmt, int col);

	int64_t (*changes)(void *db);
	/* 1 if the table exists, 0 if not, negative error. */
	int (*has_table)(void *db, const char *name, struct ck_error *err);

	const char *begin_sql; /* a write transaction that takes the write lock up front */
	/* Optional (NULL: none): taken around store_migrate() as a whole, so that nodes starting
	 * together apply migrations once, one after the other (PostgreSQL: a session advisory
	 * lock; SQLite's BEGIN IMMEDIATE per migration already serialises). */
	const char *migrate_lock_sql, *migrate_unlock_sql;

	/* Optional (NULL: the engine needs nothing): after rows were inserted with explicit ids,
	 * moves `table`'s id generator past its highest id (store/copy; SQLite's AUTOINCREMENT
	 * follows explicit ids by itself). `table` comes from static data, never input. */
	int (*sync_identity)(void *db, const char *table, struct ck_error *err);

	/* Optional (NULL: the engine has no statement time limit): sets the limit of statements
	 * run outside write transactions on this connection, kept across reconnects; 0 = none.
	 * A statement stopped by it fails with CK_E_TIMEOUT. */
	int (*set_statement_timeout)(void *db, int ms, struct ck_error *err);
	/* Optional (NULL: none): an index written behind the transactions instead of inside them
	 * (SQLite: the trigram index; writers queue row ids in `deferred_index_table`, and
	 * store_deferred_index_drain() indexes the queue in batches). Each statement of
	 * `deferred_index_sql` (NULL-ended) binds $1 = the batch size and works on the first $1
	 * queued ids; the last one removes them from the queue. Searches treat a queued row as a
	 * candidate (sql_trigram_contains), so a row is found before it is indexed. */
	const char *deferred_index_table;
	const char *const *deferred_index_sql;
	/* Optional (NULL: none): written before a column so that the planner uses no index for
	 * it (SQLite: "+", a unary plus makes the column an expression). The page plan
	 * (store_qs_plan) marks the ORDER BY keys when the filter found few matches (sort them
	 * instead of walking the ordering's index) and the conditions when it found many and the
	 * filter's index would make the engine sort all of them (walk the ordering's index
	 * instead). PostgreSQL's planner weighs both itself from its statistics. */
	const char *no_index_mark;
	/* Optional (NULL: never asked): 1 when the PAGE form `sql` (store_qs_render) sorts the
	 * rows of its inner query (the ordered ids) in a temporary structure instead of reading
	 * them in order from an index, 0 when not, or a negative CK_E_* code. */
	int (*page_subquery_sorts)(void *db, const char *sql, struct ck_error *err);
	/* Optional (NULL: nothing to do): copies what the engine's log holds back into the
	 * database without waiting for readers or blocking writers (SQLite: a PASSIVE WAL
	 * checkpoint). Run by store_checkpoint(). */
	const char *checkpoint_sql;
	/* Optional (NULL: nothing to do): what a bulk copy into the database runs at its end,
	 * outside a transaction, before any server reads it (store_after_bulk_load). */
	const char *after_bulk_load_sql;

	/* This engine's SQL of a migration (NULL: the migration has none for this engine). */
	const char *(*migration_sql)(const struct store_migration *m);

	/* ---- dialect: the engine-specific pieces of SQL text ----
	 * Every function appends to `sql` (errors latch in the strbuf). Arguments named *_expr
	 * are SQL expressions composed by store/ itself (declared columns, `$n` placeholders),
	 * never client text; `key` arguments are declared identifiers ([a-z0-9_]). Statements
	 * outside the driver compose these instead of naming an engine's functions. */

	/* Condition: JSON array `array_expr` has an element equal to `value_expr`. */
	void (*sql_json_array_has)(struct strbuf *sql, const char *array_expr,
				   const char *value_expr);
	/* A FROM item named `alias` with one row per element of the JSON array at `key` of
	 * `json_expr` (key NULL: `json_expr` is the array); columns: <alias>.value (the element,
	 * text or integer). */
	void (*sql_json_elements)(struct strbuf *sql, const char *json_expr, const char *key,
				  const char *alias);
	/* Condition: element row `alias` of sql_json_elements() is a JSON string. */
	void (*sql_json_element_is_text)(struct strbuf *sql, const char *alias);
	/* A FROM item named `alias` with one row per key of the JSON object `json_expr`;
	 * column <alias>.key. */
	void (*sql_json_object_keys)(struct strbuf *sql, const char *json_expr, const char *alias);
	/* Expression: the JSON type of member `key` of `json_expr` as one of "null", "true",
	 * "false", "integer", "real", "text", "array", "object"; SQL NULL when absent. */
	void (*sql_json_type)(struct strbuf *sql, const char *json_expr, const char *key);
	/* Expression: the scalar value of member `key` of `json_expr` (NULL when absent). */
	void (*sql_json_get)(struct strbuf *sql, const char *json_expr, const char *key);
	/* Aggregate: a JSON array text of one object per row, keys[i] → value_exprs[i]
	 * ("[]" without rows is NOT guaranteed: callers treat NULL as an empty array). */
	void (*sql_json_agg_object)(struct strbuf *sql, const char *const *keys,
				    const char *const *value_exprs, size_t n);
	/* Aggregate: a JSON array text of the integers `expr` of the rows ("[]" without rows
	 * is NOT guaranteed: NULL is rendered as an empty list by callers). */
	void (*sql_json_int_array_agg)(struct strbuf *sql, const char *expr);
	/* Aggregate: the number of rows for which `cond` holds (NULL without rows, like SUM). */
	void (*sql_count_if)(struct strbuf *sql, const char *cond);
	/* Condition: `expr` matches the LIKE pattern `pattern_expr` ignoring ASCII case, with
	 * '\' escaping '%', '_' and itself; negated when `negate`. */
	void (*sql_ilike)(struct strbuf *sql, const char *expr, const char *pattern_expr,
			  int negate);
	/* Condition: row t of `table` may have column `col` containing the text of bound value
	 * `bind` ASCII-case-insensitively, answered by the column's trigram index (SQLite: the
	 * <table>_fts trigram table, a phrase = a substring; PostgreSQL: a pg_trgm GIN index
	 * serving ILIKE). True for at least every such row (queryspec.h: a pre-filter beside
	 * an exact condition). `queued`: rows wait for the deferred index
	 * (deferred_index_table): they are candidates too. */
	void (*sql_trigram_contains)(struct strbuf *sql, const char *table, const char *col,
				     int bind, int queued);
	/* Condition: `expr` is one of the values of the one-column `subquery`. PostgreSQL writes
	 * "= ANY(ARRAY(subquery))": as one branch of an OR (q's SAN look-up beside its trigram
	 * searches), "IN (subquery)" became a hashed subplan that turned the whole OR into a
	 * sequential scan (338 ms at 100k), where the array is one more index scan of the
	 * bitmap OR (7 ms). SQLite: "IN (subquery)". */
	void (*sql_in_subquery)(struct strbuf *sql, const char *expr, const char *subquery);
	/* Optional (NULL: each column's condition is written alone): the condition of
	 * sql_trigram_contains for any of the `ncols` columns `cols` at once, read from the
	 * index in one pass (SQLite: one phrase with a column set, where one phrase per column
	 * merged the same doclists once per column; `q` searches four columns). */
	void (*sql_trigram_contains_any)(struct strbuf *sql, const char *table,
					 const char *const *cols, int ncols, int bind, int queued);
	/* Optional (NULL: the engine's planner estimates this itself): a statement counting the
	 * rows of `table` whose trigram index says one of the `ncols` columns `cols` may contain
	 * bound value $1, stopping at bound value $2 (a cheap selectivity estimate,
	 * store_qs_query). */
	void (*sql_trigram_sample)(struct strbuf *sql, const char *table, const char *const *cols,
				   int ncols);
	/* Aggregate: the texts of `expr` joined by `sep_expr` (an SQL expression). */
	void (*sql_string_agg)(struct strbuf *sql, const char *expr, const char *sep_expr);
	/* Expression: the one-character string of ASCII `code`. */
	void (*sql_char)(struct strbuf *sql, int code);
	/* The tail of an INSERT that turns a conflict on `conflict_cols` (comma-separated)
	 * into an update of `update_cols` (NULL-terminated) from the proposed row; with no
	 * update column, into doing nothing. */
	void (*sql_upsert)(struct strbuf *sql, const char *conflict_cols,
			   const char *const *update_cols);
	/* The tail of a SELECT that locks the rows it returns until the end of the statement's
	 * transaction and skips rows that another transaction holds, so that concurrent
	 * consumers never wait for nor take the same row (PostgreSQL: FOR UPDATE SKIP LOCKED).
	 * "" where writers are serialised anyway (SQLite: one writer at a time). */
	const char *sql_skip_locked;
};

extern const struct store_driver store_sqlite_driver;
extern const struct store_driver store_postgres_driver;

/* The PostgreSQL form of SQLite DDL, by fixed rewrites (postgres.c ddl_rules): AUTOINCREMENT
 * keys become identity columns (never reused, like SQLite's AUTOINCREMENT), integer foreign
 * keys BIGINT, JSON columns (TEXT with a '{}' or '[]' default) JSONB, *_data snapshots JSON (kept
 * byte for byte). Caller frees; NULL when out of memory. Exposed for tests. */
char *store_postgres_translate(const char *sqlite_sql);

/* Parses PostgreSQL's unique-violation detail "Key (a, b)=(…) already exists." into "a,b"
 * (at most `size` bytes including the NUL; "" when the detail has no key list). */
void store_postgres_unique_columns(const char *detail, char *out, size_t size);

/* Named statements (after freebsd pkg's pkgdb): a repository declares each statement once,
 * with a function that composes its text from the driver's dialect ops; every connection
 * composes it on first use and keeps the text, and the statement cache keeps it prepared.
 * Declare them `static const` (the address is the key). */
struct store_named {
	const char *name; /* for error messages */
	void (*build)(const struct store_driver *d, struct strbuf *sql);
};

#define STORE_NAMED_SLOTS 128		/* named texts kept per connection */
#define STORE_NAMED_SQL_MAX (64u << 10) /* bytes of one named statement */

/* store_query() of the text of `n` for c's driver (see store_query for the contract). */
int store_named_query(struct store_conn *c, const struct store_named *n, struct store_stmt **ret,
		      struct ck_error *err);

/* The LIKE-pattern escape shared by every driver's sql_ilike(): '%', '_' and a backslash
 * get a backslash before them. Caller frees; NULL on out of memory. */
char *store_like_escape(const char *v);

/* The driver and the engine handle of a connection (for store-internal modules). */
const struct store_driver *store_conn_driver(const struct store_conn *c);
void *store_conn_handle(struct store_conn *c);

/* Statement-cache statistics of one connection (for tests and benchmarks). */
struct store_cache_stats {
	size_t entries;	   /* statements held now */
	size_t capacity;   /* the bound; exceeded only while every statement is in use */
	uint64_t hits;	   /* store_query() served from the cache */
	uint64_t prepares; /* statements prepared */
	uint64_t evictions;
};

#define STORE_STMT_CACHE_MAX 512 /* default bound of each connection's statement cache */

void store_conn_cache_stats(const struct store_conn *c, struct store_cache_stats *ret);

/* Changes this connection's cache bound (1..STORE_STMT_CACHE_MAX*16); evicts down to it
 * where possible. Tests use it to exercise eviction cheaply. */
int store_conn_set_cache_capacity(struct store_conn *c, size_t capacity);

/* The `$n` → `?n` rewrite of the SQLite driver, exposed for tests: writes the translated SQL
 * into `out` (same length as `sql`, plus NUL). Quoted text ('...', "...") and comments
 * (-- ..., / * ... * /) are copied unchanged. */
void store_sqlite_rewrite_params(const char *sql, char *out);

/* Parses "UNIQUE constraint failed: t.a, t.b" into "a,b" (the SQLite driver's error
 * mapping, exposed for tests). Writes at most `size` bytes including the NUL. */
void store_sqlite_unique_columns(const char *msg, char *out, size_t size);

#endif
