/* store/analytics — see analytics.h. Boolean sums are the driver's count_if. */
#include "store/analytics.h"
#include "store/driver.h"

#include <string.h>

#define TENANT_COND " AND ($1 = 0 OR tenant_id = $1)"
#define TENANT_KEY_COND " AND ($1 = 0 OR tenant_key = $1)"

/* Every figure reads the counts tables kept by triggers (schema migrations 8 and 11), not the
 * certificates: at 1M certificates a scan took seconds after every write (issue 11). */

#define DAY_S 86400
/* Unbounded ends of an expiry range, far from overflow when a day is added */
#define RANGE_MIN (-((int64_t)1 << 60))
#define RANGE_MAX ((int64_t)1 << 60)

static int64_t floor_day(int64_t t) { return t - ((t % DAY_S) + DAY_S) % DAY_S; }
static int64_t ceil_day(int64_t t) { return floor_day(t) == t ? t : floor_day(t) + DAY_S; }

/* $1 tenant: total, active, ACME */
static const char totals_sql[] =
    "SELECT COALESCE(SUM(n), 0), COALESCE(SUM(CASE WHEN status = 'active' THEN n ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN is_acme = 1 THEN n ELSE 0 END), 0)"
    " FROM certificate_summary_counts WHERE 1 = 1" TENANT_KEY_COND;

/* $1 tenant: active certificates with at least one assignment, driven by the assignments:
 * written as "id IN (SELECT ...)", SQLite walked the 800k active rows of the 1M bench database
 * (100 ms after every write) to count none. CROSS JOIN fixes the order on SQLite; with the
 * join condition in WHERE (PostgreSQL takes no ON after CROSS JOIN) it is a plain inner join
 * there. */
static const char assigned_sql[] =
    "SELECT COUNT(*) FROM (SELECT DISTINCT certificate_id FROM assignments) a"
    " CROSS JOIN certificates c"
    " WHERE c.id = a.certificate_id AND c.status = 'active' AND ($1 = 0 OR c.tenant_id = $1)";

/* Active certificates with valid_to in [lo, hi): $1 tenant; the whole days [$2, $3) from
 * certificate_expiry_days; the parts of days at either end, [$4, $5) and [$6, $7), from the
 * status index. */
static const char active_range_sql[] =
    "SELECT (SELECT COALESCE(SUM(n), 0) FROM certificate_expiry_days WHERE status = "
    "'active'" TENANT_KEY_COND " AND day >= $2 AND day < $3)"
    " + (SELECT COUNT(*) FROM certificates WHERE status = 'active'" TENANT_COND
    " AND valid_to >= $4 AND valid_to < $5)"
    " + (SELECT COUNT(*) FROM certificates WHERE status = 'active'" TENANT_COND
    " AND valid_to >= $6 AND valid_to < $7)";

static int active_in_range(struct store_conn *c, int64_t tenant, int64_t lo, int64_t hi,
			   int64_t *ret, struct ck_error *err)
{
	struct store_stmt *st;
	int64_t dlo = ceil_day(lo), dhi = floor_day(hi);
	int r = store_query(c, active_range_sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	store_bind_i64(st, 2, dlo);
	store_bind_i64(st, 3, dhi);
	store_bind_i64(st, 4, lo);
	store_bind_i64(st, 5, dlo < hi ? dlo : hi);
	store_bind_i64(st, 6, dhi > dlo ? dhi : dlo);
	store_bind_i64(st, 7, hi);
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret = store_col_i64(st, 0);
	store_done(st);
	return r < 0 ? r : r == STORE_ROW ? 0 : CK_E_DB;
}

static int scalar(struct store_conn *c, const char *sql, int64_t tenant, int64_t ret[], int n,
		  struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	r = store_step(st, err);
	for (int i = 0; r == STORE_ROW && i < n; i++)
		ret[i] = store_col_i64(st, i);
	store_done(st);
	return r < 0 ? r : r == STORE_ROW ? 0 : CK_E_DB;
}

int store_analytics_totals(struct store_conn *c, int64_t tenant, int64_t now, int64_t critical_end,
			   int64_t warning_end, struct store_cert_totals *ret, struct ck_error *err)
{
	int64_t t[3], assigned, critical, warning;
	int r = scalar(c, totals_sql, tenant, t, 3, err);

	if (!r)
		r = scalar(c, assigned_sql, tenant, &assigned, 1, err);
	if (!r)
		r = active_in_range(c, tenant, now, critical_end, &critical, err);
	if (!r)
		r = active_in_range(c, tenant, critical_end, warning_end, &warning, err);
	if (r)
		return r;
	ret->total = t[0];
	ret->active = t[1];
	ret->acme = t[2];
	ret->critical = critical_end > now ? critical : 0;
	ret->warning = warning_end > critical_end ? warning : 0;
	ret->unassigned_active = t[1] - assigned;
	return 0;
}

int store_analytics_buckets(struct store_conn *c, int64_t tenant, int64_t now, int64_t today,
			    int64_t ret[STORE_EXPIRY_BUCKETS], struct ck_error *err)
{
	/* the bounds of the buckets, as the scan wrote them (expired: < now; then days) */
	const int64_t bound[STORE_EXPIRY_BUCKETS + 1] = {RANGE_MIN,	     now,
							 today + 15 * DAY_S, today + 31 * DAY_S,
							 today + 61 * DAY_S, today + 91 * DAY_S,
							 RANGE_MAX};
	int64_t out[STORE_EXPIRY_BUCKETS];

	for (int i = 0; i < STORE_EXPIRY_BUCKETS; i++) {
		int r;
		if (bound[i + 1] <= bound[i]) {
			out[i] = 0;
			continue;
		}
		r = active_in_range(c, tenant, bound[i], bound[i + 1], &out[i], err);
		if (r)
			return r;
	}
	memcpy(ret, out, sizeof(out));
	return 0;
}

/* $1 tenant */
static const char *const facet_sql[] = {
    [STORE_FACET_STATUS] =
	"SELECT status, SUM(n) FROM certificate_facets WHERE 1 = 1" TENANT_KEY_COND
	" GROUP BY status ORDER BY status",
    [STORE_FACET_ALGORITHM] =
	"SELECT algorithm, SUM(n) FROM certificate_facets WHERE 1 = 1" TENANT_KEY_COND
	" GROUP BY algorithm ORDER BY SUM(n) DESC, algorithm",
    /* ca_key 0: no issuing CA (ids start at 1) */
    [STORE_FACET_CA] = "SELECT COALESCE(ca.name, 'Unknown CA'), SUM(s.n), NULLIF(s.ca_key, 0)"
		       " FROM certificate_summary_counts s LEFT JOIN certificate_authorities ca"
		       " ON ca.id = s.ca_key WHERE ($1 = 0 OR s.tenant_key = $1)"
		       /* ca.name grouped too: PostgreSQL wants every selected column grouped; ties
			* in CA id order, NULL (unknown) first, on both engines */
		       " GROUP BY s.ca_key, ca.name"
		       " ORDER BY SUM(s.n) DESC, s.ca_key",
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
