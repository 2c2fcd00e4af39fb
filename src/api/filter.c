/* api/filter — see filter.h. */
#include "api/filter.h"
#include "core/parse.h"

#include <stdlib.h>
#include <string.h>

static const char *const reserved[] = {"limit", "offset", "ordering", "brief", "fields",
				       "format", "omit", "exclude", "include", "export",
				       "_", NULL};

int api_param_is_reserved(const char *key)
{
	for (int i = 0; reserved[i]; i++)
		if (!strcmp(key, reserved[i]))
			return 1;
	return 0;
}

void api_fc_init(struct api_filter_ctx *fc, const struct api_resource *res, const struct dom_ctx *ctx)
{
	memset(fc, 0, sizeof(*fc));
	fc->res = res;
	strbuf_init(&fc->where, 1 << 20);
	fc->now = ctx->now;
	fc->cfg = ctx->cfg;
	fc->conn = ctx->conn;
}

void api_fc_release(struct api_filter_ctx *fc)
{
	for (int i = 0; i < fc->nbinds; i++)
		free(fc->binds[i].s);
	strbuf_release(&fc->where);
}

int api_fc_bind_text(struct api_filter_ctx *fc, const char *s)
{
	char *copy;

	if (fc->nbinds >= API_MAX_BINDS)
		return CK_E_TOOBIG;
	copy = strdup(s);
	if (!copy)
		return CK_E_NOMEM;
	fc->binds[fc->nbinds].is_int = 0;
	fc->binds[fc->nbinds].s = copy;
	return ++fc->nbinds;
}

int api_fc_bind_int(struct api_filter_ctx *fc, int64_t v)
{
	if (fc->nbinds >= API_MAX_BINDS)
		return CK_E_TOOBIG;
	fc->binds[fc->nbinds].is_int = 1;
	fc->binds[fc->nbinds].i = v;
	fc->binds[fc->nbinds].s = NULL;
	return ++fc->nbinds;
}

void api_fc_and(struct api_filter_ctx *fc)
{
	if (fc->where.len)
		strbuf_adds(&fc->where, " AND ");
}

void api_fc_apply(const struct api_filter_ctx *fc, struct store_stmt *st)
{
	for (int i = 0; i < fc->nbinds; i++) {
		if (fc->binds[i].is_int)
			store_bind_i64(st, i + 1, fc->binds[i].i);
		else
			store_bind_text(st, i + 1, fc->binds[i].s, (size_t)-1);
	}
}

int api_filter_bool(const char *name, const char *v, int *ret, struct ck_error *err)
{
	if (ck_parse_bool(v, ret))
		return ck_error_set(err, CK_E_INVALID, name, "Select a valid choice. %s is not one of the available choices.", v);
	return 0;
}

enum lookup { LK_EXACT, LK_N, LK_IC, LK_NIC, LK_ISW, LK_NISW, LK_IEW, LK_NIEW, LK_IE, LK_NIE,
	      LK_EMPTY, LK_LT, LK_LTE, LK_GT, LK_GTE, LK_NONE };

static const char *const lookup_names[] = {"", "n", "ic", "nic", "isw", "nisw", "iew", "niew",
					   "ie", "nie", "empty", "lt", "lte", "gt", "gte"};

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

/* Escapes LIKE wildcards with '\' (the queries use ESCAPE '\'). */
static char *like_escape(const char *v)
{
	size_t n = strlen(v);
	char *out = malloc(2 * n + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = v; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int add_like(struct api_filter_ctx *fc, const char *expr, const char *v, const char *pre,
		    const char *post, int negate)
{
	char *esc = like_escape(v);
	int n;

	if (!esc)
		return CK_E_NOMEM;
	n = api_fc_bind_text(fc, esc);
	free(esc);
	if (n < 0)
		return n;
	strbuf_addf(&fc->where, "%s%s LIKE %s$%d%s ESCAPE '\\'", negate ? "NOT " : "", expr, pre, n, post);
	return 0;
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
		for (int k = 0; f->choices[k]; k++)
			if (!strcmp(f->choices[k], v))
				return api_fc_bind_text(fc, v);
		return ck_error_set(err, CK_E_INVALID, key,
				    "Select a valid choice. %.100s is not one of the available choices.", v);
	default:
		return api_fc_bind_text(fc, v);
	}
}

static int is_text(const struct api_field *f)
{
	return f->type == FT_TEXT || f->type == FT_CHOICE;
}

/* One value of one field lookup, appended to fc->where (no surrounding parentheses). */
static int field_condition(struct api_filter_ctx *fc, const struct api_field *f, const char *expr,
			   enum lookup lk, const char *key, const char *v, struct ck_error *err)
{
	static const char *const cmp[] = {[LK_EXACT] = "=", [LK_N] = "<>", [LK_LT] = "<",
					  [LK_LTE] = "<=", [LK_GT] = ">", [LK_GTE] = ">="};
	int n, b;

	if (lk == LK_EMPTY) {
		if (api_filter_bool(key, v, &b, err))
			return CK_E_INVALID;
		if (is_text(f))
			strbuf_addf(&fc->where, b ? "(%s IS NULL OR %s = '')" : "(%s IS NOT NULL AND %s <> '')", expr, expr);
		else
			strbuf_addf(&fc->where, b ? "%s IS NULL" : "%s IS NOT NULL", expr);
		return 0;
	}
	if (is_text(f) && lk >= LK_IC && lk <= LK_NIE) {
		switch (lk) {
		case LK_IC: return add_like(fc, expr, v, "'%' || ", " || '%'", 0);
		case LK_NIC: return add_like(fc, expr, v, "'%' || ", " || '%'", 1);
		case LK_ISW: return add_like(fc, expr, v, "", " || '%'", 0);
		case LK_NISW: return add_like(fc, expr, v, "", " || '%'", 1);
		case LK_IEW: return add_like(fc, expr, v, "'%' || ", "", 0);
		case LK_NIEW: return add_like(fc, expr, v, "'%' || ", "", 1);
		case LK_IE: return add_like(fc, expr, v, "", "", 0);
		default: return add_like(fc, expr, v, "", "", 1);
		}
	}
	if (lk == LK_EXACT && (f->flags & F_ICONTAINS))
		return add_like(fc, expr, v, "'%' || ", " || '%'", 0);
	if (lk > LK_N && lk < LK_LT)
		return ck_error_set(err, CK_E_INVALID, key, "Lookup not supported for this field.");
	if (lk >= LK_LT && is_text(f) && f->type != FT_TEXT)
		return ck_error_set(err, CK_E_INVALID, key, "Lookup not supported for this field.");
	if (f->type == FT_STRLIST || f->type == FT_JSON || f->type == FT_INTLIST)
		return ck_error_set(err, CK_E_INVALID, key, "This field cannot be filtered that way.");
	n = bind_typed(fc, f, key, v, err);
	if (n < 0)
		return n;
	if (lk == LK_N && (f->flags & F_NULL))
		strbuf_addf(&fc->where, "(%s IS NULL OR %s <> $%d)", expr, expr, n);
	else
		strbuf_addf(&fc->where, "%s %s $%d", expr, cmp[lk], n);
	return 0;
}

/* A value list for one key: OR-joined, or AND-joined for negated lookups (NetBox: `__n`
 * with several values excludes all of them). */
static int field_filter(struct api_filter_ctx *fc, const struct api_field *f, const char *expr,
			enum lookup lk, const char *key, const char *const *vals, size_t nvals,
			struct ck_error *err)
{
	int negated = lk == LK_N || lk == LK_NIC || lk == LK_NISW || lk == LK_NIEW || lk == LK_NIE;
	int r;

	api_fc_and(fc);
	strbuf_addch(&fc->where, '(');
	for (size_t i = 0; i < nvals; i++) {
		if (i)
			strbuf_adds(&fc->where, negated ? " AND " : " OR ");
		r = field_condition(fc, f, expr, lk, key, vals[i], err);
		if (r)
			return r;
	}
	strbuf_addch(&fc->where, ')');
	return 0;
}

static const struct api_field id_field = {"id", FT_ID, "id", F_ORDER, 0, NULL, NULL, NULL, NULL};

static int q_filter(struct api_filter_ctx *fc, const char *const *vals, size_t nvals)
{
	const char *const *cols = fc->res->q_columns;
	int r;

	if (!cols)
		return 0;
	for (size_t i = 0; i < nvals; i++) {
		if (!vals[i][0])
			continue;
		api_fc_and(fc);
		strbuf_addch(&fc->where, '(');
		for (int c = 0; cols[c]; c++) {
			if (c)
				strbuf_adds(&fc->where, " OR ");
			if (!strncmp(cols[c], "=", 1)) { /* "=expr": exact match, e.g. a SAN element */
				int n = api_fc_bind_text(fc, vals[i]);
				if (n < 0)
					return n;
				strbuf_addf(&fc->where, cols[c] + 1, n);
				continue;
			}
			r = add_like(fc, cols[c], vals[i], "'%' || ", " || '%'", 0);
			if (r)
				return r;
		}
		strbuf_addch(&fc->where, ')');
	}
	return 0;
}

/* NetBox's model-choice filters refuse a value naming no object: 400 "Select a valid choice".
 * `sql` selects an id by $1 (declared text, never a client string). */
static int choice_exists(struct api_filter_ctx *fc, const char *sql, const char *key, const char *v,
			 int by_int, struct ck_error *err)
{
	struct store_stmt *st;
	int64_t id = 0;
	int r;

	if (!fc->conn)
		return 0;
	if (by_int && ck_parse_i64(v, INT64_MIN, INT64_MAX, &id))
		return ck_error_set(err, CK_E_INVALID, key, "Enter a number.");
	r = store_query(fc->conn, sql, &st, err);
	if (r)
		return r;
	if (by_int)
		store_bind_i64(st, 1, id);
	else
		store_bind_text(st, 1, v, (size_t)-1);
	r = store_step(st, err);
	store_done(st);
	if (r == STORE_DONE)
		return ck_error_set(err, CK_E_INVALID, key,
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
		n = choice_exists(fc, by_id ? "SELECT id FROM tags WHERE id = $1" : "SELECT id FROM tags WHERE slug = $1",
				  key, vals[i], by_id, err);
		if (n)
			return n;
		n = by_id ? api_fc_bind_int(fc, id) : api_fc_bind_text(fc, vals[i]);
		if (n < 0)
			return n;
		api_fc_and(fc);
		strbuf_addf(&fc->where,
			    "%sEXISTS (SELECT 1 FROM tagged_items ti JOIN tags tg ON tg.id = ti.tag_id"
			    " WHERE ti.object_type = '%s' AND ti.object_id = t.id AND %s = $%d)",
			    negate ? "NOT " : "", fc->res->object_type, by_id ? "tg.id" : "tg.slug", n);
	}
	return 0;
}

/* FK by the target's name or slug: "<field>=<name-or-slug>". */
static int fk_name_filter(struct api_filter_ctx *fc, const struct api_field *f, const char *key,
			  const char *const *vals, size_t nvals, struct ck_error *err)
{
	const struct api_resource *target = api_registry_find(f->fk_target);
	int has_slug;

	if (!target || !api_resource_field(target, "name"))
		return ck_error_set(err, CK_E_INVALID, key, "Filter by id with %s_id.", f->name);
	has_slug = api_resource_field(target, "slug") != NULL;
	for (size_t i = 0; i < nvals; i++) {
		char sql[200];
		int r;
		snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE name = $1%s", target->table,
			 has_slug ? " OR slug = $1" : "");
		if ((r = choice_exists(fc, sql, key, vals[i], 0, err)))
			return r;
	}
	api_fc_and(fc);
	strbuf_addf(&fc->where, "t.%s IN (SELECT id FROM %s WHERE ", f->column, target->table);
	for (size_t i = 0; i < nvals; i++) {
		int n = api_fc_bind_text(fc, vals[i]);
		if (n < 0)
			return n;
		strbuf_addf(&fc->where, "%sname = $%d", i ? " OR " : "", n);
		if (has_slug)
			strbuf_addf(&fc->where, " OR slug = $%d", n);
	}
	strbuf_addch(&fc->where, ')');
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
			if (baselen == n + 3 && !strncmp(base, f->name, n) && !strncmp(base + n, "_id", 3))
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
	char expr[160];

	if (res->filters)
		for (int i = 0; res->filters[i].name; i++)
			if (!strcmp(res->filters[i].name, key))
				return res->filters[i].build(fc, vals, nvals, err);
	if (!strcmp(key, "q"))
		return q_filter(fc, vals, nvals);
	if (res->taggable && (!strcmp(key, "tag") || !strcmp(key, "tag__n") || !strcmp(key, "tag_id")))
		return tag_filter(fc, key, vals, nvals, err);
	lk = split_lookup(key, &baselen);
	f = lk == LK_NONE ? NULL : resolve_field(res, key, baselen, &fk_by_name);
	if (!f)
		return ck_error_set(err, CK_E_INVALID, key, "Unknown filter parameter '%.60s'.", key);
	if (fk_by_name)
		return fk_name_filter(fc, f, key, vals, nvals, err);
	if (f->type == FT_FK && !(f->flags & F_PLAINID) && (lk == LK_EXACT || lk == LK_N)) {
		const struct api_resource *target = api_registry_find(f->fk_target);
		char sql[160];
		int r;
		for (size_t i = 0; target && i < nvals; i++) {
			snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE id = $1", target->table);
			if ((r = choice_exists(fc, sql, key, vals[i], 1, err)))
				return r;
		}
	}
	if (f->flags & F_SQLEXPR)
		snprintf(expr, sizeof(expr), "(%s)", f->column);
	else
		snprintf(expr, sizeof(expr), "t.%s", f->column);
	return field_filter(fc, f, expr, lk, key, vals, nvals, err);
}

int api_fc_hide_admin_types(struct api_filter_ctx *fc, const char *column)
{
	int first = 1;

	api_fc_and(fc);
	strbuf_addf(&fc->where, "(%s NOT IN (", column);
	for (size_t i = 0; i < api_registry_count(); i++) {
		const struct api_resource *res = api_registry_at(i);
		int n;

		if (!res->admin_only)
			continue;
		n = api_fc_bind_text(fc, res->object_type);
		if (n < 0)
			return n;
		strbuf_addf(&fc->where, "%s$%d", first ? "" : ", ", n);
		first = 0;
	}
	if (first)
		strbuf_adds(&fc->where, "NULL"); /* no admin-only resource: hides nothing */
	strbuf_adds(&fc->where, "))");
	return strbuf_result(&fc->where);
}

int api_filter_build(struct api_filter_ctx *fc, const struct http_request *req, struct ck_error *err)
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
	return strbuf_result(&fc->where);
}
