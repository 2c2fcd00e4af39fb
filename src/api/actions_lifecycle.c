/*
 * api/actions_lifecycle — lifecycle actions of certificates:
 *   {id}/renew/            Janus renewal (domain/renewal.h), 201 {old, new,
 * assignments_transferred} {id}/revert-renewal/   undo a renewal, 200 {old, new, assignments_moved}
 *   {id}/validate-chain/   chain validation (x509/chain.h via domain/lifecycle.h), optional {at}
 *   bulk-validate-chain/   {ids, at?}
 *   {id}/detect-acme/      ACME detection from the issuer (reference §3.6)
 *   bulk-detect-acme/      {ids}
 *   bulk-status-update/    {ids, status}
 *   diff/                  compare two inventory snapshots (reference §3.13)
 * Shape of each: decode → domain (inside api_in_tx for writes) → encode after commit. Every
 * changed object gets a changelog row with pre/post snapshots, in the same transaction.
 */
#include "api/actions.h"
#include "api/cert_import.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/changelog.h"
#include "domain/lifecycle.h"
#include "domain/renewal.h"

#include <stdlib.h>
#include <string.h>

#define RESULTS_CAP ((size_t)32 << 20) /* bytes of one bulk action's result list */

/* ---- changelog snapshots of objects a domain function changes with plain SQL ---- */

struct snap {
	const struct api_resource *res;
	int64_t id;
	char *pre;
};

struct snaps {
	struct snap *v;
	size_t n, cap;
};

static int snap_add(struct api_req *ar, struct snaps *s, const struct api_resource *res, int64_t id)
{
	struct snap *grown;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		grown = realloc(s->v, s->cap * sizeof(*grown));
		if (!grown)
			return CK_E_NOMEM;
		s->v = grown;
	}
	s->v[s->n] = (struct snap){res, id, api_render_object_json(ar, res, id)};
	if (!s->v[s->n].pre)
		return CK_E_NOMEM;
	s->n++;
	return 0;
}

/* Snapshots a certificate and each of its assignments. */
static int snap_cert(struct api_req *ar, struct snaps *s, int64_t cert_id, struct ck_error *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int r = snap_add(ar, s, &res_certificates, cert_id);

	if (!r)
		r = dom_cert_assignment_ids(&ar->ctx, cert_id, &ids, &n, err);
	for (size_t i = 0; !r && i < n; i++)
		r = snap_add(ar, s, &res_assignments, ids[i]);
	free(ids);
	return r;
}

/* Writes one "update" changelog row per snapshot, with the object's state now as post. */
static int snap_log(struct api_req *ar, const struct snaps *s, struct ck_error *err)
{
	int r = 0;

	for (size_t i = 0; i < s->n && !r; i++) {
		char *post = api_render_object_json(ar, s->v[i].res, s->v[i].id);
		json_t *j = post ? json_loads(post, 0, NULL) : NULL;
		const char *repr = j ? json_string_value(json_object_get(j, "display")) : NULL;
		r = post ? dom_changelog_write(&ar->ctx, "update", s->v[i].res->object_type,
					       s->v[i].id, repr, s->v[i].pre, post, err)
			 : CK_E_NOMEM;
		json_decref(j);
		free(post);
	}
	return r;
}

static void snaps_release(struct snaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].pre);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- renew / revert ---- */

struct renew_job {
	int64_t old_id, new_id, moved;
	struct import_item item;
};

/* Builds the new certificate's record: active, tenant given or inherited from old. */
static int renewal_record(const struct renew_job *job, int64_t tenant, struct dom_record *rec)
{
	int r = api_import_record(&job->item, rec);

	if (!r && !job->item.tenant && tenant)
		r = dom_record_set_int(rec, "tenant", tenant);
	if (!r)
		r = dom_record_set_text(rec, "status", "active", 6);
	return r;
}

static int run_renew(struct api_req *ar, void *arg, struct ck_error *err)
{
	struct renew_job *job = arg;
	struct dom_renewal_old old;
	struct snaps s = {0};
	struct dom_record rec = {0};
	int64_t tenant;
	int r = dom_renewal_begin(&ar->ctx, job->old_id, &old, err); /* first: the race check */

	if (r)
		return r;
	tenant = job->item.tenant ? json_integer_value(job->item.tenant) : old.tenant_id;
	r = dom_renewal_check_tenant(&ar->ctx, job->old_id, tenant, err);
	if (!r)
		r = snap_cert(ar, &s, job->old_id, err);
	if (!r)
		r = renewal_record(job, tenant, &rec);
	if (!r)
		r = api_create_record(ar, &res_certificates, &rec, &job->new_id, err);
	if (!r)
		r = dom_renewal_apply(&ar->ctx, job->old_id, job->new_id, &job->moved, err);
	if (!r)
		r = snap_log(ar, &s, err);
	dom_record_release(&rec);
	snaps_release(&s);
	return r;
}

static void send_pair(struct api_req *ar, int status, int64_t old_id, int64_t new_id,
		      const char *count_key, int64_t count)
{
	struct jsonw w;

	api_json_begin(ar, status, &w);
	jsonw_obj_open(&w);
	jsonw_key(&w, "old");
	api_render_object(ar, &res_certificates, old_id, 0, &w, NULL);
	jsonw_key(&w, "new");
	api_render_object(ar, &res_certificates, new_id, 0, &w, NULL);
	jsonw_kint(&w, count_key, count);
	jsonw_obj_close(&w);
}

static void renew(struct api_req *ar, int64_t id)
{
	struct renew_job job = {.old_id = id};
	struct ck_error err;
	json_t *body;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err)) ||
	    (r = api_import_decode(ar, body, 0, &job.item, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	if (job.item.status && strcmp(job.item.status, "active"))
		r = ck_error_set(&err, CK_E_INVALID, "status",
				 "A renewal always creates an active certificate.");
	if (!r)
		r = api_in_tx(ar, run_renew, &job, &err);
	api_import_item_release(&job.item);
	if (r)
		api_fail(ar, r, &err);
	else
		send_pair(ar, 201, id, job.new_id, "assignments_transferred", job.moved);
}

static int run_revert(struct api_req *ar, void *arg, struct ck_error *err)
{
	struct renew_job *job = arg;
	struct snaps s = {0};
	int r = dom_renewal_successor(&ar->ctx, job->old_id, &job->new_id, err);

	if (!r)
		r = snap_add(ar, &s, &res_certificates, job->old_id);
	if (!r)
		r = snap_cert(ar, &s, job->new_id, err);
	if (!r)
		r = dom_renewal_revert(&ar->ctx, job->old_id, NULL, &job->moved, err);
	if (!r)
		r = snap_log(ar, &s, err);
	snaps_release(&s);
	return r;
}

static void revert_renewal(struct api_req *ar, int64_t id)
{
	struct renew_job job = {.old_id = id};
	struct ck_error err;
	int r;

	ck_error_clear(&err);
	r = api_in_tx(ar, run_revert, &job, &err);
	if (r)
		api_fail(ar, r, &err);
	else
		send_pair(ar, 200, id, job.new_id, "assignments_moved", job.moved);
}

/* ---- shared decoding of bulk bodies ---- */

/* body.ids: a non-empty list of at most `cap` integers. */
static int decode_ids(json_t *body, int cap, json_t **ret, struct ck_error *err)
{
	json_t *ids = json_is_object(body) ? json_object_get(body, "ids") : NULL, *v;
	size_t i;

	if (!json_is_array(ids) || !json_array_size(ids))
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "ids must be a non-empty list of certificate ids.");
	if (json_array_size(ids) > (size_t)cap)
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "Batch size exceeds maximum of %d certificates.", cap);
	json_array_foreach(ids, i, v)
	{
		if (!json_is_integer(v))
			return ck_error_set(err, CK_E_INVALID, NULL,
					    "ids must contain integer ids only.");
	}
	*ret = ids;
	return 0;
}

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

/* Ends an envelope object: "key": <the prepared result list>}. */
static void send_results(struct jsonw *w, const char *key, const struct strbuf *results)
{
	jsonw_key(w, key);
	jsonw_raw(w, strbuf_str(results), results->len);
	jsonw_obj_close(w);
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
	jsonw_kstr(w, "status", x509_chain_status_name(res->status));
	jsonw_kbool(w, "is_valid", x509_chain_status_ok(res->status));
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
	    dom_record_init(&rec, api_resource_names(&res_certificates), res_certificates.nfields);

	if (!r)
		r = dom_chain_record(&ar->ctx, res, &rec);
	if (!r)
		r = api_update_record(ar, &res_certificates, id, &rec, err);
	dom_record_release(&rec);
	return r;
}

struct chain_job {
	int64_t id;
	struct x509_chain_result res;
};

static int run_store_chain(struct api_req *ar, void *arg, struct ck_error *err)
{
	struct chain_job *job = arg;

	return store_chain(ar, job->id, &job->res, err);
}

static void validate_chain(struct api_req *ar, int64_t id)
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
		r = api_in_tx(ar, run_store_chain, job, &err);
	}
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		chain_body(&w, &job->res, at, ar->ctx.now);
	}
	x509_chain_result_release(job ? &job->res : NULL);
free_job:
	free(job);
}

struct bulk_job {
	json_t *ids;
	int64_t at;
	const char *status; /* bulk-status-update */
	int64_t counts[3];
	struct strbuf out; /* the result list, as JSON */
	struct strbuf missing;
	struct jsonw w;
};

static void bulk_job_init(struct bulk_job *job)
{
	strbuf_init(&job->out, RESULTS_CAP);
	strbuf_init(&job->missing, RESULTS_CAP);
	jsonw_init(&job->w, &job->out);
	jsonw_arr_open(&job->w);
}

static void bulk_job_release(struct bulk_job *job)
{
	strbuf_release(&job->out);
	strbuf_release(&job->missing);
}

static int cert_cn(struct api_req *ar, int64_t id, char *cn, size_t cnsz, char *status, size_t ssz,
		   struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ar->ctx.conn,
			    "SELECT common_name, status, issuer FROM certificates WHERE id = $1",
			    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(cn, cnsz, "%s", store_col_text(st, 0, NULL));
		if (status)
			snprintf(status, ssz, "%s", store_col_text(st, 1, NULL));
	}
	store_done(st);
	return r < 0 ? r : r == STORE_ROW;
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
		jsonw_kstr(&job->w, "status", x509_chain_status_name(res->status));
		jsonw_kbool(&job->w, "is_valid", x509_chain_status_ok(res->status));
		jsonw_kstr(&job->w, "message", res->message);
		jsonw_kint(&job->w, "chain_depth", res->depth);
		job->counts[x509_chain_status_ok(res->status) ? 1 : 2]++;
		r = store_chain(ar, id, res, err);
		x509_chain_result_release(res);
	} else if (err) {
		*err = e;
	}
	jsonw_obj_close(&job->w);
	job->counts[0]++;
	return r;
}

static int run_bulk_chain(struct api_req *ar, void *arg, struct ck_error *err)
{
	struct bulk_job *job = arg;
	struct x509_chain_result *res = malloc(sizeof(*res)); /* ~4 KB */
	size_t i;
	json_t *v;
	int r = res ? 0 : CK_E_NOMEM;

	json_array_foreach(job->ids, i, v)
	{
		int64_t id = json_integer_value(v);
		char cn[256];
		int found = r ? 0 : cert_cn(ar, id, cn, sizeof(cn), NULL, 0, err);
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

static void bulk_validate_chain(struct api_req *ar)
{
	struct bulk_job job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int r;

	ck_error_clear(&err);
	bulk_job_init(&job);
	r = decode_at(ar, 1, &body, &job.at, &err);
	if (!r)
		r = decode_ids(body, ar->app->cfg.bulk_validate_max_batch_size, &job.ids, &err);
	if (!r)
		r = api_in_tx(ar, run_bulk_chain, &job, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		jsonw_obj_open(&w);
		jsonw_kint(&w, "validated_count", job.counts[0]);
		jsonw_kint(&w, "valid_count", job.counts[1]);
		jsonw_kint(&w, "invalid_count", job.counts[2]);
		send_results(&w, "results", &job.out);
	}
	bulk_job_release(&job);
}

/* ---- ACME detection ---- */

/* Detects the ACME provider of one certificate and stores a hit. *ret_provider: NULL on a
 * miss. Returns 1 found, 0 no such certificate, or an error. */
static int detect_one(struct api_req *ar, int64_t id, char *cn, size_t cnsz,
		      const char **ret_provider, struct ck_error *err)
{
	struct store_stmt *st;
	struct dom_record rec;
	const char *provider = NULL;
	int r = store_query(ar->ctx.conn,
			    "SELECT common_name, issuer FROM certificates WHERE id = $1", &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(cn, cnsz, "%s", store_col_text(st, 0, NULL));
		provider = dom_acme_detect(store_col_text(st, 1, NULL));
	}
	store_done(st);
	if (r != STORE_ROW)
		return r;
	*ret_provider = provider;
	if (!provider) /* a miss changes nothing; is_acme is never cleared (reference §3.6) */
		return 1;
	r = dom_record_init(&rec, api_resource_names(&res_certificates), res_certificates.nfields);
	if (!r)
		r = dom_record_set_int(&rec, "is_acme", 1);
	if (!r)
		r = dom_record_set_text(&rec, "acme_provider", provider, strlen(provider));
	if (!r)
		r = api_update_record(ar, &res_certificates, id, &rec, err);
	dom_record_release(&rec);
	return r ? r : 1;
}

struct detect_job {
	int64_t id;
	const char *provider;
	char cn[256];
};

static int run_detect(struct api_req *ar, void *arg, struct ck_error *err)
{
	struct detect_job *job = arg;
	int r = detect_one(ar, job->id, job->cn, sizeof(job->cn), &job->provider, err);

	if (!r)
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	return r < 0 ? r : 0;
}

static void detect_acme(struct api_req *ar, int64_t id)
{
	struct detect_job job = {.id = id};
	struct ck_error err;
	struct jsonw w;
	int r;

	ck_error_clear(&err);
	r = api_in_tx(ar, run_detect, &job, &err);
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

static void add_missing(struct bulk_job *job, int64_t id)
{
	strbuf_addf(&job->missing, "%s%lld", job->missing.len ? "," : "", (long long)id);
}

static int run_bulk_detect(struct api_req *ar, void *arg, struct ck_error *err)
{
	struct bulk_job *job = arg;
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
			add_missing(job, id);
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

static void send_missing(struct jsonw *w, const char *key, struct bulk_job *job)
{
	jsonw_key(w, key);
	jsonw_arr_open(w);
	jsonw_raw(w, strbuf_str(&job->missing), job->missing.len);
	jsonw_arr_close(w);
}

static void bulk_detect_acme(struct api_req *ar)
{
	struct bulk_job job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int r;

	ck_error_clear(&err);
	bulk_job_init(&job);
	r = api_body(ar, &body, &err);
	if (!r)
		r = decode_ids(body, ar->app->cfg.bulk_detect_max_batch_size, &job.ids, &err);
	if (!r)
		r = api_in_tx(ar, run_bulk_detect, &job, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		jsonw_obj_open(&w);
		jsonw_kint(&w, "total", (int64_t)json_array_size(job.ids));
		jsonw_kint(&w, "processed", job.counts[0]);
		jsonw_kint(&w, "detected_acme", job.counts[1]);
		jsonw_kint(&w, "not_acme", job.counts[2]);
		send_missing(&w, "missing_ids", &job);
		send_results(&w, "detections", &job.out);
	}
	bulk_job_release(&job);
}

/* ---- bulk status update ---- */

static int set_status(struct api_req *ar, int64_t id, const char *status, struct ck_error *err)
{
	struct dom_record rec;
	int r =
	    dom_record_init(&rec, api_resource_names(&res_certificates), res_certificates.nfields);

	if (!r)
		r = dom_record_set_text(&rec, "status", status, strlen(status));
	if (!r)
		r = api_update_record(ar, &res_certificates, id, &rec,
				      err); /* hooks: event, archived_at */
	dom_record_release(&rec);
	return r;
}

static int run_bulk_status(struct api_req *ar, void *arg, struct ck_error *err)
{
	struct bulk_job *job = arg;
	size_t i;
	json_t *v;
	int r = 0;

	json_array_foreach(job->ids, i, v)
	{
		int64_t id = json_integer_value(v);
		char cn[256], old[16];
		int found = cert_cn(ar, id, cn, sizeof(cn), old, sizeof(old), err);
		if (found < 0)
			return found;
		if (!found) {
			add_missing(job, id);
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

static void bulk_status_update(struct api_req *ar)
{
	struct bulk_job job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	int r;

	ck_error_clear(&err);
	bulk_job_init(&job);
	r = api_body(ar, &body, &err);
	if (!r)
		r = decode_ids(body, ar->app->cfg.bulk_status_update_max_batch_size, &job.ids,
			       &err);
	if (!r)
		r = decode_status(body, &job.status, &err);
	if (!r)
		r = api_in_tx(ar, run_bulk_status, &job, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 200, &w);
		jsonw_obj_open(&w);
		jsonw_kint(&w, "updated_count", job.counts[0]);
		send_missing(&w, "not_found_ids", &job);
		send_results(&w, "results", &job.out);
	}
	bulk_job_release(&job);
}

/* ---- diff (reference §3.13) ---- */

static const char *const diff_fields[] = {"status",	      "valid_from", "valid_to",
					  "issuer",	      "algorithm",  "key_size",
					  "assignment_count", "tenant",	    NULL};

/* Items keyed by fingerprint_sha256 (later duplicates win); items without one are ignored. */
static json_t *diff_index(json_t *items)
{
	json_t *idx = json_object(), *v;
	size_t i;

	json_array_foreach(items, i, v)
	{
		json_t *fp = json_is_object(v) ? json_object_get(v, "fingerprint_sha256") : NULL;
		if (idx && json_is_string(fp) && json_string_length(fp))
			json_object_set(idx, json_string_value(fp), v);
	}
	return idx;
}

static void write_json(struct jsonw *w, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	if (s)
		jsonw_raw(w, s, strlen(s));
	else
		jsonw_null(w);
	free(s);
}

/* Writes {fingerprint_sha256, common_name, changes} when a compared field differs; 1 if so. */
static int diff_changed(struct jsonw *w, const char *fp, json_t *o, json_t *n)
{
	json_t *cn = json_object_get(n, "common_name");
	int any = 0;

	for (int i = 0; diff_fields[i]; i++) {
		json_t *a = json_object_get(o, diff_fields[i]),
		       *b = json_object_get(n, diff_fields[i]);
		if (json_equal(a ? a : json_null(), b ? b : json_null()))
			continue;
		if (!any++) {
			jsonw_obj_open(w);
			jsonw_kstr(w, "fingerprint_sha256", fp);
			jsonw_kstr(w, "common_name",
				   json_is_string(cn) ? json_string_value(cn) : "Unknown");
			jsonw_key(w, "changes");
			jsonw_arr_open(w);
		}
		jsonw_obj_open(w);
		jsonw_kstr(w, "field", diff_fields[i]);
		jsonw_key(w, "old");
		write_json(w, a);
		jsonw_key(w, "new");
		write_json(w, b);
		jsonw_obj_close(w);
	}
	if (any) {
		jsonw_arr_close(w);
		jsonw_obj_close(w);
	}
	return any != 0;
}

/* Writes the items of `a` whose key is not in `b`; returns their number. */
static int64_t diff_only(struct jsonw *w, json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	int64_t n = 0;

	jsonw_arr_open(w);
	json_object_foreach(a, k, v)
	{
		if (!json_object_get(b, k)) {
			write_json(w, v);
			n++;
		}
	}
	jsonw_arr_close(w);
	return n;
}

static void diff_write(struct jsonw *w, json_t *old, json_t *new)
{
	int64_t added, removed, changed = 0, unchanged = 0;
	const char *k;
	json_t *v;

	jsonw_obj_open(w);
	jsonw_key(w, "added");
	added = diff_only(w, new, old);
	jsonw_key(w, "removed");
	removed = diff_only(w, old, new);
	jsonw_key(w, "changed");
	jsonw_arr_open(w);
	json_object_foreach(new, k, v)
	{
		json_t *o = json_object_get(old, k);
		if (!o)
			continue;
		if (diff_changed(w, k, o, v))
			changed++;
		else
			unchanged++;
	}
	jsonw_arr_close(w);
	jsonw_key(w, "summary");
	jsonw_obj_open(w);
	jsonw_kint(w, "added_count", added);
	jsonw_kint(w, "removed_count", removed);
	jsonw_kint(w, "changed_count", changed);
	jsonw_kint(w, "unchanged_count", unchanged);
	jsonw_obj_close(w);
	jsonw_obj_close(w);
}

static void diff(struct api_req *ar)
{
	struct ck_error err;
	struct jsonw w;
	json_t *body, *old, *new, *io = NULL, *in = NULL;
	size_t max = (size_t)ar->app->cfg.max_export_size;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	old = json_is_object(body) ? json_object_get(body, "old") : NULL;
	new = json_is_object(body) ? json_object_get(body, "new") : NULL;
	if (!json_is_array(old) || !json_is_array(new)) {
		api_fail_detail(ar, CK_E_INVALID, "Both 'old' and 'new' must be JSON arrays.");
		return;
	}
	if (json_array_size(old) > max || json_array_size(new) > max) {
		ck_error_set(&err, CK_E_INVALID, NULL,
			     "Snapshots exceed maximum size of %zu items.", max);
		api_fail(ar, CK_E_INVALID, &err);
		return;
	}
	io = diff_index(old);
	in = diff_index(new);
	if (!io || !in) {
		api_fail(ar, CK_E_NOMEM, NULL);
	} else {
		api_json_begin(ar, 200, &w);
		diff_write(&w, io, in);
	}
	json_decref(io);
	json_decref(in);
}

/* ---- dispatch ---- */

static int serve_detail(struct api_req *ar, int64_t id, const char *rest)
{
	static const struct {
		const char *rest;
		void (*fn)(struct api_req *ar, int64_t id);
	} actions[] = {
	    {"renew/", renew},
	    {"revert-renewal/", revert_renewal},
	    {"validate-chain/", validate_chain},
	    {"detect-acme/", detect_acme},
	};

	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(rest, actions[i].rest))
			continue;
		if (api_require_write(ar))
			actions[i].fn(ar, id);
		return 1;
	}
	return 0;
}

static int serve_list(struct api_req *ar, const char *rest)
{
	static const struct {
		const char *rest;
		void (*fn)(struct api_req *ar);
		int write;
	} actions[] = {
	    {"bulk-validate-chain/", bulk_validate_chain, 1},
	    {"bulk-detect-acme/", bulk_detect_acme, 1},
	    {"bulk-status-update/", bulk_status_update, 1},
	    {"diff/", diff, 0},
	};

	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(rest, actions[i].rest))
			continue;
		if (!actions[i].write || api_require_write(ar))
			actions[i].fn(ar);
		return 1;
	}
	return 0;
}

int api_lifecycle_action(struct api_req *ar, const struct api_resource *res, int64_t id,
			 const char *rest)
{
	if (res != &res_certificates || strcmp(ar->http->method, "POST"))
		return 0;
	return id ? serve_detail(ar, id, rest) : serve_list(ar, rest);
}
