/*
 * api/actions — the explicit handlers beside the generic registry: resource actions
 * (certificates/import/, bulk-import/, {id}/lifecycle/, ...), OPTIONS metadata, browser
 * sign-in, static files of the web UI, and non-registry endpoints.
 */
#ifndef CK_API_ACTIONS_H
#define CK_API_ACTIONS_H

#include "api/api.h"
#include "api/authorize.h"
#include "api/registry.h"

/*
 * The action table: every explicit endpoint beside the registry's generic CRUD — resource
 * actions ("<list path>[{id}/]<rest>") and the plugin's own paths (analytics, compliance
 * report) — is one entry of api_actions[] (api/actions.c), and that entry is the only place
 * its method set, permission, body and handler are declared. The router finds the entry
 * (api_action_find / api_endpoint_find), answers 404/405 from it, asks api_authorize() with
 * the entry's permission, decodes the body the entry names, then calls the handler. The
 * OpenAPI document (api/openapi.c) is generated from the same entries. A new action is one
 * entry here (designated initialisers) and its handler.
 */

/* Methods an entry answers (bit set). HEAD is its own bit: an entry that answers GET answers
 * HEAD only when it says so (the router drops a HEAD answer's body). */
enum api_method_bit {
	API_M_GET = 1u << 0,
	API_M_HEAD = 1u << 1,
	API_M_POST = 1u << 2,
};

/* The body an entry expects, decoded by the router before the handler runs. */
enum api_body_kind {
	API_BODY_NONE,		/* ignored */
	API_BODY_JSON,		/* required JSON (api_body(); a bad or empty body is a 400 before
				 * the handler, which then reads the cached body) */
	API_BODY_JSON_OPTIONAL, /* the handler reads JSON if there is a body (and query params) */
	API_BODY_MULTIPART,	/* multipart/form-data, parsed by the handler */
};

/* A handler: id is the object of a detail URL, 0 for a list or plugin path. It sends the
 * response (success or failure) itself. */
typedef void api_action_fn(struct api_req *ar, int64_t id);

struct api_action {
	const char *resource; /* registry name; NULL: an endpoint at .path outside the registry */
	const char *rest;     /* resource actions: what follows the list/detail path ("import/") */
	const char *path;     /* endpoints outside the registry: the whole canonical path */
	int detail;	      /* 1: on a detail URL ({id}/) */
	unsigned methods;     /* enum api_method_bit set */
	struct api_perm perm; /* what api_authorize() is asked */
	enum api_body_kind body;
	api_action_fn *handler;
	const char *summary; /* for the OpenAPI document */
};

/* Every entry (api/actions.c); api_nactions of them. */
extern const struct api_action api_actions[];
extern const size_t api_nactions;

/* The entry of resource action <rest> of res (on a detail URL when detail), or NULL. */
const struct api_action *api_action_find(const struct api_resource *res, const char *rest,
					 int detail);

/* The entry of an endpoint outside the registry at `path` (canonical), or NULL. */
const struct api_action *api_endpoint_find(const char *path);

/* Serves a request for entry `a`: 405 when the method is not one of its methods, the answer of
 * api_authorize() when refused, 400 for a bad required JSON body, else the handler's. */
void api_action_serve(struct api_req *ar, const struct api_resource *res,
		      const struct api_action *a, int64_t id);

/* ---- handlers, by file ---- */

/* api/actions_cert.c */
void api_act_cert_import(struct api_req *ar, int64_t id);
void api_act_cert_bulk_import(struct api_req *ar, int64_t id);
void api_act_cert_lifecycle(struct api_req *ar, int64_t id);

/* api/actions_plugin.c */
void api_act_csr_import(struct api_req *ar, int64_t id);
void api_act_ca_seed_defaults(struct api_req *ar, int64_t id);
void api_act_cert_bulk_assign(struct api_req *ar, int64_t id);

/* api/actions_lifecycle.c (and the api_lc_* handlers of api/lifecycle_actions.h) */
void api_act_cert_renew(struct api_req *ar, int64_t id);
void api_act_cert_revert_renewal(struct api_req *ar, int64_t id);
void api_act_cert_validate_chain(struct api_req *ar, int64_t id);
void api_act_cert_bulk_validate_chain(struct api_req *ar, int64_t id);
void api_act_cert_detect_acme(struct api_req *ar, int64_t id);
void api_act_cert_bulk_detect_acme(struct api_req *ar, int64_t id);
void api_act_cert_bulk_status_update(struct api_req *ar, int64_t id);
void api_act_cert_diff(struct api_req *ar, int64_t id);

/* api/actions_export.c: certificates/export/ and {id}/export/ */
void api_act_cert_export_list(struct api_req *ar, int64_t id);
void api_act_cert_export_one(struct api_req *ar, int64_t id);

/* api/actions_dataimport.c: bulk-data-import/, import-file/ */
void api_act_cert_bulk_data_import(struct api_req *ar, int64_t id);
void api_act_cert_import_file(struct api_req *ar, int64_t id);

/* api/actions_compliance.c: compliance runs, and compliance-report/, compliance-report/snapshot/,
 * compliance-trend/ */
void api_act_cert_compliance_check(struct api_req *ar, int64_t id);
void api_act_cert_bulk_compliance_check(struct api_req *ar, int64_t id);
void api_act_compliance_report(struct api_req *ar, int64_t id);
void api_act_compliance_snapshot(struct api_req *ar, int64_t id);
void api_act_compliance_trend(struct api_req *ar, int64_t id);

/* api/analytics.c: analytics/summary/ */
void api_act_analytics_summary(struct api_req *ar, int64_t id);

/* POST /api/users/tokens/ (api/res_users.c): creates a token and shows its key once. */
void api_token_create(struct api_req *ar);

/* OPTIONS on a list/detail URL: DRF-style metadata (name, actions.POST field info with
 * choices) so that pynetbox's choices() works. */
void api_options(struct api_req *ar, const struct api_resource *res);

/* /api/auth/{login,logout,me}/ (browser sessions). `rest` is what follows /api/auth/. */
void api_serve_auth(struct api_req *ar, const char *rest);

/* Stops the summary's background recomputation thread (joins it) and frees the kept
 * summaries; call after the HTTP server stopped and before store_close(). Idempotent. */
void api_analytics_stop(void);

/* GET /api/schema/ — the OpenAPI 3 document generated from the registry (api/openapi.c). */
int api_serve_openapi(struct api_req *ar);

#endif
