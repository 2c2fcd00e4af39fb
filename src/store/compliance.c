/* store/compliance — see compliance.h. Statements whose text depends on the engine are
 * named statements (driver.h) composed from the driver's dialect ops. */
#include "store/compliance.h"
#include "core/jsonw.h"
#include "store/driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 64		/* a declared JSON member name */
#define SQL_SMALL 512		/* texts composed per call from a declared key */
#define DETAILS_MAX (64u << 10) /* bytes of a snapshot's details document */
#define TENANT_CERTS " AND ($1 = 0 OR c.tenant_id = $1)"

/* Composes into `sql` (capped) a statement around the JSON member `key` of $1. */
static int member_sql(struct store_conn *c, const char *key, int list, char *sql, size_t size)
{
	const struct store_driver *d = store_conn_driver(c);
	struct strbuf sb;
	int r;

	if (strlen(key) >= KEY_MAX ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(key))
		return CK_E_INTERNAL; /* declared identifiers only */
	strbuf_init(&sb, size - 1);
	if (list == 0) {
		strbuf_adds(&sb, "SELECT ");
		d->sql_json_type(&sb, "$1", key);
		strbuf_adds(&sb, ", ");
		d->sql_json_get(&sb, "$1", key);
	} else if (list == 1) { /* count, and elements not text or longer than $2 */
		struct strbuf cond;
		strbuf_init(&cond, 256);
		strbuf_adds(&cond, "NOT (");
		d->sql_json_element_is_text(&cond, "je");
		strbuf_adds(&cond, ") OR length(je.value) > $2");
		strbuf_adds(&sb, "SELECT COUNT(*), COALESCE(");
		d->sql_count_if(&sb, strbuf_str(&cond));
		strbuf_adds(&sb, ", 0) FROM ");
		d->sql_json_elements(&sb, "$1", key, "je");
		strbuf_release(&cond);
	} else { /* the text elements */
		strbuf_adds(&sb, "SELECT je.value FROM ");
		d->sql_json_elements(&sb, "$1", key, "je");
		strbuf_adds(&sb, " WHERE ");
		d->sql_json_element_is_text(&sb, "je");
	}
	r = strbuf_result(&sb);
	if (!r)
		snprintf(sql, size, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return r;
}

int store_json_member(struct store_conn *c, const char *json, const char *key, char *type,
		      size_t tsz, int64_t *ret_int, struct ck_error *err)
{
	char sql[SQL_SMALL];
	struct store_stmt *st;
	int r = member_sql(c, key, 0, sql, sizeof(sql));

	if (!r)
		r = store_query(c, sql, &st, err);
	if (r)
		return r;
	store_bind_text(st, 1, json, (size_t)-1);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		const char *t = store_col_text(st, 0, NULL);
		snprintf(type, tsz, "%s", t ? t : "");
		*ret_int = store_col_i64(st, 1);
	} else if (r == STORE_DONE && tsz) {
		type[0] = '\0';
	}
	store_done(st);
	return r < 0 ? r : 0;
}

int store_json_list_stats(struct store_conn *c, const char *json, const char *key,
			  int64_t max_chars, int64_t *ret_n, int64_t *ret_bad, struct ck_error *err)
{
	char sql[SQL_SMALL];
	struct store_stmt *st;
	int r = member_sql(c, key, 1, sql, sizeof(sql));

	if (!r)
		r = store_query(c, sql, &st, err);
	if (r)
		return r;
	store_bind_text(st, 1, json, (size_t)-1);
	store_bind_i64(st, 2, max_chars);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*ret_n = store_col_i64(st, 0);
		*ret_bad = store_col_i64(st, 1);
	}
	store_done(st);
	return r < 0 ? r : r == STORE_ROW ? 0 : CK_E_DB;
}

int store_json_text_list(struct store_conn *c, const char *json, const char *key, size_t max,
			 char ***ret, size_t *ret_n, struct ck_error *err)
{
	char sql[SQL_SMALL];
	struct store_stmt *st;
	int r = member_sql(c, key, 2, sql, sizeof(sql));

	if (!r)
		r = store_query(c, sql, &st, err);
	if (r)
		return r;
	store_bind_text(st, 1, json, (size_t)-1);
	return store_collect_text(st, max, ret, ret_n, err);
}

/* $1 ids JSON: count, first id naming no tag */
static void build_tag_ids_check(const struct store_driver *d, struct strbuf *sql)
{
	strbuf_adds(sql, "SELECT COUNT(*), (SELECT CAST(m.value AS BIGINT) FROM ");
	d->sql_json_elements(sql, "$1", NULL, "m");
	strbuf_adds(sql,
		    " WHERE CAST(m.value AS BIGINT) NOT IN (SELECT id FROM tags) LIMIT 1) FROM ");
	d->sql_json_elements(sql, "$1", NULL, "je");
}

static const struct store_named q_tag_ids_check = {"tag_ids_check", build_tag_ids_check};

int store_tag_ids_check(struct store_conn *c, const char *ids_json, int64_t *ret_n,
			int64_t *ret_missing, int *ret_has_missing, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_named_query(c, &q_tag_ids_check, &st, err);

	if (r)
		return r;
	store_bind_text(st, 1, ids_json, (size_t)-1);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*ret_n = store_col_i64(st, 0);
		*ret_has_missing = !store_col_is_null(st, 1);
		*ret_missing = *ret_has_missing ? store_col_i64(st, 1) : 0;
	}
	store_done(st);
	return r < 0 ? r : r == STORE_ROW ? 0 : CK_E_DB;
}

/* ---- policies ---- */

int store_policy_get(struct store_conn *c, int64_t id, char *type, size_t tsz, char **ret_params,
		     struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c, "SELECT policy_type, parameters FROM compliance_policies WHERE id = $1", &st, err);
	const char *p;

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(type, tsz, "%s", store_col_text(st, 0, NULL));
		p = store_col_text(st, 1, NULL);
		*ret_params = strdup(p ? p : "{}");
		r = *ret_params ? 0 : CK_E_NOMEM;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
	return r;
}

/* $1 policy id, $2 ids JSON */
static void build_policy_tags_insert(const struct store_driver *d, struct strbuf *sql)
{
	strbuf_adds(sql, "INSERT INTO compliance_policy_tags (policy_id, tag_id)"
			 " SELECT DISTINCT CAST($1 AS BIGINT), CAST(je.value AS BIGINT) FROM ");
	d->sql_json_elements(sql, "$2", NULL, "je");
}

static const struct store_named q_policy_tags_insert = {"policy_tags_insert",
							build_policy_tags_insert};

int store_policy_tags_replace(struct store_conn *c, int64_t id, const char *ids_json,
			      struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, "DELETE FROM compliance_policy_tags WHERE policy_id = $1", &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	store_done(st);
	if (r < 0)
		return r;
	r = store_named_query(c, &q_policy_tags_insert, &st, err);
	if (r)
		return r;
	store_bind_i64(st, 1, id);
	store_bind_text(st, 2, ids_json, (size_t)-1);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

/* $1 ids JSON or NULL, $2 limit */
static void build_policies_enabled(const struct store_driver *d, struct strbuf *sql)
{
	strbuf_adds(
	    sql, "SELECT id, policy_type, parameters, COALESCE(tenant_id, 0)"
		 " FROM compliance_policies WHERE enabled = 1"
		 " AND (CAST($1 AS TEXT) IS NULL OR id IN (SELECT CAST(je.value AS BIGINT) FROM ");
	d->sql_json_elements(sql, "$1", NULL, "je");
	strbuf_adds(sql, ")) ORDER BY id LIMIT $2");
}

static const struct store_named q_policies_enabled = {"policies_enabled", build_policies_enabled};

int store_policies_enabled(struct store_conn *c, const char *ids_json, int64_t limit,
			   int (*fn)(void *arg, const struct store_policy_row *row), void *arg,
			   struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_named_query(c, &q_policies_enabled, &st, err);

	if (r)
		return r;
	if (ids_json)
		store_bind_text(st, 1, ids_json, (size_t)-1);
	else
		store_bind_null(st, 1);
	store_bind_i64(st, 2, limit);
	while ((r = store_step(st, err)) == STORE_ROW) {
		const char *params = store_col_text(st, 2, NULL);
		const char *type = store_col_text(st, 1, NULL);
		struct store_policy_row row = {
		    .id = store_col_i64(st, 0),
		    .tenant_id = store_col_i64(st, 3),
		    .type = type ? type : "",
		    .params = params ? params : "{}",
		};
		if ((r = fn(arg, &row)))
			break;
	}
	store_done(st);
	return r < 0 ? r : 0;
}

static int ids_by_id(struct store_conn *c, const char *sql, int64_t id, int64_t **ret,
		     size_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	return store_collect_i64(st, ret, ret_n, err);
}

int store_policy_tag_ids(struct store_conn *c, int64_t id, int64_t **ret, size_t *ret_n,
			 struct ck_error *err)
{
	return ids_by_id(c,
			 "SELECT tag_id FROM compliance_policy_tags WHERE policy_id = $1"
			 " ORDER BY tag_id",
			 id, ret, ret_n, err);
}

/* ---- certificates ---- */

static const char *text_or_empty(struct store_stmt *st, int col)
{
	const char *s = store_col_text(st, col, NULL);

	return s ? s : "";
}

int store_cert_facts(struct store_conn *c, int64_t id,
		     int (*fn)(void *arg, const struct store_cert_facts_row *row), void *arg,
		     struct ck_error *err)
{
	struct store_stmt *st;
	int r =
	    store_query(c,
			"SELECT common_name, issuer, algorithm, issuer_chain, key_size, valid_from,"
			" valid_to, COALESCE(tenant_id, 0) FROM certificates WHERE id = $1",
			&st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		struct store_cert_facts_row row = {
		    .common_name = text_or_empty(st, 0),
		    .issuer = text_or_empty(st, 1),
		    .algorithm = text_or_empty(st, 2),
		    .issuer_chain = text_or_empty(st, 3),
		    .has_key_size = !store_col_is_null(st, 4),
		    .key_size = store_col_i64(st, 4),
		    .valid_from = store_col_i64(st, 5),
		    .valid_to = store_col_i64(st, 6),
		    .tenant_id = store_col_i64(st, 7),
		};
		int fr = fn(arg, &row);
		r = fr ? fr : 1;
	}
	store_done(st);
	return r;
}

/* $1 certificate id */
static void build_cert_sans(const struct store_driver *d, struct strbuf *sql)
{
	strbuf_adds(sql, "SELECT je.value FROM ");
	d->sql_json_elements(sql, "(SELECT sans FROM certificates WHERE id = $1)", NULL, "je");
}

static const struct store_named q_cert_sans = {"cert_sans", build_cert_sans};

int store_cert_sans(struct store_conn *c, int64_t id, char ***ret, size_t *ret_n,
		    struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_named_query(c, &q_cert_sans, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	return store_collect_text(st, (size_t)-1, ret, ret_n, err);
}

int store_object_tag_ids(struct store_conn *c, const char *object_type, int64_t id, int64_t **ret,
			 size_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c, "SELECT tag_id FROM tagged_items WHERE object_type = $2 AND object_id = $1", &st,
	    err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	store_bind_text(st, 2, object_type, (size_t)-1);
	return store_collect_i64(st, ret, ret_n, err);
}

/* ---- checks ---- */

static void build_check_upsert(const struct store_driver *d, struct strbuf *sql)
{
	static const char *const updated[] = {
	    "result",	      "message",      "checked_at", "checked_value",
	    "expected_value", "last_updated", NULL};

	strbuf_adds(sql,
		    "INSERT INTO compliance_checks (certificate_id, policy_id, result, message,"
		    " checked_at, checked_value, expected_value, created, last_updated)"
		    " VALUES ($1, $2, $3, $4, $5, $6, $7, $5, $5)");
	d->sql_upsert(sql, "certificate_id, policy_id", updated);
	strbuf_adds(sql, " RETURNING id");
}

static const struct store_named q_check_upsert = {"check_upsert", build_check_upsert};

int store_check_upsert(struct store_conn *c, const struct store_check *k, int64_t *ret_id,
		       struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_named_query(c, &q_check_upsert, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, k->certificate_id);
	store_bind_i64(st, 2, k->policy_id);
	store_bind_text(st, 3, k->result, (size_t)-1);
	store_bind_text(st, 4, k->message, (size_t)-1);
	store_bind_i64(st, 5, k->now);
	store_bind_text(st, 6, k->checked_value, (size_t)-1);
	store_bind_text(st, 7, k->expected_value, (size_t)-1);
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret_id = store_col_i64(st, 0);
	store_done(st);
	return r == STORE_ROW ? 0 : r < 0 ? r : CK_E_DB;
}

/* ---- report ---- */

/* $1 tenant */
static void build_totals(const struct store_driver *d, struct strbuf *sql)
{
	static const char *const results[] = {"pass", "fail", "error"};

	strbuf_adds(
	    sql,
	    "SELECT (SELECT COUNT(*) FROM certificates c WHERE c.status = 'active'" TENANT_CERTS
	    "), COUNT(*)");
	for (size_t i = 0; i < 3; i++) {
		char cond[32];
		snprintf(cond, sizeof(cond), "k.result = '%s'", results[i]);
		strbuf_adds(sql, ", COALESCE(");
		d->sql_count_if(sql, cond);
		strbuf_adds(sql, ", 0)");
	}
	strbuf_adds(sql, " FROM compliance_checks k JOIN certificates c ON c.id = k.certificate_id"
			 " WHERE 1 = 1" TENANT_CERTS);
}

static const struct store_named q_totals = {"compliance_totals", build_totals};

int store_compliance_totals(struct store_conn *c, int64_t tenant,
			    struct store_compliance_totals *ret, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_named_query(c, &q_totals, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		ret->certificates = store_col_i64(st, 0);
		ret->checks = store_col_i64(st, 1);
		ret->passed = store_col_i64(st, 2);
		ret->failed = store_col_i64(st, 3);
		ret->errors = store_col_i64(st, 4);
	}
	store_done(st);
	return r < 0 ? r : r == STORE_ROW ? 0 : CK_E_DB;
}

static const char *const failures_sql[] = {
    [STORE_FAILURES_BY_SEVERITY] =
	"SELECT p.severity, COUNT(*) FROM compliance_checks k"
	" JOIN compliance_policies p ON p.id = k.policy_id"
	" JOIN certificates c ON c.id = k.certificate_id"
	" WHERE k.result = 'fail'" TENANT_CERTS " GROUP BY p.severity ORDER BY p.severity",
    [STORE_FAILURES_BY_TYPE] = "SELECT p.policy_type, COUNT(*) FROM compliance_checks k"
			       " JOIN compliance_policies p ON p.id = k.policy_id"
			       " JOIN certificates c ON c.id = k.certificate_id"
			       " WHERE k.result = 'fail'" TENANT_CERTS
			       " GROUP BY p.policy_type ORDER BY COUNT(*) DESC, p.policy_type",
};

int store_compliance_failures(struct store_conn *c, enum store_failure_group group, int64_t tenant,
			      int (*fn)(void *arg, const char *name, int64_t count), void *arg,
			      struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, failures_sql[group], &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	while ((r = store_step(st, err)) == STORE_ROW)
		if ((r = fn(arg, text_or_empty(st, 0), store_col_i64(st, 1))))
			break;
	store_done(st);
	return r < 0 ? r : 0;
}

/* ---- snapshots ---- */

static void write_counts(struct jsonw *w, const char *key, const char *label,
			 const struct store_named_count *v, size_t n)
{
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_open(w);
		jsonw_kstr(w, label, v[i].name);
		jsonw_kint(w, "count", v[i].count);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

/* The details column's document (compliance.h). */
static int details_json(const struct store_snapshot *s, struct strbuf *sb)
{
	struct jsonw w;

	jsonw_init(&w, sb);
	jsonw_obj_open(&w);
	write_counts(&w, "severity_breakdown", "severity", s->severities, s->nseverities);
	write_counts(&w, "policy_breakdown", "policy_type", s->types, s->ntypes);
	jsonw_kint(&w, "error_checks", s->errors);
	jsonw_obj_close(&w);
	return jsonw_result(&w);
}

/* UPDATE (when today's row exists) or INSERT; binds shared by both texts. */
static int write_snapshot(struct store_conn *c, const char *sql, const struct store_snapshot *s,
			  const char *details, int64_t *ret_id, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, sql, &st, err);

	if (r)
		return r;
	if (s->tenant_id)
		store_bind_i64(st, 1, s->tenant_id);
	else
		store_bind_null(st, 1);
	store_bind_i64(st, 2, s->snapshot_date);
	store_bind_i64(st, 3, s->total_certificates);
	store_bind_i64(st, 4, s->total_checks);
	store_bind_i64(st, 5, s->passed);
	store_bind_i64(st, 6, s->failed);
	store_bind_double(st, 7, s->score);
	store_bind_text(st, 8, details, (size_t)-1);
	store_bind_i64(st, 9, s->now);
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret_id = store_col_i64(st, 0);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_snapshot_put(struct store_conn *c, const struct store_snapshot *s, int64_t *ret_id,
		       struct ck_error *err)
{
	static const char update_sql[] =
	    "UPDATE compliance_trend_snapshots SET total_certificates = $3, total_checks = $4,"
	    " passed_checks = $5, failed_checks = $6, compliance_score = $7, details = $8,"
	    " last_updated = $9 WHERE COALESCE(tenant_id, 0) = COALESCE($1, 0)"
	    " AND snapshot_date = $2 RETURNING id";
	static const char insert_sql[] =
	    "INSERT INTO compliance_trend_snapshots (tenant_id, snapshot_date, total_certificates,"
	    " total_checks, passed_checks, failed_checks, compliance_score, details, created,"
	    " last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id";
	struct strbuf details;
	int64_t id = 0;
	int r;

	strbuf_init(&details, DETAILS_MAX);
	r = details_json(s, &details);
	if (!r)
		r = write_snapshot(c, update_sql, s, strbuf_str(&details), &id, err);
	if (!r && !id)
		r = write_snapshot(c, insert_sql, s, strbuf_str(&details), &id, err);
	if (!r && !id)
		r = CK_E_DB;
	strbuf_release(&details);
	if (!r)
		*ret_id = id;
	return r;
}

#define SNAPSHOT_COLS                                                                              \
	"SELECT id, COALESCE(tenant_id, 0), snapshot_date, total_certificates, total_checks,"      \
	" passed_checks, failed_checks, compliance_score, details, created, last_updated"          \
	" FROM compliance_trend_snapshots"

static int snapshot_rows(struct store_stmt *st,
			 int (*fn)(void *arg, const struct store_snapshot_row *row), void *arg,
			 int64_t *ret_n, struct ck_error *err)
{
	int64_t n = 0;
	int r;

	while ((r = store_step(st, err)) == STORE_ROW) {
		size_t len = 0;
		const char *details = store_col_text(st, 8, &len);
		struct store_snapshot_row row = {
		    .id = store_col_i64(st, 0),
		    .tenant_id = store_col_i64(st, 1),
		    .snapshot_date = store_col_i64(st, 2),
		    .total_certificates = store_col_i64(st, 3),
		    .total_checks = store_col_i64(st, 4),
		    .passed = store_col_i64(st, 5),
		    .failed = store_col_i64(st, 6),
		    .score = store_col_double(st, 7),
		    .details = len ? details : "{}",
		    .details_len = len ? len : 2,
		    .created = store_col_i64(st, 9),
		    .last_updated = store_col_i64(st, 10),
		};
		n++;
		if ((r = fn(arg, &row)))
			break;
	}
	store_done(st);
	*ret_n = n;
	return r;
}

int store_snapshot_get(struct store_conn *c, int64_t id,
		       int (*fn)(void *arg, const struct store_snapshot_row *row), void *arg,
		       struct ck_error *err)
{
	struct store_stmt *st;
	int64_t n = 0;
	int r = store_query(c, SNAPSHOT_COLS " WHERE id = $1", &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = snapshot_rows(st, fn, arg, &n, err);
	return r ? r : n > 0;
}

int store_snapshot_range(struct store_conn *c, int64_t tenant, int64_t from, int64_t to,
			 int (*fn)(void *arg, const struct store_snapshot_row *row), void *arg,
			 struct ck_error *err)
{
	struct store_stmt *st;
	int64_t n = 0;
	int r =
	    store_query(c,
			SNAPSHOT_COLS " WHERE COALESCE(tenant_id, 0) = $1 AND snapshot_date >= $2"
				      " AND snapshot_date <= $3 ORDER BY snapshot_date",
			&st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	store_bind_i64(st, 2, from);
	store_bind_i64(st, 3, to);
	return snapshot_rows(st, fn, arg, &n, err);
}

int store_snapshot_tenants(struct store_conn *c, int64_t **ret, size_t *ret_n, struct ck_error *err)
{
	return ids_by_id(c,
			 "SELECT id FROM tenants t WHERE $1 = $1 AND (EXISTS (SELECT 1 FROM"
			 " certificates c WHERE c.tenant_id = t.id) OR EXISTS (SELECT 1 FROM"
			 " compliance_policies p WHERE p.tenant_id = t.id)) ORDER BY id",
			 0, ret, ret_n, err);
}
