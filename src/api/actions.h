/*
 * api/actions — the explicit handlers beside the generic registry: resource actions
 * (certificates/import/, bulk-import/, {id}/lifecycle/, ...), OPTIONS metadata, browser
 * sign-in, static files of the web UI, and non-registry endpoints.
 */
#ifndef CK_API_ACTIONS_H
#define CK_API_ACTIONS_H

#include "api/api.h"
#include "api/registry.h"

/* Serves "<list path>[<id>/]<rest>" for res; returns 0 when no such action exists. */
int api_serve_action(struct api_req *ar, const struct api_resource *res, int64_t id, const char *rest);

/* One explicit action of a resource: "<list path>[{id}/]<rest>". */
struct api_action_info {
	const char *resource; /* registry name */
	const char *rest;     /* e.g. "import/" */
	int detail;           /* 1: on a detail URL ({id}/) */
	const char *methods;  /* "get", "post" or "get post" */
	int body;             /* expects a JSON body */
	const char *summary;  /* for the OpenAPI document */
};

/* Every resource action, NULL-resource terminated (api/actions.c). */
extern const struct api_action_info api_actions[];

/* True when <rest> names an action of res (on a detail URL when id != 0), whatever the
 * method: lets the router answer 405 instead of 404 for a wrong method. */
int api_action_exists(const struct api_resource *res, int64_t id, const char *rest);

/* Certificate actions (api/actions_cert.c); same contract as api_serve_action. */
int api_cert_action(struct api_req *ar, int64_t id, const char *rest);

/* csrs/import/, certificate-authorities/seed-defaults/, certificates/bulk-assign/
 * (api/actions_plugin.c); same contract as api_serve_action. */
int api_plugin_action(struct api_req *ar, const struct api_resource *res, int64_t id, const char *rest);

/* Lifecycle actions of certificates (api/actions_lifecycle.c); same contract. */
int api_lifecycle_action(struct api_req *ar, const struct api_resource *res, int64_t id, const char *rest);

/* certificates/export/, {id}/export/ (api/actions_export.c) and bulk-data-import/, import-file/ (api/actions_dataimport.c); same contract. */
int api_export_action(struct api_req *ar, int64_t id, const char *rest);
int api_dataimport_action(struct api_req *ar, int64_t id, const char *rest);

/* Compliance runs of certificates (api/actions_compliance.c); same contract. */
int api_compliance_action(struct api_req *ar, const struct api_resource *res, int64_t id, const char *rest);

/* compliance-report/, compliance-report/snapshot/, compliance-trend/; 0 when not those paths. */
int api_serve_compliance(struct api_req *ar);


/* POST /api/users/tokens/ (api/res_users.c): creates a token and shows its key once. */
void api_token_create(struct api_req *ar);

/* OPTIONS on a list/detail URL: DRF-style metadata (name, actions.POST field info with
 * choices) so that pynetbox's choices() works. */
void api_options(struct api_req *ar, const struct api_resource *res);

/* /api/auth/{login,logout,me}/ (browser sessions). `rest` is what follows /api/auth/. */
void api_serve_auth(struct api_req *ar, const char *rest);

/* GET /api/plugins/netbox-ssl/analytics/summary/ (api/analytics.c); 0 when not that path. */
int api_serve_analytics(struct api_req *ar);

/* Stops the summary's background recomputation thread (joins it) and frees the kept
 * summaries; call after the HTTP server stopped and before store_close(). Idempotent. */
void api_analytics_stop(void);

/* GET /api/schema/ — the OpenAPI 3 document generated from the registry (api/openapi.c). */
int api_serve_openapi(struct api_req *ar);

#endif
