/*
 * api/api — the application behind the HTTP server: routing, authentication, the NetBox
 * wire format and error mapping. One `struct api_app` per server (shared, read-only after
 * start); one `struct api_req` per request (owned by the worker thread handling it).
 *
 * Handler shape (STYLE.md §9): decode → call domain/ (or the registry) → encode. Handlers
 * never pick status numbers for failures: they call api_fail() with a CK_E_* code and the
 * mapping table in api/errors.c decides status and body.
 */
#ifndef CK_API_API_H
#define CK_API_API_H

#include <jansson.h>
#include <stdint.h>

#include "core/config.h"
#include "core/error.h"
#include "core/jsonw.h"
#include "domain/auth.h"
#include "domain/context.h"
#include "http/http.h"
#include "store/store.h"

#define API_VERSION "4.4"
#define API_JSON_MAX_DEPTH 32 /* request JSON nesting limit */
#define API_MAX_LIMIT 1000    /* page size cap (limit=0 means this) */
#define API_DEFAULT_LIMIT 50
#define API_MEMO_MAX 64		 /* nested objects memoised per request */
#define API_MAX_FIELD_ERRORS 100 /* fields named in one 400; more are only counted */

/* The plugin API's path, as the seeds and pynetbox (`nb.plugins.netbox_ssl`) spell it, and the
 * NetBox SSL plugin's real base path, served identically (docs/api.md). Requests under the
 * alias are routed as the canonical path; the URLs they get back keep the alias. */
#define API_PLUGIN_PATH "/api/plugins/netbox-ssl/"
#define API_PLUGIN_ALIAS "/api/plugins/ssl/"

struct api_app {
	struct store *store;
	struct ck_config cfg;
	const char *version; /* certkeeper version string */
	int64_t started;     /* epoch seconds */
};

struct api_memo {
	const void *res;
	int64_t id;
	char *json;
};

struct api_req {
	struct api_app *app;
	const struct http_request *http;
	struct http_response *resp;
	struct dom_ctx ctx;
	struct auth_user user;
	int authenticated;
	int write_enabled;
	int via_session;       /* authenticated by browser session cookie (CSRF applies) */
	int auth_error;	       /* non-auth failure while authenticating (database), or 0 */
	char auth_detail[128]; /* why a presented token was refused */
	char base_url[300];    /* "http://host:port", for absolute URLs */
	int plugin_alias;      /* the client used API_PLUGIN_ALIAS: URLs written back keep it */
	json_t *body;	       /* parsed JSON body, NULL until api_body() */
	json_t *errors;	       /* collected field errors {"field": ["msg", ...]}, or NULL */
	size_t errors_omitted; /* field errors past API_MAX_FIELD_ERRORS, only counted */
	struct api_memo memo[API_MEMO_MAX];
	int nmemo;
	struct dom_snapshotter snap; /* ctx.snap: api_req_snapshots() */
};

/* The http_handler_fn of certkeeper (app = struct api_app *). */
void api_handle(void *app, const struct http_request *req, struct http_response *resp);

/* Parses the request body as JSON (cached). CK_E_PARSE with a clear message on bad JSON,
 * an empty body, or nesting deeper than API_JSON_MAX_DEPTH. Borrowed; freed with the request. */
int api_body(struct api_req *ar, json_t **ret, struct ck_error *err);

/* Adds err's field message to the request's collected field errors (so one 400 names every
 * bad field, as DRF does). Returns 1 when collected, 0 when err has no field. Past
 * API_MAX_FIELD_ERRORS fields only a count is kept; the 400 then ends "non_field_errors"
 * with "N more field errors not shown." (a body of 200,000 unknown keys must not produce a
 * multi-megabyte answer). */
int api_collect_error(struct api_req *ar, const struct ck_error *err);

/* Sends an error response for `code` with detail from err (NULL: a generic message). */
void api_fail(struct api_req *ar, int code, const struct ck_error *err);

/* Sends {"detail": msg} with the status chosen by the mapping table for `code`. */
void api_fail_detail(struct api_req *ar, int code, const char *msg);

/* Starts a JSON response with `status` (200, 201) and returns a writer over its body. */
void api_json_begin(struct api_req *ar, int status, struct jsonw *w);

/* 405 {"detail": "Method \"X\" not allowed."} for a path that exists for other methods. */
void api_method_not_allowed(struct api_req *ar);

/* 204 No Content. */
void api_no_content(struct api_req *ar);

/* Appends an absolute path ("/api/...") as the client addresses it: a path under
 * API_PLUGIN_PATH is written under API_PLUGIN_ALIAS when the request came in that way. */
void api_add_path(const struct api_req *ar, struct strbuf *sb, const char *path);

/* Appends an object's absolute URL ("<base>/api/.../<id>/") to sb. */
void api_object_url(const struct api_req *ar, const char *list_path, int64_t id, struct strbuf *sb);

/* Writes the absolute URL of an object (id > 0) or of a list path (id 0) as a JSON string. */
void api_write_url(struct jsonw *w, const struct api_req *ar, const char *list_path, int64_t id);

/* True when the method changes state (POST, PUT, PATCH, DELETE). */
int api_method_is_write(const char *method);

/* Makes the domain's changelog snapshots of this request the objects' wire JSON as this
 * request renders them (ar->ctx.snap; api/write.c). */
void api_req_snapshots(struct api_req *ar);

/* Frees what a request accumulated (parsed body, errors, memoised nested objects). */
void api_req_release(struct api_req *ar);

/* An in-process renderer for writers without a request (the CLI): changelog snapshots with
 * relative URLs, acting as `user` (NULL: system). Its dom_ctx (api_local_ctx) is what the
 * domain commands take. api_local_reset() drops memoised objects between batches. */
struct api_local;
struct api_local *api_local_new(struct api_app *app, struct store_conn *conn,
				const struct auth_user *user);
struct dom_ctx *api_local_ctx(struct api_local *l);
void api_local_reset(struct api_local *l);
void api_local_free(struct api_local *l);

#endif
