/*
 * api/analytics — read-only aggregates behind the dashboard, computed by store/analytics
 * (one GROUP BY per facet, no per-certificate loops), encoded here: GET
 * /api/plugins/netbox-ssl/analytics/summary/
 * [?tenant_id=N], cached (see SUMMARY_TTL_S). Expiry buckets and the expiring counts cover active
 * certificates only.
 */
#include "api/actions.h"
#include "core/clock.h"
#include "core/parse.h"
#include "store/analytics.h"
#include "store/generation.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* What a computation reads: the connection, the configuration and the clock. */
struct sum_ctx {
	struct store_conn *conn;
	const struct ck_config *cfg;
	int64_t now;
};

static int facet(const struct sum_ctx *sc, struct jsonw *w, const char *key, const char *label_key,
		 enum store_facet which, int64_t tenant, struct ck_error *err)
{
	struct facet_out o = {w, label_key};
	int r;

	jsonw_key(w, key);
	jsonw_arr_open(w);
	r = store_analytics_facet(sc->conn, which, tenant, facet_row, &o, err);
	jsonw_arr_close(w);
	return r;
}

static int64_t utc_today(int64_t now) { return now - ((now % 86400) + 86400) % 86400; }

/* Expiry buckets by days remaining (UTC dates), one pass over the valid_to index. */
static int buckets(const struct sum_ctx *sc, struct jsonw *w, int64_t tenant, struct ck_error *err)
{
	static const char *const names[STORE_EXPIRY_BUCKETS] = {"expired", "0-14",  "15-30",
								"31-60",   "61-90", "90+"};
	int64_t counts[STORE_EXPIRY_BUCKETS];
	int r = store_analytics_buckets(sc->conn, tenant, sc->now, utc_today(sc->now), counts, err);

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

static int scalar_counts(const struct sum_ctx *sc, struct jsonw *w, int64_t tenant,
			 struct ck_error *err)
{
	int64_t today = utc_today(sc->now);
	const struct ck_config *cfg = sc->cfg;
	struct store_cert_totals t;
	int r = store_analytics_totals(
	    sc->conn, tenant, sc->now, today + ((int64_t)cfg->expiry_critical_days + 1) * 86400,
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

/* Writes the whole summary object for tenant (0: all). */
static int compute(const struct sum_ctx *sc, int64_t tenant, struct jsonw *w, struct ck_error *err)
{
	int r;

	jsonw_obj_open(w);
	r = scalar_counts(sc, w, tenant, err);
	if (!r)
		r = facet(sc, w, "by_status", "status", STORE_FACET_STATUS, tenant, err);
	if (!r)
		r = facet(sc, w, "by_algorithm", "algorithm", STORE_FACET_ALGORITHM, tenant, err);
	if (!r)
		r = facet(sc, w, "by_ca", "name", STORE_FACET_CA, tenant, err);
	if (!r)
		r = buckets(sc, w, tenant, err);
	jsonw_obj_close(w);
	return r ? r : jsonw_result(w);
}

/* The aggregates scan every certificate (~1.3 s at 1M rows), so a computed summary is kept
 * per tenant and served while no write is committed (store generation unchanged) and for at
 * most SUMMARY_TTL_S seconds (expiry buckets move with the clock).
 *
 * After a write (or the TTL), a request must not wait for the rescan (issue 11): when the
 * last computation of that tenant took at least the sync threshold (SUMMARY_SYNC_MS, or
 * CERTKEEPER_ANALYTICS_SYNC_MS in the environment; 0 = always), the request is answered with
 * the last summary and one background thread recomputes it. Staleness is bounded: a served
 * summary reflects every write committed before the start of the previous completed
 * recomputation (a request that sees it stale queues the next one at once), and a summary
 * older than SUMMARY_STALE_MAX_S is never served — the request computes inline instead.
 * Cheaper computations (small databases) stay inline, so their result is always current.
 * Thread-safe. */
#define SUMMARY_TTL_S 60
#define SUMMARY_STALE_MAX_S 120
#define SUMMARY_SYNC_MS 50
#define SUMMARY_SLOTS 16

static struct {
	int used;
	int64_t tenant;
	uint64_t gen;
	int64_t at;
	int64_t cost_ms; /* how long computing it took */
	char *body;
} summaries[SUMMARY_SLOTS];
static pthread_mutex_t summaries_lock = PTHREAD_MUTEX_INITIALIZER;

/* The background recomputation: one thread, started on first need, queue of tenants.
 * Guarded by summaries_lock. */
static struct {
	struct api_app *app;
	pthread_t thread;
	pthread_cond_t wake;
	int started, stopping;
	int64_t queue[SUMMARY_SLOTS];
	int nqueue;
	int64_t busy_tenant; /* being computed, -1 when idle */
} refresher = {.wake = PTHREAD_COND_INITIALIZER, .busy_tenant = -1};

static int64_t sync_threshold_ms(void)
{
	static atomic_llong v = -1;
	long long cur = atomic_load(&v);

	if (cur < 0) {
		const char *e = getenv("CERTKEEPER_ANALYTICS_SYNC_MS");
		int64_t n = SUMMARY_SYNC_MS;
		if (e && ck_parse_i64(e, 0, INT32_MAX, &n))
			n = SUMMARY_SYNC_MS;
		cur = n;
		atomic_store(&v, cur);
	}
	return cur;
}

/* Stores body for tenant (computed at `at` from data generation gen); lock held. */
static void store_locked(int64_t tenant, uint64_t gen, int64_t at, int64_t cost_ms, char *body)
{
	int slot = (int)((uint64_t)tenant % SUMMARY_SLOTS);

	free(summaries[slot].body);
	summaries[slot].used = 1;
	summaries[slot].tenant = tenant;
	summaries[slot].gen = gen;
	summaries[slot].at = at;
	summaries[slot].cost_ms = cost_ms;
	summaries[slot].body = body;
}

static void *refresh_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&summaries_lock);
	for (;;) {
		struct ck_error err;
		struct strbuf sb;
		struct jsonw w;
		struct sum_ctx sc;
		uint64_t gen = 0;
		int64_t tenant, t0;
		char *body = NULL;

		while (!refresher.stopping && !refresher.nqueue)
			pthread_cond_wait(&refresher.wake, &summaries_lock);
		if (refresher.stopping)
			break;
		tenant = refresher.queue[0];
		memmove(refresher.queue, refresher.queue + 1,
			(size_t)--refresher.nqueue * sizeof(int64_t));
		refresher.busy_tenant = tenant;
		pthread_mutex_unlock(&summaries_lock);

		ck_error_clear(&err);
		sc.conn = store_conn_get(refresher.app->store);
		sc.cfg = &refresher.app->cfg;
		sc.now = (int64_t)time(NULL);
		t0 = ck_mono_ms();
		strbuf_init(&sb, 0);
		jsonw_init(&w, &sb);
		/* the generation is read first: a write committed during the scan leaves the
		 * stored summary stale, so the next request queues another pass */
		if (sc.conn && !store_data_generation(sc.conn, &gen, &err) &&
		    !compute(&sc, tenant, &w, &err))
			body = strbuf_take(&sb, NULL);
		strbuf_release(&sb);

		pthread_mutex_lock(&summaries_lock);
		if (body)
			store_locked(tenant, gen, sc.now, ck_mono_ms() - t0, body);
		refresher.busy_tenant = -1;
	}
	pthread_mutex_unlock(&summaries_lock);
	return NULL;
}

/* Queues a recomputation of tenant; 0, or -1 when no background thread can run it (the
 * caller computes inline). Lock held. */
static int queue_refresh_locked(struct api_app *app, int64_t tenant)
{
	if (!app || !app->store || refresher.stopping)
		return -1;
	if (!refresher.started) {
		refresher.app = app;
		if (pthread_create(&refresher.thread, NULL, refresh_main, NULL))
			return -1;
		refresher.started = 1;
	}
	if (refresher.app != app)
		return -1; /* another store (tests opening several): inline */
	if (refresher.busy_tenant == tenant)
		return 0;
	for (int i = 0; i < refresher.nqueue; i++)
		if (refresher.queue[i] == tenant)
			return 0;
	if (refresher.nqueue == SUMMARY_SLOTS)
		return -1;
	refresher.queue[refresher.nqueue++] = tenant;
	pthread_cond_signal(&refresher.wake);
	return 0;
}

void api_analytics_stop(void)
{
	int join;

	pthread_mutex_lock(&summaries_lock);
	refresher.stopping = 1;
	join = refresher.started;
	pthread_cond_signal(&refresher.wake);
	pthread_mutex_unlock(&summaries_lock);
	if (join)
		pthread_join(refresher.thread, NULL);
	pthread_mutex_lock(&summaries_lock);
	for (int i = 0; i < SUMMARY_SLOTS; i++) {
		free(summaries[i].body);
		summaries[i].body = NULL;
		summaries[i].used = 0;
	}
	pthread_mutex_unlock(&summaries_lock);
}

/* Serves the kept summary for tenant when it is current, or stale but servable (a
 * recomputation is then queued); 1 when served. */
static int summary_cached(struct api_req *ar, int64_t tenant, uint64_t gen)
{
	int hit = 0;
	int slot = (int)((uint64_t)tenant % SUMMARY_SLOTS);

	pthread_mutex_lock(&summaries_lock);
	if (summaries[slot].used && summaries[slot].tenant == tenant &&
	    ar->ctx.now >= summaries[slot].at) {
		int64_t age = ar->ctx.now - summaries[slot].at;
		int fresh = summaries[slot].gen == gen && age < SUMMARY_TTL_S;
		int servable = fresh || (age < SUMMARY_STALE_MAX_S &&
					 summaries[slot].cost_ms >= sync_threshold_ms() &&
					 !queue_refresh_locked(ar->app, tenant));
		if (servable) {
			ar->resp->status = 200;
			ar->resp->content_type = "application/json";
			hit = !strbuf_adds(&ar->resp->body, summaries[slot].body);
		}
	}
	pthread_mutex_unlock(&summaries_lock);
	return hit;
}

static void summary_store(struct api_req *ar, int64_t tenant, uint64_t gen, int64_t cost_ms)
{
	char *copy = strdup(strbuf_str(&ar->resp->body));

	if (!copy)
		return;
	pthread_mutex_lock(&summaries_lock);
	store_locked(tenant, gen, ar->ctx.now, cost_ms, copy);
	pthread_mutex_unlock(&summaries_lock);
}

static void summary(struct api_req *ar)
{
	uint64_t gen = 0;
	int cacheable;
	const char *t = http_request_param(ar->http, "tenant_id");
	struct sum_ctx sc = {ar->ctx.conn, ar->ctx.cfg, ar->ctx.now};
	struct ck_error err;
	struct jsonw w;
	int64_t tenant = 0, t0;
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
	t0 = ck_mono_ms();
	api_json_begin(ar, 200, &w);
	r = compute(&sc, tenant, &w, &err);
	if (r)
		api_fail(ar, r, &err);
	else if (cacheable)
		summary_store(ar, tenant, gen, ck_mono_ms() - t0);
}

void api_act_analytics_summary(struct api_req *ar, int64_t id)
{
	(void)id;
	summary(ar);
}
