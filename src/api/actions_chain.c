/* api/actions_chain — {id}/validate-chain/ and bulk-validate-chain/: chain validation with
 * OpenSSL (x509/chain.h via domain/lifecycle.h), optional {"at"}; the domain commands
 * (domain/cert_actions.h) store the chain fields. */
#include "api/actions.h"
#include "api/lifecycle_actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/cert_actions.h"
#include "domain/lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void api_lc_validate_chain(struct api_req *ar, int64_t id)
{
	struct x509_chain_result *res = calloc(1, sizeof(*res)); /* ~4 KB */
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int64_t at = 0;
	int r = res ? 0 : CK_E_NOMEM;

	ck_error_clear(&err);
	if (!r)
		r = decode_at(ar, 0, &body, &at, &err);
	if (!r && (r = dom_chain_validate(&ar->ctx, id, at, res, &err)) == CK_E_INVALID) {
		api_json_begin(ar, 400, &w); /* the reference's shape for "no PEM" */
		jsonw_obj_open(&w);
		jsonw_kstr(&w, "status", "error");
		jsonw_kstr(&w, "message", err.msg);
		jsonw_obj_close(&w);
		goto free_res;
	}
	if (!r)
		r = dom_chain_store(&ar->ctx, id, res, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		chain_body(&w, res, at, ar->ctx.now);
	}
	dom_chain_result_release(res);
free_res:
	free(res);
}

/* One entry of bulk-validate-chain, as the domain command reports it. */
static int chain_report(void *arg, const struct dom_cert_report *rep)
{
	struct bulk_job *job = arg;
	const struct x509_chain_result *res = rep->res;

	if (!rep->found) /* unknown ids are ignored (reference §2.3) */
		return 0;
	jsonw_obj_open(&job->w);
	jsonw_kint(&job->w, "id", rep->id);
	jsonw_kstr(&job->w, "common_name", rep->common_name);
	if (!res) { /* no PEM */
		jsonw_kstr(&job->w, "status", "error");
		jsonw_kbool(&job->w, "is_valid", 0);
		jsonw_kstr(&job->w, "message", "No PEM content available");
		jsonw_knull(&job->w, "chain_depth");
		job->counts[2]++;
	} else {
		jsonw_kstr(&job->w, "status", dom_chain_status_name(res->status));
		jsonw_kbool(&job->w, "is_valid", dom_chain_status_ok(res->status));
		jsonw_kstr(&job->w, "message", res->message);
		jsonw_kint(&job->w, "chain_depth", res->depth);
		job->counts[dom_chain_status_ok(res->status) ? 1 : 2]++;
	}
	jsonw_obj_close(&job->w);
	job->counts[0]++;
	return jsonw_result(&job->w);
}

void api_lc_bulk_validate_chain(struct api_req *ar)
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
	r = decode_at(ar, 1, &body, &job.at, &err);
	if (!r)
		r = api_lc_decode_ids(body, ar->app->cfg.bulk_validate_max_batch_size, &job.ids,
				      &err);
	if (!r)
		r = api_lc_id_array(job.ids, &ids, &n);
	if (!r)
		r = dom_chain_bulk(&ar->ctx, ids, n, job.at, chain_report, &job, &err);
	jsonw_arr_close(&job.w);
	if (!r)
		r = jsonw_result(&job.w);
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
	free(ids);
	api_lc_bulk_job_release(&job);
}
