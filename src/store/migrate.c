/*
 * store/migrate — applies store_migrations[] (schema.c) in order, each in its own write
 * transaction, recording each in schema_migrations(version, name, applied_at).
 *
 * Two processes may start at once: each migration takes the write lock first (BEGIN
 * IMMEDIATE on SQLite) and re-reads the version inside the transaction, so the loser sees
 * the winner's row and skips instead of applying twice.
 */
#include "store/driver.h"
#include "core/clock.h"
#include "store/schema.h"
#include "store/store.h"

#include <stdio.h>
#include <time.h>

static const char sql_create[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				 " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
				 " applied_at BIGINT NOT NULL)";
static const char sql_version[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char sql_record[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

static int current_version(struct store_conn *c, int64_t *ret, struct ck_error *err)
{
	return store_scalar_i64(c, sql_version, NULL, 0, ret, err);
}

static int record(struct store_conn *c, const struct store_migration *m, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_record, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, m->version);
	store_bind_text(s, 2, m->name, (size_t)-1);
	store_bind_i64(s, 3, (int64_t)time(NULL));
	rc = store_step(s, err);
	store_done(s);
	return rc < 0 ? rc : 0;
}

/* Applies `m` unless another process did; *ret_applied = 1 when this call applied it. */
static int apply_one(struct store_conn *c, const struct store_migration *m, int *ret_applied,
		     struct ck_error *err)
{
	const char *sql = NULL;
	int64_t cur = 0;
	int rc = store_tx_begin(c, err);

	if (rc < 0)
		return rc;
	rc = current_version(c, &cur, err);
	if (rc < 0)
		goto rollback;
	if (cur >= m->version) {
		store_tx_rollback(c);
		*ret_applied = 0;
		return 0;
	}
	sql = store_conn_driver(c)->migration_sql(m);
	if (!sql) {
		rc = ck_error_set(err, CK_E_INTERNAL, NULL, "no %s text for this migration",
				  store_dialect(c));
		goto rollback;
	}
	if (*sql) {
		rc = store_exec(c, sql, err);
		if (rc < 0)
			goto rollback;
	}
	rc = record(c, m, err);
	if (rc < 0)
		goto rollback;
	rc = store_tx_commit(c, err);
	if (rc < 0)
		return rc;
	*ret_applied = 1;
	return 0;
rollback:
	store_tx_rollback(c);
	return rc;
}

static int migrate_locked(struct store_conn *c, int *ret_applied, struct ck_error *err);

/* apply_one, waiting while another process holds the write lock. Each try waits up to the
 * connection's busy time-out (SQLite: 5 s, right for requests); a migration of another
 * process can hold the lock far longer (minutes for an index at 1M certificates), and the
 * busy handler's back-off also lets the other openers of a fresh database take turns ahead
 * of this one. So a busy try is repeated until STORE_MIGRATE_WAIT_S have passed: starting
 * several processes at once never fails on the lock (PostgreSQL waits on its advisory
 * lock instead and never returns busy here). */
static int apply_one_waiting(struct store_conn *c, const struct store_migration *m,
			     int *ret_applied, struct ck_error *err)
{
	int64_t until = ck_mono_s() + STORE_MIGRATE_WAIT_S;
	int rc;

	while ((rc = apply_one(c, m, ret_applied, err)) == CK_E_BUSY && ck_mono_s() < until)
		;
	return rc;
}

int store_migrate(struct store *st, int *ret_applied, struct ck_error *err)
{
	struct store_conn *c = store_conn_get(st);
	const struct store_driver *drv;
	int applied = 0;
	int rc;

	if (!c)
		return ck_error_set(err, CK_E_DB, NULL, "cannot open a database connection");
	drv = store_conn_driver(c);
	if (drv->migrate_lock_sql) {
		rc = store_exec(c, drv->migrate_lock_sql, err);
		if (rc < 0)
			return rc;
	}
	rc = migrate_locked(c, &applied, err);
	if (drv->migrate_unlock_sql)
		store_exec(c, drv->migrate_unlock_sql, NULL);
	if (rc < 0)
		return rc;
	if (ret_applied)
		*ret_applied = applied;
	return 0;
}

static int migrate_locked(struct store_conn *c, int *ret_applied, struct ck_error *err)
{
	int64_t cur = 0;
	int applied = 0;
	int64_t until = ck_mono_s() + STORE_MIGRATE_WAIT_S;
	int rc;

	while ((rc = store_exec(c, sql_create, err)) == CK_E_BUSY && ck_mono_s() < until)
		;
	if (rc < 0)
		return rc;
	rc = current_version(c, &cur, err);
	for (int i = 0; rc >= 0 && i < store_migration_count; i++) {
		const struct store_migration *m = &store_migrations[i];
		int done = 0;

		if (m->version <= cur)
			continue;
		rc = apply_one_waiting(c, m, &done, err);
		if (rc < 0 && err) {
			char why[CK_ERROR_MSG_MAX];

			snprintf(why, sizeof(why), "%s", err->msg);
			ck_error_set(err, rc, NULL, "migration %d (%s) failed: %s", m->version,
				     m->name, why);
		}
		applied += done;
	}
	*ret_applied = applied;
	return rc < 0 ? rc : 0;
}

int store_schema_version(struct store *st)
{
	struct store_conn *c = store_conn_get(st);
	int64_t v = 0;
	int rc;

	if (!c)
		return CK_E_DB;
	rc = store_conn_driver(c)->has_table(store_conn_handle(c), "schema_migrations", NULL);
	if (rc <= 0) /* 0: no table yet, nothing applied */
		return rc;
	rc = current_version(c, &v, NULL);
	return rc < 0 ? rc : (int)v;
}
