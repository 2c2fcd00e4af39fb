/* api/request — per-request helpers shared by every handler: body parsing, JSON responses,
 * absolute URLs, write permission, and the in-process renderer of the CLI. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 1 when v nests containers more than `limit` levels deep (a scalar is 0 levels). Recursion
 * is bounded by jansson's own parse depth limit. */
static int json_deeper_than(json_t *v, int limit)
{
	const char *k;
	json_t *c;
	size_t i;

	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (limit == 0)
		return 1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, c) if (json_deeper_than(c, limit - 1)) return 1;
	} else {
		json_object_foreach(v, k, c) if (json_deeper_than(c, limit - 1)) return 1;
	}
	return 0;
}

int api_body(struct api_req *ar, json_t **ret, struct ck_error *err)
{
	json_error_t jerr;
	json_t *j;

	if (ar->body) {
		*ret = ar->body;
		return 0;
	}
	if (!ar->http->body_len)
		return ck_error_set(err, CK_E_PARSE, NULL, "A JSON request body is required.");
	j = json_loadb(ar->http->body, ar->http->body_len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
		       &jerr);
	if (!j)
		return ck_error_set(err, CK_E_PARSE, NULL,
				    "JSON parse error - %s (line %d, column %d)", jerr.text,
				    jerr.line, jerr.column);
	if (json_deeper_than(j, API_JSON_MAX_DEPTH)) {
		json_decref(j);
		return ck_error_set(err, CK_E_PARSE, NULL,
				    "JSON parse error - nesting deeper than %d levels.",
				    API_JSON_MAX_DEPTH);
	}
	ar->body = j;
	*ret = j;
	return 0;
}

void api_json_begin(struct api_req *ar, int status, struct jsonw *w)
{
	ar->resp->status = status;
	ar->resp->content_type = "application/json";
	jsonw_init(w, &ar->resp->body);
}

void api_method_not_allowed(struct api_req *ar)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "Method \"%.20s\" not allowed.", ar->http->method);
	api_fail_detail(ar, CK_E_METHOD, msg);
}

void api_no_content(struct api_req *ar)
{
	ar->resp->status = 204;
	strbuf_reset(&ar->resp->body);
}

/* The path to write for `path`: *ret_prefix ("" or the alias) followed by the returned rest. */
static const char *client_path(const struct api_req *ar, const char *path, const char **ret_prefix)
{
	size_t n = strlen(API_PLUGIN_PATH);

	*ret_prefix = "";
	if (ar->plugin_alias && !strncmp(path, API_PLUGIN_PATH, n)) {
		*ret_prefix = API_PLUGIN_ALIAS;
		path += n;
	}
	return path;
}

void api_add_path(const struct api_req *ar, struct strbuf *sb, const char *path)
{
	const char *prefix;

	path = client_path(ar, path, &prefix);
	strbuf_adds(sb, prefix);
	strbuf_adds(sb, path);
}

void api_object_url(const struct api_req *ar, const char *list_path, int64_t id, struct strbuf *sb)
{
	strbuf_adds(sb, ar->base_url);
	api_add_path(ar, sb, list_path);
	strbuf_add_i64(sb, id);
	strbuf_addch(sb, '/');
}

void api_write_url(struct jsonw *w, const struct api_req *ar, const char *list_path, int64_t id)
{
	char buf[512];
	const char *prefix, *path = client_path(ar, list_path, &prefix);
	int n = id ? snprintf(buf, sizeof(buf), "%s%s%s%lld/", ar->base_url, prefix, path,
			      (long long)id)
		   : snprintf(buf, sizeof(buf), "%s%s%s", ar->base_url, prefix, path);

	jsonw_strn(w, buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : 0);
}

int api_method_is_write(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH") ||
	       !strcmp(m, "DELETE");
}

struct api_local {
	struct api_req ar;
	struct http_response resp;
};

struct api_local *api_local_new(struct api_app *app, struct store_conn *conn,
				const struct auth_user *user)
{
	/* rendering reads the request's query (?fields=) and base URL: none here */
	static const struct http_request none = {"LOCAL", "", "",      NULL, 0,	  "",
						 0,	  "", "local", 0,    NULL};
	struct api_local *l = calloc(1, sizeof(*l));
	struct api_req *ar;

	if (!l)
		return NULL;
	ar = &l->ar;
	ar->app = app;
	ar->http = &none;
	ar->resp = &l->resp;
	strbuf_init(&l->resp.body, 1 << 10);
	ar->ctx.conn = conn;
	ar->ctx.cfg = &app->cfg;
	ar->ctx.now = (int64_t)time(NULL);
	ar->ctx.request_id = "cli";
	ar->ctx.username = "";
	if (user) {
		ar->user = *user;
		ar->authenticated = ar->write_enabled = 1;
		ar->ctx.user_id = user->id;
		ar->ctx.username = ar->user.username;
	}
	api_req_snapshots(ar);
	return l;
}

struct dom_ctx *api_local_ctx(struct api_local *l) { return &l->ar.ctx; }

void api_local_reset(struct api_local *l) { api_req_release(&l->ar); }

void api_local_free(struct api_local *l)
{
	if (!l)
		return;
	api_req_release(&l->ar);
	strbuf_release(&l->resp.body);
	free(l);
}

void api_req_release(struct api_req *ar)
{
	json_decref(ar->body);
	ar->body = NULL;
	json_decref(ar->errors);
	ar->errors = NULL;
	for (int i = 0; i < ar->nmemo; i++)
		free(ar->memo[i].json);
	ar->nmemo = 0;
}
