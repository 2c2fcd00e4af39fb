/*
 * api/actions_cert — certificate actions: import/ (Smart Paste, with dry_run preview),
 * bulk-import/ (all-or-nothing), {id}/lifecycle/. Shape: decode → domain → encode.
 */
#include "api/actions.h"
#include "api/cert_import.h"
#include "api/query.h"
#include "api/resources.h"
#include "api/write.h"
#include "domain/certificate.h"
#include "domain/import.h"
#include "store/certificates.h"

#include <stdlib.h>
#include <string.h>

#define LIFECYCLE_EVENTS_MAX 50 /* events {id}/lifecycle/ lists (reference §2.3) */

void api_import_item_release(struct import_item *it)
{
	dom_cert_bundle_free(it->bundle);
	it->bundle = NULL;
}

int api_import_decode(struct api_req *ar, json_t *obj, int allow_dry_run, struct import_item *it,
		      struct ck_error *err)
{
	static const char *const known[] = {
	    "pem_content", "private_key_location", "tenant", "status", "dry_run", NULL};
	const char *key;
	json_t *v, *pem;

	memset(it, 0, sizeof(*it));
	if (!json_is_object(obj))
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "Invalid data. Expected a dictionary.");
	json_object_foreach(obj, key, v)
	{
		int ok = 0;
		for (int i = 0; known[i] && !ok; i++)
			ok = !strcmp(key, known[i]) && (allow_dry_run || strcmp(key, "dry_run"));
		if (!ok)
			return ck_error_set(err, CK_E_INVALID, key, "Unknown field.");
	}
	v = json_object_get(obj, "dry_run");
	if (v && !json_is_boolean(v))
		return ck_error_set(err, CK_E_INVALID, "dry_run", "dry_run must be a boolean.");
	pem = json_object_get(obj, "pem_content");
	if (!pem)
		return ck_error_set(err, CK_E_INVALID, "pem_content", "This field is required.");
	if (!json_is_string(pem))
		return ck_error_set(err, CK_E_INVALID, "pem_content", "Not a valid string.");
	it->pem = json_string_value(pem);
	it->pem_len = json_string_length(pem);
	v = json_object_get(obj, "private_key_location");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || json_string_length(v) > 512)
			return ck_error_set(
			    err, CK_E_INVALID, "private_key_location",
			    "Ensure this field is a string of no more than 512 characters.");
		it->key_location = json_string_value(v);
	}
	v = json_object_get(obj, "status");
	if (v) {
		int ok = 0;
		for (int i = 0; json_is_string(v) && dom_cert_statuses[i] && !ok; i++)
			ok = !strcmp(dom_cert_statuses[i], json_string_value(v));
		if (!ok)
			return ck_error_set(err, CK_E_INVALID, "status",
					    "\"%.40s\" is not a valid choice.",
					    json_is_string(v) ? json_string_value(v) : "?");
		it->status = json_string_value(v);
	}
	v = json_object_get(obj, "tenant");
	if (v && !json_is_null(v)) {
		int64_t p;
		int found;
		if (!json_is_integer(v))
			return ck_error_set(err, CK_E_INVALID, "tenant",
					    "Incorrect type. Expected pk value.");
		p = json_integer_value(v);
		if ((found = store_id_exists(ar->ctx.conn, "tenants", p, err)) < 0)
			return CK_E_DB;
		if (!found)
			return ck_error_set(err, CK_E_INVALID, "tenant",
					    "Invalid pk \"%lld\" - object does not exist.",
					    (long long)p);
		it->tenant = v;
	}
	if (dom_cert_parse_input(it->pem, it->pem_len, (size_t)ar->app->cfg.max_pem_bytes,
				 &it->bundle, err)) {
		if (err && !err->field[0])
			snprintf(err->field, sizeof(err->field), "pem_content");
		return err ? err->code : CK_E_PARSE;
	}
	if (!it->bundle->ncerts) {
		api_import_item_release(it);
		return ck_error_set(err, CK_E_PARSE, "pem_content",
				    "No valid certificate found in input. Please provide a "
				    "certificate in PEM format.");
	}
	return 0;
}

/* Builds the certificate record of an import item (leaf + chain + request options). */
int api_import_record(const struct import_item *it, struct dom_record *rec)
{
	int r = dom_record_init(rec, dom_model_names(res_certificates.model),
				res_certificates.model->nfields);

	if (!r)
		r = dom_cert_record_from_x509(rec, &it->bundle->certs[0], it->bundle->issuer_chain);
	if (!r && it->key_location)
		r = dom_record_set_text(rec, "private_key_location", it->key_location,
					strlen(it->key_location));
	if (!r && it->tenant)
		r = dom_record_set_int(rec, "tenant", json_integer_value(it->tenant));
	if (!r && it->status)
		r = dom_record_set_text(rec, "status", it->status, strlen(it->status));
	return r;
}

struct import_job {
	struct import_item *items;
	size_t n;
	int64_t *ids;
};

/* The import command (domain/import.h) over the decoded items: their records, created in one
 * unit of work; err->index names the failing item. */
static int run_import(struct api_req *ar, struct import_job *job, struct ck_error *err)
{
	struct dom_record *recs = calloc(job->n ? job->n : 1, sizeof(*recs));
	struct dom_cert_import imp = {.recs = recs, .n = job->n, .ret_ids = job->ids};
	int r = recs ? 0 : CK_E_NOMEM;

	for (size_t i = 0; i < job->n && !r; i++)
		r = api_import_record(&job->items[i], &recs[i]);
	if (!r)
		r = dom_cert_import(&ar->ctx, &imp, err);
	for (size_t i = 0; recs && i < job->n; i++)
		dom_record_release(&recs[i]);
	free(recs);
	return r;
}

/* Preview of every certificate in the input (dry run): parsed fields, duplicate, CA,
 * renewal candidate (active, same CN, same tenant when given, latest valid_to). */
static void preview_cert(struct api_req *ar, const struct x509_cert_info *c, struct jsonw *w)
{
	struct ck_error err;
	int64_t dup = 0, ca = 0;

	ck_error_clear(&err);
	jsonw_obj_open(w);
	jsonw_kstr(w, "common_name", c->common_name);
	jsonw_kstr(w, "subject", c->subject);
	jsonw_kstr(w, "issuer", c->issuer);
	jsonw_kstr(w, "serial_number", c->serial_number);
	jsonw_kstr(w, "fingerprint_sha256", c->fingerprint_sha256);
	jsonw_key(w, "valid_from");
	jsonw_time(w, c->valid_from);
	jsonw_key(w, "valid_to");
	jsonw_time(w, c->valid_to);
	jsonw_kint(w, "days_remaining", dom_cert_days_remaining(c->valid_to, ar->ctx.now));
	jsonw_kstr(w, "expiry_status",
		   dom_cert_expiry_status(c->valid_to, ar->ctx.now, ar->ctx.cfg));
	jsonw_key(w, "sans");
	jsonw_arr_open(w);
	for (size_t i = 0; i < c->nsans; i++)
		jsonw_str(w, c->sans[i]);
	jsonw_arr_close(w);
	jsonw_kstr(w, "algorithm", c->algorithm);
	jsonw_key(w, "key_size");
	if (c->key_size < 0)
		jsonw_null(w);
	else
		jsonw_int(w, c->key_size);
	jsonw_kbool(w, "is_ca", c->is_ca);
	jsonw_kbool(w, "is_self_signed", c->is_self_signed);
	jsonw_key(w, "acme_provider");
	jsonw_str(w, dom_acme_detect(c->issuer));
	dom_cert_find_duplicate(&ar->ctx, c->serial_number, c->issuer, c->fingerprint_sha256, 0,
				&dup, &err);
	jsonw_key(w, "duplicate_of");
	if (dup)
		api_render_object(ar, &res_certificates, dup, 1, w, NULL);
	else
		jsonw_null(w);
	jsonw_key(w, "issuing_ca");
	if (!dom_ca_detect(&ar->ctx, c->issuer, &ca, NULL) && ca &&
	    api_registry_find("certificate-authorities"))
		api_render_object(ar, api_registry_find("certificate-authorities"), ca, 1, w, NULL);
	else
		jsonw_null(w);
	jsonw_obj_close(w);
}

static int64_t renewal_candidate(struct api_req *ar, const struct import_item *it)
{
	int64_t id = 0;
	const struct x509_cert_info *leaf = &it->bundle->certs[0];

	if (store_cert_renewal_candidate(ar->ctx.conn, leaf->common_name, leaf->fingerprint_sha256,
					 it->tenant ? json_integer_value(it->tenant) : 0, &id,
					 NULL))
		return 0;
	return id;
}

static void import_dry_run(struct api_req *ar, struct import_item *it)
{
	struct jsonw w;
	int64_t cand = renewal_candidate(ar, it);

	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kbool(&w, "dry_run", 1);
	jsonw_key(&w, "certificates");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < it->bundle->ncerts; i++)
		preview_cert(ar, &it->bundle->certs[i], &w);
	jsonw_arr_close(&w);
	jsonw_kint(&w, "chain_length", (int64_t)it->bundle->ncerts - 1);
	jsonw_key(&w, "renewal_candidate");
	if (cand)
		api_render_object(ar, &res_certificates, cand, 0, &w, NULL);
	else
		jsonw_null(&w);
	jsonw_obj_close(&w);
}

static void import_one(struct api_req *ar)
{
	struct import_item it;
	struct import_job job;
	struct ck_error err;
	struct jsonw w;
	json_t *body, *dry;
	int64_t id = 0;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err)) || (r = api_import_decode(ar, body, 1, &it, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	dry = json_object_get(body, "dry_run");
	if (dry && json_is_true(dry)) {
		import_dry_run(ar, &it);
		api_import_item_release(&it);
		return;
	}
	job = (struct import_job){&it, 1, &id};
	r = run_import(ar, &job, &err);
	api_import_item_release(&it);
	if (r) {
		api_fail(ar, r, &err);
		return;
	}
	api_json_begin(ar, 201, &w);
	api_render_object(ar, &res_certificates, id, 0, &w, NULL);
}

/* Validates every item before any write; duplicates inside the batch count too. */
static int validate_batch(struct api_req *ar, struct import_job *job, json_t *body,
			  struct jsonw *ew)
{
	int failed = 0;

	for (size_t i = 0; i < job->n; i++) {
		struct ck_error err;
		int64_t dup = 0;
		int r;

		ck_error_clear(&err);
		r = api_import_decode(ar, json_array_get(body, i), 0, &job->items[i], &err);
		if (!r)
			r = dom_cert_find_duplicate(
			    &ar->ctx, job->items[i].bundle->certs[0].serial_number,
			    job->items[i].bundle->certs[0].issuer,
			    job->items[i].bundle->certs[0].fingerprint_sha256, 0, &dup, &err);
		for (size_t k = 0; !r && !dup && k < i; k++)
			if (job->items[k].bundle &&
			    !strcmp(job->items[k].bundle->certs[0].fingerprint_sha256,
				    job->items[i].bundle->certs[0].fingerprint_sha256)) {
				r = ck_error_set(
				    &err, CK_E_DUPLICATE, "pem_content",
				    "Duplicate of certificate at index %zu in this request.", k);
			}
		if (!r && !dup)
			continue;
		if (!failed++) {
			jsonw_obj_open(ew);
			jsonw_kstr(ew, "detail", "Validation failed for one or more certificates.");
			jsonw_key(ew, "failed_certificates");
			jsonw_arr_open(ew);
		}
		jsonw_obj_open(ew);
		jsonw_kint(ew, "index", (int64_t)i);
		jsonw_key(ew, "errors");
		jsonw_obj_open(ew);
		jsonw_key(ew, err.field[0] ? err.field : "pem_content");
		jsonw_arr_open(ew);
		jsonw_str(ew, r == CK_E_DB || r == CK_E_NOMEM ? "Internal error." : err.msg);
		jsonw_arr_close(ew);
		jsonw_obj_close(ew);
		jsonw_obj_close(ew);
	}
	if (failed) {
		jsonw_arr_close(ew);
		jsonw_obj_close(ew);
	}
	return failed;
}

static void bulk_import(struct api_req *ar)
{
	struct import_job job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body;
	size_t max = (size_t)ar->app->cfg.bulk_import_max_batch_size;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	if (!json_is_array(body)) {
		api_fail_detail(ar, CK_E_INVALID, "Expected a list of certificates.");
		return;
	}
	job.n = json_array_size(body);
	if (!job.n) {
		api_fail_detail(ar, CK_E_INVALID, "Empty list: nothing to import.");
		return;
	}
	if (job.n > max) {
		char msg[96];
		snprintf(msg, sizeof(msg), "Batch size exceeds maximum of %zu certificates.", max);
		api_fail_detail(ar, CK_E_INVALID, msg);
		return;
	}
	job.items = calloc(job.n, sizeof(*job.items));
	job.ids = calloc(job.n, sizeof(*job.ids));
	if (!job.items || !job.ids) {
		api_fail(ar, CK_E_NOMEM, NULL);
		goto out;
	}
	api_json_begin(ar, 400, &w);
	if (validate_batch(ar, &job, body, &w))
		goto out;
	strbuf_reset(&ar->resp->body);
	r = run_import(ar, &job, &err);
	if (r) {
		if (r == CK_E_DUPLICATE)
			ck_error_set(&err, r, NULL,
				     "A database constraint error occurred. Check for duplicate "
				     "certificates.");
		api_fail(ar, r, &err);
		goto out;
	}
	api_json_begin(ar, 201, &w);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "created_count", (int64_t)job.n);
	jsonw_key(&w, "certificates");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < job.n; i++)
		api_render_object(ar, &res_certificates, job.ids[i], 0, &w, NULL);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
out:
	for (size_t i = 0; job.items && i < job.n; i++)
		api_import_item_release(&job.items[i]);
	free(job.items);
	free(job.ids);
}

/* Human-readable label of a lifecycle event type (choices display, as NetBox's). */
static const char *event_label(const char *type)
{
	static const struct {
		const char *type, *label;
	} labels[] = {
	    {"imported", "Imported"},
	    {"issued", "Issued"},
	    {"activated", "Activated"},
	    {"status_changed", "Status Changed"},
	    {"renewed", "Renewed"},
	    {"revoked", "Revoked"},
	    {"archived", "Archived"},
	    {"assignment_added", "Assignment Added"},
	    {"assignment_removed", "Assignment Removed"},
	    {"renewal_reverted", "Renewal Reverted"},
	};

	for (size_t i = 0; type && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].type, type))
			return labels[i].label;
	return type ? type : "";
}

static void lifecycle(struct api_req *ar, int64_t id)
{
	struct store_lifecycle_event ev;
	struct store_stmt *st;
	struct ck_error err;
	struct jsonw w;
	int r;

	ck_error_clear(&err);
	if (store_id_exists(ar->ctx.conn, "certificates", id, &err) != 1) {
		api_fail_detail(ar, CK_E_NOTFOUND, "Not found.");
		return;
	}
	if ((r = store_lifecycle_list(ar->ctx.conn, id, LIFECYCLE_EVENTS_MAX, &st, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "certificate_id", id);
	jsonw_key(&w, "events");
	jsonw_arr_open(&w);
	while (store_lifecycle_next(st, &ev, &err) == 1) {
		jsonw_obj_open(&w);
		jsonw_kint(&w, "id", ev.id);
		jsonw_kstr(&w, "event_type", ev.type);
		jsonw_kstr(&w, "event_type_display", event_label(ev.type));
		jsonw_key(&w, "timestamp");
		jsonw_time(&w, ev.timestamp);
		jsonw_kstr(&w, "description", ev.description);
		jsonw_kstr(&w, "old_status", ev.old_status);
		jsonw_kstr(&w, "new_status", ev.new_status);
		jsonw_key(&w, "related_certificate_id");
		if (!ev.related)
			jsonw_null(&w);
		else
			jsonw_int(&w, ev.related);
		jsonw_kstr(&w, "actor", ev.actor);
		jsonw_obj_close(&w);
	}
	store_done(st);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
}

/* ---- handlers of the action table (api/actions.c) ---- */

void api_act_cert_import(struct api_req *ar, int64_t id)
{
	(void)id;
	import_one(ar);
}

void api_act_cert_bulk_import(struct api_req *ar, int64_t id)
{
	(void)id;
	bulk_import(ar);
}

void api_act_cert_lifecycle(struct api_req *ar, int64_t id) { lifecycle(ar, id); }
