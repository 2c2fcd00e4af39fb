/*
 * api/query — internal interface between the registry's read side (query.c) and its
 * users (registry write path, actions, export). See registry.h for the public contract.
 */
#ifndef CK_API_QUERY_H
#define CK_API_QUERY_H

#include "api/api.h"
#include "api/registry.h"

/* Renders the current row (full or brief) as one JSON object. */
void api_render_row(const struct api_row *row, int brief, struct jsonw *w);

/* limit/offset from the query string with NetBox rules (0 or >max = max). */
int api_parse_paging(const struct http_request *req, int64_t *ret_limit, int64_t *ret_offset,
		     struct ck_error *err);

/* True when ?brief=true|1 (or bare ?brief). */
int api_want_brief(const struct http_request *req);

/* GET list and GET detail handlers. */
void api_list(struct api_req *ar, const struct api_resource *res);
void api_get(struct api_req *ar, const struct api_resource *res, int64_t id);

#endif
