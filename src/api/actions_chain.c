/* api/actions_chain — {id}/validate-chain/ and bulk-validate-chain/: chain validation with
 * OpenSSL (x509/chain.h via domain/lifecycle.h), optional {"at"}; stores the chain fields. */
#include "api/actions.h"
#include "api/lifecycle_actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/changelog.h"
#include "domain/lifecycle.h"
#include "domain/write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/uow.h"
/* Optional {"at": ISO 8601} of a validation body (no body at all: now). */
static int decode_at(struct api_req *ar, int require_body, json_t **ret_body, int64_t *ret,
		     struct ck_error *err)
{
	json_t *body = NULL, *at;
	int64_t t = ar->ctx.now;
	int r;

	if (ar->http->body_len || require_body) {
		if ((r = api_body(ar, &body, err)))
			return r;
		if (!json_is_object(body))
			return ck_error_set(err, CK_E_INVALID, NULL,
					    "Invalid data. Expected a dictionary.");
		at = json_object_get(body, "at");
		if (at && !json_is_null(at) &&
		    (!json_is_string(at) || ck_parse_time(json_string_value(at), &t)))
			return ck_error_set(err, CK_E_INVALID, "at",
					    "Enter a valid ISO 8601 date/time.");
	}
	*ret_body = body;
	*ret = t;
	return 0;
}

/* ---- chain validation ---- */

static void chain_cert(struct jsonw *w, const struct x509_chain_result *res, size_t i)
{
	const struct x509_cert_info *c = &res->certs[i];
	char serial[300];
	size_t o = 0;

	for (const char *p = c->serial_number; *p && o + 1 < sizeof(serial); p++)
		if (*p != ':')
			serial[o++] = *p;
	serial[o] = '\0';
	jsonw_obj_open(w);
	jsonw_kstr(w, "common_name", c->common_name);
	jsonw_kstr(w, "subject", c->subject);
	jsonw_kstr(w, "issuer", c->issuer);
	jsonw_kstr(w, "serial_number", serial);
	jsonw_kstr(w, "fingerprint_sha256", c->fingerprint_sha256);
	jsonw_key(w, "valid_from");
	jsonw_time(w, c->valid_from);
	jsonw_key(w, "valid_to");
	jsonw_time(w, c->valid_to);
	jsonw_kbool(w, "is_leaf", i == 0);
	jsonw_kbool(w, "is_self_signed", c->is_self_signed);
	jsonw_kbool(w, "from_trust_store", res->trusted_root && i + 1 == res->ncerts);
	jsonw_obj_close(w);
}

static void chain_body(struct jsonw *w, const struct x509_chain_result *res, int64_t at,
		       int64_t validated_at)
{
	jsonw_obj_open(w);
	jsonw_kstr(w, "status", dom_chain_status_name(res->status));
	jsonw_kbool(w, "is_valid", dom_chain_status_ok(res->status));
	jsonw_kstr(w, "message", res->message);
	jsonw_kint(w, "chain_depth", res->depth);
	jsonw_key(w, "certificates");
	jsonw_arr_open(w);
	for (size_t i = 0; i < res->ncerts; i++)
		chain_cert(w, res, i);
	jsonw_arr_close(w);
	jsonw_key(w, "errors");
	jsonw_arr_open(w);
	for (size_t i = 0; i < res->nerrors; i++)
		jsonw_str(w, res->errors[i]);
	jsonw_arr_close(w);
	jsonw_key(w, "validated_at");
	jsonw_time(w, validated_at);
	jsonw_key(w, "validation_time");
	jsonw_time(w, at);
	jsonw_kstr(w, "stored_chain_status", dom_chain_stored_status(res->status));
	jsonw_obj_close(w);
}

/* Stores the chain fields of one certificate through the generic update (changelog). */
static int store_chain(struct api_req *ar, int64_t id, const struct x509_chain_result *res,
		       struct ck_error *err)
{
	struct dom_record rec;
	int r =
	    dom_record_init(&rec, dom_model_names(res_certificates.model), res_certificates.model->nfields);

	if (!r)
		r = dom_chain_record(&ar->ctx, res, &rec);
	if (!r)
		r = dom_update_step(&ar->ctx, res_certificates.model, id, &rec, NULL, err);
	dom_record_release(&rec);
	return r;
}

struct chain_job {
	int64_t id;
	struct x509_chain_result res;
	struct api_req *ar; /* the request this domain command runs for */
};

static int run_store_chain(void *arg, struct ck_error *err)
{
	struct chain_job *job = arg;
	struct api_req *ar = job->ar;

	return store_chain(ar, job->id, &job->res, err);
}

void api_lc_validate_chain(struct api_req *ar, int64_t id)
{
	struct chain_job *job = calloc(1, sizeof(*job));
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int64_t at = 0;
	int r = job ? 0 : CK_E_NOMEM;

	ck_error_clear(&err);
	if (!r)
		r = decode_at(ar, 0, &body, &at, &err);
	if (!r && (r = dom_chain_validate(&ar->ctx, id, at, &job->res, &err)) == CK_E_INVALID) {
		api_json_begin(ar, 400, &w); /* the reference's shape for "no PEM" */
		jsonw_obj_open(&w);
		jsonw_kstr(&w, "status", "error");
		jsonw_kstr(&w, "message", err.msg);
		jsonw_obj_close(&w);
		goto free_job;
	}
	if (!r) {
		job->id = id;
		job->ar = ar;
		r = dom_uow_run(&ar->ctx, run_store_chain, job, &err);
	}
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		chain_body(&w, &job->res, at, ar->ctx.now);
	}
	dom_chain_result_release(job ? &job->res : NULL);
free_job:
	free(job);
}


/* One entry of bulk-validate-chain for an existing certificate; stores the chain fields. */
static int bulk_chain_one(struct api_req *ar, struct bulk_job *job, int64_t id, const char *cn,
			  struct x509_chain_result *res, struct ck_error *err)
{
	struct ck_error e;
	int r;

	ck_error_clear(&e);
	jsonw_obj_open(&job->w);
	jsonw_kint(&job->w, "id", id);
	jsonw_kstr(&job->w, "common_name", cn);
	r = dom_chain_validate(&ar->ctx, id, job->at, res, &e);
	if (r == CK_E_INVALID) { /* no PEM */
		jsonw_kstr(&job->w, "status", "error");
		jsonw_kbool(&job->w, "is_valid", 0);
		jsonw_kstr(&job->w, "message", "No PEM content available");
		jsonw_knull(&job->w, "chain_depth");
		job->counts[2]++;
		r = 0;
	} else if (!r) {
		jsonw_kstr(&job->w, "status", dom_chain_status_name(res->status));
		jsonw_kbool(&job->w, "is_valid", dom_chain_status_ok(res->status));
		jsonw_kstr(&job->w, "message", res->message);
		jsonw_kint(&job->w, "chain_depth", res->depth);
		job->counts[dom_chain_status_ok(res->status) ? 1 : 2]++;
		r = store_chain(ar, id, res, err);
		dom_chain_result_release(res);
	} else if (err) {
		*err = e;
	}
	jsonw_obj_close(&job->w);
	job->counts[0]++;
	return r;
}

static int run_bulk_chain(void *arg, struct ck_error *err)
{
	struct bulk_job *job = arg;
	struct api_req *ar = job->ar;
	struct x509_chain_result *res = malloc(sizeof(*res)); /* ~4 KB */
	size_t i;
	json_t *v;
	int r = res ? 0 : CK_E_NOMEM;

	json_array_foreach(job->ids, i, v)
	{
		int64_t id = json_integer_value(v);
		char cn[256];
		int found = r ? 0 : api_lc_cert_cn(ar, id, cn, sizeof(cn), NULL, 0, err);
		if (r || found < 0) {
			r = r ? r : found;
			break;
		}
		if (found) /* unknown ids are ignored (reference §2.3) */
			r = bulk_chain_one(ar, job, id, cn, res, err);
	}
	free(res);
	jsonw_arr_close(&job->w);
	return r ? r : jsonw_result(&job->w);
}

void api_lc_bulk_validate_chain(struct api_req *ar)
{
	struct bulk_job job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int r;

	ck_error_clear(&err);
	api_lc_bulk_job_init(&job);
	r = decode_at(ar, 1, &body, &job.at, &err);
	if (!r)
		r = api_lc_decode_ids(body, ar->app->cfg.bulk_validate_max_batch_size, &job.ids, &err);
	job.ar = ar;
	if (!r)
		r = dom_uow_run(&ar->ctx, run_bulk_chain, &job, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		jsonw_obj_open(&w);
		jsonw_kint(&w, "validated_count", job.counts[0]);
		jsonw_kint(&w, "valid_count", job.counts[1]);
		jsonw_kint(&w, "invalid_count", job.counts[2]);
		api_lc_send_results(&w, "results", &job.out);
	}
	api_lc_bulk_job_release(&job);
}

