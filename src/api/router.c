/*
 * api/router — api_handle(): the one entry point behind the HTTP server. Sets up the
 * request context, authenticates, and dispatches: API root and status, registry resources
 * (generic CRUD), explicit actions, OPTIONS metadata. Every /api/ response carries the
 * API-Version header.
 */
#include "api/actions.h"
#include "api/api.h"
#include "api/authorize.h"
#include "api/query.h"
#include "api/registry.h"
#include "api/resources.h"
#include "api/write.h"
#include "core/log.h"
#include "http/static.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Host header → "http(s)://host" when it looks like a host[:port]; else the listen address. */
static void set_base_url(struct api_req *ar)
{
	const char *host = http_request_header(ar->http, "Host");
	int ok = host && *host && strlen(host) < 200;

	for (const char *p = host; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || strchr(".-:[]_", *p);
	snprintf(ar->base_url, sizeof(ar->base_url), "%s://%s", ar->http->is_tls ? "https" : "http",
		 ok ? host : ar->app->cfg.listen);
}

static void authenticate(struct api_req *ar)
{
	const char *authz = http_request_header(ar->http, "Authorization");
	const char *cookie = http_request_cookie(ar->http, "ck_session");
	struct auth_token_info tok;
	struct ck_error err;
	char csrf[65];
	int r;

	ck_error_clear(&err);
	if (authz && *authz) {
		r = auth_authenticate_header(ar->ctx.conn, authz, &ar->user, &tok, &err);
		if (!r) {
			ar->authenticated = 1;
			ar->write_enabled = tok.write_enabled;
		} else if (r != CK_E_AUTH) {
			ar->auth_error = r; /* database trouble: 500/503, not "unauthenticated" */
		} else {
			snprintf(ar->auth_detail, sizeof(ar->auth_detail), "%.120s",
				 err.msg[0] ? err.msg : "Invalid token.");
		}
		return;
	}
	if (cookie && !auth_session_lookup(ar->ctx.conn, cookie, &ar->user, csrf, NULL)) {
		const char *sent = http_request_header(ar->http, "X-CSRFToken");
		ar->authenticated = 1;
		ar->via_session = 1;
		/* CSRF: unsafe methods with cookie auth must echo the session's token */
		ar->write_enabled = sent && auth_secret_equal(sent, csrf);
	}
}

static void send_api_root(struct api_req *ar)
{
	static const char *const sections[] = {"circuits", "core",	     "dcim",   "extras",
					       "ipam",	   "plugins",	     "status", "tenancy",
					       "users",	   "virtualization", NULL};
	struct jsonw w;

	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	for (int i = 0; sections[i]; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/api/%s/", sections[i]);
		jsonw_key(&w, sections[i]);
		api_write_url(&w, ar, path, 0);
	}
	jsonw_obj_close(&w);
}

static void send_plugin_root(struct api_req *ar, const char *prefix)
{
	struct jsonw w;

	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	for (size_t i = 0; i < api_registry_count(); i++) {
		const struct api_resource *res = api_registry_at(i);
		if (strncmp(res->path, prefix, strlen(prefix)))
			continue;
		jsonw_key(&w, res->name);
		api_write_url(&w, ar, res->path, 0);
	}
	jsonw_obj_close(&w);
}

static void send_status(struct api_req *ar)
{
	struct jsonw w;

	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "netbox-version", "4.4.0");
	jsonw_kstr(&w, "certkeeper-version", ar->app->version);
	jsonw_kstr(&w, "django-version", "n/a (certkeeper)");
	jsonw_key(&w, "installed-apps");
	jsonw_obj_open(&w);
	jsonw_obj_close(&w);
	jsonw_key(&w, "plugins");
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "netbox_ssl", ar->app->version);
	jsonw_obj_close(&w);
	jsonw_kstr(&w, "python-version", "n/a (C)");
	jsonw_kstr(&w, "database", store_dialect(ar->ctx.conn));
	jsonw_kint(&w, "rq-workers-running", 1);
	jsonw_obj_close(&w);
}

static const struct api_perm perm_read = {.level = API_PERM_READ};
static const struct api_perm perm_write = {.level = API_PERM_WRITE};

static void serve_resource(struct api_req *ar, const struct api_resource *res, int64_t id,
			   const char *rest)
{
	const char *m = ar->http->method;

	if (*rest) {
		const struct api_action *a = api_action_find(res, rest, id != 0);
		if (a)
			api_action_serve(ar, res, a, id);
		else
			api_fail_detail(ar, CK_E_NOTFOUND, "Not found.");
		return;
	}
	/* read first: an admin_only resource refuses every method before a 405 */
	if (!api_authorize(ar, res, &perm_read))
		return;
	if (!strcmp(m, "OPTIONS")) {
		api_options(ar, res);
		return;
	}
	if (!strcmp(m, "GET") || !strcmp(m, "HEAD")) {
		if (id)
			api_get(ar, res, id);
		else
			api_list(ar, res);
		return;
	}
	if (!api_method_is_write(m) || (!strcmp(m, "POST") && id) || res->read_only) {
		if (!(res->read_only && res->deletable && !strcmp(m, "DELETE"))) {
			api_method_not_allowed(ar);
			return;
		}
	}
	if (!api_authorize(ar, res, &perm_write))
		return;
	if (!strcmp(res->name, "tokens") && !strcmp(m, "POST") && !id)
		api_token_create(ar);
	else
		api_write(ar, res, id);
}

/* Paths outside the registry under /api/: the action table's plugin endpoints, the OpenAPI
 * document. 0 when unknown. */
static int serve_extra(struct api_req *ar)
{
	const struct api_action *a = api_endpoint_find(ar->http->path);

	if (a) {
		api_action_serve(ar, NULL, a, 0);
		return 1;
	}
	return api_serve_openapi(ar);
}

static void dispatch(struct api_req *ar)
{
	const char *path = ar->http->path;
	const struct api_resource *res;
	const char *rest;
	int64_t id;

	if (!strncmp(path, "/api/auth/", 10)) {
		api_serve_auth(ar, path + 10);
		return;
	}
	if (!strcmp(path, "/api/status/")) {
		if (strcmp(ar->http->method, "GET") && strcmp(ar->http->method, "HEAD"))
			api_method_not_allowed(ar);
		else
			send_status(ar);
		return;
	}
	/* The API root only lists URLs; pynetbox reads the API-Version from it without a token. */
	if (!strcmp(path, "/api/") && !strcmp(ar->http->method, "GET")) {
		send_api_root(ar);
		return;
	}
	if (ar->auth_error) {
		api_fail(ar, ar->auth_error, NULL);
		return;
	}
	if (!ar->authenticated) {
		api_fail_detail(ar, CK_E_AUTH,
				ar->auth_detail[0]
				    ? ar->auth_detail
				    : "Authentication credentials were not provided.");
		return;
	}
	if (api_method_is_write(ar->http->method) && ar->via_session && !ar->write_enabled) {
		api_fail_detail(ar, CK_E_FORBIDDEN,
				"CSRF Failed: CSRF token missing or incorrect.");
		return;
	}
	if (!strcmp(path, "/api/") || !strcmp(path, API_PLUGIN_PATH) ||
	    !strcmp(path, "/api/plugins/")) {
		if (strcmp(ar->http->method, "GET") && strcmp(ar->http->method, "HEAD"))
			api_method_not_allowed(ar);
		else if (!strcmp(path, "/api/"))
			send_api_root(ar);
		else
			send_plugin_root(ar, path);
		return;
	}
	res = api_registry_match_path(path, &id, &rest);
	if (res) {
		serve_resource(ar, res, id, rest);
		return;
	}
	if (serve_extra(ar))
		return;
	api_fail_detail(ar, CK_E_NOTFOUND, "Not found.");
}

/* A request under API_PLUGIN_ALIAS is routed as API_PLUGIN_PATH: *canon becomes a copy of the
 * request with the canonical path (held in `path`, which the caller releases), ar->http points
 * at it, and ar->plugin_alias makes every URL written back keep the alias. 0 when not aliased. */
static int route_alias(struct api_req *ar, struct http_request *canon, struct strbuf *path)
{
	size_t n = strlen(API_PLUGIN_ALIAS);

	if (strncmp(ar->http->path, API_PLUGIN_ALIAS, n))
		return 0;
	strbuf_adds(path, API_PLUGIN_PATH);
	strbuf_adds(path, ar->http->path + n);
	if (strbuf_result(path))
		return CK_E_NOMEM;
	*canon = *ar->http;
	canon->path = strbuf_str(path);
	ar->http = canon;
	ar->plugin_alias = 1;
	return 0;
}

void api_handle(void *app, const struct http_request *req, struct http_response *resp)
{
	struct http_request canon;
	struct strbuf canon_path;
	struct api_req ar;
	int r;

	memset(&ar, 0, sizeof(ar));
	ar.app = app;
	ar.http = req;
	ar.resp = resp;
	ar.ctx.cfg = &ar.app->cfg;
	ar.ctx.now = (int64_t)time(NULL);
	ar.ctx.request_id = req->request_id;
	api_req_snapshots(&ar);
	ar.ctx.username = "";
	set_base_url(&ar);
	if (strncmp(req->path, "/api/", 5) && strcmp(req->path, "/api")) {
		/* non-/api/ paths: the built web UI when a web root is configured */
		int rc = http_static_serve(ar.app->cfg.web_root, req, resp);
		if (rc == CK_E_NOTFOUND)
			api_fail_detail(&ar, rc, "Not found.");
		else if (rc < 0)
			api_fail(&ar, rc, NULL);
		return;
	}
	http_response_add_header(resp, "API-Version", API_VERSION);
	strbuf_init(&canon_path, HTTP_MAX_URL_LEN + sizeof(API_PLUGIN_PATH));
	ar.ctx.conn = store_conn_get(ar.app->store);
	r = ar.ctx.conn ? route_alias(&ar, &canon, &canon_path) : CK_E_DB;
	if (r) {
		api_fail(&ar, r, NULL);
		strbuf_release(&canon_path);
		return;
	}
	authenticate(&ar);
	if (ar.authenticated) {
		ar.ctx.user_id = ar.user.id;
		ar.ctx.username = ar.user.username;
	}
	if (req->path[strlen(req->path) - 1] != '/') {
		api_fail_detail(&ar, CK_E_NOTFOUND, "Not found. (API paths end in '/')");
	} else {
		dispatch(&ar);
	}
	if (!strcmp(req->method, "HEAD"))
		strbuf_reset(&resp->body);
	api_req_release(&ar);
	strbuf_release(&canon_path);
}
