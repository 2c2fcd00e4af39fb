/*
 * fuzz/fuzz_api_list — libFuzzer target for the list-query parsers of the registry: filters
 * and lookups (api/filter.c), ordering and limit/offset paging (api/query.c), driven through
 * the real GET-list path (api_list) over a real in-memory database with seeded rows; the
 * query string goes through http/query's parser first, as on the wire. Input: one byte
 * choosing the resource, then the raw query string. Properties:
 *  1. the answer is 200 or 400 and its body is valid JSON (an object);
 *  2. 400 names what is wrong: every value of the error object is a string or a non-empty
 *     list of strings;
 *  3. 200: 0 <= count <= rows in the table (and == rows when no parameter filters);
 *     len(results) == clamp(count - offset, 0, limit) with limit/offset read here by NetBox's
 *     rules (absent 50, 0 or > 1000 → 1000); ids unique; next is null exactly when
 *     offset + limit >= count, previous exactly when offset == 0; with ordering=id / -id the
 *     ids ascend / descend;
 *  4. the WHERE clause built by api_filter_build references only bound parameters $1..$n and
 *     every one of them (an unreferenced parameter is an error on PostgreSQL).
 * The list cache is switched off so every input runs the parsers.
 */
#define FUZZ_WITH_APP
#include "api/filter.h"
#include "api/query.h"
#include "core/parse.h"
#include "fuzz_util.h"
#include "http/query.h"

#define MAXP HTTP_MAX_PARAMS

static const char *param(const struct http_query *q, const char *key)
{
	for (size_t i = 0; i < q->n; i++)
		if (!strcmp(q->params[i].key, key))
			return q->params[i].value;
	return NULL;
}

static int only_reserved(const struct http_query *q)
{
	for (size_t i = 0; i < q->n; i++)
		if (!api_param_is_reserved(q->params[i].key))
			return 0;
	return 1;
}

static void check_binds(struct fz_app *a, const struct api_resource *res,
			const struct http_request *req)
{
	struct api_filter_ctx fc;
	struct dom_ctx ctx = {
	    store_conn_get(a->st), &a->app.cfg, 1700000000, a->admin.id, "", "", NULL};
	struct ck_error err;
	unsigned char used[API_MAX_BINDS + 1] = {0};

	api_fc_init(&fc, res, &ctx);
	if (api_filter_build(&fc, req, &err) == 0) {
		const struct store_qspec *qs = api_fc_spec(&fc);
		struct strbuf sql;

		/* every bound value is referenced by the rendered SQL (an unreferenced one breaks
		 * PostgreSQL's parameter type inference) */
		strbuf_init(&sql, 0);
		if (store_qs_render(ctx.conn, qs, STORE_QS_COUNT, &sql) == 0) {
			const char *w = strbuf_str(&sql);

			for (const char *p = strchr(w, '$'); p; p = strchr(p + 1, '$')) {
				long n = strtol(p + 1, NULL, 10);

				CHECK(n >= 1 && n <= qs->nbinds);
				used[n] = 1;
			}
			for (int i = 1; i <= qs->nbinds; i++)
				CHECK(used[i]);
		}
		strbuf_release(&sql);
	}
	api_fc_release(&fc);
}

static void check_400(json_t *body)
{
	const char *k;
	json_t *v, *m;
	size_t i;

	CHECK(json_is_object(body) && json_object_size(body) > 0);
	json_object_foreach(body, k, v)
	{
		if (json_is_string(v))
			continue;
		CHECK(json_is_array(v) && json_array_size(v) > 0);
		json_array_foreach(v, i, m) CHECK(json_is_string(m));
	}
}

static void check_200(struct fz_app *a, const struct api_resource *res, const struct http_query *q,
		      json_t *body)
{
	json_t *results = json_object_get(body, "results"), *item;
	const char *l = param(q, "limit"), *o = param(q, "offset"), *ord = param(q, "ordering");
	int64_t count, limit = 50, offset = 0, total, want, prev = 0;
	char sql[160];
	size_t i;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", res->model->table);
	total = fz_count(a, sql);
	CHECK(json_is_integer(json_object_get(body, "count")));
	count = json_integer_value(json_object_get(body, "count"));
	CHECK(count >= 0 && count <= total);
	if (only_reserved(q))
		CHECK(count == total);
	CHECK(!l || ck_parse_i64(l, 0, INT64_MAX, &limit) == 0);
	CHECK(!o || ck_parse_i64(o, 0, INT64_MAX / 2, &offset) == 0);
	if (limit == 0 || limit > API_MAX_LIMIT)
		limit = API_MAX_LIMIT;
	want = count - offset < 0 ? 0 : count - offset > limit ? limit : count - offset;
	CHECK(json_is_array(results) && (int64_t)json_array_size(results) == want);
	CHECK(json_is_null(json_object_get(body, "next")) == (offset + limit >= count));
	CHECK(json_is_null(json_object_get(body, "previous")) == (offset == 0));
	CHECK(json_is_string(json_object_get(body, "next")) || offset + limit >= count);
	json_array_foreach(results, i, item)
	{
		json_t *id = json_object_get(item, "id");
		CHECK(json_is_integer(id));
		for (size_t j = 0; j < i; j++)
			CHECK(json_integer_value(json_object_get(json_array_get(results, j),
								 "id")) != json_integer_value(id));
		if (ord && i && !strcmp(ord, "id"))
			CHECK(json_integer_value(id) > prev);
		if (ord && i && !strcmp(ord, "-id"))
			CHECK(json_integer_value(id) < prev);
		prev = json_integer_value(id);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_app *a = fz_app_get();
	struct fz f = {data, size};
	const struct api_resource *res = api_registry_at(fz_u8(&f) % api_registry_count());
	char *raw = fz_dup(f.p, f.n);
	struct http_query q = {0};
	struct http_request req = {"GET", res->path, raw,	  NULL, 0,   "",
				   0,	  "fuzz",    "127.0.0.1", 0,	NULL};
	struct http_response resp;
	struct api_req ar;
	json_t *body;

	if (http_query_parse(raw, f.n, MAXP, &q, NULL)) {
		free(raw);
		return 0;
	}
	req.params = q.params;
	req.nparams = q.n;
	fz_req_init(&ar, a, &resp, &req);
	api_list(&ar, res);
	CHECK(resp.status == 200 || resp.status == 400);
	body = fz_resp_json(&resp);
	CHECK(json_is_object(body));
	if (resp.status == 200)
		check_200(a, res, &q, body);
	else
		check_400(body);
	check_binds(a, res, &req);
	json_decref(body);
	fz_req_release(&ar, &resp);
	http_query_release(&q);
	free(raw);
	return 0;
}
