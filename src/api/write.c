/*
 * api/write — the write side of the registry: JSON → dom_record decoding with NetBox/DRF
 * error messages, create / update / partial update / delete, their bulk forms, tags, and the
 * changelog row of every change, each request in ONE transaction.
 */
#include "api/query.h"
#include "api/write.h"
#include "core/parse.h"
#include "domain/write.h"
#include "store/records.h"

#include <stdlib.h>
#include <string.h>

static int utf8_chars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int decode_fk(struct api_req *ar, const struct api_field *f, json_t *v,
		     struct dom_record *rec, struct ck_error *err)
{
	const struct api_resource *target = api_registry_find(f->fk_target);
	json_int_t id;
	int found = 0;

	if (json_is_object(v))
		v = json_object_get(v, "id");
	if (!json_is_integer(v))
		return ck_error_set(err, CK_E_INVALID, f->name,
				    "Incorrect type. Expected pk value.");
	id = json_integer_value(v);
	if (target) {
		if (store_record_exists(ar->ctx.conn, target->model->table, id, &found, err))
			return CK_E_DB;
		if (!found)
			return ck_error_set(err, CK_E_INVALID, f->name,
					    "Invalid pk \"%lld\" - object does not exist.",
					    (long long)id);
	}
	return dom_record_set_int(rec, f->name, id);
}

static int decode_list(const struct api_field *f, json_t *v, struct dom_record *rec,
		       struct ck_error *err)
{
	size_t i;
	json_t *item;
	char *text;
	int r;

	if (!json_is_array(v))
		return ck_error_set(err, CK_E_INVALID, f->name,
				    "Expected a list of items but got type \"%s\".",
				    json_is_string(v) ? "str" : "other");
	if (json_array_size(v) > 10000)
		return ck_error_set(err, CK_E_TOOBIG, f->name,
				    "Ensure this field has no more than 10000 elements.");
	json_array_foreach(v, i, item)
	{
		if (f->type == FT_STRLIST &&
		    (!json_is_string(item) || json_string_length(item) > 2048))
			return ck_error_set(
			    err, CK_E_INVALID, f->name,
			    "Each item must be a string of at most 2048 characters.");
		if (f->type == FT_INTLIST && !json_is_integer(item))
			return ck_error_set(err, CK_E_INVALID, f->name,
					    "Each item must be an integer.");
	}
	text = json_dumps(v, JSON_COMPACT);
	if (!text)
		return CK_E_NOMEM;
	r = dom_record_set_text(rec, f->name, text, strlen(text));
	free(text);
	return r;
}

static int decode_scalar(const struct api_field *f, json_t *v, struct dom_record *rec,
			 struct ck_error *err)
{
	int64_t t;

	switch (f->type) {
	case FT_INT:
		if (!json_is_integer(v))
			return ck_error_set(err, CK_E_INVALID, f->name,
					    "A valid integer is required.");
		return dom_record_set_int(rec, f->name, json_integer_value(v));
	case FT_DOUBLE:
		if (!json_is_number(v))
			return ck_error_set(err, CK_E_INVALID, f->name,
					    "A valid number is required.");
		return dom_record_set_double(rec, f->name, json_number_value(v));
	case FT_BOOL:
		if (!json_is_boolean(v))
			return ck_error_set(err, CK_E_INVALID, f->name, "Must be a valid boolean.");
		return dom_record_set_int(rec, f->name, json_is_true(v));
	case FT_TIME:
		if (!json_is_string(v) || ck_parse_time(json_string_value(v), &t))
			return ck_error_set(
			    err, CK_E_INVALID, f->name,
			    "Datetime has wrong format. Use one of these formats instead: "
			    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
		return dom_record_set_int(rec, f->name, t);
	case FT_JSON: {
		char *text;
		int r;
		if (!json_is_object(v))
			return ck_error_set(err, CK_E_INVALID, f->name, "Expected a JSON object.");
		text = json_dumps(v, JSON_COMPACT);
		if (!text)
			return CK_E_NOMEM;
		r = dom_record_set_text(rec, f->name, text, strlen(text));
		free(text);
		return r;
	}
	default:
		break;
	}
	if (!json_is_string(v))
		return ck_error_set(err, CK_E_INVALID, f->name, "Not a valid string.");
	if (f->maxlen && utf8_chars(json_string_value(v)) > f->maxlen)
		return ck_error_set(err, CK_E_INVALID, f->name,
				    "Ensure this field has no more than %d characters.", f->maxlen);
	if (f->type == FT_CHOICE && !(f->flags & F_OPEN)) {
		int ok = 0;
		for (int k = 0; f->choices[k] && !ok; k++)
			ok = !strcmp(f->choices[k], json_string_value(v));
		if (!ok)
			return ck_error_set(err, CK_E_INVALID, f->name,
					    "\"%.60s\" is not a valid choice.",
					    json_string_value(v));
	}
	return dom_record_set_text(rec, f->name, json_string_value(v), json_string_length(v));
}

static int decode_field(struct api_req *ar, const struct api_field *f, json_t *v,
			struct dom_record *rec, struct ck_error *err)
{
	if (json_is_null(v)) {
		if (!(f->flags & F_NULL))
			return ck_error_set(err, CK_E_INVALID, f->name,
					    "This field may not be null.");
		return dom_record_set_null(rec, f->name);
	}
	if (f->type == FT_FK)
		return decode_fk(ar, f, v, rec, err);
	if (f->type == FT_STRLIST || f->type == FT_INTLIST)
		return decode_list(f, v, rec, err);
	return decode_scalar(f, v, rec, err);
}

/* The resource's normaliser for f applied to a string: *ret is the stored form as a new JSON
 * string to decode instead of v (caller decrefs); NULL when f has no normaliser. */
static int normalize(const struct api_resource *res, const struct api_field *f, json_t *v,
		     json_t **ret, struct ck_error *err)
{
	const struct dom_normalizer *nz = res->model->normalizers;
	struct strbuf out;
	int r;

	*ret = NULL;
	while (nz && nz->field && strcmp(nz->field, f->name))
		nz++;
	if (!nz || !nz->field || !json_is_string(v))
		return 0;
	strbuf_init(&out, json_string_length(v) * 2 + 64);
	r = nz->normalize(f->name, json_string_value(v), &out, err);
	if (!r) {
		*ret = json_stringn(strbuf_str(&out), out.len);
		r = *ret ? 0 : CK_E_NOMEM;
	}
	strbuf_release(&out);
	return r;
}

int api_decode_record(struct api_req *ar, const struct api_resource *res, json_t *obj, int partial,
		      struct dom_record *rec, json_t **ret_tags, struct ck_error *err)
{
	const char *key;
	json_t *v, *norm = NULL;
	int r;

	if (!json_is_object(obj))
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "Invalid data. Expected a dictionary, but got %s.",
				    json_is_array(obj) ? "list" : "another type");
	*ret_tags = NULL;
	json_object_foreach(obj, key, v)
	{
		const struct api_field *f = api_resource_field(res, key);
		if (!strcmp(key, "tags") && res->model->taggable) {
			*ret_tags = v;
			continue;
		}
		if (!f && (!strcmp(key, "id") || !strcmp(key, "url") || !strcmp(key, "display")))
			continue; /* read-only, as DRF: ignored on input */
		if (!f || (f->flags & F_HIDDEN))
			r = ck_error_set(err, CK_E_INVALID, key, "Unknown field.");
		else if ((f->flags & F_RO) || f->type == FT_COMPUTED || f->type == FT_ID)
			continue;
		else if (!(r = normalize(res, f, v, &norm, err)))
			r = decode_field(ar, f, norm ? norm : v, rec, err);
		json_decref(norm);
		norm = NULL;
		if (r && (r != CK_E_INVALID || !api_collect_error(ar, err)))
			return r;
	}
	for (size_t i = 0; !partial && i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		if ((f->flags & F_REQ) && !dom_record_has(rec, f->name) &&
		    !(ar->errors && json_object_get(ar->errors, f->name))) {
			ck_error_set(err, CK_E_INVALID, f->name, "This field is required.");
			api_collect_error(ar, err);
		}
	}
	return ar->errors && json_object_size(ar->errors) ? CK_E_INVALID : 0;
}

/* The "display" member of a snapshot rendered by api_render_row (id, url, display come
 * first; a URL holds no quote), decoded without parsing the whole object — snapshots carry
 * PEM text and a full parse per write cost a sixth of an import's time. Caller frees. */
static char *snapshot_display(const char *json)
{
	const char *p = json ? strstr(json, ",\"display\":\"") : NULL;
	const char *q;
	json_t *s;
	char *out;

	if (!p)
		return NULL;
	p += strlen(",\"display\":");
	for (q = p + 1; *q && *q != '"'; q++)
		if (*q == '\\' && q[1])
			q++;
	if (*q != '"')
		return NULL;
	s = json_loadb(p, (size_t)(q - p + 1), JSON_DECODE_ANY, NULL);
	out = json_is_string(s) ? strdup(json_string_value(s)) : NULL;
	json_decref(s);
	return out;
}

/* The domain's snapshot serialiser (domain/context.h): the object's full wire JSON. */
static char *render_snapshot(void *env, const struct dom_model *m, int64_t id, char **ret_repr)
{
	const struct api_resource *res = api_registry_for_model(m);
	char *json = res ? api_render_object_json(env, res, id) : NULL;

	if (ret_repr)
		*ret_repr = json ? snapshot_display(json) : NULL;
	return json;
}

void api_req_snapshots(struct api_req *ar)
{
	ar->snap.render = render_snapshot;
	ar->snap.env = ar;
	ar->ctx.snap = &ar->snap;
}

int api_decode_tags(json_t *tags, struct dom_tags *out)
{
	struct dom_tag_ref *v;
	size_t i;
	json_t *t;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(tags)) {
		out->not_a_list = 1;
		return 0;
	}
	v = calloc(json_array_size(tags) ? json_array_size(tags) : 1, sizeof(*v));
	if (!v)
		return CK_E_NOMEM;
	/* ids, {"id"}, {"name"} or {"slug"}; strings stay borrowed from the JSON */
	json_array_foreach(tags, i, t)
	{
		const char *by = NULL;
		json_t *val = t;
		if (json_is_object(t)) {
			by = json_object_get(t, "id")	  ? "id"
			     : json_object_get(t, "slug") ? "slug"
							  : "name";
			val = json_object_get(t, by);
		}
		if (json_is_integer(val))
			v[i] = (struct dom_tag_ref){"id", json_integer_value(val), NULL};
		else if (json_is_string(val) && by)
			v[i] = (struct dom_tag_ref){by, 0, json_string_value(val)};
	}
	out->v = v;
	out->n = json_array_size(tags);
	return 0;
}

void api_tags_release(struct dom_tags *tags)
{
	free((void *)tags->v);
	memset(tags, 0, sizeof(*tags));
}

struct write_job {
	const struct api_resource *res;
	json_t *body;
	int64_t id; /* detail URL id, 0 for list */
	int partial;
	int del;
	struct api_req *ar;
	struct dom_record rec; /* the item being written */
	struct dom_tags tags;
};

static int item_id(json_t *item, int64_t *ret, struct ck_error *err)
{
	json_t *v = json_is_object(item) ? json_object_get(item, "id") : item;

	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return ck_error_set(err, CK_E_INVALID, "id",
				    "Every item of a bulk request needs a valid \"id\".");
	*ret = json_integer_value(v);
	return 0;
}

/* dom_bulk.prepare: decodes item i of the request into the change to make. */
static int prepare_item(void *arg, size_t i, struct dom_write_op *op, struct ck_error *err)
{
	struct write_job *job = arg;
	struct api_req *ar = job->ar;
	json_t *item = json_is_array(job->body) ? json_array_get(job->body, i) : job->body;
	json_t *tags = NULL;
	int r = 0;

	op->id = job->id;
	if (!op->id && json_is_array(job->body) && (job->del || strcmp(ar->http->method, "POST")))
		r = item_id(item, &op->id, err);
	if (r || job->del) {
		op->kind = DOM_WRITE_DELETE;
		return r;
	}
	op->kind = op->id ? DOM_WRITE_UPDATE : DOM_WRITE_CREATE;
	r = dom_model_record_init(job->res->model, &job->rec);
	if (!r)
		r = api_decode_record(ar, job->res, item, job->partial, &job->rec, &tags, err);
	if (!r && tags)
		r = api_decode_tags(tags, &job->tags);
	op->rec = &job->rec;
	op->tags = tags ? &job->tags : NULL;
	return r;
}

static void finish_item(void *arg, size_t i, struct dom_write_op *op)
{
	struct write_job *job = arg;

	(void)i;
	(void)op;
	dom_record_release(&job->rec);
	api_tags_release(&job->tags);
}

void api_write(struct api_req *ar, const struct api_resource *res, int64_t id)
{
	const char *m = ar->http->method;
	struct write_job job = {.res = res,
				.id = id,
				.partial = !strcmp(m, "PATCH"),
				.del = !strcmp(m, "DELETE"),
				.ar = ar};
	struct dom_bulk bulk = {
	    .model = res->model, .prepare = prepare_item, .finish = finish_item, .arg = &job};
	struct ck_error err;
	struct jsonw w;
	size_t n;
	int r;

	ck_error_clear(&err);
	if (job.del && id) {
		job.body = NULL;
	} else if ((r = api_body(ar, &job.body, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	if (job.body && json_is_array(job.body) && id) {
		api_fail_detail(ar, CK_E_INVALID,
				"Expected a single object on a detail URL, got a list.");
		return;
	}
	if (!id && !job.body) {
		api_fail_detail(ar, CK_E_INVALID, "A JSON body is required.");
		return;
	}
	n = job.body && json_is_array(job.body) ? json_array_size(job.body) : 1;
	if (job.body && json_is_array(job.body) && (n == 0 || n > 1000)) {
		api_fail_detail(ar, CK_E_INVALID,
				n ? "Bulk requests are limited to 1000 objects." : "Empty list.");
		return;
	}
	if (!id && strcmp(m, "POST") && !json_is_array(job.body)) {
		api_fail_detail(ar, CK_E_INVALID,
				"Bulk operations need a list of objects with ids.");
		return;
	}
	bulk.n = n;
	bulk.ret_ids = calloc(n, sizeof(*bulk.ret_ids));
	if (!bulk.ret_ids) {
		api_fail(ar, CK_E_NOMEM, NULL);
		return;
	}
	r = dom_write_bulk(&ar->ctx, &bulk, &err);
	if (r) {
		if (!json_is_array(job.body))
			err.index = -1;
		api_fail(ar, r, &err);
		goto out;
	}
	if (job.del) {
		api_no_content(ar);
		goto out;
	}
	api_json_begin(ar, strcmp(m, "POST") ? 200 : 201, &w);
	if (json_is_array(job.body))
		jsonw_arr_open(&w);
	for (size_t i = 0; i < n; i++)
		api_render_object(ar, res, bulk.ret_ids[i], 0, &w, NULL);
	if (json_is_array(job.body))
		jsonw_arr_close(&w);
out:
	free(bulk.ret_ids);
}
