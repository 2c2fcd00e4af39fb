/*
 * api/analytics — read-only aggregates behind the dashboard, computed in SQL (one GROUP BY
 * per facet, no per-certificate loops): GET /api/plugins/netbox-ssl/analytics/summary/
 * [?tenant_id=N], cached (see SUMMARY_TTL_S). Expiry buckets and the expiring counts cover active certificates only.
 */
#include "api/actions.h"
#include "core/parse.h"
#include "store/generation.h"

#include <pthread.h>
#include <stdlib.h>

#include <string.h>

#define TENANT_COND " AND ($1 = 0 OR tenant_id = $1)"

static int facet(struct api_req *ar, struct jsonw *w, const char *key, const char *label_key, const char *sql,
		 int64_t tenant, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ar->ctx.conn, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	store_bind_i64(st, 2, ar->ctx.now);
	jsonw_key(w, key);
	jsonw_arr_open(w);
	while ((r = store_step(st, err)) == STORE_ROW) {
		jsonw_obj_open(w);
		jsonw_kstr(w, label_key, store_col_text(st, 0, NULL));
		jsonw_kint(w, "count", store_col_i64(st, 1));
		if (store_col_count(st) > 2) {
			jsonw_key(w, "issuing_ca_id");
			if (store_col_is_null(st, 2))
				jsonw_null(w);
			else
				jsonw_int(w, store_col_i64(st, 2));
		}
		jsonw_obj_close(w);
	}
	store_done(st);
	jsonw_arr_close(w);
	return r < 0 ? r : 0;
}

/* Expiry buckets by days remaining (UTC dates), one pass over the valid_to index. */
static int buckets(struct api_req *ar, struct jsonw *w, int64_t tenant, struct ck_error *err)
{
	static const char *const names[] = {"expired", "0-14", "15-30", "31-60", "61-90", "90+"};
	int64_t today = ar->ctx.now - ((ar->ctx.now % 86400) + 86400) % 86400;
	struct store_stmt *st;
	int r = store_query(ar->ctx.conn,
			    "SELECT SUM(valid_to < $2), SUM(valid_to >= $2 AND valid_to < $3 + 15 * 86400),"
			    " SUM(valid_to >= $3 + 15 * 86400 AND valid_to < $3 + 31 * 86400),"
			    " SUM(valid_to >= $3 + 31 * 86400 AND valid_to < $3 + 61 * 86400),"
			    " SUM(valid_to >= $3 + 61 * 86400 AND valid_to < $3 + 91 * 86400),"
			    " SUM(valid_to >= $3 + 91 * 86400)"
			    " FROM certificates WHERE status = 'active'" TENANT_COND, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	store_bind_i64(st, 2, ar->ctx.now);
	store_bind_i64(st, 3, today);
	r = store_step(st, err);
	jsonw_key(w, "expiry_buckets");
	jsonw_arr_open(w);
	for (int i = 0; i < 6; i++) {
		jsonw_obj_open(w);
		jsonw_kstr(w, "bucket", names[i]);
		jsonw_kint(w, "count", r == STORE_ROW ? store_col_i64(st, i) : 0);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
	store_done(st);
	return r < 0 ? r : 0;
}

static int scalar_counts(struct api_req *ar, struct jsonw *w, int64_t tenant, struct ck_error *err)
{
	int64_t today = ar->ctx.now - ((ar->ctx.now % 86400) + 86400) % 86400;
	const struct ck_config *cfg = ar->ctx.cfg;
	struct store_stmt *st;
	int r = store_query(ar->ctx.conn,
			    "SELECT COUNT(*), SUM(status = 'active'), SUM(is_acme = 1),"
			    " SUM(status = 'active' AND valid_to >= $2 AND valid_to < $3),"
			    " SUM(status = 'active' AND valid_to >= $3 AND valid_to < $4),"
			    " SUM(status = 'active' AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.certificate_id = certificates.id))"
			    " FROM certificates WHERE 1 = 1" TENANT_COND, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	store_bind_i64(st, 2, ar->ctx.now);
	store_bind_i64(st, 3, today + ((int64_t)cfg->expiry_critical_days + 1) * 86400);
	store_bind_i64(st, 4, today + ((int64_t)cfg->expiry_warning_days + 1) * 86400);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		jsonw_kint(w, "total", store_col_i64(st, 0));
		jsonw_kint(w, "active", store_col_i64(st, 1));
		jsonw_key(w, "acme");
		jsonw_obj_open(w);
		jsonw_kint(w, "acme", store_col_i64(st, 2));
		jsonw_kint(w, "other", store_col_i64(st, 0) - store_col_i64(st, 2));
		jsonw_obj_close(w);
		jsonw_key(w, "expiring");
		jsonw_obj_open(w);
		jsonw_kint(w, "critical", store_col_i64(st, 3));
		jsonw_kint(w, "warning", store_col_i64(st, 4));
		jsonw_obj_close(w);
		jsonw_kint(w, "unassigned_active", store_col_i64(st, 5));
		jsonw_kint(w, "warning_days", cfg->expiry_warning_days);
		jsonw_kint(w, "critical_days", cfg->expiry_critical_days);
	}
	store_done(st);
	return r < 0 ? r : 0;
}

/* The aggregates scan every certificate (~1.3 s at 1M rows), so a computed summary is kept
 * per tenant while no write is committed (store generation unchanged) and for at most
 * SUMMARY_TTL_S seconds (expiry buckets move with the clock). Thread-safe. */
#define SUMMARY_TTL_S 60
#define SUMMARY_SLOTS 16

static struct {
	int used;
	int64_t tenant;
	uint64_t gen;
	int64_t at;
	char *body;
} summaries[SUMMARY_SLOTS];
static pthread_mutex_t summaries_lock = PTHREAD_MUTEX_INITIALIZER;

static int summary_cached(struct api_req *ar, int64_t tenant, uint64_t gen)
{
	int hit = 0;

	pthread_mutex_lock(&summaries_lock);
	for (int i = 0; i < SUMMARY_SLOTS && !hit; i++) {
		if (summaries[i].used && summaries[i].tenant == tenant && summaries[i].gen == gen &&
		    ar->ctx.now - summaries[i].at < SUMMARY_TTL_S && ar->ctx.now >= summaries[i].at) {
			ar->resp->status = 200;
			ar->resp->content_type = "application/json";
			hit = !strbuf_adds(&ar->resp->body, summaries[i].body);
		}
	}
	pthread_mutex_unlock(&summaries_lock);
	return hit;
}

static void summary_store(struct api_req *ar, int64_t tenant, uint64_t gen)
{
	char *copy = strdup(strbuf_str(&ar->resp->body));
	int slot = (int)((uint64_t)tenant % SUMMARY_SLOTS);

	if (!copy)
		return;
	pthread_mutex_lock(&summaries_lock);
	free(summaries[slot].body);
	summaries[slot].used = 1;
	summaries[slot].tenant = tenant;
	summaries[slot].gen = gen;
	summaries[slot].at = ar->ctx.now;
	summaries[slot].body = copy;
	pthread_mutex_unlock(&summaries_lock);
}

static void summary(struct api_req *ar)
{
	uint64_t gen = 0;
	int cacheable;
	const char *t = http_request_param(ar->http, "tenant_id");
	struct ck_error err;
	struct jsonw w;
	int64_t tenant = 0;
	int r;

	ck_error_clear(&err);
	if (t && ck_parse_i64(t, 1, INT64_MAX, &tenant)) {
		ck_error_set(&err, CK_E_INVALID, "tenant_id", "Enter a number.");
		api_fail(ar, CK_E_INVALID, &err);
		return;
	}
	cacheable = !store_in_tx(ar->ctx.conn) && !store_data_generation(ar->ctx.conn, &gen, NULL);
	if (cacheable && summary_cached(ar, tenant, gen))
		return;
	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	r = scalar_counts(ar, &w, tenant, &err);
	if (!r)
		r = facet(ar, &w, "by_status", "status",
			  "SELECT status, COUNT(*) FROM certificates WHERE $2 = $2" TENANT_COND " GROUP BY status ORDER BY status",
			  tenant, &err);
	if (!r)
		r = facet(ar, &w, "by_algorithm", "algorithm",
			  "SELECT algorithm, COUNT(*) FROM certificates WHERE $2 = $2" TENANT_COND
			  " GROUP BY algorithm ORDER BY COUNT(*) DESC, algorithm", tenant, &err);
	if (!r)
		r = facet(ar, &w, "by_ca", "name",
			  "SELECT COALESCE(ca.name, 'Unknown CA'), COUNT(*), c.issuing_ca_id FROM certificates c"
			  " LEFT JOIN certificate_authorities ca ON ca.id = c.issuing_ca_id"
			  " WHERE $2 = $2 AND ($1 = 0 OR c.tenant_id = $1)"
			  " GROUP BY c.issuing_ca_id ORDER BY COUNT(*) DESC", tenant, &err);
	if (!r)
		r = buckets(ar, &w, tenant, &err);
	jsonw_obj_close(&w);
	if (r)
		api_fail(ar, r, &err);
	else if (cacheable && !jsonw_result(&w))
		summary_store(ar, tenant, gen);
}

int api_serve_analytics(struct api_req *ar)
{
	if (strcmp(ar->http->path, "/api/plugins/netbox-ssl/analytics/summary/"))
		return 0;
	if (strcmp(ar->http->method, "GET") && strcmp(ar->http->method, "HEAD")) {
		api_method_not_allowed(ar);
		return 1;
	}
	summary(ar);
	return 1;
}
