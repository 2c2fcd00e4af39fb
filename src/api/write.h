/* api/write — the registry's write side: decoding requests into domain records and
 * rendering the answers; the changes themselves are domain commands (domain/write.h). */
#ifndef CK_API_WRITE_H
#define CK_API_WRITE_H

#include "api/api.h"
#include "api/registry.h"
#include "domain/write.h"

/* Decodes a JSON object into rec by the resource's declaration. partial: PATCH (required
 * fields may be absent). *ret_tags receives the borrowed "tags" value, if any. */
int api_decode_record(struct api_req *ar, const struct api_resource *res, json_t *obj, int partial,
		      struct dom_record *rec, json_t **ret_tags, struct ck_error *err);

/* The client's "tags" value as the domain's tag set (strings borrowed from tags);
 * api_tags_release() frees it. */
int api_decode_tags(json_t *tags, struct dom_tags *out);
void api_tags_release(struct dom_tags *tags);

/* POST/PUT/PATCH/DELETE on a list (bulk when the body is an array) or detail URL. */
void api_write(struct api_req *ar, const struct api_resource *res, int64_t id);

#endif
