/*
 * api/query — the read side of the registry: SELECT building from declarations, rendering
 * rows as NetBox objects with the streaming JSON writer, list (filters, ordering,
 * pagination with absolute next/previous) and detail.
 */
#include "api/countcache.h"
#include "api/filter.h"
#include "api/listcache.h"
#include "api/rowcache.h"
#include "api/query.h"
#include "core/parse.h"
#include "store/generation.h"

#include <stdlib.h>
#include <string.h>

/* The spec's columns: t.id, <declared columns...>[, <tags aggregate>]. For brief rows the
 * expressions that brief rendering never reads (SQL expressions of non-brief fields, such as
 * a tenant's certificate_count, and the tags aggregate) are selected as NULL: same column
 * numbers, none of their per-row subqueries. */
static void spec_columns(struct store_qspec *qs, const struct api_resource *res, int brief)
{
	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		if (!f->column)
			continue;
		if (f->flags & F_SQLEXPR)
			store_qs_select(qs, f->column,
					STORE_QS_EXPR |
					    (brief && !(f->flags & F_BRIEF) ? STORE_QS_NULLED : 0));
		else
			store_qs_select(qs, f->column, 0);
	}
	if (res->model->taggable)
		store_qs_select_tags(qs, res->model->object_type, brief);
}

static int tags_col(const struct api_resource *res)
{
	int n = 1;

	for (size_t i = 0; i < res->nfields; i++)
		if (res->fields[i].column)
			n++;
	return n;
}

static void render_tags(const struct api_row *row, struct jsonw *w)
{
	size_t len = 0;
	const char *agg = store_col_text(row->st, tags_col(row->res), &len);
	const struct api_resource *tags = api_registry_find("tags");

	jsonw_arr_open(w);
	for (const char *p = agg; p && p < agg + len;) {
		const char *end = memchr(p, 30, (size_t)(agg + len - p));
		const char *part[4];
		size_t plen[4];
		const char *q = p;
		int64_t id;
		char idbuf[24];

		if (!end)
			end = agg + len;
		for (int k = 0; k < 4; k++) {
			const char *s = memchr(q, 31, (size_t)(end - q));
			if (!s)
				s = end;
			part[k] = q;
			plen[k] = (size_t)(s - q);
			q = s < end ? s + 1 : end;
		}
		snprintf(idbuf, sizeof(idbuf), "%.*s", (int)(plen[0] < 20 ? plen[0] : 20), part[0]);
		if (!ck_parse_i64(idbuf, 1, INT64_MAX, &id)) {
			jsonw_obj_open(w);
			jsonw_kint(w, "id", id);
			jsonw_key(w, "url");
			api_write_url(w, row->req, tags ? tags->path : "/api/extras/tags/", id);
			jsonw_key(w, "display");
			jsonw_strn(w, part[1], plen[1]);
			jsonw_key(w, "name");
			jsonw_strn(w, part[1], plen[1]);
			jsonw_key(w, "slug");
			jsonw_strn(w, part[2], plen[2]);
			jsonw_key(w, "color");
			jsonw_strn(w, part[3], plen[3]);
			jsonw_obj_close(w);
		}
		p = end + 1;
	}
	jsonw_arr_close(w);
}

/* Nested brief object of an FK target, memoised per request. */
static void render_fk(const struct api_row *row, const struct api_field *f, int64_t id,
		      struct jsonw *w)
{
	struct api_req *ar = (struct api_req *)row->req;
	const struct api_resource *target = api_registry_find(f->fk_target);
	char *json;

	if (!target) {
		jsonw_int(w, id);
		return;
	}
	for (int i = 0; i < ar->nmemo; i++) {
		if (ar->memo[i].res == target && ar->memo[i].id == id) {
			jsonw_raw(w, ar->memo[i].json, strlen(ar->memo[i].json));
			return;
		}
	}
	json = NULL;
	{
		struct strbuf sb;
		struct jsonw w2;
		strbuf_init(&sb, 1 << 20);
		jsonw_init(&w2, &sb);
		if (api_render_object(ar, target, id, 1, &w2, NULL) == 0 && !strbuf_result(&sb))
			json = strbuf_take(&sb, NULL);
		strbuf_release(&sb);
	}
	if (!json) {
		jsonw_null(w);
		return;
	}
	jsonw_raw(w, json, strlen(json));
	if (ar->nmemo < API_MEMO_MAX) {
		ar->memo[ar->nmemo].res = target;
		ar->memo[ar->nmemo].id = id;
		ar->memo[ar->nmemo].json = json;
		ar->nmemo++;
	} else {
		free(json);
	}
}

static void render_value(const struct api_row *row, const struct api_field *f, int col,
			 struct jsonw *w)
{
	struct store_stmt *st = row->st;
	size_t len = 0;
	const char *s;

	if (f->type == FT_COMPUTED) {
		f->render(row, w);
		return;
	}
	if (store_col_is_null(st, col)) {
		if (f->type == FT_STRLIST || f->type == FT_INTLIST)
			jsonw_raw(w, "[]", 2);
		else
			jsonw_null(w);
		return;
	}
	switch (f->type) {
	case FT_ID:
	case FT_INT:
		jsonw_int(w, store_col_i64(st, col));
		break;
	case FT_BOOL:
		jsonw_bool(w, store_col_i64(st, col) != 0);
		break;
	case FT_DOUBLE:
		jsonw_double(w, store_col_double(st, col));
		break;
	case FT_TIME:
		jsonw_time(w, store_col_i64(st, col));
		break;
	case FT_STRLIST:
	case FT_INTLIST:
	case FT_JSON:
		/* stored as JSON text written by this program: insert verbatim */
		s = store_col_text(st, col, &len);
		if (len)
			jsonw_raw(w, s, len);
		else
			jsonw_raw(w, f->type == FT_JSON ? "{}" : "[]", 2);
		break;
	case FT_FK:
		if (f->flags & F_PLAINID)
			jsonw_int(w, store_col_i64(st, col));
		else
			render_fk(row, f, store_col_i64(st, col), w);
		break;
	default:
		s = store_col_text(st, col, &len);
		jsonw_strn(w, s ? s : "", len);
	}
}

/* Whether `name` is in the comma-separated ?fields= value (NULL or empty: every field). */
static int field_selected(const char *fields, const char *name)
{
	size_t n;

	if (!fields || !*fields)
		return 1;
	n = strlen(name);
	for (const char *p = fields; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return 1;
		p += len + (c ? 1 : 0);
	}
	return 0;
}

/* Whether f's rendered value is a pure function of the row's own stored columns (kept in
 * api/rowcache templates) rather than a hole rendered at each request: computed fields move
 * with the clock, nested FK objects and SQL expressions read other rows. */
static int static_field(const struct api_field *f)
{
	if (!f->column || f->type == FT_COMPUTED || (f->flags & F_SQLEXPR))
		return 0;
	return f->type != FT_FK || (f->flags & F_PLAINID);
}

static int emitted(const struct api_field *f, int brief)
{
	return !(f->flags & (F_HIDDEN | F_WO)) && (!brief || (f->flags & F_BRIEF));
}

/* The validation hash of a row's template: every stored column a template holds. */
static uint64_t row_hash(const struct api_row *row, int brief)
{
	const struct api_resource *res = row->res;
	uint64_t h = (uint64_t)row->id;
	int col = 1;

	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		int c = f->column ? col++ : -1;
		size_t len = 0;
		const char *s;
		int64_t v;
		double d;

		if (!emitted(f, brief) || !static_field(f))
			continue;
		if (store_col_is_null(row->st, c)) {
			h = api_rowcache_hash(h, "\0N", 2);
			continue;
		}
		switch (f->type) {
		case FT_ID:
		case FT_INT:
		case FT_BOOL:
		case FT_TIME:
		case FT_FK:
			v = store_col_i64(row->st, c);
			h = api_rowcache_hash(h, &v, sizeof(v));
			break;
		case FT_DOUBLE:
			d = store_col_double(row->st, c);
			h = api_rowcache_hash(h, &d, sizeof(d));
			break;
		default:
			s = store_col_text(row->st, c, &len);
			h = api_rowcache_hash(h, s ? s : "", len);
		}
	}
	return h;
}

/* How a row is written: plainly, recording a template (holes' value offsets in the output),
 * or replaying a cached template (static bytes copied, holes rendered). */
struct row_tmpl {
	enum { ROW_PLAIN, ROW_RECORD, ROW_REPLAY } mode;
	int nholes;
	size_t start;			     /* RECORD: output offset after '{' */
	size_t hole_at[ROWCACHE_MAX_HOLES];  /* RECORD: value start offsets */
	size_t hole_end[ROWCACHE_MAX_HOLES]; /* RECORD: value end offsets */
	struct rowcache_view v;		     /* REPLAY */
	size_t pos;			     /* REPLAY: template bytes copied so far */
};

/* Before a hole's value: RECORD notes where it starts; REPLAY copies the template up to it
 * (the key included) and leaves the writer just after that key. 0 to render the value. */
static void hole_begin(struct row_tmpl *t, struct jsonw *w)
{
	if (t->mode == ROW_RECORD) {
		if (t->nholes < ROWCACHE_MAX_HOLES)
			t->hole_at[t->nholes] = w->sb->len;
	} else if (t->mode == ROW_REPLAY) {
		size_t at = t->nholes < t->v.nholes ? t->v.holes[t->nholes] : t->v.len;
		strbuf_add(w->sb, t->v.text + t->pos, at - t->pos);
		t->pos = at;
		w->has_item[w->depth - 1] = 1;
		w->after_key = 1;
	}
}

static void hole_end(struct row_tmpl *t, struct jsonw *w)
{
	if (t->mode == ROW_RECORD && t->nholes < ROWCACHE_MAX_HOLES)
		t->hole_end[t->nholes] = w->sb->len;
	t->nholes++;
}

/* Stores the recorded row (output from t->start to the current end, before '}'). */
static void record_put(const struct api_row *row, int brief, uint64_t hash, struct row_tmpl *t,
		       struct jsonw *w)
{
	struct strbuf text;
	uint32_t holes[ROWCACHE_MAX_HOLES];
	size_t from = t->start;

	if (t->nholes > ROWCACHE_MAX_HOLES || strbuf_result(w->sb) ||
	    w->sb->len - t->start > ROWCACHE_MAX_ROW)
		return;
	strbuf_init(&text, ROWCACHE_MAX_ROW);
	for (int i = 0; i < t->nholes; i++) {
		strbuf_add(&text, w->sb->buf + from, t->hole_at[i] - from);
		holes[i] = (uint32_t)text.len;
		from = t->hole_end[i];
	}
	strbuf_add(&text, w->sb->buf + from, w->sb->len - from);
	if (!strbuf_result(&text))
		api_rowcache_put(row->res, brief, row->id, hash, strbuf_str(&text), text.len, holes,
				 t->nholes);
	strbuf_release(&text);
}

void api_render_row(const struct api_row *row, int brief, struct jsonw *w)
{
	const struct api_resource *res = row->res;
	const struct http_request *req = brief ? NULL : row->req->http;
	const char *fields = req ? http_request_param(req, "fields") : NULL;
	const struct rowcache_entry *held = NULL;
	struct row_tmpl t;
	uint64_t hash = 0;
	int col = 1;

	t.mode = ROW_PLAIN;
	t.nholes = 0;
	t.pos = 0;
	if (!fields && api_rowcache_enabled()) {
		hash = row_hash(row, brief);
		held = api_rowcache_get(res, brief, row->id, hash, &t.v);
		t.mode = held ? ROW_REPLAY : ROW_RECORD;
	}
	jsonw_obj_open(w);
	t.start = w->sb->len;
	if (t.mode != ROW_REPLAY && field_selected(fields, "id"))
		jsonw_kint(w, "id", row->id);
	if (field_selected(fields, "url")) {
		if (t.mode != ROW_REPLAY)
			jsonw_key(w, "url");
		hole_begin(&t, w);
		api_write_url(w, row->req, res->path, row->id);
		hole_end(&t, w);
	}
	if (field_selected(fields, "display")) {
		struct strbuf disp;
		strbuf_init(&disp, 4096);
		if (res->display)
			res->display(row, &disp);
		if (t.mode != ROW_REPLAY)
			jsonw_key(w, "display");
		hole_begin(&t, w);
		jsonw_strn(w, strbuf_str(&disp), disp.len);
		hole_end(&t, w);
		strbuf_release(&disp);
	}
	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		int c = f->column ? col++ : -1;
		if (!emitted(f, brief) || !field_selected(fields, f->name))
			continue;
		if (static_field(f)) {
			if (t.mode != ROW_REPLAY) {
				jsonw_key_ident(w, f->name);
				render_value(row, f, c, w);
			}
			continue;
		}
		if (t.mode != ROW_REPLAY)
			jsonw_key_ident(w, f->name);
		hole_begin(&t, w);
		render_value(row, f, c, w);
		hole_end(&t, w);
	}
	if (res->model->taggable && !brief && field_selected(fields, "tags")) {
		if (t.mode != ROW_REPLAY)
			jsonw_key(w, "tags");
		hole_begin(&t, w);
		render_tags(row, w);
		hole_end(&t, w);
	}
	if (t.mode == ROW_REPLAY) {
		strbuf_add(w->sb, t.v.text + t.pos, t.v.len - t.pos);
		if (t.v.len)
			w->has_item[w->depth - 1] = 1;
		api_rowcache_release(held);
	} else if (t.mode == ROW_RECORD) {
		record_put(row, brief, hash, &t, w);
	}
	jsonw_obj_close(w);
}

int api_render_object(struct api_req *ar, const struct api_resource *res, int64_t id, int brief,
		      struct jsonw *w, struct ck_error *err)
{
	struct store_qspec spec, *qs = &spec;
	struct store_stmt *st = NULL;
	int r;

	store_qs_init(qs, res->model->table);
	spec_columns(qs, res, brief);
	store_qs_bind_int(qs, id);
	r = store_qs_query(ar->ctx.conn, qs, STORE_QS_ROW, &st, err);
	if (r)
		goto out;
	r = store_step(st, err);
	if (r == STORE_ROW) {
		struct api_row row = {res, st, ar, id};
		api_render_row(&row, brief, w);
		r = 0;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
out:
	store_qs_release(qs);
	return r;
}

char *api_render_object_json(struct api_req *ar, const struct api_resource *res, int64_t id)
{
	struct strbuf sb;
	struct jsonw w;
	char *out = NULL;

	strbuf_init(&sb, 16 << 20);
	jsonw_init(&w, &sb);
	if (!api_render_object(ar, res, id, 0, &w, NULL) && !strbuf_result(&sb))
		out = strbuf_take(&sb, NULL);
	strbuf_release(&sb);
	return out;
}

/* The spec's ordering from ?ordering= (or the default); the store ends it with t.id. */
static int spec_order(struct store_qspec *qs, const struct api_resource *res, const char *ordering,
		      struct ck_error *err)
{
	const char *spec = ordering && *ordering ? ordering : res->default_order;

	for (const char *p = spec ? spec : ""; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		int desc = *p == '-';
		char name[64];
		const struct api_field *f;
		int r;

		snprintf(name, sizeof(name), "%.*s",
			 (int)(len - (size_t)desc < 63 ? len - (size_t)desc : 63), p + desc);
		f = api_resource_field(res, name);
		if (!strcmp(name, "id"))
			r = store_qs_order_by(qs, "id", 0, desc);
		else if (!f || !f->column || (f->flags & F_HIDDEN) || f->type == FT_JSON ||
			 f->type == FT_STRLIST || f->type == FT_INTLIST)
			return ck_error_set(err, CK_E_INVALID, "ordering",
					    "Invalid ordering field '%.60s'.", name);
		else
			r = store_qs_order_by(qs, f->column,
					      (f->flags & F_SQLEXPR) ? STORE_QS_EXPR : 0, desc);
		if (r)
			return ck_error_set(err, r, "ordering", "Too many ordering fields.");
		p += len + (c ? 1 : 0);
	}
	return 0;
}

/* Absolute URL of the same list with another offset (and the keyset cursor standing for
 * it, when not NULL). */
static void page_link(struct api_req *ar, int64_t limit, int64_t offset, const char *cursor,
		      struct jsonw *w)
{
	const struct http_request *req = ar->http;
	struct strbuf sb;
	static const char hex[] = "0123456789ABCDEF";

	strbuf_init(&sb, 1 << 16);
	strbuf_adds(&sb, ar->base_url);
	api_add_path(ar, &sb, req->path); /* the path the client used (base-path alias) */
	strbuf_addch(&sb, '?');
	for (size_t i = 0; i < req->nparams; i++) {
		const char *kv[2] = {req->params[i].key, req->params[i].value};
		if (!strcmp(kv[0], "limit") || !strcmp(kv[0], "offset") || !strcmp(kv[0], "cursor"))
			continue;
		for (int k = 0; k < 2; k++) {
			for (const unsigned char *p = (const unsigned char *)kv[k]; *p; p++) {
				if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				    (*p >= '0' && *p <= '9') || strchr("-_.~", *p)) {
					strbuf_addch(&sb, (char)*p);
				} else {
					char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
					strbuf_add(&sb, e, 3);
				}
			}
			strbuf_addch(&sb, k ? '&' : '=');
		}
	}
	strbuf_addf(&sb, "limit=%lld", (long long)limit);
	if (offset > 0)
		strbuf_addf(&sb, "&offset=%lld", (long long)offset);
	if (cursor && *cursor)
		strbuf_addf(&sb, "&cursor=%s", cursor); /* URL-safe: [a-z0-9.-] */
	jsonw_strn(w, strbuf_str(&sb), sb.len);
	strbuf_release(&sb);
}

int api_parse_paging(const struct http_request *req, int64_t *ret_limit, int64_t *ret_offset,
		     struct ck_error *err)
{
	const char *l = http_request_param(req, "limit");
	const char *o = http_request_param(req, "offset");
	int64_t limit = API_DEFAULT_LIMIT, offset = 0;

	if (l && ck_parse_i64(l, 0, INT64_MAX, &limit))
		return ck_error_set(err, CK_E_INVALID, "limit",
				    "Invalid limit '%.30s': must be a non-negative integer.", l);
	if (o && ck_parse_i64(o, 0, INT64_MAX / 2, &offset))
		return ck_error_set(err, CK_E_INVALID, "offset",
				    "Invalid offset '%.30s': must be a non-negative integer.", o);
	if (limit == 0 || limit > API_MAX_LIMIT)
		limit = API_MAX_LIMIT;
	*ret_limit = limit;
	*ret_offset = offset;
	return 0;
}

/* Identity of the database for cache keys (live stores never share an address; a new store
 * at a reused address has new connections, which move the data generation on first use). */
static const void *store_identity(const struct api_req *ar)
{
	return ar->app && ar->app->store ? (const void *)ar->app->store
					 : (const void *)ar->ctx.conn;
}

/* The list's total: from api/countcache when no write was committed since it was counted
 * (gen: the request's store/generation value, NULL when not cacheable), else the spec's
 * COUNT (stored for the next request). */
static int count_rows(struct api_req *ar, struct api_filter_ctx *fc, const uint64_t *gen,
		      int64_t *ret, struct ck_error *err)
{
	const struct store_qspec *qs = api_fc_spec(fc);
	struct strbuf key;
	int r = 0;

	strbuf_init(&key, COUNTCACHE_MAX_KEY + 1);
	if (gen) {
		strbuf_addf(&key, "%p\n", store_identity(ar));
		store_qs_key(ar->ctx.conn, qs, STORE_QS_COUNT, &key);
		if (api_countcache_get(&key, *gen, ret))
			goto out;
	}
	r = store_qs_count(ar->ctx.conn, qs, ret, err);
	if (!r && gen)
		api_countcache_put(&key, *gen, *ret);
out:
	strbuf_release(&key);
	return r;
}

/* Writes the results array for the page (the spec's PAGE form: a late row lookup). `matches`
 * is the list's count (it chooses the page plan); ?cursor= continues after a row of the
 * previous page (store_qs_cursor_apply). When the ordering has cursors, one row more than the
 * page is read: *ret_more says whether the list goes on after the page (a cursor's page may
 * not be where the count puts `offset` once rows came or went), and `cursor` receives the
 * next page's cursor; otherwise *ret_more is -1 (the count decides). */
static int write_page(struct api_req *ar, struct api_filter_ctx *fc, int64_t limit, int64_t offset,
		      int64_t matches, int brief, struct jsonw *w, struct strbuf *cursor,
		      int *ret_more, struct ck_error *err)
{
	const struct api_resource *res = fc->res;
	struct store_qspec *qs = api_fc_spec(fc);
	const char *after = http_request_param(ar->http, "cursor");
	struct store_stmt *st;
	int64_t n = 0;
	int r, keyset;

	spec_columns(qs, res, brief);
	r = spec_order(qs, res, http_request_param(ar->http, "ordering"), err);
	if (r)
		return r;
	keyset = store_qs_keyset_ok(qs);
	qs->limit = limit + keyset;
	qs->offset = offset;
	*ret_more = keyset ? 0 : -1;
	if (after && (r = store_qs_cursor_apply(ar->ctx.conn, qs, after, offset, err)) < 0)
		return r;
	r = store_qs_plan(ar->ctx.conn, qs, matches, err);
	if (!r)
		r = store_qs_query(ar->ctx.conn, qs, STORE_QS_PAGE, &st, err);
	if (r)
		return r;
	jsonw_arr_open(w);
	while ((r = store_step(st, err)) == STORE_ROW) {
		struct api_row row = {res, st, ar, store_col_i64(st, 0)};
		if (++n > limit) {
			*ret_more = 1;
			r = STORE_DONE;
			break;
		}
		api_render_row(&row, brief, w);
		if (n == limit && keyset &&
		    (r = store_qs_cursor_make(ar->ctx.conn, qs, st, offset + limit, cursor)) < 0)
			break;
	}
	jsonw_arr_close(w);
	store_done(st);
	return r < 0 ? r : 0;
}

int api_want_brief(const struct http_request *req)
{
	const char *b = http_request_param(req, "brief");
	int v = 0;

	return b && (!*b || (!ck_parse_bool(b, &v) && v));
}

/* Replaces the 4 bytes "null" at `at` of the body by the link to the next page. */
static void splice_next(struct api_req *ar, struct jsonw *w, size_t at, int64_t limit,
			int64_t offset, const char *cursor)
{
	struct strbuf link;
	struct jsonw lw;
	struct strbuf *sb = w->sb;

	strbuf_init(&link, 1 << 16);
	jsonw_init(&lw, &link);
	page_link(ar, limit, offset, cursor, &lw);
	if (!strbuf_result(&link) && link.len >= 4 && !strbuf_grow(sb, link.len - 4)) {
		memmove(sb->buf + at + link.len, sb->buf + at + 4, sb->len - at - 4 + 1);
		memcpy(sb->buf + at, link.buf, link.len);
		sb->len += link.len - 4;
	} else if (!sb->failed) {
		sb->failed = strbuf_result(&link) ? strbuf_result(&link) : CK_E_NOMEM;
	}
	strbuf_release(&link);
}

/* Renders the list page into the response; 0, or the error already sent. The `next` link is
 * written after the page (it carries the cursor made from the page's last row) into the
 * place kept for it. */
static int render_list(struct api_req *ar, const struct api_resource *res, const uint64_t *gen)
{
	struct api_filter_ctx fc;
	struct ck_error err;
	struct jsonw w;
	struct strbuf cursor;
	int64_t limit, offset, count = 0;
	size_t next_at;
	int r, more;

	ck_error_clear(&err);
	strbuf_init(&cursor, STORE_QS_CURSOR_MAX + 1);
	api_fc_init(&fc, res, &ar->ctx);
	r = api_parse_paging(ar->http, &limit, &offset, &err);
	if (!r && res->scope)
		r = res->scope(&fc, ar, &err);
	if (!r)
		r = api_filter_build(&fc, ar->http, &err);
	if (!r)
		r = store_qs_resolve_named(ar->ctx.conn, api_fc_spec(&fc), &err);
	if (!r)
		r = count_rows(ar, &fc, gen, &count, &err);
	if (r)
		goto fail;
	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "count", count);
	jsonw_key(&w, "next");
	next_at = w.sb->len;
	jsonw_null(&w);
	jsonw_key(&w, "previous");
	if (offset > 0)
		page_link(ar, limit, offset > limit ? offset - limit : 0, NULL, &w);
	else
		jsonw_null(&w);
	jsonw_key(&w, "results");
	r = write_page(ar, &fc, limit, offset, count, api_want_brief(ar->http), &w, &cursor, &more,
		       &err);
	if (r)
		goto fail;
	jsonw_obj_close(&w);
	if (more > 0 || (more < 0 && offset + limit < count))
		splice_next(ar, &w, next_at, limit, offset + limit, strbuf_str(&cursor));
	r = jsonw_result(&w);
	if (r)
		goto fail;
	api_fc_release(&fc);
	strbuf_release(&cursor);
	return 0;
fail:
	api_fc_release(&fc);
	strbuf_release(&cursor);
	api_fail(ar, r, &err);
	return r;
}

/* api/listcache key: everything a list body depends on except data and time (listcache.h). */
static void list_key(const struct api_req *ar, struct strbuf *key)
{
	const struct http_request *req = ar->http;

	strbuf_addf(key, "%p\n%lld\n%s\n%s\n%s\n%d", store_identity(ar), (long long)ar->ctx.user_id,
		    ar->base_url, req->method, req->path, ar->plugin_alias);
	for (size_t i = 0; i < req->nparams; i++) {
		strbuf_addch(key, '\0');
		strbuf_adds(key, req->params[i].key);
		strbuf_addch(key, '\0');
		strbuf_adds(key, req->params[i].value);
	}
}

void api_list(struct api_req *ar, const struct api_resource *res)
{
	struct strbuf key;
	struct jsonw w;
	uint64_t gen = 0;
	int cacheable =
	    !store_in_tx(ar->ctx.conn) && !store_data_generation(ar->ctx.conn, &gen, NULL);

	strbuf_init(&key, LISTCACHE_MAX_KEY + 1);
	/* a list's reads stop at the statement time limit (503) instead of running for seconds;
	 * other requests (aggregates, writes) are not limited */
	store_thread_statement_limit(ar->ctx.cfg ? ar->ctx.cfg->statement_timeout_ms : 0);
	if (cacheable && api_listcache_enabled()) {
		list_key(ar, &key);
		api_json_begin(ar, 200, &w);
		if (api_listcache_get(&key, gen, ar->ctx.now, &ar->resp->body))
			goto release_key;
	}
	if (!render_list(ar, res, cacheable ? &gen : NULL) && key.len)
		api_listcache_put(&key, gen, ar->ctx.now, &ar->resp->body);
release_key:
	store_thread_statement_limit(0);
	strbuf_release(&key);
}

/* 0 when the reader may view row `id` of res (res->scope), else CK_E_NOTFOUND or an error. */
static int scope_allows(struct api_req *ar, const struct api_resource *res, int64_t id,
			struct ck_error *err)
{
	struct api_filter_ctx fc;
	int64_t n = 0;
	int r, k = 0;

	api_fc_init(&fc, res, &ar->ctx);
	r = res->scope(&fc, ar, err);
	if (!r && (k = api_fc_bind_int(&fc, id)) < 0)
		r = k;
	if (!r) {
		store_qs_where(&fc.spec, "id", 0, STORE_QS_EQ, k);
		r = store_qs_count(ar->ctx.conn, api_fc_spec(&fc), &n, err);
	}
	if (!r && n == 0)
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	api_fc_release(&fc);
	return r;
}

void api_get(struct api_req *ar, const struct api_resource *res, int64_t id)
{
	struct ck_error err;
	struct jsonw w;
	int r;

	ck_error_clear(&err);
	if (res->scope && (r = scope_allows(ar, res, id, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	api_json_begin(ar, 200, &w);
	r = api_render_object(ar, res, id, api_want_brief(ar->http), &w, &err);
	if (!r)
		r = jsonw_result(&w);
	if (r)
		api_fail(ar, r, &err);
}
