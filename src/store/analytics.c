/* store/analytics — see analytics.h. Boolean sums are the driver's count_if. */
#include "store/analytics.h"
#include "store/driver.h"

#define TENANT_COND " AND ($1 = 0 OR tenant_id = $1)"

/* $1 tenant, $2 now, $3 critical_end, $4 warning_end */
static void build_totals(const struct store_driver *d, struct strbuf *sql)
{
	strbuf_adds(sql, "SELECT COUNT(*), ");
	d->sql_count_if(sql, "status = 'active'");
	strbuf_adds(sql, ", ");
	d->sql_count_if(sql, "is_acme = 1");
	strbuf_adds(sql, ", ");
	d->sql_count_if(sql, "status = 'active' AND valid_to >= $2 AND valid_to < $3");
	strbuf_adds(sql, ", ");
	d->sql_count_if(sql, "status = 'active' AND valid_to >= $3 AND valid_to < $4");
	strbuf_adds(sql, ", ");
	d->sql_count_if(sql, "status = 'active' AND NOT EXISTS (SELECT 1 FROM assignments a"
			     " WHERE a.certificate_id = certificates.id)");
	strbuf_adds(sql, " FROM certificates WHERE 1 = 1" TENANT_COND);
}

static const struct store_named q_totals = {"analytics_totals", build_totals};

int store_analytics_totals(struct store_conn *c, int64_t tenant, int64_t now, int64_t critical_end,
			   int64_t warning_end, struct store_cert_totals *ret, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_named_query(c, &q_totals, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	store_bind_i64(st, 2, now);
	store_bind_i64(st, 3, critical_end);
	store_bind_i64(st, 4, warning_end);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		ret->total = store_col_i64(st, 0);
		ret->active = store_col_i64(st, 1);
		ret->acme = store_col_i64(st, 2);
		ret->critical = store_col_i64(st, 3);
		ret->warning = store_col_i64(st, 4);
		ret->unassigned_active = store_col_i64(st, 5);
	}
	store_done(st);
	return r < 0 ? r : r == STORE_ROW ? 0 : CK_E_DB;
}

/* $1 tenant, $2 now, $3 today */
static void build_buckets(const struct store_driver *d, struct strbuf *sql)
{
	static const char *const conds[STORE_EXPIRY_BUCKETS] = {
	    "valid_to < $2",
	    "valid_to >= $2 AND valid_to < $3 + 15 * 86400",
	    "valid_to >= $3 + 15 * 86400 AND valid_to < $3 + 31 * 86400",
	    "valid_to >= $3 + 31 * 86400 AND valid_to < $3 + 61 * 86400",
	    "valid_to >= $3 + 61 * 86400 AND valid_to < $3 + 91 * 86400",
	    "valid_to >= $3 + 91 * 86400",
	};

	strbuf_adds(sql, "SELECT ");
	for (int i = 0; i < STORE_EXPIRY_BUCKETS; i++) {
		if (i)
			strbuf_adds(sql, ", ");
		d->sql_count_if(sql, conds[i]);
	}
	strbuf_adds(sql, " FROM certificates WHERE status = 'active'" TENANT_COND);
}

static const struct store_named q_buckets = {"analytics_buckets", build_buckets};

int store_analytics_buckets(struct store_conn *c, int64_t tenant, int64_t now, int64_t today,
			    int64_t ret[STORE_EXPIRY_BUCKETS], struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_named_query(c, &q_buckets, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	store_bind_i64(st, 2, now);
	store_bind_i64(st, 3, today);
	r = store_step(st, err);
	for (int i = 0; i < STORE_EXPIRY_BUCKETS; i++)
		ret[i] = r == STORE_ROW ? store_col_i64(st, i) : 0;
	store_done(st);
	return r < 0 ? r : 0;
}

/* $1 tenant */
static const char *const facet_sql[] = {
    [STORE_FACET_STATUS] = "SELECT status, COUNT(*) FROM certificates WHERE 1 = 1" TENANT_COND
			   " GROUP BY status ORDER BY status",
    [STORE_FACET_ALGORITHM] = "SELECT algorithm, COUNT(*) FROM certificates WHERE 1 = 1" TENANT_COND
			      " GROUP BY algorithm ORDER BY COUNT(*) DESC, algorithm",
    [STORE_FACET_CA] = "SELECT COALESCE(ca.name, 'Unknown CA'), COUNT(*), c.issuing_ca_id"
		       " FROM certificates c LEFT JOIN certificate_authorities ca"
		       " ON ca.id = c.issuing_ca_id WHERE ($1 = 0 OR c.tenant_id = $1)"
		       /* ca.name grouped too: PostgreSQL wants every selected column grouped; ties
			* in CA id order, NULL (unknown) first, on both engines */
		       " GROUP BY c.issuing_ca_id, ca.name"
		       " ORDER BY COUNT(*) DESC, COALESCE(c.issuing_ca_id, 0)",
};

int store_analytics_facet(struct store_conn *c, enum store_facet facet, int64_t tenant,
			  int (*fn)(void *arg, const struct store_facet_row *row), void *arg,
			  struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, facet_sql[facet], &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	while ((r = store_step(st, err)) == STORE_ROW) {
		struct store_facet_row row = {
		    .label = store_col_text(st, 0, NULL),
		    .count = store_col_i64(st, 1),
		    .has_id = facet == STORE_FACET_CA,
		    .is_null_id = facet == STORE_FACET_CA && store_col_is_null(st, 2),
		    .id = facet == STORE_FACET_CA ? store_col_i64(st, 2) : 0,
		};
		r = fn(arg, &row);
		if (r)
			break;
	}
	store_done(st);
	return r < 0 ? r : 0;
}
