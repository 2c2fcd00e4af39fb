/* api/actions_acme — {id}/detect-acme/, bulk-detect-acme/ (reference §3.6) and
 * bulk-status-update/ (status changes with their lifecycle events and changelog rows). */
#include "api/actions.h"
#include "api/lifecycle_actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/changelog.h"
#include "domain/lifecycle.h"
#include "domain/uow.h"
#include "domain/write.h"
#include "store/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ---- ACME detection ---- */

/* Detects the ACME provider of one certificate and stores a hit. *ret_provider: NULL on a
 * miss. Returns 1 found, 0 no such certificate, or an error. */
static int detect_one(struct api_req *ar, int64_t id, char *cn, size_t cnsz,
		      const char **ret_provider, struct ck_error *err)
{
	struct store_cert_brief *cert = malloc(sizeof(*cert)); /* ~2.3 KB */
	struct dom_record rec;
	const char *provider = NULL;
	int r = cert ? store_cert_brief(ar->ctx.conn, id, cert, err) : CK_E_NOMEM;

	if (r == 1) {
		snprintf(cn, cnsz, "%s", cert->common_name);
		provider = dom_acme_detect(cert->issuer);
	}
	free(cert);
	if (r != 1)
		return r;
	*ret_provider = provider;
	if (!provider) /* a miss changes nothing; is_acme is never cleared (reference §3.6) */
		return 1;
	r = dom_record_init(&rec, dom_model_names(res_certificates.model), res_certificates.model->nfields);
	if (!r)
		r = dom_record_set_int(&rec, "is_acme", 1);
	if (!r)
		r = dom_record_set_text(&rec, "acme_provider", provider, strlen(provider));
	if (!r)
		r = dom_update_step(&ar->ctx, res_certificates.model, id, &rec, NULL, err);
	dom_record_release(&rec);
	return r ? r : 1;
}

struct detect_job {
	int64_t id;
	const char *provider;
	char cn[256];
	struct api_req *ar; /* the request this domain command runs for */
};

static int run_detect(void *arg, struct ck_error *err)
{
	struct detect_job *job = arg;
	struct api_req *ar = job->ar;
	int r = detect_one(ar, job->id, job->cn, sizeof(job->cn), &job->provider, err);

	if (!r)
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	return r < 0 ? r : 0;
}

void api_lc_detect_acme(struct api_req *ar, int64_t id)
{
	struct detect_job job = {.id = id};
	struct ck_error err;
	struct jsonw w;
	int r;

	ck_error_clear(&err);
	job.ar = ar;
	r = dom_uow_run(&ar->ctx, run_detect, &job, &err);
	if (r) {
		api_fail(ar, r, &err);
		return;
	}
	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kbool(&w, "detected", job.provider != NULL);
	if (job.provider) {
		jsonw_kbool(&w, "is_acme", 1);
		jsonw_kstr(&w, "acme_provider", job.provider);
		jsonw_key(&w, "certificate");
		api_render_object(ar, &res_certificates, id, 0, &w, NULL);
	} else {
		jsonw_kstr(&w, "message",
			   "Certificate issuer does not match any known ACME provider patterns.");
	}
	jsonw_obj_close(&w);
}

static int run_bulk_detect(void *arg, struct ck_error *err)
{
	struct bulk_job *job = arg;
	struct api_req *ar = job->ar;
	size_t i;
	json_t *v;
	int r = 0;

	json_array_foreach(job->ids, i, v)
	{
		int64_t id = json_integer_value(v);
		const char *provider = NULL;
		char cn[256];
		r = detect_one(ar, id, cn, sizeof(cn), &provider, err);
		if (r < 0)
			break;
		if (!r) {
			api_lc_add_missing(job, id);
			continue;
		}
		r = 0;
		job->counts[0]++;
		job->counts[provider ? 1 : 2]++;
		jsonw_obj_open(&job->w);
		jsonw_kint(&job->w, "id", id);
		jsonw_kstr(&job->w, "common_name", cn);
		jsonw_kbool(&job->w, "detected", provider != NULL);
		if (provider)
			jsonw_kstr(&job->w, "acme_provider", provider);
		jsonw_obj_close(&job->w);
	}
	jsonw_arr_close(&job->w);
	return r ? r : jsonw_result(&job->w);
}


void api_lc_bulk_detect_acme(struct api_req *ar)
{
	struct bulk_job job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int r;

	ck_error_clear(&err);
	api_lc_bulk_job_init(&job);
	r = api_body(ar, &body, &err);
	if (!r)
		r = api_lc_decode_ids(body, ar->app->cfg.bulk_detect_max_batch_size, &job.ids, &err);
	job.ar = ar;
	if (!r)
		r = dom_uow_run(&ar->ctx, run_bulk_detect, &job, &err);
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
	api_lc_bulk_job_release(&job);
}

/* ---- bulk status update ---- */

static int set_status(struct api_req *ar, int64_t id, const char *status, struct ck_error *err)
{
	struct dom_record rec;
	int r =
	    dom_record_init(&rec, dom_model_names(res_certificates.model), res_certificates.model->nfields);

	if (!r)
		r = dom_record_set_text(&rec, "status", status, strlen(status));
	if (!r)
		r = dom_update_step(&ar->ctx, res_certificates.model, id, &rec, NULL,
				      err); /* hooks: event, archived_at */
	dom_record_release(&rec);
	return r;
}

static int run_bulk_status(void *arg, struct ck_error *err)
{
	struct bulk_job *job = arg;
	struct api_req *ar = job->ar;
	size_t i;
	json_t *v;
	int r = 0;

	json_array_foreach(job->ids, i, v)
	{
		int64_t id = json_integer_value(v);
		char cn[256], old[16];
		int found = api_lc_cert_cn(ar, id, cn, sizeof(cn), old, sizeof(old), err);
		if (found < 0)
			return found;
		if (!found) {
			api_lc_add_missing(job, id);
			continue;
		}
		if (strcmp(old, job->status)) { /* an unchanged status is reported, not saved */
			if ((r = set_status(ar, id, job->status, err)))
				return r;
			job->counts[0]++;
		}
		jsonw_obj_open(&job->w);
		jsonw_kint(&job->w, "id", id);
		jsonw_kstr(&job->w, "common_name", cn);
		jsonw_kstr(&job->w, "old_status", old);
		jsonw_kstr(&job->w, "new_status", job->status);
		jsonw_obj_close(&job->w);
	}
	jsonw_arr_close(&job->w);
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
	int r;

	ck_error_clear(&err);
	api_lc_bulk_job_init(&job);
	r = api_body(ar, &body, &err);
	if (!r)
		r = api_lc_decode_ids(body, ar->app->cfg.bulk_status_update_max_batch_size, &job.ids,
			       &err);
	if (!r)
		r = decode_status(body, &job.status, &err);
	job.ar = ar;
	if (!r)
		r = dom_uow_run(&ar->ctx, run_bulk_status, &job, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		jsonw_obj_open(&w);
		jsonw_kint(&w, "updated_count", job.counts[0]);
		api_lc_send_missing(&w, "not_found_ids", &job);
		api_lc_send_results(&w, "results", &job.out);
	}
	api_lc_bulk_job_release(&job);
}

