/*
 * api/analytics — read-only aggregates behind the dashboard, computed by store/analytics
 * (one GROUP BY per facet, no per-certificate loops), encoded here: GET /api/plugins/netbox-ssl/analytics/summary/
 * [?tenant_id=N], cached (see SUMMARY_TTL_S). Expiry buckets and the expiring counts cover active certificates only.
 */
#include "api/actions.h"
#include "core/parse.h"
#include "store/analytics.h"
#include "store/generation.h"

#include <pthread.h>
#include <stdlib.h>

#include <string.h>

struct facet_out {
	struct jsonw *w;
	const char *label_key;
};

static int facet_row(void *arg, const struct store_facet_row *row)
{
	struct facet_out *o = arg;

	jsonw_obj_open(o->w);
	jsonw_kstr(o->w, o->label_key, row->label);
	jsonw_kint(o->w, "count", row->count);
	if (row->has_id) {
		jsonw_key(o->w, "issuing_ca_id");
		if (row->is_null_id)
			jsonw_null(o->w);
		else
			jsonw_int(o->w, row->id);
	}
	jsonw_obj_close(o->w);
	return 0;
}

static int facet(struct api_req *ar, struct jsonw *w, const char *key, const char *label_key,
		 enum store_facet which, int64_t tenant, struct ck_error *err)
{
	struct facet_out o = {w, label_key};
	int r;

	jsonw_key(w, key);
	jsonw_arr_open(w);
	r = store_analytics_facet(ar->ctx.conn, which, tenant, facet_row, &o, err);
	jsonw_arr_close(w);
	return r;
}

static int64_t utc_today(int64_t now) { return now - ((now % 86400) + 86400) % 86400; }

/* Expiry buckets by days remaining (UTC dates), one pass over the valid_to index. */
static int buckets(struct api_req *ar, struct jsonw *w, int64_t tenant, struct ck_error *err)
{
	static const char *const names[STORE_EXPIRY_BUCKETS] = {"expired", "0-14",  "15-30",
								"31-60",   "61-90", "90+"};
	int64_t counts[STORE_EXPIRY_BUCKETS];
	int r = store_analytics_buckets(ar->ctx.conn, tenant, ar->ctx.now, utc_today(ar->ctx.now),
					counts, err);

	if (r)
		return r;
	jsonw_key(w, "expiry_buckets");
	jsonw_arr_open(w);
	for (int i = 0; i < STORE_EXPIRY_BUCKETS; i++) {
		jsonw_obj_open(w);
		jsonw_kstr(w, "bucket", names[i]);
		jsonw_kint(w, "count", counts[i]);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
	return 0;
}

static int scalar_counts(struct api_req *ar, struct jsonw *w, int64_t tenant, struct ck_error *err)
{
	int64_t today = utc_today(ar->ctx.now);
	const struct ck_config *cfg = ar->ctx.cfg;
	struct store_cert_totals t;
	int r = store_analytics_totals(ar->ctx.conn, tenant, ar->ctx.now,
				       today + ((int64_t)cfg->expiry_critical_days + 1) * 86400,
				       today + ((int64_t)cfg->expiry_warning_days + 1) * 86400, &t, err);

	if (r)
		return r;
	jsonw_kint(w, "total", t.total);
	jsonw_kint(w, "active", t.active);
	jsonw_key(w, "acme");
	jsonw_obj_open(w);
	jsonw_kint(w, "acme", t.acme);
	jsonw_kint(w, "other", t.total - t.acme);
	jsonw_obj_close(w);
	jsonw_key(w, "expiring");
	jsonw_obj_open(w);
	jsonw_kint(w, "critical", t.critical);
	jsonw_kint(w, "warning", t.warning);
	jsonw_obj_close(w);
	jsonw_kint(w, "unassigned_active", t.unassigned_active);
	jsonw_kint(w, "warning_days", cfg->expiry_warning_days);
	jsonw_kint(w, "critical_days", cfg->expiry_critical_days);
	return 0;
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
		r = facet(ar, &w, "by_status", "status", STORE_FACET_STATUS, tenant, &err);
	if (!r)
		r = facet(ar, &w, "by_algorithm", "algorithm", STORE_FACET_ALGORITHM, tenant, &err);
	if (!r)
		r = facet(ar, &w, "by_ca", "name", STORE_FACET_CA, tenant, &err);
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
