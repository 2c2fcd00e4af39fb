/*
 * api/actions_export — GET|POST certificates/export/ and GET certificates/{id}/export/
 * (reference §2.3, §3.11; seed "Data Export"). Shape: decode the export options (query string,
 * and for POST the JSON body) → select the certificates (every list filter of the resource,
 * plus `ids`) → refuse more than max_export_size → stream the rows through api/export into
 * the response body, as an attachment.
 */
#include "api/actions.h"
#include "api/export.h"
#include "api/filter.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"

#include <stdlib.h>
#include <string.h>

#define EXPORT_MAX_IDS 10000  /* ids of one export request */
#define EXPORT_MAX_UNKNOWN 16 /* unknown field names named in one error message */

/* Export-specific parameters: never handed to the list filters. */
static const char *const export_params[] = {"format",	"ids",	       "ids[]",		"fields",
					    "fields[]", "include_pem", "include_chain", NULL};

struct export_req {
	struct export_opts o;
	size_t fields[EXPORT_MAX_COLUMNS]; /* indexes into o.cols */
	int explicit_fields;
	struct strbuf ids; /* JSON array of the requested ids; empty when none */
	size_t nids;
	const char *unknown[EXPORT_MAX_UNKNOWN];
	size_t nunknown;
	char *cf_keys[EXPORT_MAX_CF_KEYS];
};

static int is_export_param(const char *key)
{
	for (int i = 0; export_params[i]; i++)
		if (!strcmp(key, export_params[i]))
			return 1;
	return 0;
}

static void export_req_init(struct export_req *er, int single)
{
	memset(er, 0, sizeof(*er));
	er->o.cols = res_certificates.exports;
	er->o.ncols = res_certificates.nexports;
	er->o.format = EXPORT_JSON;
	er->o.include_pem = single; /* {id}/export/ defaults to true */
	er->o.include_chain = 1;
	strbuf_init(&er->ids, 1 << 20);
}

static void export_req_release(struct export_req *er)
{
	for (size_t i = 0; i < er->o.ncf_keys; i++)
		free(er->cf_keys[i]);
	strbuf_release(&er->ids);
}

/* ---- decoding ----------------------------------------------------------------------------- */

static int add_field(struct export_req *er, const char *name, size_t len)
{
	char buf[64];
	int f;

	while (len && *name == ' ')
		name++, len--;
	while (len && name[len - 1] == ' ')
		len--;
	if (!len)
		return 0;
	snprintf(buf, sizeof(buf), "%.*s", (int)len, name);
	if (len >= sizeof(buf) || (f = export_column_find(er->o.cols, er->o.ncols, buf)) < 0) {
		if (er->nunknown < EXPORT_MAX_UNKNOWN)
			er->unknown[er->nunknown++] = strndup(name, len < 60 ? len : 60);
		return 0;
	}
	for (size_t i = 0; i < er->o.nfields; i++)
		if (er->fields[i] == (size_t)f)
			return 0;
	er->fields[er->o.nfields++] = (size_t)f;
	er->explicit_fields = 1;
	return 0;
}

/* "a,b" or "a": each comma-separated name. */
static void add_field_list(struct export_req *er, const char *s)
{
	while (*s) {
		const char *c = strchr(s, ',');
		size_t len = c ? (size_t)(c - s) : strlen(s);
		add_field(er, s, len);
		s += len + (c ? 1 : 0);
	}
}

static int add_id(struct export_req *er, int64_t id, struct ck_error *err)
{
	if (er->nids >= EXPORT_MAX_IDS)
		return ck_error_set(err, CK_E_TOOBIG, "ids", "Too many ids: at most %d per export.",
				    EXPORT_MAX_IDS);
	strbuf_addch(&er->ids, er->nids++ ? ',' : '[');
	strbuf_add_i64(&er->ids, id);
	return strbuf_result(&er->ids);
}

static int bad_ids(struct ck_error *err)
{
	return ck_error_set(err, CK_E_INVALID, "ids",
			    "Invalid certificate IDs. Must be a list of integers.");
}

/* "1,2,3" or "7" */
static int add_id_text(struct export_req *er, const char *s, struct ck_error *err)
{
	char buf[32];
	int64_t id;
	int r = 0;

	while (*s && !r) {
		const char *c = strchr(s, ',');
		size_t len = c ? (size_t)(c - s) : strlen(s);
		snprintf(buf, sizeof(buf), "%.*s", (int)(len < 31 ? len : 31), s);
		if (len >= sizeof(buf) || ck_parse_i64(buf, INT64_MIN, INT64_MAX, &id))
			return bad_ids(err);
		r = add_id(er, id, err);
		s += len + (c ? 1 : 0);
	}
	return r;
}

static int parse_format(struct export_req *er, const char *s, struct ck_error *err)
{
	if (export_format_parse(s, &er->o.format))
		return ck_error_set(err, CK_E_INVALID, "format",
				    "Invalid format. Choose from: ['csv', 'json', 'yaml', 'pem']");
	return 0;
}

static int parse_flag(const char *name, const char *s, int *ret, struct ck_error *err)
{
	if (ck_parse_bool(s, ret))
		return ck_error_set(err, CK_E_INVALID, name, "Must be a valid boolean.");
	return 0;
}

/* Export options from the query string (GET, and POST before its body). */
static int decode_query(struct export_req *er, const struct http_request *req, struct ck_error *err)
{
	int r = 0;

	for (size_t i = 0; i < req->nparams && !r; i++) {
		const char *k = req->params[i].key, *v = req->params[i].value;
		if (!strcmp(k, "format"))
			r = parse_format(er, v, err);
		else if (!strcmp(k, "ids") || !strcmp(k, "ids[]"))
			r = add_id_text(er, v, err);
		else if (!strcmp(k, "fields") || !strcmp(k, "fields[]"))
			add_field_list(er, v);
		else if (!strcmp(k, "include_pem"))
			r = parse_flag(k, v, &er->o.include_pem, err);
		else if (!strcmp(k, "include_chain"))
			r = parse_flag(k, v, &er->o.include_chain, err);
	}
	return r;
}

static int decode_body_ids(struct export_req *er, json_t *v, struct ck_error *err)
{
	size_t i;
	json_t *el;
	int r = 0;

	if (json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad_ids(err);
	json_array_foreach(v, i, el)
	{
		if (json_is_integer(el))
			r = add_id(er, json_integer_value(el), err);
		else if (json_is_string(el) && *json_string_value(el) &&
			 !strchr(json_string_value(el), ','))
			r = add_id_text(er, json_string_value(el), err);
		else
			r = bad_ids(err);
		if (r)
			return r;
	}
	return 0;
}

static int decode_body_fields(struct export_req *er, json_t *v, struct ck_error *err)
{
	size_t i;
	json_t *el;

	if (json_is_string(v)) {
		add_field_list(er, json_string_value(v));
		return 0;
	}
	if (!json_is_array(v) && !json_is_null(v))
		return ck_error_set(err, CK_E_INVALID, "fields",
				    "Expected a list of field names or a comma-separated string.");
	json_array_foreach(v, i, el)
	{
		if (!json_is_string(el))
			return ck_error_set(
			    err, CK_E_INVALID, "fields",
			    "Expected a list of field names or a comma-separated string.");
		add_field(er, json_string_value(el), json_string_length(el));
	}
	return 0;
}

static int body_flag(const char *key, json_t *v, int *ret, struct ck_error *err)
{
	if (!json_is_boolean(v))
		return ck_error_set(err, CK_E_INVALID, key, "Must be a valid boolean.");
	*ret = json_is_true(v);
	return 0;
}

/* POST body: {format, ids, fields, include_pem, include_chain}; an empty body is {}. */
static int decode_body(struct api_req *ar, struct export_req *er, struct ck_error *err)
{
	const char *key;
	json_t *body, *v;
	int r = 0;

	if (!ar->http->body_len)
		return 0;
	if ((r = api_body(ar, &body, err)))
		return r;
	if (!json_is_object(body))
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "Invalid data. Expected a dictionary.");
	json_object_foreach(body, key, v)
	{
		if (!strcmp(key, "format"))
			r = json_is_string(v)
				? parse_format(er, json_string_value(v), err)
				: ck_error_set(err, CK_E_INVALID, "format", "Not a valid string.");
		else if (!strcmp(key, "ids"))
			r = decode_body_ids(er, v, err);
		else if (!strcmp(key, "fields"))
			r = decode_body_fields(er, v, err);
		else if (!strcmp(key, "include_pem"))
			r = body_flag(key, v, &er->o.include_pem, err);
		else if (!strcmp(key, "include_chain"))
			r = body_flag(key, v, &er->o.include_chain, err);
		else
			r = ck_error_set(err, CK_E_INVALID, key,
					 "Unknown parameter. Filters go in the query string.");
		if (r)
			return r;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 400 {"fields": ["Unknown fields: ['a', 'b']"]} (sorted, as the reference). */
static int unknown_fields(struct export_req *er, struct ck_error *err)
{
	struct strbuf sb;
	int r;

	qsort(er->unknown, er->nunknown, sizeof(er->unknown[0]), cmp_str);
	strbuf_init(&sb, CK_ERROR_MSG_MAX);
	strbuf_adds(&sb, "Unknown fields: [");
	for (size_t i = 0; i < er->nunknown; i++)
		strbuf_addf(&sb, "%s'%s'", i ? ", " : "", er->unknown[i]);
	strbuf_addch(&sb, ']');
	r = ck_error_set(err, CK_E_INVALID, "fields", "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return r;
}

static int decode_options(struct api_req *ar, struct export_req *er, struct ck_error *err)
{
	int r = decode_query(er, ar->http, err);

	if (!r && !strcmp(ar->http->method, "POST"))
		r = decode_body(ar, er, err);
	if (!r && er->nunknown)
		r = unknown_fields(er, err);
	for (size_t i = 0; i < er->nunknown; i++)
		free((char *)er->unknown[i]);
	er->nunknown = 0;
	if (r)
		return r;
	if (er->nids)
		strbuf_addch(&er->ids, ']');
	er->o.fields = er->explicit_fields ? er->fields : NULL;
	return strbuf_result(&er->ids);
}

/* ---- selection ---------------------------------------------------------------------------- */

/* The list filters of the request, without the export parameters (which the shared reserved
 * list of api/filter does not know). */
static int build_filters(struct api_req *ar, struct api_filter_ctx *fc, const struct export_req *er,
			 struct ck_error *err)
{
	const struct http_request *req = ar->http;
	struct http_param *kept = calloc(req->nparams ? req->nparams : 1, sizeof(*kept));
	struct http_request copy = *req;
	size_t n = 0;
	int r, p;

	if (!kept)
		return CK_E_NOMEM;
	for (size_t i = 0; i < req->nparams; i++)
		if (!is_export_param(req->params[i].key))
			kept[n++] = req->params[i];
	copy.params = kept;
	copy.nparams = n;
	r = api_filter_build(fc, &copy, err);
	free(kept);
	if (r || !er->nids)
		return r;
	p = api_fc_bind_text(fc, strbuf_str(&er->ids));
	if (p < 0)
		return p;
	store_qs_in_json(&fc->spec, p);
	return fc->spec.failed;
}

static int count_selected(struct api_req *ar, struct api_filter_ctx *fc, int64_t *ret,
			  struct ck_error *err)
{
	return store_qs_count(ar->ctx.conn, api_fc_spec(fc), ret, err);
}

/* Whether declared column f is exported. */
static int wants(const struct export_req *er, size_t f)
{
	if (!er->o.fields)
		return !(er->o.cols[f].flags & EXPORT_EXTENDED);
	for (size_t i = 0; i < er->o.nfields; i++)
		if (er->fields[i] == f)
			return 1;
	return 0;
}

/* The exported EXPORT_OBJECT column (custom_fields), or NULL. */
static const struct export_column *object_column(const struct export_req *er)
{
	for (size_t i = 0; i < er->o.ncols; i++)
		if (er->o.cols[i].render == EXPORT_OBJECT && wants(er, i))
			return &er->o.cols[i];
	return NULL;
}

/* CSV + custom_fields: the distinct custom-field keys of the selection, sorted. */
static int load_cf_keys(struct api_req *ar, struct export_req *er, struct api_filter_ctx *fc,
			struct ck_error *err)
{
	const struct export_column *obj = object_column(er);
	struct store_stmt *st = NULL;
	int r;

	if (er->o.format != EXPORT_CSV || !obj)
		return 0;
	r = store_qs_json_keys_query(ar->ctx.conn, api_fc_spec(fc), obj->source,
				     EXPORT_MAX_CF_KEYS + 1, &st, err);
	if (!r) {
		while (!r && (r = store_step(st, err)) == STORE_ROW) {
			r = 0;
			if (er->o.ncf_keys == EXPORT_MAX_CF_KEYS)
				r = ck_error_set(
				    err, CK_E_TOOBIG, "fields",
				    "More than %d custom fields: export them as json or yaml.",
				    EXPORT_MAX_CF_KEYS);
			else if (!(er->cf_keys[er->o.ncf_keys++] =
				       strdup(store_col_text(st, 0, NULL))))
				r = CK_E_NOMEM;
		}
		r = r < 0 ? r : 0;
		store_done(st);
	}
	er->o.cf_keys = (const char *const *)er->cf_keys;
	return r;
}

#define EXPORT_MAX_SOURCES (EXPORT_MAX_COLUMNS + 6) /* declared columns + t.id + PEM parts */

/* The query's columns: t.id (0), then each distinct (source, flags) of the declared columns
 * and the PEM bundle's parts, so columns sharing a source (valid_to and the values derived
 * from it) read one column. */
struct export_query {
	const char *src[EXPORT_MAX_SOURCES];
	unsigned flags[EXPORT_MAX_SOURCES];
	size_t nsrc;
	int of[EXPORT_MAX_COLUMNS]; /* query column of each declared column */
	int cn, serial, valid_to, pem, chain;
};

/* The query column of source with flags, selected on first use. */
static int query_column(struct export_query *eq, struct store_qspec *qs, const char *source,
			unsigned flags)
{
	if (source[0] == '@')
		flags |= STORE_QS_EXPR;
	for (size_t i = 0; i < eq->nsrc; i++)
		if (!strcmp(eq->src[i], source) && eq->flags[i] == flags)
			return (int)i;
	eq->src[eq->nsrc] = source;
	eq->flags[eq->nsrc] = flags;
	store_qs_select(qs, source, flags);
	return (int)eq->nsrc++;
}

/* The selected columns (named expressions: store/queryspec.h; one that is not exported is
 * selected as NULL) and the export order. */
static void export_spec(const struct export_req *er, struct export_query *eq,
			struct store_qspec *qs)
{
	int pem = er->o.format == EXPORT_PEM || (er->o.include_pem && er->o.format != EXPORT_CSV);
	unsigned pem_flags = pem ? 0 : STORE_QS_NULLED;

	memset(eq, 0, sizeof(*eq));
	eq->src[eq->nsrc++] = "id"; /* t.id, the first column of every spec */
	for (size_t i = 0; i < er->o.ncols; i++) {
		const char *src = er->o.cols[i].source;
		eq->of[i] =
		    query_column(eq, qs, src, src[0] == '@' && !wants(er, i) ? STORE_QS_NULLED : 0);
	}
	eq->cn = query_column(eq, qs, "common_name", 0);
	eq->serial = query_column(eq, qs, "serial_number", 0);
	eq->valid_to = query_column(eq, qs, "valid_to", 0);
	eq->pem = query_column(eq, qs, "pem_content", pem_flags);
	eq->chain = query_column(eq, qs, "issuer_chain", pem_flags);
	store_qs_order_by(qs, "valid_to", 0, 1);
	store_qs_order_by(qs, "common_name", 0, 0);
}

static const char *col_or_null(struct store_stmt *st, int c)
{
	return store_col_is_null(st, c) ? NULL : store_col_text(st, c, NULL);
}

/* Integer-valued columns, and the sources of derived ones, are read as integers. */
static int reads_int(const struct export_column *col)
{
	return col->derive || col->render == EXPORT_INT || col->render == EXPORT_INT_NULL ||
	       col->render == EXPORT_TIME || col->render == EXPORT_BOOL;
}

static void read_row(struct api_req *ar, const struct export_req *er, const struct export_query *eq,
		     struct store_stmt *st, struct export_value *vals, struct export_cert *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < er->o.ncols; i++) {
		const struct export_column *col = &er->o.cols[i];
		int q = eq->of[i];
		vals[i] = (struct export_value){.null = store_col_is_null(st, q)};
		if (reads_int(col))
			vals[i].i = store_col_i64(st, q);
		else if (!vals[i].null)
			vals[i].s = store_col_text(st, q, NULL);
		if (col->derive)
			vals[i] = col->derive(vals[i], ar->ctx.now, ar->ctx.cfg);
	}
	c->values = vals;
	c->common_name = store_col_text(st, eq->cn, NULL);
	c->serial_number = store_col_text(st, eq->serial, NULL);
	c->valid_to = store_col_i64(st, eq->valid_to);
	c->pem_content = col_or_null(st, eq->pem);
	c->issuer_chain = col_or_null(st, eq->chain);
}

/* Streams the selected rows into the response body. */
static int write_rows(struct api_req *ar, const struct export_req *er, struct api_filter_ctx *fc,
		      struct ck_error *err)
{
	struct store_qspec *qs = api_fc_spec(fc);
	struct export_value vals[EXPORT_MAX_COLUMNS];
	struct export_query eq;
	struct export_writer w;
	struct store_stmt *st = NULL;
	struct export_cert c;
	int r;

	export_spec(er, &eq, qs);
	r = store_qs_query(ar->ctx.conn, qs, STORE_QS_ROWS, &st, err);
	if (r)
		return r;
	strbuf_reset(&ar->resp->body);
	r = export_writer_init(&w, &er->o, &ar->resp->body);
	while (!r && (r = store_step(st, err)) == STORE_ROW) {
		read_row(ar, er, &eq, st, vals, &c);
		r = export_writer_row(&w, &c);
	}
	if (!r)
		r = export_writer_finish(&w);
	export_writer_release(&w);
	store_done(st);
	return r;
}

static void send_attachment(struct api_req *ar, const struct export_req *er, const char *filename)
{
	char disp[160];

	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
	ar->resp->status = 200;
	ar->resp->content_type = export_format_mime(er->o.format);
	http_response_add_header(ar->resp, "Content-Disposition", disp);
}

/* ---- handlers ----------------------------------------------------------------------------- */

static int export_selection(struct api_req *ar, struct export_req *er, struct api_filter_ctx *fc,
			    struct ck_error *err)
{
	int64_t count = 0, max = ar->app->cfg.max_export_size;
	int r = decode_options(ar, er, err);

	if (!r)
		r = build_filters(ar, fc, er, err);
	if (!r)
		r = count_selected(ar, fc, &count, err);
	if (!r && count > max)
		r = ck_error_set(err, CK_E_TOOBIG, NULL,
				 "Export size exceeds maximum of %lld certificates. "
				 "Use filters or specify IDs to reduce the result set.",
				 (long long)max);
	if (!r)
		r = load_cf_keys(ar, er, fc, err);
	return r;
}

static void export_list(struct api_req *ar)
{
	struct export_req er;
	struct api_filter_ctx fc;
	struct ck_error err;
	char filename[64];
	int r;

	ck_error_clear(&err);
	export_req_init(&er, 0);
	api_fc_init(&fc, &res_certificates, &ar->ctx);
	r = export_selection(ar, &er, &fc, &err);
	if (!r)
		r = write_rows(ar, &er, &fc, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		snprintf(filename, sizeof(filename), "certificates_export.%s",
			 export_format_name(er.o.format));
		send_attachment(ar, &er, filename);
	}
	api_fc_release(&fc);
	export_req_release(&er);
}

static void export_one(struct api_req *ar, int64_t id)
{
	struct export_req er;
	struct api_filter_ctx fc;
	struct ck_error err;
	char cn[256] = "", filename[80];
	int r, p;

	ck_error_clear(&err);
	export_req_init(&er, 1);
	api_fc_init(&fc, &res_certificates, &ar->ctx);
	r = decode_options(ar, &er, &err);
	if (!r && (p = api_fc_bind_int(&fc, id)) > 0)
		store_qs_where(&fc.spec, "id", 0, STORE_QS_EQ, p);
	if (!r)
		r = load_cf_keys(ar, &er, &fc, &err);
	if (!r) {
		r = store_text_of(ar->ctx.conn, "certificates", "common_name", id, cn, sizeof(cn),
				  &err);
		r = r == 0 ? ck_error_set(&err, CK_E_NOTFOUND, NULL, "Not found.") : r < 0 ? r : 0;
	}
	if (!r)
		r = write_rows(ar, &er, &fc, &err);
	if (r) {
		api_fail(ar, r, &err);
	} else {
		export_filename(cn, export_format_name(er.o.format), filename, sizeof(filename));
		send_attachment(ar, &er, filename);
	}
	api_fc_release(&fc);
	export_req_release(&er);
}

/* ---- handlers of the action table (api/actions.c) ---- */

void api_act_cert_export_list(struct api_req *ar, int64_t id)
{
	(void)id;
	export_list(ar);
}

void api_act_cert_export_one(struct api_req *ar, int64_t id) { export_one(ar, id); }
