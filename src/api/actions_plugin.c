/*
 * api/actions_plugin — actions of the other plugin resources: csrs/import/,
 * certificate-authorities/seed-defaults/, certificates/bulk-assign/. Each decodes the request,
 * runs its domain command (domain/plugin.h) and renders the result.
 */
#include "api/actions.h"
#include "api/resources.h"
#include "domain/assignment.h"
#include "domain/certificate.h"
#include "domain/plugin.h"

#include <stdlib.h>
#include <string.h>

static int check_keys(json_t *obj, const char *const *known, struct ck_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "Invalid data. Expected a dictionary.");
	json_object_foreach(obj, key, v)
	{
		int ok = 0;
		(void)v;
		for (int i = 0; known[i] && !ok; i++)
			ok = !strcmp(key, known[i]);
		if (!ok)
			return ck_error_set(err, CK_E_INVALID, key, "Unknown field.");
	}
	return 0;
}

static int set_text_field(struct dom_record *rec, json_t *body, const char *key, size_t max,
			  struct ck_error *err)
{
	json_t *v = json_object_get(body, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > max)
		return ck_error_set(err, CK_E_INVALID, key,
				    "Ensure this field is a string of no more than %zu characters.",
				    max);
	return dom_record_set_text(rec, key, json_string_value(v), json_string_length(v));
}

/* A parsed CSR's text fields, as saved (CSR_SAVED: with the PEM) and as the import preview
 * shows them (CSR_SHOWN: with the subject string instead). */
enum { CSR_SAVED = 1, CSR_SHOWN = 2 };
#define CSR_TEXTS 10
struct csr_text {
	const char *name, *value;
	unsigned in;
};

static void csr_texts(const struct x509_csr_info *c, struct csr_text t[CSR_TEXTS])
{
	const unsigned both = CSR_SAVED | CSR_SHOWN;
	const struct csr_text all[CSR_TEXTS] = {
	    {"common_name", c->common_name, both},
	    {"organization", c->organization, both},
	    {"organizational_unit", c->organizational_unit, both},
	    {"locality", c->locality, both},
	    {"state", c->state, both},
	    {"country", c->country, both},
	    {"subject_string", c->subject, CSR_SHOWN},
	    {"algorithm", c->algorithm, both},
	    {"fingerprint_sha256", c->fingerprint_sha256, both},
	    {"pem_content", c->pem, CSR_SAVED}};

	memcpy(t, all, sizeof(all));
}

static int csr_record(struct dom_record *rec, const struct x509_csr_info *c)
{
	struct csr_text texts[CSR_TEXTS];
	json_t *sans = json_array();
	char *text;
	int r = 0;

	csr_texts(c, texts);
	for (size_t i = 0; i < CSR_TEXTS && !r; i++)
		if (texts[i].in & CSR_SAVED)
			r = dom_record_set_text(rec, texts[i].name, texts[i].value,
						strlen(texts[i].value));
	if (!r)
		r = c->key_size < 0 ? dom_record_set_null(rec, "key_size")
				    : dom_record_set_int(rec, "key_size", c->key_size);
	for (size_t i = 0; i < c->nsans; i++)
		json_array_append_new(sans, json_string(c->sans[i]));
	text = json_dumps(sans, JSON_COMPACT);
	if (!r)
		r = text ? dom_record_set_text(rec, "sans", text, strlen(text)) : CK_E_NOMEM;
	free(text);
	json_decref(sans);
	return r;
}

/* dry_run: the request parsed as it would be saved (the UI's preview before Save), with
 * the CSR it would duplicate; nothing is written. */
static void csr_preview(struct api_req *ar, const struct x509_csr_info *c)
{
	struct csr_text texts[CSR_TEXTS];
	struct ck_error err;
	struct jsonw w;
	int64_t dup = 0;

	csr_texts(c, texts);
	ck_error_clear(&err);
	if (store_id_by_text(ar->ctx.conn, "csrs", "fingerprint_sha256", c->fingerprint_sha256,
			     &dup, &err) != 1)
		dup = 0;
	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kbool(&w, "dry_run", 1);
	for (size_t i = 0; i < CSR_TEXTS; i++)
		if (texts[i].in & CSR_SHOWN)
			jsonw_kstr(&w, texts[i].name, texts[i].value);
	jsonw_key(&w, "key_size");
	if (c->key_size < 0)
		jsonw_null(&w);
	else
		jsonw_int(&w, c->key_size);
	jsonw_key(&w, "sans");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < c->nsans; i++)
		jsonw_str(&w, c->sans[i]);
	jsonw_arr_close(&w);
	jsonw_key(&w, "duplicate_of");
	if (dup)
		api_render_object(ar, &res_csrs, dup, 1, &w, NULL);
	else
		jsonw_null(&w);
	jsonw_obj_close(&w);
}

static void csr_import(struct api_req *ar)
{
	static const char *const known[] = {"pem_content", "requested_by", "target_ca", "tenant",
					    "notes",	   "dry_run",	   NULL};
	struct x509_bundle *b = NULL;
	struct dom_record rec = {0};
	struct ck_error err;
	int64_t id = 0;
	struct jsonw w;
	json_t *body, *pem, *tenant, *dry;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err)) || (r = check_keys(body, known, &err)))
		goto fail;
	dry = json_object_get(body, "dry_run");
	if (dry && !json_is_boolean(dry)) {
		r = ck_error_set(&err, CK_E_INVALID, "dry_run", "dry_run must be a boolean.");
		goto fail;
	}
	pem = json_object_get(body, "pem_content");
	if (!json_is_string(pem)) {
		r = ck_error_set(&err, CK_E_INVALID, "pem_content",
				 pem ? "Not a valid string." : "This field is required.");
		goto fail;
	}
	if ((r = dom_cert_parse_input(json_string_value(pem), json_string_length(pem),
				      (size_t)ar->app->cfg.max_pem_bytes, &b, &err))) {
		if (r == CK_E_PRIVKEY)
			ck_error_set(&err, r, "pem_content",
				     "Private key detected. CSR imports must not include private "
				     "key material.");
		else if (!err.field[0])
			snprintf(err.field, sizeof(err.field), "pem_content");
		goto fail;
	}
	if (!b->ncsrs) {
		r = ck_error_set(&err, CK_E_PARSE, "pem_content",
				 "No valid CSR found in input. Please provide a CSR in PEM format "
				 "(BEGIN CERTIFICATE REQUEST).");
		goto fail;
	}
	if ((r = dom_record_init(&rec, dom_model_names(res_csrs.model), res_csrs.model->nfields)) ||
	    (r = csr_record(&rec, &b->csrs[0])) ||
	    (r = set_text_field(&rec, body, "requested_by", 255, &err)) ||
	    (r = set_text_field(&rec, body, "target_ca", 255, &err)) ||
	    (r = set_text_field(&rec, body, "notes", 100000, &err)))
		goto fail;
	tenant = json_object_get(body, "tenant");
	if (tenant && !json_is_null(tenant)) {
		int64_t p = json_is_integer(tenant) ? json_integer_value(tenant) : 0;
		if (store_id_exists(ar->ctx.conn, "tenants", p, &err) != 1) {
			r = ck_error_set(&err, CK_E_INVALID, "tenant",
					 "Invalid pk - object does not exist.");
			goto fail;
		}
		dom_record_set_int(&rec, "tenant", p);
	}
	if (dry && json_is_true(dry)) {
		csr_preview(ar, &b->csrs[0]);
		goto out;
	}
	if ((r = dom_csr_import(&ar->ctx, &rec, &id, &err)))
		goto fail;
	api_json_begin(ar, 201, &w);
	api_render_object(ar, &res_csrs, id, 0, &w, NULL);
	goto out;
fail:
	api_fail(ar, r, &err);
out:
	dom_record_release(&rec);
	dom_cert_bundle_free(b);
}

static void seed_cas(struct api_req *ar)
{
	struct ck_error err;
	struct jsonw w;
	int created = 0;
	int r;

	ck_error_clear(&err);
	if ((r = dom_ca_seed_defaults(&ar->ctx, &created, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	api_json_begin(ar, created ? 201 : 200, &w);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "created_count", created);
	jsonw_kint(&w, "total", (int64_t)dom_ca_default_count());
	jsonw_obj_close(&w);
}

static void bulk_assign(struct api_req *ar)
{
	static const char *const known[] = {"certificate_ids", "assigned_object_type",
					    "assigned_object_id", "is_primary", NULL};
	struct dom_bulk_assign job = {0};
	struct ck_error err;
	struct jsonw w;
	json_t *body, *v, *ids;
	int64_t *cert_ids = NULL;
	size_t i;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err)) || (r = check_keys(body, known, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	ids = json_object_get(body, "certificate_ids");
	v = json_object_get(body, "assigned_object_type");
	job.type = json_is_string(v) ? json_string_value(v) : "";
	v = json_object_get(body, "assigned_object_id");
	job.target = json_is_integer(v) ? json_integer_value(v) : 0;
	v = json_object_get(body, "is_primary");
	job.primary = v ? json_is_true(v) : 1;
	if (!json_is_array(ids) || !json_array_size(ids)) {
		api_fail_detail(ar, CK_E_INVALID,
				"certificate_ids must be a non-empty list of ids.");
		return;
	}
	if (json_array_size(ids) > (size_t)ar->app->cfg.bulk_assign_max_batch_size) {
		char msg[96];
		snprintf(msg, sizeof(msg), "Batch size exceeds maximum of %d certificates.",
			 ar->app->cfg.bulk_assign_max_batch_size);
		api_fail_detail(ar, CK_E_INVALID, msg);
		return;
	}
	json_array_foreach(ids, i, v)
	{
		if (!json_is_integer(v)) {
			api_fail_detail(ar, CK_E_INVALID,
					"certificate_ids must contain integer ids only.");
			return;
		}
	}
	if (!job.target) {
		api_fail_detail(ar, CK_E_INVALID, "assigned_object_id must be a positive integer.");
		return;
	}
	job.n = json_array_size(ids);
	cert_ids = calloc(job.n, sizeof(*cert_ids));
	job.not_found = calloc(job.n, sizeof(*job.not_found));
	r = cert_ids && job.not_found ? 0 : CK_E_NOMEM;
	for (i = 0; !r && i < job.n; i++)
		cert_ids[i] = json_integer_value(json_array_get(ids, i));
	job.cert_ids = cert_ids;
	if (!r)
		r = dom_bulk_assign(&ar->ctx, &job, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		api_json_begin(ar, 201, &w);
		jsonw_obj_open(&w);
		jsonw_kint(&w, "created_count", job.created);
		jsonw_kint(&w, "skipped_count", job.skipped);
		jsonw_key(&w, "not_found_ids");
		jsonw_arr_open(&w);
		for (i = 0; i < job.nnot_found; i++)
			jsonw_int(&w, job.not_found[i]);
		jsonw_arr_close(&w);
		jsonw_obj_close(&w);
	}
	free(cert_ids);
	free(job.not_found);
}

/* ---- handlers of the action table (api/actions.c) ---- */

void api_act_csr_import(struct api_req *ar, int64_t id)
{
	(void)id;
	csr_import(ar);
}

void api_act_ca_seed_defaults(struct api_req *ar, int64_t id)
{
	(void)id;
	seed_cas(ar);
}

void api_act_cert_bulk_assign(struct api_req *ar, int64_t id)
{
	(void)id;
	bulk_assign(ar);
}
