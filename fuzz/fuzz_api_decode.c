/*
 * fuzz/fuzz_api_decode — libFuzzer target for request-body decoding and field typing: the
 * registry's api_body() (JSON parse with its limits) then api_decode_record() (JSON object →
 * typed dom_record by a resource declaration), the first half of every POST/PUT/PATCH. Runs
 * against a real in-memory database (FK checks query it). Input: one byte choosing the
 * resource (low 7 bits: registry index; high bit: PATCH semantics), then the request body.
 * Properties:
 *  1. the result is 0, CK_E_PARSE or CK_E_INVALID/CK_E_TOOBIG; api_body() accepts exactly
 *     the bodies jansson reads (duplicate keys refused) that nest at most API_JSON_MAX_DEPTH
 *     containers deep (depth measured here);
 *  2. CK_E_INVALID carries the collected field errors: a non-empty object whose keys are
 *     body keys (cut to CK_ERROR_FIELD_MAX - 1 bytes) or required fields, each a non-empty list of
 * non-empty strings — or, for a body that is not an object, the single non_field_errors error;
 *  3. on success, the record holds exactly the body's writable fields, each typed by its
 *     declaration: FT_INT/FT_FK the JSON integer (an FK's target row exists), FT_BOOL 0/1,
 *     FT_DOUBLE the number, FT_TIME what ck_parse_time gives for the string, FT_TEXT and
 *     FT_CHOICE the exact string within maxlen characters (a choice from the list),
 *     FT_STRLIST/FT_INTLIST/FT_JSON compact JSON that jansson reads back equal to the input,
 *     null only for F_NULL fields; without PATCH every required field is present; read-only,
 *     computed and hidden fields are never set.
 */
#define FUZZ_WITH_APP
#include "api/registry.h"
#include "api/write.h"
#include "core/parse.h"
#include "fuzz_util.h"

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Container nesting depth of v (a scalar is 0). */
static int depth(json_t *v)
{
	const char *k;
	json_t *c;
	size_t i;
	int d = 0, cd;

	if (json_is_array(v)) {
		json_array_foreach(v, i, c) if ((cd = depth(c)) > d) d = cd;
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, c) if ((cd = depth(c)) > d) d = cd;
	} else {
		return 0;
	}
	return d + 1;
}

/* What api_body must decide for the body: 1 accept, 0 refuse. */
static int body_acceptable(const char *text, size_t n)
{
	json_error_t jerr;
	json_t *j = json_loadb(text, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	int ok = j && depth(j) <= API_JSON_MAX_DEPTH;

	json_decref(j);
	return ok;
}

static int settable(const struct api_field *f)
{
	return !(f->flags & (F_RO | F_HIDDEN)) && f->type != FT_COMPUTED && f->type != FT_ID;
}

static void check_json_text(const struct dom_value *dv, json_t *v)
{
	json_error_t jerr;
	json_t *back;

	CHECK(dv->type == DV_TEXT && strlen(dv->s) == dv->len);
	back = json_loads(dv->s, JSON_DECODE_ANY, &jerr);
	CHECK(back && json_equal(back, v));
	json_decref(back);
}

static void check_value(struct fz_app *a, const struct api_field *f, const struct dom_value *dv,
			json_t *v)
{
	int64_t t;

	if (json_is_null(v)) {
		CHECK((f->flags & F_NULL) && dv->type == DV_NULL);
		return;
	}
	switch (f->type) {
	case FT_FK: {
		json_t *id = json_is_object(v) ? json_object_get(v, "id") : v;
		const struct api_resource *target = api_registry_find(f->fk_target);
		char sql[200];
		CHECK(dv->type == DV_INT && json_is_integer(id) && dv->i == json_integer_value(id));
		if (target) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE id = %lld",
				 target->model->table, (long long)dv->i);
			CHECK(fz_count(a, sql) == 1);
		}
		return;
	}
	case FT_INT:
		CHECK(dv->type == DV_INT && json_is_integer(v) && dv->i == json_integer_value(v));
		return;
	case FT_BOOL:
		CHECK(dv->type == DV_INT && json_is_boolean(v) && dv->i == json_is_true(v));
		return;
	case FT_DOUBLE:
		CHECK(dv->type == DV_DOUBLE && json_is_number(v) && dv->d == json_number_value(v));
		return;
	case FT_TIME:
		CHECK(json_is_string(v) && ck_parse_time(json_string_value(v), &t) == 0);
		CHECK(dv->type == DV_INT && dv->i == t);
		return;
	case FT_STRLIST:
	case FT_INTLIST:
		CHECK(json_is_array(v));
		for (size_t i = 0; i < json_array_size(v); i++)
			CHECK(f->type == FT_STRLIST ? json_is_string(json_array_get(v, i))
						    : json_is_integer(json_array_get(v, i)));
		check_json_text(dv, v);
		return;
	case FT_JSON:
		CHECK(json_is_object(v));
		check_json_text(dv, v);
		return;
	default:
		break;
	}
	CHECK(json_is_string(v) && dv->type == DV_TEXT);
	CHECK(dv->len == json_string_length(v) && !memcmp(dv->s, json_string_value(v), dv->len));
	CHECK(!f->maxlen || utf8_chars(dv->s) <= (size_t)f->maxlen);
	if (f->type == FT_CHOICE) {
		int ok = 0;
		for (int k = 0; f->choices[k]; k++)
			ok |= !strcmp(f->choices[k], dv->s);
		CHECK(ok);
	}
}

static void check_success(struct fz_app *a, const struct api_resource *res, json_t *body,
			  const struct dom_record *rec, int partial)
{
	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		const struct dom_value *dv = dom_record_get(rec, f->name);
		json_t *v = json_object_get(body, f->name);

		/* the record holds the model's fields; wire-only ones (computed) are never decoded
		 */
		CHECK(dv || !f->model);
		if (!dv)
			continue;
		if (!v || !settable(f) || (res->model->taggable && !strcmp(f->name, "tags"))) {
			CHECK(dv->type == DV_ABSENT);
			CHECK(partial || !(f->flags & F_REQ) || !settable(f));
			continue;
		}
		check_value(a, f, dv, v);
	}
}

/* An error names a body key longer than a ck_error field holds by its first
 * CK_ERROR_FIELD_MAX - 1 bytes (such keys are never declared fields). */
static int truncated_key(json_t *body, const char *key)
{
	const char *k;
	json_t *v;

	if (strlen(key) != CK_ERROR_FIELD_MAX - 1)
		return 0;
	json_object_foreach(body, k, v) if (!strncmp(k, key, CK_ERROR_FIELD_MAX - 1)) return 1;
	return 0;
}

static void check_errors(const struct api_resource *res, json_t *body, json_t *errors)
{
	const char *key;
	json_t *msgs, *m;
	size_t i;

	CHECK(json_is_object(errors) && json_object_size(errors) > 0);
	json_object_foreach(errors, key, msgs)
	{
		const struct api_field *f = api_resource_field(res, key);
		CHECK(json_object_get(body, key) || (f && (f->flags & F_REQ)) ||
		      truncated_key(body, key));
		CHECK(json_is_array(msgs) && json_array_size(msgs) > 0);
		json_array_foreach(msgs, i, m)
		    CHECK(json_is_string(m) && json_string_length(m) > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_app *a = fz_app_get();
	struct fz f = {data, size};
	uint8_t sel = fz_u8(&f);
	const struct api_resource *res = api_registry_at((sel & 0x7f) % api_registry_count());
	int partial = (sel & 0x80) != 0;
	char *body_text = fz_dup(f.p, f.n);
	struct http_request req = {"POST", res->path, "",	   NULL, 0,   body_text,
				   f.n,	   "fuzz",    "127.0.0.1", 0,	 NULL};
	struct http_response resp;
	struct api_req ar;
	struct dom_record rec;
	struct ck_error err;
	json_t *body = NULL, *tags = NULL;
	int rc;

	fz_req_init(&ar, a, &resp, &req);
	ck_error_clear(&err);
	CHECK(dom_model_record_init(res->model, &rec) == 0);
	rc = api_body(&ar, &body, &err);
	CHECK((rc == 0) == body_acceptable(body_text, f.n));
	if (rc) {
		CHECK(rc == CK_E_PARSE && err.msg[0]);
		goto out;
	}
	rc = api_decode_record(&ar, res, body, partial, &rec, &tags, &err);
	if (!json_is_object(body)) {
		CHECK(rc == CK_E_INVALID && !strcmp(err.field, "non_field_errors"));
	} else if (rc == 0) {
		CHECK(!ar.errors || json_object_size(ar.errors) == 0);
		CHECK(tags == (res->model->taggable ? json_object_get(body, "tags") : NULL));
		check_success(a, res, body, &rec, partial);
	} else if (rc == CK_E_INVALID && !ar.errors) {
		/* an error without a field name cannot be collected: only the empty key "" */
		CHECK(json_object_get(body, "") && !err.field[0] && err.msg[0]);
	} else if (rc == CK_E_INVALID) {
		check_errors(res, body, ar.errors);
	} else {
		CHECK(rc == CK_E_TOOBIG && err.field[0] && json_object_get(body, err.field));
	}
out:
	dom_record_release(&rec);
	fz_req_release(&ar, &resp);
	free(body_text);
	return 0;
}
