/*
 * api/encode_export — the output encodings of certificate exports: CSV, JSON, YAML (libyaml),
 * PEM. See api/export.h for the rules of each format.
 */
#include "api/export.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/parse.h"

const char *const export_field_names[EF_COUNT] = {
    "id",
    "common_name",
    "serial_number",
    "fingerprint_sha256",
    "issuer",
    "valid_from",
    "valid_to",
    "days_remaining",
    "algorithm",
    "key_size",
    "status",
    "tenant",
    "sans",
    "is_expired",
    "is_expiring_soon",
    "expiry_status",
    "private_key_location",
    "assignment_count",
    "custom_fields",
    "assignments",
    "created",
    "last_updated",
};

static const struct {
	const char *name, *mime;
} formats[EXPORT_FORMAT_COUNT] = {
    [EXPORT_JSON] = {"json", "application/json"},
    [EXPORT_CSV] = {"csv", "text/csv"},
    [EXPORT_YAML] = {"yaml", "application/x-yaml"},
    [EXPORT_PEM] = {"pem", "application/x-pem-file"},
};

static const enum export_field default_fields[EXPORT_NDEFAULT] = {
    EF_ID,	   EF_COMMON_NAME, EF_SERIAL_NUMBER,  EF_FINGERPRINT, EF_ISSUER,
    EF_VALID_FROM, EF_VALID_TO,	   EF_DAYS_REMAINING, EF_ALGORITHM,   EF_KEY_SIZE,
    EF_STATUS,	   EF_TENANT,	   EF_SANS,
};

const char *export_format_name(enum export_format f) { return formats[f].name; }

const char *export_format_mime(enum export_format f) { return formats[f].mime; }

int export_format_parse(const char *s, enum export_format *ret)
{
	for (int i = 0; i < EXPORT_FORMAT_COUNT; i++) {
		if (!strcasecmp(s, formats[i].name)) {
			*ret = (enum export_format)i;
			return 0;
		}
	}
	return CK_E_INVALID;
}

int export_field_parse(const char *s, enum export_field *ret)
{
	for (int i = 0; i < EF_COUNT; i++) {
		if (!strcmp(s, export_field_names[i])) {
			*ret = (enum export_field)i;
			return 0;
		}
	}
	return CK_E_INVALID;
}

void export_filename(const char *cn, const char *ext, char *out, size_t outsz)
{
	char name[65];
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)(cn ? cn : ""); *p && n < 64; p++) {
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			 (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
		name[n++] = ok ? (char)*p : '_';
	}
	name[n] = '\0';
	snprintf(out, outsz, "%s.%s", n ? name : "certificate", ext);
}

/* "YYYY-MM-DDTHH:MM:SS" (UTC, no offset: the seed's export form). */
static void export_time(int64_t t, char out[21])
{
	ck_format_time(t, out);
	out[19] = '\0';
}

/* ---- values ------------------------------------------------------------------------ */

enum vkind { V_NULL, V_INT, V_BOOL, V_STR, V_TIME, V_JSON };

struct value {
	enum vkind kind;
	int64_t i;
	const char *s; /* V_STR, V_JSON */
};

static struct value v_str(const char *s) { return (struct value){V_STR, 0, s ? s : ""}; }

static struct value field_value(const struct export_cert *c, enum export_field f)
{
	switch (f) {
	case EF_ID:
		return (struct value){V_INT, c->id, NULL};
	case EF_COMMON_NAME:
		return v_str(c->common_name);
	case EF_SERIAL_NUMBER:
		return v_str(c->serial_number);
	case EF_FINGERPRINT:
		return v_str(c->fingerprint_sha256);
	case EF_ISSUER:
		return v_str(c->issuer);
	case EF_VALID_FROM:
		return (struct value){V_TIME, c->valid_from, NULL};
	case EF_VALID_TO:
		return (struct value){V_TIME, c->valid_to, NULL};
	case EF_DAYS_REMAINING:
		return (struct value){V_INT, c->days_remaining, NULL};
	case EF_ALGORITHM:
		return v_str(c->algorithm);
	case EF_KEY_SIZE:
		return (struct value){c->has_key_size ? V_INT : V_NULL, c->key_size, NULL};
	case EF_STATUS:
		return v_str(c->status);
	case EF_TENANT:
		return c->tenant ? v_str(c->tenant) : (struct value){V_NULL, 0, NULL};
	case EF_SANS:
		return (struct value){V_JSON, 0, c->sans_json ? c->sans_json : "[]"};
	case EF_IS_EXPIRED:
		return (struct value){V_BOOL, c->is_expired, NULL};
	case EF_IS_EXPIRING_SOON:
		return (struct value){V_BOOL, c->is_expiring_soon, NULL};
	case EF_EXPIRY_STATUS:
		return v_str(c->expiry_status);
	case EF_PRIVATE_KEY_LOCATION:
		return v_str(c->private_key_location);
	case EF_ASSIGNMENT_COUNT:
		return (struct value){V_INT, c->assignment_count, NULL};
	case EF_CUSTOM_FIELDS:
		return (struct value){
		    V_JSON, 0,
		    c->custom_fields_json && *c->custom_fields_json ? c->custom_fields_json : "{}"};
	case EF_ASSIGNMENTS:
		return (struct value){
		    V_JSON, 0,
		    c->assignments_json && *c->assignments_json ? c->assignments_json : "[]"};
	case EF_CREATED:
		return (struct value){V_TIME, c->created, NULL};
	case EF_LAST_UPDATED:
		return (struct value){V_TIME, c->last_updated, NULL};
	default:
		return (struct value){V_NULL, 0, NULL};
	}
}

static const enum export_field *fields_of(const struct export_writer *w, size_t *ret_n)
{
	if (w->o.fields && w->o.nfields) {
		*ret_n = w->o.nfields;
		return w->o.fields;
	}
	*ret_n = EXPORT_NDEFAULT;
	return default_fields;
}

/* ---- CSV ------------------------------------------------------------------------------ */

void export_csv_field(struct strbuf *sb, const char *s, size_t len, int guard)
{
	int quote = 0;

	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	guard = guard && len && strchr("=+-@\t\r", s[0]);
	if (quote)
		strbuf_addch(sb, '"');
	if (guard)
		strbuf_addch(sb, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, s[i]);
	}
	if (quote)
		strbuf_addch(sb, '"');
}

static int csv_column(const struct export_writer *w, enum export_field f)
{
	if (f == EF_CUSTOM_FIELDS)
		return 0; /* replaced by the cf_<key> columns */
	return f != EF_SANS || w->o.csv_sans;
}

static void csv_header(struct export_writer *w)
{
	size_t n, col = 0;
	const enum export_field *fl = fields_of(w, &n);

	for (size_t i = 0; i < n; i++) {
		if (!csv_column(w, fl[i]))
			continue;
		if (col++)
			strbuf_addch(w->out, ',');
		strbuf_adds(w->out, export_field_names[fl[i]]);
	}
	for (size_t k = 0; k < w->o.ncf_keys; k++) {
		struct strbuf name;
		strbuf_init(&name, 512);
		strbuf_addf(&name, "cf_%s", w->o.cf_keys[k]);
		if (col++)
			strbuf_addch(w->out, ',');
		export_csv_field(w->out, strbuf_str(&name), name.len, 1);
		strbuf_release(&name);
	}
	strbuf_adds(w->out, "\r\n");
}

/* A JSON scalar as CSV text (strings raw, null empty, booleans True/False, others as JSON). */
static void csv_json_scalar(struct strbuf *sb, const json_t *v)
{
	char *text;

	if (!v || json_is_null(v))
		return;
	if (json_is_string(v)) {
		export_csv_field(sb, json_string_value(v), json_string_length(v), 1);
		return;
	}
	if (json_is_boolean(v)) {
		strbuf_adds(sb, json_is_true(v) ? "True" : "False");
		return;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text)
		export_csv_field(sb, text, strlen(text), 1);
	free(text);
}

/* sans: "a;b"; assignments: "type:id:name;..." */
static void csv_json_list(struct strbuf *sb, const char *json, enum export_field f)
{
	json_t *arr = json_loads(json, JSON_DECODE_ANY, NULL);
	struct strbuf cell;
	size_t i;
	json_t *el;

	strbuf_init(&cell, 0);
	json_array_foreach(arr, i, el)
	{
		if (i)
			strbuf_addch(&cell, ';');
		if (f == EF_SANS) {
			strbuf_adds(&cell, json_is_string(el) ? json_string_value(el) : "");
		} else {
			json_t *name = json_object_get(el, "name");
			json_t *type = json_object_get(el, "type");
			strbuf_addf(&cell, "%s:%lld:%s",
				    json_is_string(type) ? json_string_value(type) : "",
				    (long long)json_integer_value(json_object_get(el, "id")),
				    json_is_string(name) ? json_string_value(name) : "");
		}
	}
	export_csv_field(sb, strbuf_str(&cell), cell.len, 1);
	strbuf_release(&cell);
	json_decref(arr);
}

static void csv_value(struct strbuf *sb, struct value v, enum export_field f)
{
	char t[21];

	switch (v.kind) {
	case V_NULL:
		break;
	case V_INT:
		strbuf_add_i64(sb, v.i);
		break;
	case V_BOOL:
		strbuf_adds(sb, v.i ? "True" : "False");
		break;
	case V_TIME:
		export_time(v.i, t);
		strbuf_adds(sb, t);
		break;
	case V_STR:
		export_csv_field(sb, v.s, strlen(v.s), 1);
		break;
	case V_JSON:
		csv_json_list(sb, v.s, f);
		break;
	}
}

static void csv_row(struct export_writer *w, const struct export_cert *c)
{
	size_t n, col = 0;
	const enum export_field *fl = fields_of(w, &n);
	json_t *cf = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!csv_column(w, fl[i]))
			continue;
		if (col++)
			strbuf_addch(w->out, ',');
		csv_value(w->out, field_value(c, fl[i]), fl[i]);
	}
	if (w->o.ncf_keys)
		cf = json_loads(c->custom_fields_json ? c->custom_fields_json : "{}", 0, NULL);
	for (size_t k = 0; k < w->o.ncf_keys; k++) {
		if (col++)
			strbuf_addch(w->out, ',');
		csv_json_scalar(w->out, json_object_get(cf, w->o.cf_keys[k]));
	}
	json_decref(cf);
	strbuf_adds(w->out, "\r\n");
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void json_value(struct jsonw *jw, struct value v)
{
	char t[21];

	switch (v.kind) {
	case V_NULL:
		jsonw_null(jw);
		break;
	case V_INT:
		jsonw_int(jw, v.i);
		break;
	case V_BOOL:
		jsonw_bool(jw, (int)v.i);
		break;
	case V_TIME:
		export_time(v.i, t);
		jsonw_str(jw, t);
		break;
	case V_STR:
		jsonw_str(jw, v.s);
		break;
	case V_JSON:
		jsonw_raw(jw, v.s, strlen(v.s));
		break; /* written by this program */
	}
}

static int has_text(const char *s) { return s && *s; }

static void json_row(struct export_writer *w, const struct export_cert *c)
{
	size_t n;
	const enum export_field *fl = fields_of(w, &n);

	jsonw_obj_open(&w->jw);
	for (size_t i = 0; i < n; i++) {
		jsonw_key(&w->jw, export_field_names[fl[i]]);
		json_value(&w->jw, field_value(c, fl[i]));
	}
	if (w->o.include_pem && has_text(c->pem_content)) {
		jsonw_kstr(&w->jw, "pem_content", c->pem_content);
		if (has_text(c->issuer_chain))
			jsonw_kstr(&w->jw, "issuer_chain", c->issuer_chain);
	}
	jsonw_obj_close(&w->jw);
}

/* ---- YAML ----------------------------------------------------------------------------- */

static int yaml_out(void *data, unsigned char *buf, size_t size)
{
	return strbuf_add(data, buf, size) == 0;
}

static int yaml_emit(struct export_writer *w, yaml_event_t *ev, int ok)
{
	/* libyaml owns the event once emit is called (it frees it on failure too) */
	if (!ok || !yaml_emitter_emit(w->yaml, ev)) {
		w->failed = w->failed
				? w->failed
				: (strbuf_result(w->out) ? strbuf_result(w->out) : CK_E_INTERNAL);
		return w->failed;
	}
	return 0;
}

/* Copies s with every invalid UTF-8 byte replaced by U+FFFD (libyaml refuses invalid text). */
static void utf8_clean(const unsigned char *s, size_t n, struct strbuf *sb)
{
	for (size_t i = 0; i < n;) {
		size_t k = s[i] < 0x80	       ? 1
			   : (s[i] >> 5) == 6  ? 2
			   : (s[i] >> 4) == 14 ? 3
			   : (s[i] >> 3) == 30 ? 4
					       : 0;
		size_t j = 1;
		while (k && j < k && i + j < n && (s[i + j] & 0xC0) == 0x80)
			j++;
		if (!k || j < k ||
		    (k == 1 && s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r')) {
			strbuf_adds(sb, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		strbuf_add(sb, s + i, k);
		i += k;
	}
}

/* plain: a YAML-native token (number, bool, null, our own key names); otherwise a string,
 * quoted (or literal block for multi-line text) so it always reads back as a string. */
static int yaml_scalar(struct export_writer *w, const char *s, size_t len, int plain)
{
	yaml_event_t ev;
	yaml_scalar_style_t style = plain ? YAML_PLAIN_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE;
	struct strbuf clean;
	int r;

	if (!plain && memchr(s, '\n', len) && !memchr(s, '\r', len))
		style = YAML_LITERAL_SCALAR_STYLE;
	if (yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, plain, !plain,
					 style))
		return yaml_emit(w, &ev, 1);
	strbuf_init(&clean, 0);
	utf8_clean((const unsigned char *)s, len, &clean);
	r = yaml_emit(w, &ev,
		      yaml_scalar_event_initialize(&ev, NULL, NULL,
						   (yaml_char_t *)strbuf_str(&clean),
						   (int)clean.len, plain, !plain, style));
	strbuf_release(&clean);
	return r;
}

static int yaml_str(struct export_writer *w, const char *s)
{
	return yaml_scalar(w, s, strlen(s), 0);
}

static int yaml_plain(struct export_writer *w, const char *s)
{
	return yaml_scalar(w, s, strlen(s), 1);
}

static int yaml_collection(struct export_writer *w, int mapping, int open)
{
	yaml_event_t ev;
	int ok;

	if (mapping)
		ok = open ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
								YAML_BLOCK_MAPPING_STYLE)
			  : yaml_mapping_end_event_initialize(&ev);
	else
		ok = open ? yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
								 YAML_BLOCK_SEQUENCE_STYLE)
			  : yaml_sequence_end_event_initialize(&ev);
	return yaml_emit(w, &ev, ok);
}

static int yaml_json(struct export_writer *w, const json_t *v, int depth)
{
	char num[40];
	const char *key;
	json_t *el;
	size_t i;
	int r = 0;

	if (depth > JSONW_MAX_DEPTH)
		return yaml_plain(w, "null");
	switch (json_typeof(v)) {
	case JSON_STRING:
		return yaml_scalar(w, json_string_value(v), json_string_length(v), 0);
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return yaml_plain(w, num);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		return yaml_plain(w, num);
	case JSON_TRUE:
		return yaml_plain(w, "true");
	case JSON_FALSE:
		return yaml_plain(w, "false");
	case JSON_ARRAY:
		r = yaml_collection(w, 0, 1);
		json_array_foreach(v, i, el) if (!r) r = yaml_json(w, el, depth + 1);
		return r ? r : yaml_collection(w, 0, 0);
	case JSON_OBJECT:
		r = yaml_collection(w, 1, 1);
		json_object_foreach((json_t *)v, key, el)
		{
			if (!r)
				r = yaml_str(w, key);
			if (!r)
				r = yaml_json(w, el, depth + 1);
		}
		return r ? r : yaml_collection(w, 1, 0);
	default:
		return yaml_plain(w, "null");
	}
}

static int yaml_value(struct export_writer *w, struct value v)
{
	char t[24];
	json_t *j;
	int r;

	switch (v.kind) {
	case V_NULL:
		return yaml_plain(w, "null");
	case V_INT:
		snprintf(t, sizeof(t), "%lld", (long long)v.i);
		return yaml_plain(w, t);
	case V_BOOL:
		return yaml_plain(w, v.i ? "true" : "false");
	case V_TIME:
		export_time(v.i, t);
		return yaml_str(w, t);
	case V_STR:
		return yaml_str(w, v.s);
	default:
		j = json_loads(v.s, JSON_DECODE_ANY, NULL);
		r = j ? yaml_json(w, j, 0) : yaml_plain(w, "null");
		json_decref(j);
		return r;
	}
}

static int yaml_row(struct export_writer *w, const struct export_cert *c)
{
	size_t n;
	const enum export_field *fl = fields_of(w, &n);
	int r = yaml_collection(w, 1, 1);

	for (size_t i = 0; i < n && !r; i++) {
		r = yaml_plain(w, export_field_names[fl[i]]);
		if (!r)
			r = yaml_value(w, field_value(c, fl[i]));
	}
	if (!r && w->o.include_pem && has_text(c->pem_content)) {
		r = yaml_plain(w, "pem_content");
		if (!r)
			r = yaml_str(w, c->pem_content);
		if (!r && has_text(c->issuer_chain) && !(r = yaml_plain(w, "issuer_chain")))
			r = yaml_str(w, c->issuer_chain);
	}
	return r ? r : yaml_collection(w, 1, 0);
}

static int yaml_begin(struct export_writer *w)
{
	yaml_event_t ev;
	int r;

	w->yaml = calloc(1, sizeof(*w->yaml));
	if (!w->yaml || !yaml_emitter_initialize(w->yaml)) {
		free(w->yaml);
		w->yaml = NULL;
		return CK_E_NOMEM;
	}
	yaml_emitter_set_output(w->yaml, yaml_out, w->out);
	yaml_emitter_set_unicode(w->yaml, 1);
	yaml_emitter_set_width(w->yaml, -1);
	r = yaml_emit(w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	if (!r)
		r = yaml_emit(w, &ev,
			      yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	return r ? r : yaml_collection(w, 0, 1);
}

static int yaml_end(struct export_writer *w)
{
	yaml_event_t ev;
	int r = yaml_collection(w, 0, 0);

	if (!r)
		r = yaml_emit(w, &ev, yaml_document_end_event_initialize(&ev, 1));
	if (!r)
		r = yaml_emit(w, &ev, yaml_stream_end_event_initialize(&ev));
	if (!r && !yaml_emitter_flush(w->yaml))
		r = w->failed = strbuf_result(w->out) ? strbuf_result(w->out) : CK_E_INTERNAL;
	return r;
}

/* ---- PEM ------------------------------------------------------------------------------ */

/* s without leading and trailing whitespace. */
static void add_trimmed(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);

	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	while (n && strchr(" \t\r\n", *s)) {
		s++;
		n--;
	}
	strbuf_add(sb, s, n);
}

static void pem_row(struct export_writer *w, const struct export_cert *c)
{
	char t[21];

	ck_format_time(c->valid_to, t);
	if (w->rows)
		strbuf_addch(w->out, '\n');
	strbuf_addf(w->out, "# Certificate: %s\n# Serial: %s\n# Expires: %.10s\n\n", c->common_name,
		    c->serial_number, t);
	if (has_text(c->pem_content))
		add_trimmed(w->out, c->pem_content);
	else
		strbuf_adds(w->out, "# No PEM content available");
	if (w->o.include_chain && has_text(c->issuer_chain)) {
		strbuf_adds(w->out, "\n\n# Certificate Chain\n");
		add_trimmed(w->out, c->issuer_chain);
	}
	strbuf_adds(w->out, "\n\n");
}

/* ---- writer --------------------------------------------------------------------------- */

int export_writer_init(struct export_writer *w, const struct export_opts *o, struct strbuf *out)
{
	memset(w, 0, sizeof(*w));
	w->o = *o;
	w->out = out;
	if (o->format == EXPORT_JSON) {
		jsonw_init(&w->jw, out);
		jsonw_arr_open(&w->jw);
	} else if (o->format == EXPORT_CSV) {
		csv_header(w);
	} else if (o->format == EXPORT_YAML) {
		w->failed = yaml_begin(w);
	}
	return w->failed ? w->failed : strbuf_result(out);
}

int export_writer_row(struct export_writer *w, const struct export_cert *c)
{
	if (w->failed)
		return w->failed;
	switch (w->o.format) {
	case EXPORT_JSON:
		json_row(w, c);
		break;
	case EXPORT_CSV:
		csv_row(w, c);
		break;
	case EXPORT_YAML:
		yaml_row(w, c);
		break;
	default:
		pem_row(w, c);
		break;
	}
	w->rows++;
	if (!w->failed)
		w->failed = strbuf_result(w->out);
	return w->failed;
}

int export_writer_finish(struct export_writer *w)
{
	if (w->failed)
		return w->failed;
	if (w->o.format == EXPORT_JSON)
		jsonw_arr_close(&w->jw);
	else if (w->o.format == EXPORT_YAML)
		yaml_end(w);
	if (!w->failed)
		w->failed = strbuf_result(w->out);
	return w->failed;
}

void export_writer_release(struct export_writer *w)
{
	if (w->yaml) {
		yaml_emitter_delete(w->yaml);
		free(w->yaml);
		w->yaml = NULL;
	}
}
