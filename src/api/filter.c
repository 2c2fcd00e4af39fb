/* api/filter — see filter.h. */
#include "api/filter.h"
#include "core/parse.h"

#include <stdlib.h>
#include <string.h>

static const char *const reserved[] = {"limit",	 "offset", "cursor", "ordering", "brief",
				       "fields", "format", "omit",   "exclude",	 "include",
				       "export", "_",	   NULL};

int api_param_is_reserved(const char *key)
{
	for (int i = 0; reserved[i]; i++)
		if (!strcmp(key, reserved[i]))
			return 1;
	return 0;
}

void api_fc_init(struct api_filter_ctx *fc, const struct api_resource *res,
		 const struct dom_ctx *ctx)
{
	fc->res = res;
	store_qs_init(&fc->spec, res->model->table);
	fc->now = ctx->now;
	fc->cfg = ctx->cfg;
	fc->conn = ctx->conn;
}

void api_fc_release(struct api_filter_ctx *fc) { store_qs_release(&fc->spec); }

int api_fc_bind_text(struct api_filter_ctx *fc, const char *s)
{
	return store_qs_bind_text(&fc->spec, s);
}

int api_fc_bind_int(struct api_filter_ctx *fc, int64_t v)
{
	return store_qs_bind_int(&fc->spec, v);
}

int api_filter_bool(const char *name, const char *v, int *ret, struct ck_error *err)
{
	if (ck_parse_bool(v, ret))
		return ck_error_set(
		    err, CK_E_INVALID, name,
		    "Select a valid choice. %s is not one of the available choices.", v);
	return 0;
}

enum lookup {
	LK_EXACT,
	LK_N,
	LK_IC,
	LK_NIC,
	LK_ISW,
	LK_NISW,
	LK_IEW,
	LK_NIEW,
	LK_IE,
	LK_NIE,
	LK_EMPTY,
	LK_LT,
	LK_LTE,
	LK_GT,
	LK_GTE,
	LK_NONE
};

static const char *const lookup_names[] = {"",	    "n",   "ic",   "nic", "isw",
					   "nisw",  "iew", "niew", "ie",  "nie",
					   "empty", "lt",  "lte",  "gt",  "gte"};

/* Splits "name__lk" into the base length and lookup; unknown suffix → whole key, exact. */
static enum lookup split_lookup(const char *key, size_t *ret_baselen)
{
	const char *sep = strstr(key, "__");

	*ret_baselen = strlen(key);
	if (!sep)
		return LK_EXACT;
	while (strstr(sep + 2, "__"))
		sep = strstr(sep + 2, "__");
	for (int i = 1; i < LK_NONE; i++) {
		if (!strcmp(sep + 2, lookup_names[i])) {
			*ret_baselen = (size_t)(sep - key);
			return (enum lookup)i;
		}
	}
	return LK_NONE;
}

/* Converts a filter value for a typed column into a bind; returns $n or a negative error. */
static int bind_typed(struct api_filter_ctx *fc, const struct api_field *f, const char *key,
		      const char *v, struct ck_error *err)
{
	int64_t i;
	int b;

	switch (f->type) {
	case FT_ID:
	case FT_INT:
	case FT_FK:
		if (ck_parse_i64(v, INT64_MIN, INT64_MAX, &i))
			return ck_error_set(err, CK_E_INVALID, key, "Enter a number.");
		return api_fc_bind_int(fc, i);
	case FT_BOOL:
		if (api_filter_bool(key, v, &b, err))
			return CK_E_INVALID;
		return api_fc_bind_int(fc, b);
	case FT_TIME:
		if (ck_parse_time(v, &i))
			return ck_error_set(err, CK_E_INVALID, key, "Enter a valid date/time.");
		return api_fc_bind_int(fc, i);
	case FT_CHOICE:
		if (f->flags & F_OPEN) /* free text beside the suggested values */
			return api_fc_bind_text(fc, v);
		for (int k = 0; f->choices[k]; k++)
			if (!strcmp(f->choices[k], v))
				return api_fc_bind_text(fc, v);
		return ck_error_set(
		    err, CK_E_INVALID, key,
		    "Select a valid choice. %.100s is not one of the available choices.", v);
	default:
		return api_fc_bind_text(fc, v);
	}
}

static int is_text(const struct api_field *f) { return f->type == FT_TEXT || f->type == FT_CHOICE; }

static const enum store_qs_lookup match_lookup[] = {
    [LK_IC] = STORE_QS_ICONTAINS,    [LK_NIC] = STORE_QS_ICONTAINS,
    [LK_ISW] = STORE_QS_ISTARTSWITH, [LK_NISW] = STORE_QS_ISTARTSWITH,
    [LK_IEW] = STORE_QS_IENDSWITH,   [LK_NIEW] = STORE_QS_IENDSWITH,
    [LK_IE] = STORE_QS_IEXACT,	     [LK_NIE] = STORE_QS_IEXACT,
};

/* The field's subject in the spec: its column, or its declared expression. */
static unsigned subject_flags(const struct api_field *f)
{
	return (f->flags & F_SQLEXPR) ? STORE_QS_EXPR : 0;
}

/* One value of one field lookup, added to the spec's open group. */
static int field_condition(struct api_filter_ctx *fc, const struct api_field *f, enum lookup lk,
			   const char *key, const char *v, struct ck_error *err)
{
	static const enum store_qs_lookup cmp[] = {
	    [LK_EXACT] = STORE_QS_EQ, [LK_N] = STORE_QS_NE,  [LK_LT] = STORE_QS_LT,
	    [LK_LTE] = STORE_QS_LTE,  [LK_GT] = STORE_QS_GT, [LK_GTE] = STORE_QS_GTE};
	unsigned sf = subject_flags(f);
	int n, b;

	if (lk == LK_EMPTY) {
		if (api_filter_bool(key, v, &b, err))
			return CK_E_INVALID;
		if (is_text(f))
			store_qs_where(&fc->spec, f->column, sf,
				       b ? STORE_QS_BLANK : STORE_QS_NOT_BLANK, 0);
		else
			store_qs_where(&fc->spec, f->column, sf,
				       b ? STORE_QS_NULL : STORE_QS_NOT_NULL, 0);
		return 0;
	}
	if (is_text(f) && lk >= LK_IC && lk <= LK_NIE)
		return store_qs_match(&fc->spec, f->column, sf, match_lookup[lk], v,
				      lk == LK_NIC || lk == LK_NISW || lk == LK_NIEW ||
					  lk == LK_NIE);
	if (lk == LK_EXACT && (f->flags & F_ICONTAINS))
		return store_qs_match(&fc->spec, f->column, sf, STORE_QS_ICONTAINS, v, 0);
	if (lk > LK_N && lk < LK_LT)
		return ck_error_set(err, CK_E_INVALID, key, "Lookup not supported for this field.");
	if (lk >= LK_LT && is_text(f) && f->type != FT_TEXT)
		return ck_error_set(err, CK_E_INVALID, key, "Lookup not supported for this field.");
	if (f->type == FT_STRLIST || f->type == FT_JSON || f->type == FT_INTLIST)
		return ck_error_set(err, CK_E_INVALID, key,
				    "This field cannot be filtered that way.");
	n = bind_typed(fc, f, key, v, err);
	if (n < 0)
		return n;
	store_qs_where(&fc->spec, f->column, sf,
		       lk == LK_N && (f->flags & F_NULL) ? STORE_QS_NE_OR_NULL : cmp[lk], n);
	return 0;
}

/* A value list for one key: OR-joined, or AND-joined for negated lookups (NetBox: `__n`
 * with several values excludes all of them). */
static int field_filter(struct api_filter_ctx *fc, const struct api_field *f, enum lookup lk,
			const char *key, const char *const *vals, size_t nvals,
			struct ck_error *err)
{
	int negated = lk == LK_N || lk == LK_NIC || lk == LK_NISW || lk == LK_NIEW || lk == LK_NIE;
	int r = 0;

	if (negated)
		store_qs_open_all(&fc->spec);
	else
		store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals && !r; i++)
		r = field_condition(fc, f, lk, key, vals[i], err);
	store_qs_close(&fc->spec);
	return r;
}

static const struct api_field id_field = {
    .name = "id", .type = FT_ID, .column = "id", .flags = F_ORDER};

/* `q`: each non-empty value matches any of the declared q columns (filter.h). */
static int q_filter(struct api_filter_ctx *fc, const char *const *vals, size_t nvals)
{
	const char *const *cols = fc->res->q_columns;
	int r = 0;

	if (!cols)
		return 0;
	for (size_t i = 0; i < nvals && !r; i++) {
		if (!vals[i][0])
			continue;
		store_qs_open_any(&fc->spec);
		for (int c = 0; cols[c] && !r; c++) {
			const char *col = cols[c];
			if (col[0] ==
			    '#') { /* holds hex and colons only: no other term can match */
				if (vals[i][strspn(vals[i], "0123456789abcdefABCDEF:")])
					continue;
				col++;
			}
			if (col[0] == '[' && col[1] == ']') { /* JSON array element */
				int n = api_fc_bind_text(fc, vals[i]);
				if (n < 0)
					r = n;
				else
					store_qs_where(&fc->spec, col + 2, 0, STORE_QS_JSON_HAS, n);
				continue;
			}
			if (col[0] == '=') {
				int n = api_fc_bind_text(fc, vals[i]);
				if (n < 0)
					r = n;
				else
					store_qs_filter(&fc->spec, col + 1, n, 0);
				continue;
			}
			r = store_qs_match(&fc->spec, col, STORE_QS_EXPR, STORE_QS_ICONTAINS,
					   vals[i], 0);
		}
		store_qs_close(&fc->spec);
	}
	return r;
}

/* NetBox's model-choice filters refuse a value naming no object: 400 "Select a valid choice".
 * The row of declared `table` whose id (by_int) or name/slug (`slug_too`) is `v`. */
static int choice_exists(struct api_filter_ctx *fc, const char *table, const char *col,
			 const char *col2, const char *key, const char *v, int by_int,
			 struct ck_error *err)
{
	int64_t id = 0;
	int r;

	if (!fc->conn)
		return 0;
	if (by_int && ck_parse_i64(v, INT64_MIN, INT64_MAX, &id))
		return ck_error_set(err, CK_E_INVALID, key, "Enter a number.");
	r = by_int ? store_id_exists(fc->conn, table, id, err)
		   : store_text_exists(fc->conn, table, col, col2, v, err);
	if (r == 0)
		return ck_error_set(
		    err, CK_E_INVALID, key,
		    "Select a valid choice. %.60s is not one of the available choices.", v);
	return r < 0 ? r : 0;
}

static int tag_filter(struct api_filter_ctx *fc, const char *key, const char *const *vals,
		      size_t nvals, struct ck_error *err)
{
	int by_id = !strcmp(key, "tag_id"), negate = !strcmp(key, "tag__n");
	int n;
	int64_t id;

	for (size_t i = 0; i < nvals; i++) {
		if (by_id && ck_parse_i64(vals[i], 1, INT64_MAX, &id))
			return ck_error_set(err, CK_E_INVALID, key, "Enter a number.");
		n = choice_exists(fc, "tags", "slug", NULL, key, vals[i], by_id, err);
		if (n)
			return n;
		n = by_id ? api_fc_bind_int(fc, id) : api_fc_bind_text(fc, vals[i]);
		if (n < 0)
			return n;
		store_qs_tagged(&fc->spec, fc->res->model->object_type, by_id ? "id" : "slug", n,
				negate);
	}
	return 0;
}

/* FK by the target's name or slug: "<field>=<name-or-slug>". */
static int fk_name_filter(struct api_filter_ctx *fc, const struct api_field *f, const char *key,
			  const char *const *vals, size_t nvals, struct ck_error *err)
{
	const struct api_resource *target = api_registry_find(f->fk_target);
	int has_slug, first = 0;

	if (!target || !api_resource_field(target, "name"))
		return ck_error_set(err, CK_E_INVALID, key, "Filter by id with %s_id.", f->name);
	has_slug = api_resource_field(target, "slug") != NULL;
	for (size_t i = 0; i < nvals; i++) {
		int r = choice_exists(fc, target->model->table, "name", has_slug ? "slug" : NULL,
				      key, vals[i], 0, err);
		if (r)
			return r;
	}
	for (size_t i = 0; i < nvals; i++) {
		int n = api_fc_bind_text(fc, vals[i]);
		if (n < 0)
			return n;
		if (!i)
			first = n;
	}
	store_qs_in_named(&fc->spec, f->column, target->model->table, has_slug, first, (int)nvals);
	return 0;
}

/* Finds which field a key names: plain field, FK "<name>_id" or "<name>". */
static const struct api_field *resolve_field(const struct api_resource *res, const char *base,
					     size_t baselen, int *ret_fk_by_name)
{
	*ret_fk_by_name = 0;
	if (baselen == 2 && !strncmp(base, "id", 2))
		return &id_field;
	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		size_t n = strlen(f->name);
		if ((f->flags & (F_NOFILTER | F_HIDDEN)) || !f->column)
			continue;
		if (f->type == FT_FK && !(f->flags & F_PLAINID)) {
			if (baselen == n + 3 && !strncmp(base, f->name, n) &&
			    !strncmp(base + n, "_id", 3))
				return f;
			if (baselen == n && !strncmp(base, f->name, n)) {
				*ret_fk_by_name = 1;
				return f;
			}
			continue;
		}
		if (baselen == n && !strncmp(base, f->name, n))
			return f;
	}
	return NULL;
}

static int one_key(struct api_filter_ctx *fc, const char *key, const char *const *vals,
		   size_t nvals, struct ck_error *err)
{
	const struct api_resource *res = fc->res;
	const struct api_field *f;
	size_t baselen;
	enum lookup lk;
	int fk_by_name;

	if (res->filters)
		for (int i = 0; res->filters[i].name; i++)
			if (!strcmp(res->filters[i].name, key))
				return res->filters[i].build
					   ? res->filters[i].build(fc, vals, nvals, err)
					   : api_fc_any_filter(fc, res->filters[i].store_filter,
							       vals, nvals);
	if (!strcmp(key, "q"))
		return q_filter(fc, vals, nvals);
	if (res->model->taggable &&
	    (!strcmp(key, "tag") || !strcmp(key, "tag__n") || !strcmp(key, "tag_id")))
		return tag_filter(fc, key, vals, nvals, err);
	lk = split_lookup(key, &baselen);
	f = lk == LK_NONE ? NULL : resolve_field(res, key, baselen, &fk_by_name);
	if (!f)
		return ck_error_set(err, CK_E_INVALID, key, "Unknown filter parameter '%.60s'.",
				    key);
	if (fk_by_name)
		return fk_name_filter(fc, f, key, vals, nvals, err);
	if (f->type == FT_FK && !(f->flags & F_PLAINID) && (lk == LK_EXACT || lk == LK_N)) {
		const struct api_resource *target = api_registry_find(f->fk_target);
		int r;
		for (size_t i = 0; target && i < nvals; i++)
			if ((r = choice_exists(fc, target->model->table, NULL, NULL, key, vals[i],
					       1, err)))
				return r;
	}
	return field_filter(fc, f, lk, key, vals, nvals, err);
}

int api_fc_hide_admin_types(struct api_filter_ctx *fc, const char *column)
{
	store_qs_open_all(&fc->spec);
	for (size_t i = 0; i < api_registry_count(); i++) {
		const struct api_resource *res = api_registry_at(i);
		int n;

		if (!res->admin_only)
			continue;
		n = api_fc_bind_text(fc, res->model->object_type);
		if (n < 0)
			return n;
		store_qs_where(&fc->spec, column, 0, STORE_QS_NE, n);
	}
	store_qs_close(&fc->spec); /* an empty group hides nothing */
	return fc->spec.failed;
}

int api_filter_build(struct api_filter_ctx *fc, const struct http_request *req,
		     struct ck_error *err)
{
	const char *vals[HTTP_MAX_PARAMS];
	int r;

	for (size_t i = 0; i < req->nparams; i++) {
		const char *key = req->params[i].key;
		size_t nvals = 0;
		int seen = 0;

		if (api_param_is_reserved(key))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(req->params[j].key, key);
		if (seen)
			continue;
		for (size_t j = i; j < req->nparams; j++)
			if (!strcmp(req->params[j].key, key))
				vals[nvals++] = req->params[j].value;
		r = one_key(fc, key, vals, nvals, err);
		if (r)
			return r;
	}
	return fc->spec.failed;
}

struct store_qspec *api_fc_spec(struct api_filter_ctx *fc) { return &fc->spec; }
