/* api/write — internal interface of the registry's write side (see registry.h). */
#ifndef CK_API_WRITE_H
#define CK_API_WRITE_H

#include "api/api.h"
#include "api/registry.h"

/* Decodes a JSON object into rec by the resource's declaration. partial: PATCH (required
 * fields may be absent). *ret_tags receives the borrowed "tags" value, if any. */
int api_decode_record(struct api_req *ar, const struct api_resource *res, json_t *obj, int partial,
		      struct dom_record *rec, json_t **ret_tags, struct ck_error *err);

/* Deletes one object (hooks, tags, changelog) inside the caller's transaction. */
int api_delete_record(struct api_req *ar, const struct api_resource *res, int64_t id, struct ck_error *err);

/* POST/PUT/PATCH/DELETE on a list (bulk when the body is an array) or detail URL. */
void api_write(struct api_req *ar, const struct api_resource *res, int64_t id);

#endif
