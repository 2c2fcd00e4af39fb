/*
 * api/errors — the one table that maps CK_E_* codes to HTTP statuses and JSON error bodies
 * (STYLE.md §9). Bodies follow DRF/NetBox: {"<field>": ["msg"]} for a field's error,
 * {"detail": "msg"} otherwise. Database and internal errors are never echoed.
 */
#include "api/api.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	int code;
	int status;
	const char *generic; /* used when there is no detail, and always for 5xx */
	int echo;	     /* 1: the detail message may be shown to the client */
} map[] = {
    {CK_E_INVALID, 400, "Invalid input.", 1},
    {CK_E_DUPLICATE, 400, "Duplicate object.", 1},
    {CK_E_PARSE, 400, "Malformed request.", 1},
    {CK_E_PRIVKEY, 400,
     "Private key detected. For security reasons, private keys cannot be stored.", 1},
    {CK_E_TOOBIG, 400, "Input too large.", 1},
    {CK_E_AUTH, 401, "Authentication credentials were not provided.", 1},
    {CK_E_FORBIDDEN, 403, "You do not have permission to perform this action.", 1},
    {CK_E_NOTFOUND, 404, "Not found.", 1},
    {CK_E_METHOD, 405, "Method not allowed.", 1},
    {CK_E_CONFLICT, 409, "Conflict.", 1},
    {CK_E_THROTTLED, 429, "Too many requests; try again later.", 1},
    {CK_E_MEDIATYPE, 415, "Unsupported media type.", 1},
    {CK_E_BUSY, 503, "The database is busy; retry shortly.", 0},
    {CK_E_TIMEOUT, 503, "The query took longer than the statement time limit; narrow the filter.",
     0},
    {CK_E_NOMEM, 500, "Internal server error.", 0},
    {CK_E_IO, 500, "Internal server error.", 0},
    {CK_E_DB, 500, "Internal server error.", 0},
    {CK_E_INTERNAL, 500, "Internal server error.", 0},
};

static int lookup(int code)
{
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].code == code)
			return (int)i;
	return (int)(sizeof(map) / sizeof(map[0])) - 1;
}

int api_collect_error(struct api_req *ar, const struct ck_error *err)
{
	json_t *list;

	if (!err || !err->field[0] || !err->msg[0])
		return 0;
	if (!ar->errors && !(ar->errors = json_object()))
		return 0;
	list = json_object_get(ar->errors, err->field);
	if (!list && json_object_size(ar->errors) >= API_MAX_FIELD_ERRORS) {
		ar->errors_omitted++;
		return 1;
	}
	if (!list) {
		list = json_array();
		json_object_set_new(ar->errors, err->field, list);
	}
	json_array_append_new(list, json_string(err->msg));
	return 1;
}

/* Several collected field errors: one 400 naming them all. */
static int fail_collected(struct api_req *ar, int code)
{
	char *text;

	if (code != CK_E_INVALID || !ar->errors || !json_object_size(ar->errors))
		return 0;
	if (ar->errors_omitted) {
		json_t *list = json_object_get(ar->errors, "non_field_errors");
		char more[96];

		if (!list) {
			list = json_array();
			json_object_set_new(ar->errors, "non_field_errors", list);
		}
		snprintf(more, sizeof(more), "%zu more field errors not shown.",
			 ar->errors_omitted);
		json_array_append_new(list, json_string(more));
		ar->errors_omitted = 0; /* appended once, also if rendered twice */
	}
	text = json_dumps(ar->errors, JSON_COMPACT);
	if (!text)
		return 0;
	strbuf_reset(&ar->resp->body);
	ar->resp->status = 400;
	ar->resp->content_type = "application/json";
	strbuf_adds(&ar->resp->body, text);
	free(text);
	return 1;
}

void api_fail(struct api_req *ar, int code, const struct ck_error *err)
{
	int i = lookup(code);
	struct jsonw w;
	const char *msg = map[i].generic;

	if (fail_collected(ar, code))
		return;
	/* 5xx never echo their cause to the client: the log keeps it, with the request id */
	if (map[i].status >= 500)
		ck_log(CK_LOG_ERROR, ar->http->request_id, "%s %s failed: %s (%s)",
		       ar->http->method, ar->http->path, ck_strerror(code),
		       err && err->msg[0] ? err->msg : "no detail");
	if (map[i].echo && err && err->msg[0])
		msg = err->msg;
	strbuf_reset(&ar->resp->body);
	ar->resp->nheaders = ar->resp->nheaders; /* headers already set stay */
	api_json_begin(ar, map[i].status, &w);
	jsonw_obj_open(&w);
	if (map[i].echo && err && err->field[0] && err->msg[0]) {
		jsonw_key(&w, err->field);
		jsonw_arr_open(&w);
		jsonw_str(&w, msg);
		jsonw_arr_close(&w);
	} else {
		jsonw_kstr(&w, "detail", msg);
	}
	jsonw_obj_close(&w);
	if (map[i].status == 401)
		http_response_add_header(ar->resp, "WWW-Authenticate", "Token");
}

void api_fail_detail(struct api_req *ar, int code, const char *msg)
{
	struct ck_error err;

	ck_error_clear(&err);
	ck_error_set(&err, code, NULL, "%s", msg);
	api_fail(ar, code, &err);
}
