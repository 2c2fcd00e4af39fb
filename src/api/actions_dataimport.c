/*
 * api/actions_dataimport — the two file-shaped import paths of certificates:
 *
 *  POST certificates/bulk-data-import/  (reference §2.3, §3.12; seed "Bulk CSV/JSON Import")
 *    {content, format auto|csv|json, on_duplicate error|skip}: pre-extracted certificate
 *    metadata. decode → every row validated (all row errors reported together) → ONE
 *    transaction: duplicates skipped or fatal, each row created through the registry's generic
 *    path (so the certificate hooks run: normalisation, CA and ACME detection, changelog) →
 *    201 {created_count, skipped_count, certificates}.
 *
 *  POST certificates/import-file/  (§2.3, §3.2)
 *    multipart `file` (PEM, DER, PKCS#7 PEM/DER) + optional `tenant`: PEM gives one certificate
 *    with its chain; DER one; PKCS#7 one per certificate without chain. Existing certificates
 *    (serial+issuer, or fingerprint) are skipped. 201 when something was created, else 200.
 */
#include "api/actions.h"
#include "api/csv.h"
#include "api/resources.h"
#include "api/write.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/import.h"
#include "http/multipart.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATAIMPORT_MAX_CONTENT ((size_t)5 << 20) /* bytes of `content` (the reference UI cap) */
#define DATAIMPORT_MAX_SANS 1000		 /* SANs of one row */

static const char *const required_fields[] = {
    "common_name", "serial_number",	 "issuer",    "valid_from",
    "valid_to",	   "fingerprint_sha256", "algorithm", NULL};
/* sorted, as the reference lists them in messages */
static const char *const import_algorithms[] = {"ecdsa", "ed25519", "rsa", "unknown", NULL};
static const char *const import_statuses[] = {"active",	  "expired", "pending",
					      "replaced", "revoked", NULL};

struct row_errors {
	struct strbuf sb; /* JSON array text "[{row, field, message}, ...]" being built */
	struct jsonw w;
	size_t n;
};

static void row_error(struct row_errors *re, long row, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void row_error(struct row_errors *re, long row, const char *field, const char *fmt, ...)
{
	char msg[CK_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jsonw_obj_open(&re->w);
	jsonw_kint(&re->w, "row", row);
	jsonw_kstr(&re->w, "field", field);
	jsonw_kstr(&re->w, "message", msg);
	jsonw_obj_close(&re->w);
	re->n++;
}

/* ---- one row ------------------------------------------------------------------------------ */

/* A row value as trimmed text: 1 with *ret (malloc'ed) when it is a non-empty string, 0 when
 * absent/empty/null, -1 when it is not a string. */
static int row_text(json_t *obj, const char *name, char **ret)
{
	json_t *v = json_object_get(obj, name);
	const char *s;
	size_t n;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	n = json_string_length(v);
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n)
		return 0;
	*ret = strndup(s, n);
	return *ret ? 1 : -2;
}

/* %Y-%m-%d, %Y-%m-%d[T ]%H:%M:%S, %Y-%m-%dT%H:%M:%S%z (Z, ±HH:MM, ±HHMM); naive = UTC. */
static int parse_import_date(const char *s, int64_t *ret)
{
	static const char date[] = "dddd-dd-dd", clock[] = "dd:dd:dd";
	char norm[32];
	size_t n = strlen(s), k;

	for (k = 0; k < 10; k++)
		if (k >= n || (date[k] == 'd' ? !isdigit((unsigned char)s[k]) : s[k] != '-'))
			return CK_E_INVALID;
	if (n > 10) {
		if (n < 19 || (s[10] != 'T' && s[10] != ' '))
			return CK_E_INVALID;
		for (k = 0; k < 8; k++)
			if (clock[k] == 'd' ? !isdigit((unsigned char)s[11 + k]) : s[11 + k] != ':')
				return CK_E_INVALID;
	}
	if (n > 19) { /* an offset, after 'T' only */
		const char *z = s + 19;
		int ok =
		    s[10] == 'T' &&
		    ((!strcmp(z, "Z")) ||
		     ((*z == '+' || *z == '-') && strlen(z) == 6 && isdigit((unsigned char)z[1]) &&
		      isdigit((unsigned char)z[2]) && z[3] == ':' && isdigit((unsigned char)z[4]) &&
		      isdigit((unsigned char)z[5])) ||
		     ((*z == '+' || *z == '-') && strlen(z) == 5 &&
		      strspn(z + 1, "0123456789") == 4));
		if (!ok)
			return CK_E_INVALID;
		if (strlen(z) == 5) {
			snprintf(norm, sizeof(norm), "%.19s%.3s:%.2s", s, z, z + 3);
			return ck_parse_time(norm, ret);
		}
	}
	return ck_parse_time(s, ret);
}

static int check_len(struct row_errors *re, long row, const char *name, const char *s)
{
	const struct api_field *f = api_resource_field(&res_certificates, name);

	if (f && f->maxlen && strlen(s) > (size_t)f->maxlen) {
		row_error(re, row, name, "Ensure this field has no more than %d characters.",
			  f->maxlen);
		return 1;
	}
	return 0;
}

/* The checked row ("clean") is the create decoder's input: the wire form of each field. */
static void set_text(json_t *clean, const char *name, const char *v)
{
	json_object_set_new(clean, name, json_string(v));
}

static void set_int(json_t *clean, const char *name, int64_t v)
{
	json_object_set_new(clean, name, json_integer(v));
}

static void set_time(json_t *clean, const char *name, int64_t t)
{
	char s[21];

	ck_format_time(t, s);
	json_object_set_new(clean, name, json_string(s));
}

/* Required fields: "missing or empty" skips the row's other checks. 1 when all present. */
static int row_required(struct row_errors *re, long row, json_t *obj, json_t *clean)
{
	size_t before = re->n;

	for (int i = 0; required_fields[i]; i++) {
		char *v = NULL;
		int k = row_text(obj, required_fields[i], &v);
		if (k == 0)
			row_error(re, row, required_fields[i],
				  "Required field '%s' is missing or empty", required_fields[i]);
		else if (k < 0)
			row_error(re, row, required_fields[i], "Field '%s' must be a string.",
				  required_fields[i]);
		else if ((i < 3 || i == 5) && !check_len(re, row, required_fields[i], v))
			set_text(clean, required_fields[i], v);
		free(v);
	}
	return re->n == before;
}

static void row_choice(struct row_errors *re, long row, json_t *obj, json_t *clean,
		       const char *name, const char *const *allowed, const char *def)
{
	char *v = NULL, list[96] = "";
	int k = row_text(obj, name, &v), ok = 0;

	for (char *p = v; k > 0 && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (int i = 0; allowed[i]; i++) {
		ok = ok || (k > 0 && !strcmp(v, allowed[i]));
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 allowed[i]);
	}
	if (k == 0 && def)
		set_text(clean, name, def);
	else if (ok)
		set_text(clean, name, v);
	else
		row_error(re, row, name, "Invalid %s '%.100s'. Must be one of: %s", name,
			  k > 0 ? v : "", list);
	free(v);
}

static void row_dates(struct row_errors *re, long row, json_t *obj, json_t *clean)
{
	static const char *const names[] = {"valid_from", "valid_to"};

	for (int i = 0; i < 2; i++) {
		char *v = NULL;
		int64_t t;
		row_text(obj, names[i], &v); /* present and a string: row_required checked */
		if (v && !parse_import_date(v, &t))
			set_time(clean, names[i], t);
		else
			row_error(re, row, names[i],
				  "Cannot parse date '%.100s'. Use ISO 8601 format (YYYY-MM-DD or "
				  "YYYY-MM-DDTHH:MM:SS)",
				  v ? v : "");
		free(v);
	}
}

static void row_key_size(struct row_errors *re, long row, json_t *obj, json_t *clean)
{
	json_t *v = json_object_get(obj, "key_size");
	char *s = NULL;
	int64_t n;

	if (json_is_integer(v) && json_integer_value(v)) {
		set_int(clean, "key_size", json_integer_value(v));
		return;
	}
	if (!v || json_is_null(v) || (json_is_integer(v) && !json_integer_value(v)) ||
	    row_text(obj, "key_size", &s) == 0)
		return;
	if (s && !ck_parse_i64(s, INT64_MIN, INT64_MAX, &n))
		set_int(clean, "key_size", n);
	else
		row_error(re, row, "key_size",
			  "Invalid key_size '%.40s' \xE2\x80\x94 must be integer", s ? s : "?");
	free(s);
}

/* sans: a JSON list of strings, or "a;b" text; stored as a JSON array. */
static void row_sans(struct row_errors *re, long row, json_t *obj, json_t *clean)
{
	json_t *v = json_object_get(obj, "sans"), *list = json_array(), *el;
	char *text = NULL, *save = NULL;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, el)
		{
			if (!json_is_string(el)) {
				row_error(re, row, "sans", "sans must be a list of strings.");
				goto out;
			}
			json_array_append(list, el);
		}
	} else if (row_text(obj, "sans", &text) > 0) {
		for (char *t = strtok_r(text, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
			while (isspace((unsigned char)*t))
				t++;
			for (size_t n = strlen(t); n && isspace((unsigned char)t[n - 1]); n--)
				t[n - 1] = '\0';
			if (*t)
				json_array_append_new(list, json_string(t));
		}
	} else if (v && !json_is_null(v) && !json_is_string(v)) {
		row_error(re, row, "sans", "sans must be a list of strings.");
		goto out;
	}
	if (json_array_size(list) > DATAIMPORT_MAX_SANS) {
		row_error(re, row, "sans", "Too many SANs (more than %d).", DATAIMPORT_MAX_SANS);
		goto out;
	}
	json_object_set(clean, "sans", list);
out:
	free(text);
	json_decref(list);
}

static void row_optional_text(struct api_req *ar, struct row_errors *re, long row, json_t *obj,
			      json_t *clean)
{
	static const char *const names[] = {"private_key_location", "issuer_chain", "pem_content"};

	for (int i = 0; i < 3; i++) {
		char *v = NULL;
		int k = row_text(obj, names[i], &v);
		if (k < 0)
			row_error(re, row, names[i], "Field '%s' must be a string.", names[i]);
		else if (k > 0 && i && dom_cert_has_private_key(v, strlen(v)))
			row_error(re, row, names[i],
				  "Private key detected. For security reasons, private keys cannot "
				  "be stored.");
		else if (k > 0 && i && strlen(v) > (size_t)ar->app->cfg.max_pem_bytes)
			row_error(re, row, names[i],
				  "Input too large (%zu bytes). Maximum is %ld bytes.", strlen(v),
				  ar->app->cfg.max_pem_bytes);
		else if (k > 0 && !(i == 0 && check_len(re, row, names[i], v)))
			set_text(clean, names[i], v);
		free(v);
	}
}

/* tenant: by id, then by name; no match leaves it null (as the reference). */
static void row_tenant(struct api_req *ar, json_t *obj, json_t *clean)
{
	json_t *v = json_object_get(obj, "tenant");
	char *s = NULL;
	int64_t id = 0, found = 0;

	if (json_is_integer(v))
		id = json_integer_value(v);
	else if (row_text(obj, "tenant", &s) <= 0 || ck_parse_i64(s, 1, INT64_MAX, &id))
		id = 0;
	if (id && store_id_exists(ar->ctx.conn, "tenants", id, NULL) == 1)
		found = id;
	if (!found && s && store_id_by_text(ar->ctx.conn, "tenants", "name", s, &found, NULL) != 1)
		found = 0;
	if (found)
		set_int(clean, "tenant", found);
	free(s);
}

/* The reference's checks of one row object (trimming, lower-cased choices, its date forms,
 * `sans` as "a;b", tenant by name, its messages): the accepted values into clean, in their
 * wire form. 1 when the row passed. */
static int check_row(struct api_req *ar, struct row_errors *re, long row, json_t *obj,
		     json_t *clean)
{
	size_t before = re->n;

	if (!row_required(re, row, obj, clean))
		return 0;
	row_choice(re, row, obj, clean, "algorithm", import_algorithms, NULL);
	row_choice(re, row, obj, clean, "status", import_statuses, "active");
	row_dates(re, row, obj, clean);
	row_key_size(re, row, obj, clean);
	row_sans(re, row, obj, clean);
	row_optional_text(ar, re, row, obj, clean);
	row_tenant(ar, obj, clean);
	return re->n == before;
}

/* Decodes a checked row into rec with the create decoder (api/write.h), its field errors as
 * row errors. The decoder collects into ar->errors, which belongs to the whole request: each
 * row gets a collection of its own. 1 when the row decoded. */
static int decode_row(struct api_req *ar, struct row_errors *re, long row, json_t *clean,
		      struct dom_record *rec)
{
	json_t *saved = ar->errors, *tags, *msgs, *m;
	size_t saved_omitted = ar->errors_omitted, before = re->n, i;
	const char *field;
	struct ck_error err;
	int r;

	ar->errors = NULL;
	ck_error_clear(&err);
	r = api_decode_record(ar, &res_certificates, clean, 1, rec, &tags, &err);
	json_object_foreach(ar->errors, field, msgs)
	{
		json_array_foreach(msgs, i, m)
		    row_error(re, row, field, "%s", json_string_value(m));
	}
	if (r && re->n == before)
		row_error(re, row, err.field, "%s", err.msg[0] ? err.msg : "Invalid row.");
	json_decref(ar->errors);
	ar->errors = saved;
	ar->errors_omitted = saved_omitted;
	return re->n == before;
}

/* ---- content → row objects ---------------------------------------------------------------- */

/* CSV: header row + records → array of objects of strings. */
static int csv_rows(const char *content, size_t len, size_t max_rows, json_t *rows,
		    struct row_errors *re)
{
	struct csv_reader rd;
	const char *f[CSV_MAX_FIELDS];
	char *header[CSV_MAX_FIELDS];
	size_t nh = 0, n;
	struct ck_error err;
	int r;

	csv_reader_init(&rd, content, len);
	ck_error_clear(&err);
	r = csv_read(&rd, f, &nh, &err);
	for (size_t i = 0; r == 1 && i < nh; i++)
		header[i] = strdup(f[i]);
	if (r != 1)
		nh = 0;
	while (r == 1 && json_array_size(rows) <= max_rows &&
	       (r = csv_read(&rd, f, &n, &err)) == 1) {
		json_t *obj = json_object();
		for (size_t i = 0; i < n && i < nh; i++)
			if (header[i] && !json_object_get(obj, header[i]))
				json_object_set_new(obj, header[i], json_string(f[i]));
		json_array_append_new(rows, obj);
	}
	if (r < 0)
		row_error(re, 0, "", "%s", err.msg);
	for (size_t i = 0; i < nh; i++)
		free(header[i]);
	csv_reader_release(&rd);
	return r < 0 ? r : 0;
}

static int json_rows(const char *content, size_t len, json_t **ret, struct row_errors *re)
{
	json_error_t jerr;
	json_t *data = json_loadb(content, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);

	if (!data) {
		row_error(re, 0, "", "Invalid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
			  jerr.column);
		return CK_E_PARSE;
	}
	if (json_is_object(data)) {
		json_t *arr = json_array();
		json_array_append_new(arr, data);
		data = arr;
	}
	if (!json_is_array(data)) {
		json_decref(data);
		row_error(re, 0, "", "JSON must be an array of certificate objects");
		return CK_E_PARSE;
	}
	*ret = data;
	return 0;
}

/* ---- bulk-data-import --------------------------------------------------------------------- */

struct data_job {
	struct dom_record *recs; /* one per row */
	size_t n;
	int skip;
	int64_t *ids;		/* created ids, 0 for skipped */
	unsigned char *refused; /* per row: the create decoder refused it */
	size_t nrefused;
	size_t created, skipped;
	struct row_errors *re;
};

/* A row the certificate rules refused: one row error (rows count from 1). */
static void row_refused(void *arg, size_t i, const struct ck_error *why)
{
	struct data_job *job = arg;

	row_error(job->re, (long)i + 1, why->field[0] ? why->field : "", "%s", why->msg);
}

/* The import command (domain/import.h): duplicates skipped or fatal, refused rows reported. */
static int create_rows(struct api_req *ar, struct data_job *job, struct ck_error *err)
{
	struct dom_cert_import imp = {
	    .recs = job->recs,
	    .n = job->n,
	    .dups = job->skip ? DOM_IMPORT_DUP_SKIP : DOM_IMPORT_DUP_FAIL,
	    .ret_ids = job->ids,
	    .refused = job->refused,
	    .on_refused = row_refused,
	    .arg = job,
	};
	int r = dom_cert_import(&ar->ctx, &imp, err);

	job->created = imp.created;
	job->skipped = imp.skipped;
	return r;
}

static int one_of(const char *field, json_t *v, const char *const *allowed, const char *def,
		  const char **ret, struct ck_error *err)
{
	char list[64] = "";

	if (!v) {
		*ret = def;
		return 0;
	}
	for (int i = 0; allowed[i]; i++) {
		if (json_is_string(v) && !strcmp(json_string_value(v), allowed[i])) {
			*ret = allowed[i];
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%s'", i ? ", " : "",
			 allowed[i]);
	}
	return ck_error_set(err, CK_E_INVALID, field, "Must be one of: [%s]", list);
}

struct data_req {
	const char *content, *format, *on_duplicate;
	size_t len;
};

static int decode_data_req(struct api_req *ar, struct data_req *dr, struct ck_error *err)
{
	static const char *const formats[] = {"auto", "csv", "json", NULL}, *const dups[] = {
										"error", "skip",
										NULL};
	const char *key;
	json_t *body, *v;
	int r = api_body(ar, &body, err);

	if (r)
		return r;
	if (!json_is_object(body))
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "Invalid data. Expected a dictionary.");
	json_object_foreach(
	    body, key, v) if (strcmp(key, "content") && strcmp(key, "format") &&
			      strcmp(key, "on_duplicate")) return ck_error_set(err, CK_E_INVALID,
									       key,
									       "Unknown field.");
	v = json_object_get(body, "content");
	if (v && !json_is_string(v))
		return ck_error_set(err, CK_E_INVALID, "content", "Not a valid string.");
	if (!v || !json_string_length(v))
		return ck_error_set(err, CK_E_INVALID, "content", "This field is required.");
	dr->content = json_string_value(v);
	dr->len = json_string_length(v);
	if (dr->len > DATAIMPORT_MAX_CONTENT)
		return ck_error_set(err, CK_E_TOOBIG, "content",
				    "Content too large (%zu bytes). Maximum is %zu bytes.", dr->len,
				    DATAIMPORT_MAX_CONTENT);
	r = one_of("format", json_object_get(body, "format"), formats, "auto", &dr->format, err);
	return r ? r
		 : one_of("on_duplicate", json_object_get(body, "on_duplicate"), dups, "error",
			  &dr->on_duplicate, err);
}

/* Parses content into row objects; structural failures are row-0 errors in re. */
static int content_rows(const struct data_req *dr, size_t max_rows, json_t **ret,
			struct row_errors *re)
{
	const char *p = dr->content;
	int json;

	while (isspace((unsigned char)*p))
		p++;
	json = !strcmp(dr->format, "json") ||
	       (!strcmp(dr->format, "auto") && (*p == '[' || *p == '{'));
	if (json)
		return json_rows(dr->content, dr->len, ret, re);
	*ret = json_array();
	return *ret ? csv_rows(dr->content, dr->len, max_rows, *ret, re) : CK_E_NOMEM;
}

static void send_row_errors(struct api_req *ar, struct row_errors *re)
{
	struct jsonw w;

	jsonw_arr_close(&re->w);
	api_json_begin(ar, 400, &w);
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "detail", "Validation errors found.");
	jsonw_key(&w, "errors");
	jsonw_raw(&w, strbuf_str(&re->sb), re->sb.len);
	jsonw_obj_close(&w);
}

static void send_data_result(struct api_req *ar, const struct data_job *job)
{
	struct jsonw w;

	api_json_begin(ar, 201, &w);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "created_count", (int64_t)job->created);
	jsonw_kint(&w, "skipped_count", (int64_t)job->skipped);
	jsonw_key(&w, "certificates");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < job->n; i++)
		if (job->ids[i])
			api_render_object(ar, &res_certificates, job->ids[i], 0, &w, NULL);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
}

/* Checks and decodes every row into job->recs; row errors go to re. A row the decoder
 * refuses is flagged in job->refused (the import still runs the other rows' rules, so their
 * refusals are reported too, and then fails). */
static int validate_rows(struct api_req *ar, json_t *rows, struct data_job *job,
			 struct row_errors *re)
{
	size_t i;
	json_t *obj, *clean;

	job->recs = calloc(job->n ? job->n : 1, sizeof(*job->recs));
	job->ids = calloc(job->n ? job->n : 1, sizeof(*job->ids));
	job->refused = calloc(job->n ? job->n : 1, 1);
	if (!job->recs || !job->ids || !job->refused)
		return CK_E_NOMEM;
	json_array_foreach(rows, i, obj)
	{
		if (dom_record_init(&job->recs[i], dom_model_names(res_certificates.model),
				    res_certificates.model->nfields))
			return CK_E_NOMEM;
		if (!json_is_object(obj)) {
			row_error(re, (long)i + 1, "", "Each item must be a JSON object");
			continue;
		}
		if (!(clean = json_object()))
			return CK_E_NOMEM;
		if (check_row(ar, re, (long)i + 1, obj, clean) &&
		    !decode_row(ar, re, (long)i + 1, clean, &job->recs[i])) {
			job->refused[i] = 1;
			job->nrefused++;
		}
		json_decref(clean);
	}
	return 0;
}

static void bulk_data_import(struct api_req *ar)
{
	struct data_req dr = {0};
	struct data_job job = {0};
	struct row_errors re;
	struct ck_error err;
	json_t *rows = NULL;
	size_t max = (size_t)ar->app->cfg.bulk_import_max_batch_size;
	int r;

	ck_error_clear(&err);
	strbuf_init(&re.sb, 4 << 20);
	jsonw_init(&re.w, &re.sb);
	jsonw_arr_open(&re.w);
	re.n = 0;
	job.re = &re;
	if ((r = decode_data_req(ar, &dr, &err))) {
		api_fail(ar, r, &err);
		goto out;
	}
	r = content_rows(&dr, max, &rows, &re);
	if (!r && json_array_size(rows) > max)
		r = ck_error_set(&err, CK_E_INVALID, NULL,
				 "Batch size exceeds maximum of %zu certificates.", max);
	job.n = rows ? json_array_size(rows) : 0;
	job.skip = !strcmp(dr.on_duplicate, "skip");
	if (!r)
		r = validate_rows(ar, rows, &job, &re);
	if (!r && re.n == job.nrefused) /* only decoder refusals: the rules report the rest */
		r = create_rows(ar, &job, &err);
	if (re.n)
		send_row_errors(ar, &re); /* parse, validation or rule errors: all rolled back */
	else if (r)
		api_fail(ar, r, &err);
	else
		send_data_result(ar, &job);
out:
	for (size_t i = 0; job.recs && i < job.n; i++)
		dom_record_release(&job.recs[i]);
	free(job.recs);
	free(job.ids);
	free(job.refused);
	json_decref(rows);
	strbuf_release(&re.sb);
}

/* ---- import-file -------------------------------------------------------------------------- */

struct file_job {
	struct x509_bundle *b;
	int chain;	/* PEM: one record (leaf + chain); else one record per certificate */
	int64_t tenant; /* 0 = none */
	int64_t *ids;	/* per certificate: created id, or 0 */
	size_t created;
	struct strbuf dups; /* JSON array items: CNs of duplicates */
	struct jsonw dw;
	size_t ndups;
};

/* A certificate already stored: listed by CN. */
static int file_dup(void *arg, size_t i, const struct ck_error *why)
{
	struct file_job *job = arg;

	(void)why;
	jsonw_str(&job->dw, job->b->certs[i].common_name);
	job->ndups++;
	return 0;
}

/* The import command (domain/import.h) over the file's certificates; duplicates skipped. */
static int create_file_certs(struct api_req *ar, struct file_job *job, struct ck_error *err)
{
	size_t n = job->chain ? 1 : job->b->ncerts;
	struct dom_record *recs = calloc(n, sizeof(*recs));
	struct dom_cert_import imp = {.recs = recs,
				      .n = n,
				      .dups = DOM_IMPORT_DUP_SKIP,
				      .ret_ids = job->ids,
				      .on_skip = file_dup,
				      .arg = job};
	int r = recs ? 0 : CK_E_NOMEM;

	for (size_t i = 0; i < n && !r; i++) {
		r = dom_record_init(&recs[i], dom_model_names(res_certificates.model),
				    res_certificates.model->nfields);
		if (!r)
			r = dom_cert_record_from_x509(&recs[i], &job->b->certs[i],
						      job->chain ? job->b->issuer_chain : "");
		if (!r && job->tenant)
			r = dom_record_set_int(&recs[i], "tenant", job->tenant);
	}
	if (!r)
		r = dom_cert_import(&ar->ctx, &imp, err);
	job->created = imp.created;
	for (size_t i = 0; recs && i < n; i++)
		dom_record_release(&recs[i]);
	free(recs);
	return r;
}

static int file_tenant(struct api_req *ar, const struct multipart *mp, int64_t *ret,
		       struct ck_error *err)
{
	const struct multipart_part *p = multipart_find(mp, "tenant");
	char buf[32];
	int64_t id;
	int found;

	*ret = 0;
	if (!p || !p->len)
		return 0;
	snprintf(buf, sizeof(buf), "%.*s", (int)(p->len < 31 ? p->len : 31), p->data);
	if (p->len > 30 || ck_parse_i64(buf, 1, INT64_MAX, &id))
		return ck_error_set(err, CK_E_INVALID, "tenant",
				    "Incorrect type. Expected pk value.");
	if ((found = store_id_exists(ar->ctx.conn, "tenants", id, err)) < 0)
		return CK_E_DB;
	if (!found)
		return ck_error_set(err, CK_E_INVALID, "tenant",
				    "Invalid pk \"%lld\" - object does not exist.", (long long)id);
	*ret = id;
	return 0;
}

/* §3.2 detection + parse: PEM (leaf + chain), DER / PKCS#7 (every certificate, no chain). */
static int parse_file(struct api_req *ar, const struct multipart_part *f, struct file_job *job,
		      struct ck_error *err)
{
	size_t max = (size_t)ar->app->cfg.max_pem_bytes;
	int p7, pem;

	if (f->len > max)
		return ck_error_set(err, CK_E_TOOBIG, NULL,
				    "Input too large (%zu bytes). Maximum is %zu bytes.", f->len,
				    max);
	if (dom_cert_has_private_key(f->data, f->len))
		return ck_error_set(
		    err, CK_E_PRIVKEY, NULL,
		    "Private key detected. For security reasons, private keys cannot be stored.");
	p7 = memmem(f->data, f->len, "-----BEGIN PKCS7-----", 21) ||
	     memmem(f->data, f->len, "-----BEGIN CMS-----", 19);
	pem = !p7 && memmem(f->data, f->len, "-----BEGIN CERTIFICATE-----", 27);
	if (!p7 && !pem && (!f->len || (unsigned char)f->data[0] != 0x30))
		return ck_error_set(
		    err, CK_E_PARSE, NULL,
		    "Unrecognized certificate format. Supported formats: PEM, DER, PKCS#7.");
	if (dom_cert_parse_input(f->data, f->len, max, &job->b, err)) {
		err->field[0] = '\0'; /* the file, not a JSON field: {"detail": ...} */
		return err->code;
	}
	job->chain = pem;
	if (!job->b->ncerts)
		return ck_error_set(err, CK_E_PARSE, NULL,
				    "No valid certificate found in input. Please provide a "
				    "certificate in PEM format.");
	job->ids = calloc(job->b->ncerts, sizeof(*job->ids));
	return job->ids ? 0 : CK_E_NOMEM;
}

static void send_file_result(struct api_req *ar, struct file_job *job)
{
	struct jsonw w;
	size_t n = job->chain ? 1 : job->b->ncerts;

	jsonw_arr_close(&job->dw);
	api_json_begin(ar, job->created ? 201 : 200, &w);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "created_count", (int64_t)job->created);
	jsonw_kint(&w, "duplicate_count", (int64_t)job->ndups);
	jsonw_key(&w, "duplicates");
	jsonw_raw(&w, strbuf_str(&job->dups), job->dups.len);
	jsonw_key(&w, "certificates");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < n; i++)
		if (job->ids[i])
			api_render_object(ar, &res_certificates, job->ids[i], 0, &w, NULL);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
}

static void import_file(struct api_req *ar)
{
	struct multipart *mp = calloc(1, sizeof(*mp));
	const struct multipart_part *f = NULL;
	struct file_job job = {0};
	struct ck_error err;
	int r;

	ck_error_clear(&err);
	strbuf_init(&job.dups, 1 << 20);
	jsonw_init(&job.dw, &job.dups);
	jsonw_arr_open(&job.dw);
	r = mp ? multipart_parse(http_request_header(ar->http, "Content-Type"), ar->http->body,
				 ar->http->body_len, mp, &err)
	       : CK_E_NOMEM;
	if (!r && (r = file_tenant(ar, mp, &job.tenant, &err)) == 0 &&
	    !(f = multipart_find(mp, "file")))
		r = ck_error_set(
		    &err, CK_E_INVALID, NULL,
		    "No file provided. Send the certificate as the multipart field 'file'.");
	if (!r)
		r = parse_file(ar, f, &job, &err);
	if (!r)
		r = create_file_certs(ar, &job, &err);
	if (r)
		api_fail(ar, r, &err);
	else
		send_file_result(ar, &job);
	dom_cert_bundle_free(job.b);
	free(job.ids);
	strbuf_release(&job.dups);
	free(mp);
}

/* ---- handlers of the action table (api/actions.c) ---- */

void api_act_cert_bulk_data_import(struct api_req *ar, int64_t id)
{
	(void)id;
	bulk_data_import(ar);
}

void api_act_cert_import_file(struct api_req *ar, int64_t id)
{
	(void)id;
	import_file(ar);
}
