/*
 * api/actions_compliance — compliance runs, the report and the trend (reference §2.3, §3.10):
 *   POST certificates/{id}/compliance-check/     {policy_ids?}: the given enabled policies, or
 *        every policy that applies to the certificate; 200 {certificate_id, certificate_name,
 *        total_checks, passed, failed, compliance_score, checks}
 *   POST certificates/bulk-compliance-check/     {certificate_ids, policy_ids?}: at most
 *        bulk_compliance_max_batch_size ids; policies always scoped to each certificate
 *   GET  compliance-report/[?tenant_id=N][&export=csv|json]
 *   POST compliance-report/snapshot/             {tenant_id?} or ?tenant_id=: upserts today's
 *        snapshot (the daily sweep takes them too)
 *   GET  compliance-trend/[?days=90][&tenant_id=N]: snapshots of the last `days` days, oldest
 *        first
 * Shape of each: decode → a domain/compliance.h command → encode after commit.
 */
#include "api/actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/compliance.h"
#include "store/compliance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TREND_DAYS_DEFAULT 90
#define TREND_DAYS_MAX 3650 /* ?days= limit */
#define ID_LIST_TOO_LONG 1  /* decode_id_list(): over `max` (positive: never a CK_E_* code) */
#define RESULTS_CAP ((size_t)32 << 20) /* bytes of one bulk run's report list */

/* ---- decoding ---- */

/* body[key]: a list of at most `max` integers >= 1 (DRF ListField messages). Absent or null:
 * *ret NULL, unless `required`. The ids are copied to *ret (caller frees). Returns 0,
 * ID_LIST_TOO_LONG, or a negative CK_E_* code. */
static int decode_id_list(json_t *body, const char *key, int required, int allow_empty, size_t max,
			  int64_t **ret, size_t *ret_n, struct ck_error *err)
{
	json_t *v = json_is_object(body) ? json_object_get(body, key) : NULL, *item;
	int64_t *ids;
	size_t i;

	*ret = NULL;
	*ret_n = 0;
	if (!v || json_is_null(v))
		return required ? ck_error_set(err, CK_E_INVALID, key, "This field is required.")
				: 0;
	if (!json_is_array(v))
		return ck_error_set(err, CK_E_INVALID, key,
				    "Expected a list of items but got type \"%s\".",
				    json_is_string(v)	? "str"
				    : json_is_object(v) ? "dict"
							: "int");
	if (!json_array_size(v))
		return allow_empty
			   ? 0
			   : ck_error_set(err, CK_E_INVALID, key, "This list may not be empty.");
	if (json_array_size(v) > max)
		return ID_LIST_TOO_LONG; /* the caller reports its own limit */
	json_array_foreach(v, i, item)
	{
		if (!json_is_integer(item) || json_integer_value(item) < 1)
			return ck_error_set(err, CK_E_INVALID, key, "A valid integer is required.");
	}
	if (!(ids = malloc(json_array_size(v) * sizeof(*ids))))
		return CK_E_NOMEM;
	json_array_foreach(v, i, item) ids[i] = json_integer_value(item);
	*ret = ids;
	*ret_n = json_array_size(v);
	return 0;
}

static int decode_policy_ids(json_t *body, int64_t **ret, size_t *ret_n, struct ck_error *err)
{
	int r = decode_id_list(body, "policy_ids", 0, 1, DOM_COMPLIANCE_IDS_MAX, ret, ret_n, err);

	if (r == ID_LIST_TOO_LONG)
		r = ck_error_set(err, CK_E_INVALID, "policy_ids",
				 "Ensure this field has no more than %d elements.",
				 DOM_COMPLIANCE_IDS_MAX);
	return r;
}

/* An optional JSON object body (empty body: NULL). */
static int optional_body(struct api_req *ar, json_t **ret, struct ck_error *err)
{
	int r;

	*ret = NULL;
	if (!ar->http->body_len)
		return 0;
	if ((r = api_body(ar, ret, err)))
		return r;
	if (!json_is_object(*ret))
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "Invalid data. Expected a dictionary, but got %s.",
				    json_is_array(*ret) ? "list" : "another type");
	return 0;
}

/* ---- single certificate ---- */

struct single_job {
	int64_t cert_id;
	int64_t *policy_ids; /* NULL: the applicable policies */
	size_t npolicy_ids;
	struct dom_compliance_run run;
};

static void send_single(struct api_req *ar, const struct single_job *job)
{
	const struct dom_compliance_run *run = &job->run;
	struct jsonw w;

	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "certificate_id", job->cert_id);
	jsonw_kstr(&w, "certificate_name", run->common_name);
	jsonw_kint(&w, "total_checks", run->total);
	jsonw_kint(&w, "passed", run->passed);
	jsonw_kint(&w, "failed", run->failed);
	jsonw_key(&w, "compliance_score");
	jsonw_double(&w, dom_compliance_score(run->passed, run->total, 1, 0.0));
	jsonw_key(&w, "checks");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < run->nchecks; i++)
		api_render_object(ar, &res_compliance_checks, run->check_ids[i], 0, &w, NULL);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
}

static void compliance_check(struct api_req *ar, int64_t id)
{
	struct single_job job = {.cert_id = id};
	struct ck_error err;
	json_t *body;
	int r;

	ck_error_clear(&err);
	r = optional_body(ar, &body, &err);
	if (!r)
		r = decode_policy_ids(body, &job.policy_ids, &job.npolicy_ids, &err);
	if (!r && job.policy_ids && !job.npolicy_ids) { /* [] means "not given" (reference) */
		free(job.policy_ids);
		job.policy_ids = NULL;
	}
	if (!r)
		r = dom_compliance_check(&ar->ctx, id, job.policy_ids, job.npolicy_ids, &job.run,
					 &err);
	if (r)
		api_fail(ar, r, &err);
	else
		send_single(ar, &job);
	dom_compliance_run_release(&job.run);
	free(job.policy_ids);
}

/* ---- bulk ---- */

struct bulk_job {
	int64_t *cert_ids;
	size_t ncert_ids;
	int64_t *policy_ids;
	size_t npolicy_ids;
	int64_t processed, passed, failed;
	struct strbuf reports, missing;
	struct jsonw w;
};

static void bulk_report(struct bulk_job *job, int64_t id, const struct dom_compliance_run *run)
{
	struct jsonw *w = &job->w;

	jsonw_obj_open(w);
	jsonw_kint(w, "certificate_id", id);
	jsonw_kstr(w, "certificate_name", run->common_name);
	jsonw_kint(w, "total_checks", run->total);
	jsonw_kint(w, "passed", run->passed);
	jsonw_kint(w, "failed", run->failed);
	jsonw_key(w, "compliance_score");
	jsonw_double(w, dom_compliance_score(run->passed, run->total, 1, 0.0));
	jsonw_obj_close(w);
	job->processed++;
	job->passed += run->passed;
	job->failed += run->failed;
}

/* One certificate of a bulk run, as the domain command reports it (run NULL: unknown). */
static int bulk_visit(void *arg, int64_t id, const struct dom_compliance_run *run)
{
	struct bulk_job *job = arg;

	if (!run) {
		strbuf_addf(&job->missing, "%s%lld", job->missing.len ? "," : "", (long long)id);
		return strbuf_result(&job->missing);
	}
	bulk_report(job, id, run);
	return jsonw_result(&job->w);
}

static void send_bulk(struct api_req *ar, struct bulk_job *job)
{
	struct jsonw w;

	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "total_certificates", (int64_t)job->ncert_ids);
	jsonw_kint(&w, "processed", job->processed);
	jsonw_key(&w, "missing_ids");
	jsonw_arr_open(&w);
	jsonw_raw(&w, strbuf_str(&job->missing), job->missing.len);
	jsonw_arr_close(&w);
	jsonw_kint(&w, "overall_passed", job->passed);
	jsonw_kint(&w, "overall_failed", job->failed);
	jsonw_key(&w, "overall_score");
	jsonw_double(&w, dom_compliance_score(job->passed, job->passed + job->failed, 1, 0.0));
	jsonw_key(&w, "reports");
	jsonw_raw(&w, strbuf_str(&job->reports), job->reports.len);
	jsonw_obj_close(&w);
}

static int decode_bulk(struct api_req *ar, struct bulk_job *job, struct ck_error *err)
{
	int cap = ar->app->cfg.bulk_compliance_max_batch_size;
	json_t *body;
	int r = api_body(ar, &body, err);

	if (!r && !json_is_object(body))
		r = ck_error_set(err, CK_E_INVALID, "non_field_errors",
				 "Invalid data. Expected a dictionary, but got %s.",
				 json_is_array(body) ? "list" : "another type");
	if (!r)
		r = decode_id_list(body, "certificate_ids", 1, 0, (size_t)cap, &job->cert_ids,
				   &job->ncert_ids, err);
	if (r == ID_LIST_TOO_LONG)
		r = ck_error_set(err, CK_E_INVALID, NULL,
				 "Batch size exceeds maximum of %d certificates.", cap);
	if (!r)
		r = decode_policy_ids(body, &job->policy_ids, &job->npolicy_ids, err);
	if (!r && job->policy_ids && !job->npolicy_ids) {
		free(job->policy_ids);
		job->policy_ids = NULL;
	}
	return r;
}

static void bulk_compliance_check(struct api_req *ar)
{
	struct bulk_job job = {0};
	struct ck_error err;
	int r;

	ck_error_clear(&err);
	strbuf_init(&job.reports, RESULTS_CAP);
	strbuf_init(&job.missing, RESULTS_CAP);
	jsonw_init(&job.w, &job.reports);
	jsonw_arr_open(&job.w);
	r = decode_bulk(ar, &job, &err);
	if (!r)
		r = dom_compliance_check_bulk(&ar->ctx, job.cert_ids, job.ncert_ids, job.policy_ids,
					      job.npolicy_ids, bulk_visit, &job, &err);
	jsonw_arr_close(&job.w);
	if (!r)
		r = jsonw_result(&job.w);
	if (r)
		api_fail(ar, r, &err);
	else
		send_bulk(ar, &job);
	strbuf_release(&job.reports);
	strbuf_release(&job.missing);
	free(job.cert_ids);
	free(job.policy_ids);
}

/* ---- handlers of the action table (api/actions.c) ---- */

void api_act_cert_compliance_check(struct api_req *ar, int64_t id) { compliance_check(ar, id); }

void api_act_cert_bulk_compliance_check(struct api_req *ar, int64_t id)
{
	(void)id;
	bulk_compliance_check(ar);
}

/* ---- report ---- */

/* ?tenant_id= (absent: 0 = everything); an existing tenant. */
static int decode_tenant(struct api_req *ar, json_t *body, int64_t *ret, struct ck_error *err)
{
	const char *q = http_request_param(ar->http, "tenant_id");
	json_t *v = json_is_object(body) ? json_object_get(body, "tenant_id") : NULL;
	int64_t id = 0;
	int r;

	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return ck_error_set(err, CK_E_INVALID, "tenant_id",
					    "A valid integer is required.");
		id = json_integer_value(v);
	} else if (q && ck_parse_i64(q, 1, INT64_MAX, &id)) {
		return ck_error_set(err, CK_E_INVALID, "tenant_id", "Enter a number.");
	}
	if (id) {
		r = store_id_exists(ar->ctx.conn, "tenants", id, err);
		if (r < 0)
			return r;
		if (!r)
			return ck_error_set(err, CK_E_INVALID, "tenant_id",
					    "Invalid pk \"%lld\" - object does not exist.",
					    (long long)id);
	}
	*ret = id;
	return 0;
}

static void write_date(struct jsonw *w, int64_t t)
{
	char iso[21];

	ck_format_time(t, iso);
	jsonw_strn(w, iso, 10);
}

static void write_tenant(struct api_req *ar, struct jsonw *w, int64_t tenant_id)
{
	jsonw_key(w, "tenant");
	if (!tenant_id || api_render_object(ar, &res_tenants, tenant_id, 1, w, NULL))
		jsonw_null(w);
}

static void write_counts(struct jsonw *w, const char *key, const char *label,
			 const struct dom_compliance_count *v, size_t n)
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

static void write_report(struct api_req *ar, struct jsonw *w,
			 const struct dom_compliance_report *rep)
{
	jsonw_obj_open(w);
	write_tenant(ar, w, rep->tenant_id);
	jsonw_key(w, "snapshot_date");
	write_date(w, rep->snapshot_date);
	jsonw_kint(w, "total_certificates", rep->total_certificates);
	jsonw_kint(w, "total_checks", rep->total_checks);
	jsonw_kint(w, "passed_checks", rep->passed);
	jsonw_kint(w, "failed_checks", rep->failed);
	jsonw_kint(w, "error_checks", rep->errors);
	jsonw_key(w, "compliance_score");
	jsonw_double(w, rep->score);
	write_counts(w, "severity_breakdown", "severity", rep->severities, rep->nseverities);
	write_counts(w, "policy_breakdown", "policy_type", rep->types, rep->ntypes);
	jsonw_obj_close(w);
}

/* A score as Python prints a float: shortest form, always with a decimal point. */
static void format_score(double v, char *buf, size_t sz)
{
	snprintf(buf, sz, "%.15g", v);
	if (!strpbrk(buf, ".eEn"))
		snprintf(buf + strlen(buf), sz - strlen(buf), ".0");
}

/* ?export=csv: the header line and one row (reference §3.10), as an attachment. */
static void send_csv(struct api_req *ar, const struct dom_compliance_report *rep)
{
	char date[21], score[40];

	ck_format_time(rep->snapshot_date, date);
	format_score(rep->score, score, sizeof(score));
	ar->resp->status = 200;
	ar->resp->content_type = "text/csv; charset=utf-8";
	strbuf_reset(&ar->resp->body);
	strbuf_addf(&ar->resp->body,
		    "date,total_certificates,total_checks,passed,failed,score\r\n%.10s,%lld,%lld,%"
		    "lld,%lld,%s\r\n",
		    date, (long long)rep->total_certificates, (long long)rep->total_checks,
		    (long long)rep->passed, (long long)rep->failed, score);
	http_response_add_header(ar->resp, "Content-Disposition",
				 "attachment; filename=\"compliance_report.csv\"");
}

/* ?export=json: the report indented by 2, as an attachment. */
static void send_json_export(struct api_req *ar, const struct dom_compliance_report *rep)
{
	struct strbuf sb;
	struct jsonw w;
	json_t *doc;
	char *text = NULL;

	strbuf_init(&sb, 1 << 20);
	jsonw_init(&w, &sb);
	write_report(ar, &w, rep);
	doc = jsonw_result(&w) ? NULL : json_loads(strbuf_str(&sb), 0, NULL);
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!text) {
		api_fail(ar, CK_E_NOMEM, NULL);
	} else {
		ar->resp->status = 200;
		ar->resp->content_type = "application/json";
		strbuf_reset(&ar->resp->body);
		strbuf_adds(&ar->resp->body, text);
		http_response_add_header(ar->resp, "Content-Disposition",
					 "attachment; filename=\"compliance_report.json\"");
	}
	free(text);
	json_decref(doc);
	strbuf_release(&sb);
}

static void report(struct api_req *ar)
{
	const char *export = http_request_param(ar->http, "export");
	struct dom_compliance_report rep;
	struct ck_error err;
	struct jsonw w;
	int64_t tenant = 0;
	int r;

	ck_error_clear(&err);
	if (export && strcmp(export, "csv") && strcmp(export, "json")) {
		ck_error_set(&err, CK_E_INVALID, "export",
			     "\"%.40s\" is not a valid choice (csv, json).", export);
		api_fail(ar, CK_E_INVALID, &err);
		return;
	}
	r = decode_tenant(ar, NULL, &tenant, &err);
	if (!r)
		r = dom_compliance_report(&ar->ctx, tenant, &rep, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else if (export && !strcmp(export, "csv")) {
		send_csv(ar, &rep);
	} else if (export) {
		send_json_export(ar, &rep);
	} else {
		api_json_begin(ar, 200, &w);
		write_report(ar, &w, &rep);
	}
}

/* ---- snapshots and trend ---- */

struct snapshot_out {
	struct api_req *ar;
	struct jsonw *w;
	int begin; /* start the response before the row (detail) */
};

/* store/compliance snapshot callback: one snapshot object. */
static int write_snapshot_row(void *arg, const struct store_snapshot_row *row)
{
	struct snapshot_out *o = arg;
	struct jsonw *w = o->w;

	if (o->begin)
		api_json_begin(o->ar, 200, w);
	jsonw_obj_open(w);
	jsonw_kint(w, "id", row->id);
	write_tenant(o->ar, w, row->tenant_id);
	jsonw_key(w, "snapshot_date");
	write_date(w, row->snapshot_date);
	jsonw_kint(w, "total_certificates", row->total_certificates);
	jsonw_kint(w, "total_checks", row->total_checks);
	jsonw_kint(w, "passed_checks", row->passed);
	jsonw_kint(w, "failed_checks", row->failed);
	jsonw_key(w, "compliance_score");
	jsonw_double(w, row->score);
	jsonw_key(w, "details"); /* the stored document (store/compliance.h) */
	jsonw_raw(w, row->details, row->details_len);
	jsonw_key(w, "created");
	jsonw_time(w, row->created);
	jsonw_key(w, "last_updated");
	jsonw_time(w, row->last_updated);
	jsonw_obj_close(w);
	return 0;
}

static void send_snapshot(struct api_req *ar, int64_t id)
{
	struct ck_error err;
	struct jsonw w;
	struct snapshot_out o = {ar, &w, 1};
	int r;

	ck_error_clear(&err);
	r = store_snapshot_get(ar->ctx.conn, id, write_snapshot_row, &o, &err);
	if (r != 1)
		api_fail(ar, r < 0 ? r : CK_E_NOTFOUND, &err);
}

static void snapshot(struct api_req *ar)
{
	int64_t tenant = 0, id = 0;
	struct ck_error err;
	json_t *body;
	int r;

	ck_error_clear(&err);
	r = optional_body(ar, &body, &err);
	if (!r)
		r = decode_tenant(ar, body, &tenant, &err);
	if (!r)
		r = dom_compliance_take_snapshot(&ar->ctx, tenant, &id, &err);
	if (r)
		api_fail(ar, r, &err);
	else
		send_snapshot(ar, id);
}

struct trend_out {
	struct snapshot_out o;
	int64_t count;
};

static int trend_row(void *arg, const struct store_snapshot_row *row)
{
	struct trend_out *t = arg;

	t->count++;
	return write_snapshot_row(&t->o, row);
}

static int trend_rows(struct api_req *ar, struct jsonw *w, int64_t tenant, int64_t since,
		      int64_t days, int64_t *ret_count, struct ck_error *err)
{
	struct trend_out t = {{ar, w, 0}, 0};
	int r;

	jsonw_arr_open(w);
	/* up to today: replayed future sweeps stay out */
	r = store_snapshot_range(ar->ctx.conn, tenant, since, since + days * 86400, trend_row, &t,
				 err);
	jsonw_arr_close(w);
	*ret_count = t.count;
	return r;
}

static void trend(struct api_req *ar)
{
	const char *d = http_request_param(ar->http, "days");
	int64_t days = TREND_DAYS_DEFAULT, tenant = 0, today, count = 0;
	struct ck_error err;
	struct strbuf rows;
	struct jsonw w, rw;
	int r = 0;

	ck_error_clear(&err);
	if (d && ck_parse_i64(d, 1, TREND_DAYS_MAX, &days))
		r = ck_error_set(&err, CK_E_INVALID, "days", "Enter a whole number from 1 to %d.",
				 TREND_DAYS_MAX);
	if (!r)
		r = decode_tenant(ar, NULL, &tenant, &err);
	today = ar->ctx.now - ((ar->ctx.now % 86400) + 86400) % 86400;
	strbuf_init(&rows, RESULTS_CAP);
	jsonw_init(&rw, &rows);
	if (!r)
		r = trend_rows(ar, &rw, tenant, today - days * 86400, days, &count, &err);
	if (!r)
		r = jsonw_result(&rw);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		jsonw_obj_open(&w);
		write_tenant(ar, &w, tenant);
		jsonw_kint(&w, "days", days);
		jsonw_kint(&w, "count", count);
		jsonw_key(&w, "results");
		jsonw_raw(&w, strbuf_str(&rows), rows.len);
		jsonw_obj_close(&w);
	}
	strbuf_release(&rows);
}

/* ---- handlers of the action table (api/actions.c) ---- */

void api_act_compliance_report(struct api_req *ar, int64_t id)
{
	(void)id;
	report(ar);
}

void api_act_compliance_snapshot(struct api_req *ar, int64_t id)
{
	(void)id;
	snapshot(ar);
}

void api_act_compliance_trend(struct api_req *ar, int64_t id)
{
	(void)id;
	trend(ar);
}
