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

static const struct {
	const char *name, *mime;
} formats[EXPORT_FORMAT_COUNT] = {
    [EXPORT_JSON] = {"json", "application/json"},
    [EXPORT_CSV] = {"csv", "text/csv"},
    [EXPORT_YAML] = {"yaml", "application/x-yaml"},
    [EXPORT_PEM] = {"pem", "application/x-pem-file"},
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

int export_column_find(const struct export_column *cols, size_t ncols, const char *s)
{
	for (size_t i = 0; i < ncols; i++)
		if (!strcmp(s, cols[i].name))
			return (int)i;
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

static const char *or_default(const char *s, const char *dflt) { return s && *s ? s : dflt; }

static const struct export_column *column_of(const struct export_writer *w, size_t f)
{
	return &w->o.cols[f];
}

/* Whether the value is written as null (empty in CSV): only the *_NULL kinds are nullable;
 * the others write their zero value or default. */
static int writes_null(const struct export_column *col, struct export_value v)
{
	return v.null && (col->render == EXPORT_INT_NULL || col->render == EXPORT_TEXT_NULL);
}

/* The text of a text or JSON value ("" when NULL). */
static const char *text_of(struct export_value v) { return v.null || !v.s ? "" : v.s; }

/* The text a JSON-valued column stands for when NULL or empty. */
static const char *json_default(enum export_render r) { return r == EXPORT_OBJECT ? "{}" : "[]"; }

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

static int csv_column(const struct export_writer *w, size_t f)
{
	const struct export_column *col = column_of(w, f);

	if (col->render == EXPORT_OBJECT)
		return 0; /* replaced by the cf_<key> columns */
	return !(col->flags & EXPORT_CSV_NAMED) || w->o.fields;
}

static void csv_header(struct export_writer *w)
{
	size_t col = 0;

	for (size_t i = 0; i < w->nfields; i++) {
		if (!csv_column(w, w->fields[i]))
			continue;
		if (col++)
			strbuf_addch(w->out, ',');
		strbuf_adds(w->out, column_of(w, w->fields[i])->name);
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
static void csv_json_list(struct strbuf *sb, const char *json, enum export_render r)
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
		if (r == EXPORT_LIST) {
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

static void csv_value(struct strbuf *sb, const struct export_column *col, struct export_value v)
{
	char t[21];

	if (writes_null(col, v))
		return;
	switch (col->render) {
	case EXPORT_INT:
	case EXPORT_INT_NULL:
		strbuf_add_i64(sb, v.i);
		break;
	case EXPORT_BOOL:
		strbuf_adds(sb, v.i ? "True" : "False");
		break;
	case EXPORT_TIME:
		export_time(v.i, t);
		strbuf_adds(sb, t);
		break;
	case EXPORT_TEXT:
	case EXPORT_TEXT_NULL:
		export_csv_field(sb, text_of(v), strlen(text_of(v)), 1);
		break;
	case EXPORT_LIST:
	case EXPORT_REFS:
		csv_json_list(sb, or_default(text_of(v), "[]"), col->render);
		break;
	case EXPORT_OBJECT:
		break; /* cf_<key> columns */
	}
}

static void csv_row(struct export_writer *w, const struct export_cert *c)
{
	size_t col = 0;
	json_t *cf = NULL;
	const char *cf_json = NULL;

	for (size_t i = 0; i < w->nfields; i++) {
		size_t f = w->fields[i];
		if (column_of(w, f)->render == EXPORT_OBJECT && !c->values[f].null)
			cf_json = text_of(c->values[f]);
		if (!csv_column(w, f))
			continue;
		if (col++)
			strbuf_addch(w->out, ',');
		csv_value(w->out, column_of(w, f), c->values[f]);
	}
	if (w->o.ncf_keys)
		cf = json_loads(cf_json ? cf_json : "{}", 0, NULL);
	for (size_t k = 0; k < w->o.ncf_keys; k++) {
		if (col++)
			strbuf_addch(w->out, ',');
		csv_json_scalar(w->out, json_object_get(cf, w->o.cf_keys[k]));
	}
	json_decref(cf);
	strbuf_adds(w->out, "\r\n");
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void json_value(struct jsonw *jw, const struct export_column *col, struct export_value v)
{
	char t[21];
	const char *j;

	if (writes_null(col, v)) {
		jsonw_null(jw);
		return;
	}
	switch (col->render) {
	case EXPORT_INT:
	case EXPORT_INT_NULL:
		jsonw_int(jw, v.i);
		break;
	case EXPORT_BOOL:
		jsonw_bool(jw, (int)v.i);
		break;
	case EXPORT_TIME:
		export_time(v.i, t);
		jsonw_str(jw, t);
		break;
	case EXPORT_TEXT:
	case EXPORT_TEXT_NULL:
		jsonw_str(jw, text_of(v));
		break;
	default:
		j = or_default(text_of(v), json_default(col->render));
		jsonw_raw(jw, j, strlen(j)); /* written by this program */
		break;
	}
}

static int has_text(const char *s) { return s && *s; }

static void json_row(struct export_writer *w, const struct export_cert *c)
{
	jsonw_obj_open(&w->jw);
	for (size_t i = 0; i < w->nfields; i++) {
		const struct export_column *col = column_of(w, w->fields[i]);
		jsonw_key(&w->jw, col->name);
		json_value(&w->jw, col, c->values[w->fields[i]]);
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

static int yaml_value(struct export_writer *w, const struct export_column *col,
		      struct export_value v)
{
	char t[24];
	json_t *j;
	int r;

	if (writes_null(col, v))
		return yaml_plain(w, "null");
	switch (col->render) {
	case EXPORT_INT:
	case EXPORT_INT_NULL:
		snprintf(t, sizeof(t), "%lld", (long long)v.i);
		return yaml_plain(w, t);
	case EXPORT_BOOL:
		return yaml_plain(w, v.i ? "true" : "false");
	case EXPORT_TIME:
		export_time(v.i, t);
		return yaml_str(w, t);
	case EXPORT_TEXT:
	case EXPORT_TEXT_NULL:
		return yaml_str(w, text_of(v));
	default:
		j = json_loads(or_default(text_of(v), json_default(col->render)), JSON_DECODE_ANY,
			       NULL);
		r = j ? yaml_json(w, j, 0) : yaml_plain(w, "null");
		json_decref(j);
		return r;
	}
}

static int yaml_row(struct export_writer *w, const struct export_cert *c)
{
	int r = yaml_collection(w, 1, 1);

	for (size_t i = 0; i < w->nfields && !r; i++) {
		const struct export_column *col = column_of(w, w->fields[i]);
		r = yaml_plain(w, col->name);
		if (!r)
			r = yaml_value(w, col, c->values[w->fields[i]]);
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
	w->fields = o->fields;
	w->nfields = o->nfields;
	if (!o->fields) {
		w->fields = w->deflt;
		for (size_t i = 0; i < o->ncols && i < EXPORT_MAX_COLUMNS; i++)
			if (!(o->cols[i].flags & EXPORT_EXTENDED))
				w->deflt[w->nfields++] = i;
	}
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
