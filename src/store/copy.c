/*
 * store/copy — whole-database copy between engines (see copy.h for the invariants).
 *
 * Table names and key columns come from store_tables[] (static data), never from input, so
 * the statements below are assembled from them; every value is bound.
 */
#include "store/copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "store/driver.h"

/* A column whose foreign key may point at a later row of the same table: copied as NULL,
 * then set in a second pass once every row exists (certificates.replaced_by → the newer
 * certificate, which has the higher id). */
struct deferred {
	int64_t id;
	char *value;
};

const struct store_table_info store_tables[] = {
    {.name = "users", .order_by = "id", .has_identity = 1},
    {.name = "tokens", .order_by = "id", .has_identity = 1},
    {.name = "sessions", .order_by = "id", .has_identity = 1},
    {.name = "tenants", .order_by = "id", .has_identity = 1},
    {.name = "tags", .order_by = "id", .has_identity = 1},
    {.name = "tagged_items", .order_by = "object_type, object_id, tag_id"},
    {.name = "certificate_authorities", .order_by = "id", .has_identity = 1},
    {.name = "certificates", .order_by = "id", .has_identity = 1, .self_ref = "replaced_by"},
    {.name = "devices", .order_by = "id", .has_identity = 1},
    {.name = "virtual_machines", .order_by = "id", .has_identity = 1},
    {.name = "services", .order_by = "id", .has_identity = 1},
    {.name = "assignments", .order_by = "id", .has_identity = 1},
    {.name = "csrs", .order_by = "id", .has_identity = 1},
    {.name = "object_changes", .order_by = "id", .has_identity = 1},
    {.name = "changelog_blobs", .order_by = "sha256"},
    {.name = "outbox", .order_by = "id", .has_identity = 1},
    {.name = "lifecycle_events", .order_by = "id", .has_identity = 1},
    {.name = "compliance_policies", .order_by = "id", .has_identity = 1},
    {.name = "compliance_policy_tags", .order_by = "policy_id, tag_id"},
    {.name = "compliance_checks", .order_by = "id", .has_identity = 1},
    {.name = "compliance_trend_snapshots", .order_by = "id", .has_identity = 1},
    {.name = "job_runs", .order_by = "name, slot"},
    {.name = "auth_failures", .order_by = "kind, key"},
};

const size_t store_table_count = sizeof(store_tables) / sizeof(store_tables[0]);

const char *const store_derived_tables[] = {"certificate_sans",		  "certificate_counts",
					    "certificate_facets",	  "tagged_counts",
					    "certificates_fts_pending",	  "certificate_expiry_days",
					    "certificate_summary_counts", NULL};

static int conn_of(struct store *st, struct store_conn **ret, struct ck_error *err)
{
	*ret = store_conn_get(st);
	return *ret ? 0 : ck_error_set(err, CK_E_DB, NULL, "cannot open a database connection");
}

int store_table_rows(struct store *st, const struct store_table_info *t, int64_t *ret,
		     struct ck_error *err)
{
	char sql[160];
	struct store_conn *c;
	int rc = conn_of(st, &c, err);

	if (rc < 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", t->name);
	return store_scalar_i64(c, sql, NULL, 0, ret, err);
}

int store_table_scan(struct store *st, const struct store_table_info *t, store_row_fn fn, void *ud,
		     struct ck_error *err)
{
	const char *names[STORE_COPY_COLS_MAX], *values[STORE_COPY_COLS_MAX];
	size_t lens[STORE_COPY_COLS_MAX];
	char sql[256];
	struct store_conn *c;
	struct store_stmt *s = NULL;
	int rc = conn_of(st, &c, err);

	if (rc < 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY %s", t->name, t->order_by);
	rc = store_query(c, sql, &s, err);
	if (rc < 0)
		return rc;
	while ((rc = store_step(s, err)) == STORE_ROW) {
		int n = store_col_count(s);

		if (n > STORE_COPY_COLS_MAX) {
			rc = ck_error_set(err, CK_E_TOOBIG, NULL, "table %s has too many columns",
					  t->name);
			break;
		}
		for (int i = 0; i < n; i++) {
			names[i] = store_col_name(s, i);
			values[i] = store_col_is_null(s, i) ? NULL : store_col_text(s, i, &lens[i]);
			if (!values[i])
				lens[i] = 0;
		}
		rc = fn(ud, n, names, values, lens);
		if (rc < 0)
			break;
	}
	store_done(s);
	return rc < 0 ? rc : 0;
}

/* ---- copy ---- */

struct copier {
	const struct store_table_info *t;
	struct store_conn *to;
	struct store_stmt *ins; /* prepared on the first row */
	struct strbuf sql;
	int ncols, self_col, id_col;
	int64_t rows, in_tx;
	struct deferred *later;
	size_t nlater, caplater;
	struct ck_error *err;
};

static int build_insert(struct copier *k, int n, const char *const *names)
{
	int rc = 0;

	strbuf_addf(&k->sql, "INSERT INTO %s (", k->t->name);
	k->self_col = k->id_col = -1;
	for (int i = 0; i < n; i++) {
		strbuf_addf(&k->sql, "%s%s", i ? ", " : "", names[i]);
		if (k->t->self_ref && !strcmp(names[i], k->t->self_ref))
			k->self_col = i;
		if (!strcmp(names[i], "id"))
			k->id_col = i;
	}
	strbuf_adds(&k->sql, ") VALUES (");
	for (int i = 0; i < n; i++)
		strbuf_addf(&k->sql, "%s$%d", i ? ", " : "", i + 1);
	strbuf_adds(&k->sql, ")");
	if (strbuf_result(&k->sql))
		return ck_error_set(k->err, CK_E_NOMEM, NULL, "out of memory");
	if (k->self_col >= 0 && k->id_col < 0)
		return ck_error_set(k->err, CK_E_INTERNAL, NULL,
				    "%s: a deferred column needs an id", k->t->name);
	k->ncols = n;
	return rc;
}

static int defer(struct copier *k, const char *id, const char *value)
{
	if (k->nlater == k->caplater) {
		size_t cap = k->caplater ? k->caplater * 2 : 256;
		struct deferred *bigger = realloc(k->later, cap * sizeof(*bigger));

		if (!bigger)
			return CK_E_NOMEM;
		k->later = bigger;
		k->caplater = cap;
	}
	k->later[k->nlater].id = strtoll(id, NULL, 10);
	k->later[k->nlater].value = strdup(value);
	if (!k->later[k->nlater].value)
		return CK_E_NOMEM;
	k->nlater++;
	return 0;
}

static int copy_row(void *ud, int n, const char *const *names, const char *const *values,
		    const size_t *lens)
{
	struct copier *k = ud;
	int rc = 0;

	if (!k->ncols && (rc = build_insert(k, n, names)) < 0)
		return rc;
	if (!k->in_tx && (rc = store_tx_begin(k->to, k->err)) < 0)
		return rc;
	k->in_tx = 1;
	rc = store_query(k->to, strbuf_str(&k->sql), &k->ins, k->err);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n && rc >= 0; i++) {
		if (!values[i] || i == k->self_col)
			rc = store_bind_null(k->ins, i + 1);
		else
			rc = store_bind_text(k->ins, i + 1, values[i], lens[i]);
	}
	if (rc >= 0 && k->self_col >= 0 && values[k->self_col])
		rc = defer(k, values[k->id_col], values[k->self_col]);
	if (rc >= 0)
		rc = store_step(k->ins, k->err);
	store_done(k->ins);
	if (rc < 0)
		return rc == CK_E_NOMEM ? ck_error_set(k->err, rc, NULL, "out of memory") : rc;
	if (++k->rows % STORE_COPY_BATCH == 0) {
		k->in_tx = 0;
		return store_tx_commit(k->to, k->err);
	}
	return 0;
}

/* The second pass of invariant 3's deferred columns. */
static int apply_deferred(struct copier *k)
{
	char sql[200];
	struct store_stmt *s = NULL;
	int rc = 0;

	if (!k->nlater)
		return 0;
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = $1 WHERE id = $2", k->t->name,
		 k->t->self_ref);
	rc = store_tx_begin(k->to, k->err);
	for (size_t i = 0; rc >= 0 && i < k->nlater; i++) {
		rc = store_query(k->to, sql, &s, k->err);
		if (rc < 0)
			break;
		store_bind_text(s, 1, k->later[i].value, (size_t)-1);
		store_bind_i64(s, 2, k->later[i].id);
		rc = store_step(s, k->err);
		store_done(s);
	}
	if (rc < 0) {
		store_tx_rollback(k->to);
		return rc;
	}
	return store_tx_commit(k->to, k->err);
}

int store_copy_table(struct store *from, struct store *to, const struct store_table_info *t,
		     int64_t *ret_rows, struct ck_error *err)
{
	struct copier k = {.t = t, .err = err};
	int rc = conn_of(to, &k.to, err);

	if (rc < 0)
		return rc;
	strbuf_init(&k.sql, 0);
	rc = store_table_scan(from, t, copy_row, &k, err);
	if (k.in_tx) {
		if (rc < 0)
			store_tx_rollback(k.to);
		else
			rc = store_tx_commit(k.to, err);
	}
	if (rc >= 0)
		rc = apply_deferred(&k);
	for (size_t i = 0; i < k.nlater; i++)
		free(k.later[i].value);
	free(k.later);
	strbuf_release(&k.sql);
	if (rc >= 0 && ret_rows)
		*ret_rows = k.rows;
	return rc < 0 ? rc : 0;
}

int store_copy_finish(struct store *to, struct ck_error *err)
{
	struct store_conn *c;
	int rc = conn_of(to, &c, err);

	if (rc < 0 || !store_conn_driver(c)->sync_identity)
		return rc;
	for (size_t i = 0; rc >= 0 && i < store_table_count; i++)
		if (store_tables[i].has_identity)
			rc = store_conn_driver(c)->sync_identity(store_conn_handle(c),
								 store_tables[i].name, err);
	return rc;
}

int store_copy_empty(struct store *st, struct ck_error *err)
{
	char sql[160];
	struct store_conn *c;
	int rc = conn_of(st, &c, err);

	if (rc < 0)
		return rc;
	rc = store_tx_begin(c, err);
	for (size_t i = store_table_count; rc >= 0 && i-- > 0;) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s", store_tables[i].name);
		rc = store_exec(c, sql, err);
	}
	if (rc < 0) {
		store_tx_rollback(c);
		return rc;
	}
	return store_tx_commit(c, err);
}
