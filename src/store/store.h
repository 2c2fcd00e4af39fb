/*
 * store/store — the one SQL API of certkeeper (DESIGN.md §2 layer store/, §4).
 *
 * Callers write ONE SQL text for every engine: `$1..$n` placeholders, `RETURNING`,
 * `ON CONFLICT`. Dialect differences live in the driver (the SQLite driver rewrites `$n` to
 * `?n` at prepare time, so placeholders may repeat and appear in any order).
 * Never put a user-supplied string into SQL text: bind it (STYLE.md §8).
 *
 * Objects and lifecycle:
 *   struct store       — an opened database (URL "sqlite:PATH"; "postgres://..." later).
 *                        store_open() → store_close(). Thread-safe.
 *   struct store_conn  — one connection, owned by ONE thread. store_conn_get() returns the
 *                        calling thread's connection (created lazily, freed at store_close()
 *                        or thread exit). SQLite: WAL, foreign_keys=ON, busy_timeout.
 *   struct store_stmt  — a prepared statement from the connection's cache, keyed by SQL text.
 *                        store_query() → bind → store_step()… → store_done(). The statement
 *                        stays owned by the connection; store_done() resets it for reuse.
 *                        A statement must be done before the same SQL text is queried again.
 *
 * Transactions: store_tx_begin() starts a write transaction (SQLite: BEGIN IMMEDIATE, so
 * writers serialise up front instead of failing at commit); commit or rollback ends it.
 * Nesting is not supported (CK_E_INTERNAL).
 *
 * Errors: negative CK_E_* codes. Unique-constraint violations return CK_E_DUPLICATE with the
 * constraint's columns in err->field (e.g. "fingerprint_sha256"); foreign-key violations
 * CK_E_INVALID; lock time-outs CK_E_BUSY; anything else CK_E_DB (message for logs only).
 */
#ifndef CK_STORE_STORE_H
#define CK_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct store;
struct store_conn;
struct store_stmt;

#define STORE_ROW 1  /* store_step(): a row is available */
#define STORE_DONE 0 /* store_step(): no more rows */

/* Opens (creating if needed) the database named by `url` and applies pending migrations
 * unless `no_migrate`. Writes *ret on success. */
int store_open(const char *url, int no_migrate, struct store **ret, struct ck_error *err);

/* Closes every connection and frees the store. NULL accepted. */
void store_close(struct store *st);

/* The statement time limit of the calling thread (SQLite: sqlite3_progress_handler): a
 * read-only statement stepped on this thread's connection after this call that runs longer
 * than `ms` milliseconds (from its first step) is stopped and fails with CK_E_TIMEOUT. 0 (the
 * default of every thread) means no limit. Writes, migrations and store_exec() are never
 * limited. The API's list reads set it from the config's statement_timeout_ms for the
 * request (api/query.c api_list); other requests, background jobs and the CLI leave it off. */
#define STORE_PROGRESS_OPS 4096 /* VM instructions between two checks of the clock */
void store_thread_statement_limit(int ms);
/* The statement time limit of the store (`certkeeper serve`: config pg_statement_timeout_ms):
 * a statement run outside a write transaction that takes longer than `ms` milliseconds is
 * stopped and fails with CK_E_TIMEOUT; statements inside store_tx_begin() transactions
 * (every write, migrations) are never limited. 0 = no limit (the default). PostgreSQL: the
 * session's statement_timeout on every connection, applied to the calling thread's
 * connection at once and to every connection opened later; call it before other threads
 * use the store. SQLite: no effect. Returns 0 or the error of applying it. */
int store_set_statement_timeout(struct store *st, int ms, struct ck_error *err);

#define STORE_MIGRATE_WAIT_S 3600 /* how long migrating waits for another process's write lock */

/* Applies pending migrations; *ret_applied (optional) receives how many were applied. While
 * another process holds the write lock (it is migrating too), waits up to
 * STORE_MIGRATE_WAIT_S instead of failing with the connection's busy time-out. */
int store_migrate(struct store *st, int *ret_applied, struct ck_error *err);

/* Current schema version (number of the last applied migration), or negative error. */
int store_schema_version(struct store *st);

/* The calling thread's connection (created on first use). NULL on failure (out of memory or
 * the database cannot be opened). Borrowed: valid until store_close() or thread exit. */
struct store_conn *store_conn_get(struct store *st);

/* "sqlite" or "postgres". */
const char *store_dialect(const struct store_conn *c);

/* Executes SQL text without parameters or results (may hold several statements). */
int store_exec(struct store_conn *c, const char *sql, struct ck_error *err);

/* Returns the cached prepared statement for `sql` (preparing it on first use), reset and with
 * bindings cleared. Borrowed; call store_done() when finished. */
int store_query(struct store_conn *c, const char *sql, struct store_stmt **ret,
		struct ck_error *err);

/* Binds parameter `idx` (1-based, the n of `$n`). Text is copied. len (size_t)-1 = strlen. */
int store_bind_i64(struct store_stmt *s, int idx, int64_t v);
int store_bind_double(struct store_stmt *s, int idx, double v);
int store_bind_text(struct store_stmt *s, int idx, const char *text, size_t len);
int store_bind_null(struct store_stmt *s, int idx);

/* Advances: STORE_ROW, STORE_DONE, or a negative error (see the header comment). */
int store_step(struct store_stmt *s, struct ck_error *err);

/* Column accessors for the current row (0-based). Text is borrowed until the next step or
 * store_done(); NULL columns give NULL text / 0 numbers. */
int store_col_count(struct store_stmt *s);
int store_col_is_null(struct store_stmt *s, int col);
int64_t store_col_i64(struct store_stmt *s, int col);
double store_col_double(struct store_stmt *s, int col);
const char *store_col_text(struct store_stmt *s, int col, size_t *ret_len);
const char *store_col_name(struct store_stmt *s, int col);

/* Resets the statement for its next use. NULL accepted. */
void store_done(struct store_stmt *s);

/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t store_changes(struct store_conn *c);

/* Write transactions (see header comment). */
int store_tx_begin(struct store_conn *c, struct ck_error *err);
int store_tx_commit(struct store_conn *c, struct ck_error *err);
void store_tx_rollback(struct store_conn *c);
int store_in_tx(const struct store_conn *c);

/* Indexes up to `batch` (>= 1) rows queued for the driver's deferred index (driver.h
 * deferred_index_table; SQLite: the trigram index of certificates) in one write transaction
 * of its own, and sets *ret_done to how many left the queue: fewer than `batch` means the
 * queue is empty. 0 and *ret_done = 0 when the engine defers nothing (PostgreSQL) or the
 * queue does not exist yet. Must not be called inside a transaction. The server's
 * jobs/search_index drains the queue; `certkeeper migrate` empties it at once. */
int store_deferred_index_drain(struct store_conn *c, int batch, int *ret_done,
			       struct ck_error *err);

/* Empties the deferred index's queue: store_deferred_index_drain() in batches of `batch`
 * until a short batch, each its own transaction (so other writers take turns in between).
 * *ret_total: rows indexed. For batch commands (`certkeeper migrate`, `migrate-data`). */
int store_deferred_index_drain_all(struct store_conn *c, int batch, int64_t *ret_total,
				   struct ck_error *err);

/* Sets *ret to 1 when rows wait for the driver's deferred index, else 0 (also when the
 * engine defers nothing or the queue does not exist yet). 0 or a negative CK_E_* code. */
int store_deferred_index_waiting(struct store_conn *c, int *ret, struct ck_error *err);

/* Copies the engine's write-ahead log back into the database (driver.h checkpoint_sql;
 * SQLite: a PASSIVE checkpoint, which neither waits for readers nor blocks writers). 0 when
 * the engine needs none (PostgreSQL). Must not be called inside a transaction. Writers only
 * checkpoint themselves past a large log, so a long-running process calls this regularly
 * (jobs/checkpoint), and a batch command at its end. */
int store_checkpoint(struct store_conn *c, struct ck_error *err);

/* Prepares the database for reads after a bulk copy (driver.h after_bulk_load_sql;
 * PostgreSQL: VACUUM ANALYZE, so that the planner has statistics and index-only scans see
 * all-visible pages from the first request, not once autovacuum has reached the copied
 * tables, minutes later at 1M rows). 1 when it ran, 0 when the engine needs nothing, or a
 * negative CK_E_* code; not inside a transaction. */
int store_after_bulk_load(struct store_conn *c, struct ck_error *err);

/* Steps st (already bound by the caller) to the end, collecting column 0 of every row as an
 * integer, then store_done(st). *ret (caller frees; NULL when no row) and *ret_n are written
 * only on success. */
int store_collect_i64(struct store_stmt *st, int64_t **ret, size_t *ret_n, struct ck_error *err);

/* The same for text: column 0 of at most `max` rows, copied ("" for NULL); caller frees with
 * store_texts_free(*ret, *ret_n). */
int store_collect_text(struct store_stmt *st, size_t max, char ***ret, size_t *ret_n,
		       struct ck_error *err);
void store_texts_free(char **v, size_t n); /* NULL accepted */

/* Convenience: runs `sql` with the given int64 parameters and returns the first column of the
 * first row in *ret (0 when no row). For COUNT(*) and id look-ups. */
int store_scalar_i64(struct store_conn *c, const char *sql, const int64_t *params, int nparams,
		     int64_t *ret, struct ck_error *err);

/* ---- existence look-ups (store/lookup.c) ----
 * `table` and the column names are declared identifiers (never client text); the value is
 * bound. Return 1 when a row exists, 0 when none does, or a negative error. */

/* A row of `table` has id `id`. */
int store_id_exists(struct store_conn *c, const char *table, int64_t id, struct ck_error *err);

/* A row of `table` has `col` = v, or (col2 non-NULL) `col2` = v. */
int store_text_exists(struct store_conn *c, const char *table, const char *col, const char *col2,
		      const char *v, struct ck_error *err);

/* The id of the first row of `table` with `col` = v into *ret_id (written only when found). */
int store_id_by_text(struct store_conn *c, const char *table, const char *col, const char *v,
		     int64_t *ret_id, struct ck_error *err);

/* Copies text column `col` of the row of `table` with id `id` into out (cut to size - 1
 * bytes; "" for NULL). 1 when the row exists, 0 when not, or a negative error. */
int store_text_of(struct store_conn *c, const char *table, const char *col, int64_t id, char *out,
		  size_t size, struct ck_error *err);

#endif
