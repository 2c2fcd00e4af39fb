/*
 * api/write — the write side of the registry: JSON → dom_record decoding with NetBox/DRF
 * error messages, create / update / partial update / delete, their bulk forms, tags, and the
 * changelog row of every change, each request in ONE transaction.
 */
#include "api/query.h"
#include "api/write.h"
#include "core/parse.h"
#include "domain/assignment.h"
#include "domain/changelog.h"
#include "domain/uow.h"
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

static int decode_fk(struct api_req *ar, const struct api_field *f, json_t *v, struct dom_record *rec,
		     struct ck_error *err)
{
	const struct api_resource *target = api_registry_find(f->fk_target);
	json_int_t id;
	int found = 0;

	if (json_is_object(v))
		v = json_object_get(v, "id");
	if (!json_is_integer(v))
		return ck_error_set(err, CK_E_INVALID, f->name, "Incorrect type. Expected pk value.");
	id = json_integer_value(v);
	if (target) {
		if (store_record_exists(ar->ctx.conn, target->table, id, &found, err))
			return CK_E_DB;
		if (!found)
			return ck_error_set(err, CK_E_INVALID, f->name, "Invalid pk \"%lld\" - object does not exist.",
					    (long long)id);
	}
	return dom_record_set_int(rec, f->name, id);
}

static int decode_list(const struct api_field *f, json_t *v, struct dom_record *rec, struct ck_error *err)
{
	size_t i;
	json_t *item;
	char *text;
	int r;

	if (!json_is_array(v))
		return ck_error_set(err, CK_E_INVALID, f->name, "Expected a list of items but got type \"%s\".",
				    json_is_string(v) ? "str" : "other");
	if (json_array_size(v) > 10000)
		return ck_error_set(err, CK_E_TOOBIG, f->name, "Ensure this field has no more than 10000 elements.");
	json_array_foreach(v, i, item) {
		if (f->type == FT_STRLIST && (!json_is_string(item) || json_string_length(item) > 2048))
			return ck_error_set(err, CK_E_INVALID, f->name, "Each item must be a string of at most 2048 characters.");
		if (f->type == FT_INTLIST && !json_is_integer(item))
			return ck_error_set(err, CK_E_INVALID, f->name, "Each item must be an integer.");
	}
	text = json_dumps(v, JSON_COMPACT);
	if (!text)
		return CK_E_NOMEM;
	r = dom_record_set_text(rec, f->name, text, strlen(text));
	free(text);
	return r;
}

static int decode_scalar(const struct api_field *f, json_t *v, struct dom_record *rec, struct ck_error *err)
{
	int64_t t;

	switch (f->type) {
	case FT_INT:
		if (!json_is_integer(v))
			return ck_error_set(err, CK_E_INVALID, f->name, "A valid integer is required.");
		return dom_record_set_int(rec, f->name, json_integer_value(v));
	case FT_DOUBLE:
		if (!json_is_number(v))
			return ck_error_set(err, CK_E_INVALID, f->name, "A valid number is required.");
		return dom_record_set_double(rec, f->name, json_number_value(v));
	case FT_BOOL:
		if (!json_is_boolean(v))
			return ck_error_set(err, CK_E_INVALID, f->name, "Must be a valid boolean.");
		return dom_record_set_int(rec, f->name, json_is_true(v));
	case FT_TIME:
		if (!json_is_string(v) || ck_parse_time(json_string_value(v), &t))
			return ck_error_set(err, CK_E_INVALID, f->name,
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
		return ck_error_set(err, CK_E_INVALID, f->name, "Ensure this field has no more than %d characters.", f->maxlen);
	if (f->type == FT_CHOICE && !(f->flags & F_OPEN)) {
		int ok = 0;
		for (int k = 0; f->choices[k] && !ok; k++)
			ok = !strcmp(f->choices[k], json_string_value(v));
		if (!ok)
			return ck_error_set(err, CK_E_INVALID, f->name, "\"%.60s\" is not a valid choice.", json_string_value(v));
	}
	return dom_record_set_text(rec, f->name, json_string_value(v), json_string_length(v));
}

static int decode_field(struct api_req *ar, const struct api_field *f, json_t *v, struct dom_record *rec,
			struct ck_error *err)
{
	if (json_is_null(v)) {
		if (!(f->flags & F_NULL))
			return ck_error_set(err, CK_E_INVALID, f->name, "This field may not be null.");
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
static int normalize(const struct api_resource *res, const struct api_field *f, json_t *v, json_t **ret,
		     struct ck_error *err)
{
	const struct api_normalizer *nz = res->normalizers;
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
		return ck_error_set(err, CK_E_INVALID, "non_field_errors", "Invalid data. Expected a dictionary, but got %s.",
				    json_is_array(obj) ? "list" : "another type");
	*ret_tags = NULL;
	json_object_foreach(obj, key, v) {
		const struct api_field *f = api_resource_field(res, key);
		if (!strcmp(key, "tags") && res->taggable) {
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

/* Tags given as ids, {"id"}, {"name"} or {"slug"} → tag ids, replacing the object's set. */
static int write_tags(struct api_req *ar, const struct api_resource *res, int64_t id, json_t *tags,
		      struct ck_error *err)
{
	size_t i;
	json_t *t;
	int r;

	if (!json_is_array(tags))
		return ck_error_set(err, CK_E_INVALID, "tags", "Expected a list of items.");
	r = store_tags_clear(ar->ctx.conn, res->object_type, id, err);
	if (r)
		return r;
	json_array_foreach(tags, i, t) {
		int64_t tag_id = 0;
		const char *by = NULL;
		json_t *val = t;
		if (json_is_object(t)) {
			by = json_object_get(t, "id") ? "id" : json_object_get(t, "slug") ? "slug" : "name";
			val = json_object_get(t, by);
		}
		if (json_is_integer(val))
			r = store_tag_find(ar->ctx.conn, "id", json_integer_value(val), NULL, &tag_id, err);
		else if (json_is_string(val) && by)
			r = store_tag_find(ar->ctx.conn, by, 0, json_string_value(val), &tag_id, err);
		if (r)
			return r;
		if (!tag_id)
			return ck_error_set(err, CK_E_INVALID, "tags", "Related object not found using the provided attributes (item %zu).", i);
		r = store_tags_attach(ar->ctx.conn, tag_id, res->object_type, id, err);
		if (r)
			return r;
	}
	return 0;
}

static int writable_column(const struct api_field *f)
{
	return f->column && !(f->flags & F_SQLEXPR) && f->type != FT_ID && f->type != FT_COMPUTED &&
	       strcmp(f->name, "created") && strcmp(f->name, "last_updated");
}

/* The record's present, writable values as store values (borrowing the record's text), in
 * declaration order. *ret (caller frees) may be NULL when n is 0. */
static int record_values(const struct api_resource *res, const struct dom_record *rec, struct store_value **ret,
			 size_t *ret_n)
{
	struct store_value *v = calloc(res->nfields ? res->nfields : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return CK_E_NOMEM;
	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		const struct dom_value *dv;
		if (!writable_column(f) || !dom_record_has(rec, f->name))
			continue;
		dv = dom_record_get(rec, f->name);
		v[n].column = f->column;
		switch (dv->type) {
		case DV_INT: v[n].type = STORE_V_INT; v[n].i = dv->i; break;
		case DV_DOUBLE: v[n].type = STORE_V_DOUBLE; v[n].d = dv->d; break;
		case DV_TEXT: v[n].type = STORE_V_TEXT; v[n].s = dv->s; v[n].len = dv->len; break;
		default: v[n].type = STORE_V_NULL; break;
		}
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int insert_row(struct api_req *ar, const struct api_resource *res, struct dom_record *rec,
		      int64_t *ret_id, struct ck_error *err)
{
	struct store_value *v = NULL;
	size_t n = 0;
	int r = record_values(res, rec, &v, &n);

	if (!r)
		r = store_record_insert(ar->ctx.conn, res->table, v, n, ar->ctx.now, ret_id, err);
	free(v);
	return r;
}

static int update_row(struct api_req *ar, const struct api_resource *res, int64_t id,
		      struct dom_record *rec, struct ck_error *err)
{
	struct store_value *v = NULL;
	size_t n = 0;
	int r = record_values(res, rec, &v, &n);

	if (!r)
		r = store_record_update(ar->ctx.conn, res->table, id, v, n, ar->ctx.now, err);
	free(v);
	return r;
}

/* Turns a store-level unique violation into the DRF message on the right field. */
static int explain_duplicate(const struct api_resource *res, int r, struct ck_error *err)
{
	char field[CK_ERROR_FIELD_MAX];

	if (r != CK_E_DUPLICATE || !err)
		return r;
	snprintf(field, sizeof(field), "%s", err->field[0] ? err->field : "non_field_errors");
	if (strchr(field, ','))
		return ck_error_set(err, r, "non_field_errors", "A %s with these values (%s) already exists.",
				    res->verbose, field);
	return ck_error_set(err, r, field, "%s with this %s already exists.", res->verbose, field);
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

static int snapshot_and_log(struct api_req *ar, const struct api_resource *res, const char *action,
			    int64_t id, const char *pre, struct ck_error *err)
{
	char *post = strcmp(action, "delete") ? api_render_object_json(ar, res, id) : NULL;
	char *repr = snapshot_display(post ? post : pre);
	int r = dom_changelog_write(&ar->ctx, action, res->object_type, id, repr, pre, post, err);

	free(repr);
	free(post);
	return r;
}

/* Create or update with optional tags, written before the changelog snapshot so the
 * snapshot shows them. */
static int create_tagged(struct api_req *ar, const struct api_resource *res, struct dom_record *rec,
			 json_t *tags, int64_t *ret_id, struct ck_error *err)
{
	int64_t id = 0;
	int r = 0;

	if (res->hooks.before_write)
		r = res->hooks.before_write(&ar->ctx, rec, 0, err);
	if (!r)
		r = dom_record_refuse_secrets(rec, err);
	if (!r)
		r = explain_duplicate(res, insert_row(ar, res, rec, &id, err), err);
	if (!r && tags)
		r = write_tags(ar, res, id, tags, err);
	if (!r && res->hooks.after_write)
		r = res->hooks.after_write(&ar->ctx, rec, id, 0, err);
	if (!r)
		r = snapshot_and_log(ar, res, "create", id, NULL, err);
	if (!r)
		*ret_id = id;
	return r;
}

int api_create_record(struct api_req *ar, const struct api_resource *res, struct dom_record *rec,
		      int64_t *ret_id, struct ck_error *err)
{
	return create_tagged(ar, res, rec, NULL, ret_id, err);
}

static int update_tagged(struct api_req *ar, const struct api_resource *res, int64_t id,
			 struct dom_record *rec, json_t *tags, struct ck_error *err)
{
	char *pre = api_render_object_json(ar, res, id);
	int r = 0;

	if (!pre)
		return ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	if (res->hooks.before_write)
		r = res->hooks.before_write(&ar->ctx, rec, id, err);
	if (!r)
		r = dom_record_refuse_secrets(rec, err);
	if (!r)
		r = explain_duplicate(res, update_row(ar, res, id, rec, err), err);
	if (!r && tags)
		r = write_tags(ar, res, id, tags, err);
	if (!r && res->hooks.after_write)
		r = res->hooks.after_write(&ar->ctx, rec, id, id, err);
	if (!r)
		r = snapshot_and_log(ar, res, "update", id, pre, err);
	free(pre);
	return r;
}

int api_update_record(struct api_req *ar, const struct api_resource *res, int64_t id,
		      struct dom_record *rec, struct ck_error *err)
{
	return update_tagged(ar, res, id, rec, NULL, err);
}

/* The cascade (docs/lifecycle.md "Deleting what a certificate is assigned to"): every
 * dependent object is deleted first through this same path, so each gets its hooks and its
 * own changelog row instead of vanishing through a foreign key. */
static int delete_dependents(struct api_req *ar, const struct api_resource *res, int64_t id, struct ck_error *err)
{
	struct dom_dependent *deps = NULL;
	size_t n = 0;
	int r = dom_dependents(&ar->ctx, res->object_type, id, &deps, &n, err);

	for (size_t i = 0; i < n && !r; i++) {
		const struct api_resource *dep = api_registry_find(deps[i].resource);
		r = dep ? api_delete_record(ar, dep, deps[i].id, err) : CK_E_INTERNAL;
	}
	free(deps);
	return r;
}

int api_delete_record(struct api_req *ar, const struct api_resource *res, int64_t id, struct ck_error *err)
{
	char *pre = api_render_object_json(ar, res, id);
	int r = 0;

	if (!pre)
		return ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	r = delete_dependents(ar, res, id, err);
	if (!r && res->hooks.before_delete)
		r = res->hooks.before_delete(&ar->ctx, id, err);
	if (!r) {
		r = store_record_delete(ar->ctx.conn, res->table, id, err);
		if (r == CK_E_INVALID)
			r = ck_error_set(err, CK_E_CONFLICT, NULL,
					 "Unable to delete object: other objects depend on this %s.", res->verbose);
	}
	if (!r && res->taggable)
		r = store_tags_clear(ar->ctx.conn, res->object_type, id, err);
	if (!r)
		r = snapshot_and_log(ar, res, "delete", id, pre, err);
	free(pre);
	return r;
}

/* One item of a create or update request: decode, write, tags. */
static int write_one(struct api_req *ar, const struct api_resource *res, json_t *obj, int64_t id,
		     int partial, int64_t *ret_id, struct ck_error *err)
{
	struct dom_record rec;
	json_t *tags = NULL;
	int r = dom_record_init(&rec, api_resource_names(res), res->nfields);

	if (r)
		return r;
	r = api_decode_record(ar, res, obj, partial, &rec, &tags, err);
	if (!r && id)
		r = update_tagged(ar, res, id, &rec, tags, err);
	else if (!r)
		r = create_tagged(ar, res, &rec, tags, &id, err);
	dom_record_release(&rec);
	if (!r)
		*ret_id = id;
	return r;
}

struct write_job {
	const struct api_resource *res;
	json_t *body;
	int64_t id;       /* detail URL id, 0 for list */
	int partial;
	int del;
	int64_t *ids;     /* out: ids written, in order */
	size_t nids;
	struct api_req *ar; /* the request this domain command runs for */
};

static int item_id(json_t *item, int64_t *ret, struct ck_error *err)
{
	json_t *v = json_is_object(item) ? json_object_get(item, "id") : item;

	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return ck_error_set(err, CK_E_INVALID, "id", "Every item of a bulk request needs a valid \"id\".");
	*ret = json_integer_value(v);
	return 0;
}

static int run_write(void *arg, struct ck_error *err)
{
	struct write_job *job = arg;
	struct api_req *ar = job->ar;
	size_t n = json_is_array(job->body) ? json_array_size(job->body) : 1;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		json_t *item = json_is_array(job->body) ? json_array_get(job->body, i) : job->body;
		int64_t id = job->id, out = 0;
		if (!id && json_is_array(job->body) && (job->del || strcmp(ar->http->method, "POST")))
			r = item_id(item, &id, err);
		if (!r && job->del)
			r = api_delete_record(ar, job->res, id, err);
		else if (!r)
			r = write_one(ar, job->res, item, id, job->partial, &out, err);
		if (r && err && json_is_array(job->body))
			err->index = (long)i;
		job->ids[i] = out ? out : id;
		job->nids = i + 1;
	}
	return r;
}

void api_write(struct api_req *ar, const struct api_resource *res, int64_t id)
{
	const char *m = ar->http->method;
	struct write_job job = {res, NULL, id, !strcmp(m, "PATCH"), !strcmp(m, "DELETE"), NULL, 0, ar};
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
		api_fail_detail(ar, CK_E_INVALID, "Expected a single object on a detail URL, got a list.");
		return;
	}
	if (!id && !job.body) {
		api_fail_detail(ar, CK_E_INVALID, "A JSON body is required.");
		return;
	}
	n = job.body && json_is_array(job.body) ? json_array_size(job.body) : 1;
	if (job.body && json_is_array(job.body) && (n == 0 || n > 1000)) {
		api_fail_detail(ar, CK_E_INVALID, n ? "Bulk requests are limited to 1000 objects." : "Empty list.");
		return;
	}
	if (!id && !job.body) {
		api_fail_detail(ar, CK_E_INVALID, "Bulk operations need a list of objects with ids.");
		return;
	}
	if (!id && strcmp(m, "POST") && !json_is_array(job.body)) {
		api_fail_detail(ar, CK_E_INVALID, "Bulk operations need a list of objects with ids.");
		return;
	}
	job.ids = calloc(n, sizeof(*job.ids));
	if (!job.ids) {
		api_fail(ar, CK_E_NOMEM, NULL);
		return;
	}
	r = dom_uow_run(&ar->ctx, run_write, &job, &err);
	if (r) {
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
	for (size_t i = 0; i < job.nids; i++)
		api_render_object(ar, res, job.ids[i], 0, &w, NULL);
	if (json_is_array(job.body))
		jsonw_arr_close(&w);
out:
	free(job.ids);
}
