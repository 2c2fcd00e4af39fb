/*
 * api/openapi — the OpenAPI 3.0 document at GET /api/schema/ (?format=json; JSON is the only
 * format served), generated from the resource registry: every list/detail path with its
 * filter parameters, request and response bodies, plus the explicit actions.
 */
#include "api/actions.h"
#include "api/filter.h"

#include <stdio.h>
#include <string.h>

static void raw_lit(struct jsonw *w, const char *json) { jsonw_raw(w, json, strlen(json)); }

static void schema_of_field(struct jsonw *w, const struct api_field *f, int for_input)
{
	jsonw_obj_open(w);
	switch (f->type) {
	case FT_ID:
	case FT_INT:
		jsonw_kstr(w, "type", "integer");
		break;
	case FT_BOOL:
		jsonw_kstr(w, "type", "boolean");
		break;
	case FT_DOUBLE:
		jsonw_kstr(w, "type", "number");
		break;
	case FT_TIME:
		jsonw_kstr(w, "type", "string");
		jsonw_kstr(w, "format", "date-time");
		break;
	case FT_STRLIST:
	case FT_INTLIST:
		jsonw_kstr(w, "type", "array");
		jsonw_key(w, "items");
		jsonw_obj_open(w);
		jsonw_kstr(w, "type", f->type == FT_STRLIST ? "string" : "integer");
		jsonw_obj_close(w);
		break;
	case FT_JSON:
		jsonw_kstr(w, "type", "object");
		jsonw_kbool(w, "additionalProperties", 1);
		break;
	case FT_FK:
		if (for_input || (f->flags & F_PLAINID)) {
			jsonw_kstr(w, "type", "integer");
		} else {
			jsonw_kstr(w, "type", "object");
			jsonw_kstr(w, "description", "nested brief object {id, url, display, ...}");
		}
		break;
	case FT_COMPUTED:
		jsonw_kstr(w, "description", "computed");
		break;
	case FT_CHOICE:
		jsonw_kstr(w, "type", "string");
		if (f->flags & F_OPEN) { /* suggestions only: the help text names them */
			if (f->maxlen)
				jsonw_kint(w, "maxLength", f->maxlen);
			break;
		}
		jsonw_key(w, "enum");
		jsonw_arr_open(w);
		for (int i = 0; f->choices[i]; i++)
			jsonw_str(w, f->choices[i]);
		jsonw_arr_close(w);
		break;
	default:
		jsonw_kstr(w, "type", "string");
		if (f->maxlen)
			jsonw_kint(w, "maxLength", f->maxlen);
	}
	if (f->flags & F_NULL)
		jsonw_kbool(w, "nullable", 1);
	if ((f->flags & F_RO) && !for_input)
		jsonw_kbool(w, "readOnly", 1);
	if (f->help && f->type != FT_COMPUTED &&
	    !(f->type == FT_FK && !for_input && !(f->flags & F_PLAINID)))
		jsonw_kstr(w, "description", f->help);
	jsonw_obj_close(w);
}

static int has_required(const struct api_resource *res)
{
	for (size_t i = 0; i < res->nfields; i++)
		if (res->fields[i].flags & F_REQ)
			return 1;
	return 0;
}

static void component(struct jsonw *w, const struct api_resource *res, int for_input)
{
	char name[96];

	snprintf(name, sizeof(name), "%s%s", res->name, for_input ? "-write" : "");
	jsonw_key(w, name);
	jsonw_obj_open(w);
	jsonw_kstr(w, "type", "object");
	if (for_input && has_required(res)) {
		jsonw_key(w, "required");
		jsonw_arr_open(w);
		for (size_t i = 0; i < res->nfields; i++)
			if (res->fields[i].flags & F_REQ)
				jsonw_str(w, res->fields[i].name);
		jsonw_arr_close(w);
	}
	jsonw_key(w, "properties");
	jsonw_obj_open(w);
	if (!for_input) {
		jsonw_key(w, "id");
		raw_lit(w, "{\"type\":\"integer\",\"readOnly\":true}");
		jsonw_key(w, "url");
		raw_lit(w, "{\"type\":\"string\",\"format\":\"uri\",\"readOnly\":true}");
		jsonw_key(w, "display");
		raw_lit(w, "{\"type\":\"string\",\"readOnly\":true}");
	}
	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		if ((f->flags & F_HIDDEN) || (!for_input && (f->flags & F_WO)) ||
		    (for_input && ((f->flags & F_RO) || f->type == FT_COMPUTED)))
			continue;
		jsonw_key(w, f->name);
		schema_of_field(w, f, for_input);
	}
	if (res->model->taggable) {
		jsonw_key(w, "tags");
		raw_lit(w, "{\"type\":\"array\",\"items\":{}}");
	}
	jsonw_obj_close(w);
	jsonw_obj_close(w);
}

static void param(struct jsonw *w, const char *name, const char *type, const char *desc)
{
	jsonw_obj_open(w);
	jsonw_kstr(w, "name", name);
	jsonw_kstr(w, "in", "query");
	jsonw_kbool(w, "required", 0);
	if (desc)
		jsonw_kstr(w, "description", desc);
	jsonw_key(w, "schema");
	jsonw_obj_open(w);
	jsonw_kstr(w, "type", type);
	jsonw_obj_close(w);
	jsonw_obj_close(w);
}

/* A hand-declared filter of that name replaces the field's own (one parameter per name). */
static int has_hand_filter(const struct api_resource *res, const char *name)
{
	for (int i = 0; res->filters && res->filters[i].name; i++)
		if (!strcmp(res->filters[i].name, name))
			return 1;
	return 0;
}

static void list_params(struct jsonw *w, const struct api_resource *res)
{
	char name[96];

	jsonw_key(w, "parameters");
	jsonw_arr_open(w);
	param(w, "limit", "integer", "page size (default 50, max 1000, 0 = max)");
	param(w, "offset", "integer", "first row");
	param(w, "cursor", "string", "opaque keyset cursor of a `next` link (the offset decides)");
	param(w, "ordering", "string", "field or -field, comma separated");
	param(w, "brief", "boolean", "brief representation");
	param(w, "q", "string", "free-text search");
	param(w, "id", "integer", NULL);
	if (res->model->taggable)
		param(w, "tag", "string", "tag slug (repeat = AND)");
	for (size_t i = 0; i < res->nfields; i++) {
		const struct api_field *f = &res->fields[i];
		if ((f->flags & (F_HIDDEN | F_NOFILTER | F_WO)) || !f->column ||
		    f->type == FT_JSON || f->type == FT_STRLIST || f->type == FT_INTLIST ||
		    has_hand_filter(res, f->name))
			continue;
		if (f->type == FT_FK && !(f->flags & F_PLAINID)) {
			snprintf(name, sizeof(name), "%s_id", f->name);
			param(w, name, "integer", NULL);
		}
		param(w, f->name,
		      f->type == FT_BOOL		      ? "boolean"
		      : f->type == FT_INT || f->type == FT_FK ? "integer"
							      : "string",
		      NULL);
	}
	for (int i = 0; res->filters && res->filters[i].name; i++)
		param(w, res->filters[i].name, "string", res->filters[i].help);
	jsonw_arr_close(w);
}

static void ref(struct jsonw *w, const char *name, int list)
{
	char buf[512];

	jsonw_key(w, "content");
	jsonw_obj_open(w);
	jsonw_key(w, "application/json");
	jsonw_obj_open(w);
	jsonw_key(w, "schema");
	if (list)
		snprintf(buf, sizeof(buf),
			 "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"},"
			 "\"next\":{\"type\":\"string\",\"nullable\":true},\"previous\":{\"type\":"
			 "\"string\","
			 "\"nullable\":true},\"results\":{\"type\":\"array\",\"items\":{\"$ref\":"
			 "\"#/components/schemas/%s\"}}}}",
			 name);
	else
		snprintf(buf, sizeof(buf), "{\"$ref\":\"#/components/schemas/%s\"}", name);
	jsonw_raw(w, buf, strlen(buf));
	jsonw_obj_close(w);
	jsonw_obj_close(w);
}

static void op(struct jsonw *w, const char *method, const struct api_resource *res,
	       const char *summary, int body, int list_resp, int status)
{
	char in[96], code[8];

	snprintf(in, sizeof(in), "%s-write", res->name);
	snprintf(code, sizeof(code), "%d", status);
	jsonw_key(w, method);
	jsonw_obj_open(w);
	jsonw_kstr(w, "summary", summary);
	jsonw_key(w, "tags");
	jsonw_arr_open(w);
	jsonw_str(w, res->name);
	jsonw_arr_close(w);
	if (list_resp && !strcmp(method, "get"))
		list_params(w, res);
	if (body) {
		jsonw_key(w, "requestBody");
		jsonw_obj_open(w);
		jsonw_kbool(w, "required", 1);
		ref(w, in, 0);
		jsonw_obj_close(w);
	}
	jsonw_key(w, "responses");
	jsonw_obj_open(w);
	jsonw_key(w, code);
	jsonw_obj_open(w);
	jsonw_kstr(w, "description", status == 204 ? "deleted" : "success");
	if (status != 204)
		ref(w, res->name, list_resp);
	jsonw_obj_close(w);
	jsonw_key(w, "400");
	raw_lit(w, "{\"description\":\"validation error: {field: [msg]} or {detail: msg}\"}");
	jsonw_obj_close(w);
	jsonw_obj_close(w);
}

static void id_param(struct jsonw *w)
{
	jsonw_key(w, "parameters");
	raw_lit(w, "[{\"name\":\"id\",\"in\":\"path\",\"required\":true,\"schema\":{\"type\":"
		   "\"integer\"}}]");
}

static void resource_paths(struct jsonw *w, const struct api_resource *res)
{
	char path[160];

	jsonw_key(w, res->path);
	jsonw_obj_open(w);
	op(w, "get", res, "List (NetBox pagination and filters)", 0, 1, 200);
	if (!res->read_only)
		op(w, "post", res, "Create (or bulk create with a JSON array)", 1, 0, 201);
	jsonw_obj_close(w);
	snprintf(path, sizeof(path), "%s{id}/", res->path);
	jsonw_key(w, path);
	jsonw_obj_open(w);
	id_param(w);
	op(w, "get", res, "Retrieve", 0, 0, 200);
	if (!res->read_only) {
		op(w, "put", res, "Replace", 1, 0, 200);
		op(w, "patch", res, "Partial update", 1, 0, 200);
	}
	if (!res->read_only || res->deletable)
		op(w, "delete", res, "Delete", 0, 0, 204);
	jsonw_obj_close(w);
}

/* Paths outside the registry and outside the action table: the browser sign-in, which is
 * served before authentication (api/auth_api.c). */
static const struct {
	const char *path, *summary;
	unsigned methods;
	enum api_body_kind body;
} auth_paths[] = {
    {"/api/auth/login/", "Browser sign-in (session cookie + CSRF token)", API_M_POST,
     API_BODY_JSON},
    {"/api/auth/logout/", "Browser sign-out", API_M_POST, API_BODY_NONE},
    {"/api/auth/me/", "The signed-in user", API_M_GET, API_BODY_NONE},
};

static void request_body(struct jsonw *w, enum api_body_kind body)
{
	if (body == API_BODY_NONE)
		return;
	jsonw_key(w, "requestBody");
	if (body == API_BODY_JSON)
		raw_lit(w,
			"{\"required\":true,\"content\":{\"application/json\":{\"schema\":{}}}}");
	else if (body == API_BODY_JSON_OPTIONAL)
		raw_lit(w,
			"{\"required\":false,\"content\":{\"application/json\":{\"schema\":{}}}}");
	else
		raw_lit(
		    w, "{\"required\":true,\"content\":{\"multipart/form-data\":{\"schema\":{}}}}");
}

/* "x-certkeeper-permission": {"level": "write", "names": ["import_certificate", ...]} — what
 * api_authorize() is asked for the operation (api/authorize.h). */
static void permission(struct jsonw *w, const struct api_perm *perm)
{
	jsonw_key(w, "x-certkeeper-permission");
	jsonw_obj_open(w);
	jsonw_kstr(w, "level", api_perm_level_name(perm->level));
	jsonw_key(w, "names");
	jsonw_arr_open(w);
	for (size_t i = 0; i < API_PERM_NAMES_MAX && perm->names[i]; i++)
		jsonw_str(w, perm->names[i]);
	jsonw_arr_close(w);
	jsonw_obj_close(w);
}

static void action_op(struct jsonw *w, const char *method, const char *summary,
		      enum api_body_kind body, const struct api_perm *perm)
{
	jsonw_key(w, method);
	jsonw_obj_open(w);
	jsonw_kstr(w, "summary", summary);
	request_body(w, body);
	if (perm)
		permission(w, perm);
	jsonw_key(w, "responses");
	raw_lit(w, "{\"200\":{\"description\":\"success\"},\"201\":{\"description\":\"created\"},"
		   "\"400\":{\"description\":\"validation error\"}}");
	jsonw_obj_close(w);
}

/* The operations of one path; a GET never has a request body. */
static void path_ops(struct jsonw *w, const char *path, unsigned methods, const char *summary,
		     enum api_body_kind body, const struct api_perm *perm)
{
	jsonw_key(w, path);
	jsonw_obj_open(w);
	if (strstr(path, "{id}"))
		id_param(w);
	if (methods & API_M_GET)
		action_op(w, "get", summary, API_BODY_NONE, perm);
	if (methods & API_M_POST)
		action_op(w, "post", summary, body, perm);
	jsonw_obj_close(w);
}

static void action_paths(struct jsonw *w)
{
	char path[256];

	for (size_t i = 0; i < api_nactions; i++) {
		const struct api_action *a = &api_actions[i];
		const struct api_resource *res =
		    a->resource ? api_registry_find(a->resource) : NULL;
		if (a->resource && !res)
			continue;
		if (res)
			snprintf(path, sizeof(path), "%s%s%s", res->path, a->detail ? "{id}/" : "",
				 a->rest);
		else
			snprintf(path, sizeof(path), "%s", a->path);
		path_ops(w, path, a->methods, a->summary, a->body, &a->perm);
	}
	for (size_t i = 0; i < sizeof(auth_paths) / sizeof(auth_paths[0]); i++)
		path_ops(w, auth_paths[i].path, auth_paths[i].methods, auth_paths[i].summary,
			 auth_paths[i].body, NULL);
}

int api_serve_openapi(struct api_req *ar)
{
	struct jsonw w;

	if (strcmp(ar->http->path, "/api/schema/"))
		return 0;
	api_json_begin(ar, 200, &w);
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "openapi", "3.0.3");
	jsonw_key(&w, "info");
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "title", "certkeeper API (NetBox SSL compatible)");
	jsonw_kstr(&w, "version", ar->app->version);
	jsonw_obj_close(&w);
	jsonw_key(&w, "components");
	jsonw_obj_open(&w);
	jsonw_key(&w, "securitySchemes");
	raw_lit(&w,
		"{\"tokenAuth\":{\"type\":\"apiKey\",\"in\":\"header\",\"name\":\"Authorization\","
		"\"description\":\"Token <key> or Bearer nbt_<id>.<secret>\"}}");
	jsonw_key(&w, "schemas");
	jsonw_obj_open(&w);
	for (size_t i = 0; i < api_registry_count(); i++) {
		component(&w, api_registry_at(i), 0);
		if (!api_registry_at(i)->read_only)
			component(&w, api_registry_at(i), 1);
	}
	jsonw_obj_close(&w);
	jsonw_obj_close(&w);
	jsonw_key(&w, "security");
	raw_lit(&w, "[{\"tokenAuth\":[]}]");
	jsonw_key(&w, "paths");
	jsonw_obj_open(&w);
	for (size_t i = 0; i < api_registry_count(); i++)
		resource_paths(&w, api_registry_at(i));
	action_paths(&w);
	jsonw_obj_close(&w);
	jsonw_obj_close(&w);
	return 1;
}
