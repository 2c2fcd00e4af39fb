/* api/actions_acme — {id}/detect-acme/, bulk-detect-acme/ (reference §3.6) and
 * bulk-status-update/ (status changes with their lifecycle events and changelog rows). */
#include "api/actions.h"
#include "api/lifecycle_actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/cert_actions.h"
#include "domain/lifecycle.h"
#include "store/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ---- ACME detection ---- */

void api_lc_detect_acme(struct api_req *ar, int64_t id)
{
	const char *provider = NULL;
	struct ck_error err;
	struct jsonw w;
	int r;

	ck_error_clear(&err);
	r = dom_acme_detect_cert(&ar->ctx, id, &provider, &err);
	if (r) {
		api_fail(ar, r, &err);
		return;
	}
	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kbool(&w, "detected", provider != NULL);
	if (provider) {
		jsonw_kbool(&w, "is_acme", 1);
		jsonw_kstr(&w, "acme_provider", provider);
		jsonw_key(&w, "certificate");
		api_render_object(ar, &res_certificates, id, 0, &w, NULL);
	} else {
		jsonw_kstr(&w, "message",
			   "Certificate issuer does not match any known ACME provider patterns.");
	}
	jsonw_obj_close(&w);
}

/* One entry of bulk-detect-acme, as the domain command reports it. */
static int detect_report(void *arg, const struct dom_cert_report *rep)
{
	struct bulk_job *job = arg;

	if (!rep->found) {
		api_lc_add_missing(job, rep->id);
		return 0;
	}
	job->counts[0]++;
	job->counts[rep->provider ? 1 : 2]++;
	jsonw_obj_open(&job->w);
	jsonw_kint(&job->w, "id", rep->id);
	jsonw_kstr(&job->w, "common_name", rep->common_name);
	jsonw_kbool(&job->w, "detected", rep->provider != NULL);
	if (rep->provider)
		jsonw_kstr(&job->w, "acme_provider", rep->provider);
	jsonw_obj_close(&job->w);
	return jsonw_result(&job->w);
}

void api_lc_bulk_detect_acme(struct api_req *ar)
{
	struct bulk_job job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int64_t *ids = NULL;
	size_t n = 0;
	int r;

	ck_error_clear(&err);
	api_lc_bulk_job_init(&job);
	r = api_body(ar, &body, &err);
	if (!r)
		r = api_lc_decode_ids(body, ar->app->cfg.bulk_detect_max_batch_size, &job.ids,
				      &err);
	if (!r)
		r = api_lc_id_array(job.ids, &ids, &n);
	if (!r)
		r = dom_acme_bulk(&ar->ctx, ids, n, detect_report, &job, &err);
	jsonw_arr_close(&job.w);
	if (!r)
		r = jsonw_result(&job.w);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		jsonw_obj_open(&w);
		jsonw_kint(&w, "total", (int64_t)json_array_size(job.ids));
		jsonw_kint(&w, "processed", job.counts[0]);
		jsonw_kint(&w, "detected_acme", job.counts[1]);
		jsonw_kint(&w, "not_acme", job.counts[2]);
		api_lc_send_missing(&w, "missing_ids", &job);
		api_lc_send_results(&w, "detections", &job.out);
	}
	free(ids);
	api_lc_bulk_job_release(&job);
}

/* ---- bulk status update ---- */

/* One entry of bulk-status-update, as the domain command reports it. */
static int status_report(void *arg, const struct dom_cert_report *rep)
{
	struct bulk_job *job = arg;

	if (!rep->found) {
		api_lc_add_missing(job, rep->id);
		return 0;
	}
	job->counts[0] += rep->changed;
	jsonw_obj_open(&job->w);
	jsonw_kint(&job->w, "id", rep->id);
	jsonw_kstr(&job->w, "common_name", rep->common_name);
	jsonw_kstr(&job->w, "old_status", rep->old_status);
	jsonw_kstr(&job->w, "new_status", job->status);
	jsonw_obj_close(&job->w);
	return jsonw_result(&job->w);
}

static int decode_status(json_t *body, const char **ret, struct ck_error *err)
{
	json_t *v = json_object_get(body, "status");

	for (int i = 0; json_is_string(v) && dom_cert_statuses[i]; i++)
		if (!strcmp(dom_cert_statuses[i], json_string_value(v))) {
			*ret = dom_cert_statuses[i];
			return 0;
		}
	return ck_error_set(err, CK_E_INVALID, "status", "\"%.40s\" is not a valid choice.",
			    json_is_string(v) ? json_string_value(v) : "");
}

void api_lc_bulk_status_update(struct api_req *ar)
{
	struct bulk_job job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int64_t *ids = NULL;
	size_t n = 0;
	int r;

	ck_error_clear(&err);
	api_lc_bulk_job_init(&job);
	r = api_body(ar, &body, &err);
	if (!r)
		r = api_lc_decode_ids(body, ar->app->cfg.bulk_status_update_max_batch_size,
				      &job.ids, &err);
	if (!r)
		r = decode_status(body, &job.status, &err);
	if (!r)
		r = api_lc_id_array(job.ids, &ids, &n);
	if (!r)
		r = dom_status_bulk(&ar->ctx, ids, n, job.status, status_report, &job, &err);
	jsonw_arr_close(&job.w);
	if (!r)
		r = jsonw_result(&job.w);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		jsonw_obj_open(&w);
		jsonw_kint(&w, "updated_count", job.counts[0]);
		api_lc_send_missing(&w, "not_found_ids", &job);
		api_lc_send_results(&w, "results", &job.out);
	}
	free(ids);
	api_lc_bulk_job_release(&job);
}
