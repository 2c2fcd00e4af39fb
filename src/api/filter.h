/*
 * api/filter — turns NetBox-style query parameters into the conditions of a query spec
 * (store/queryspec.h, DESIGN.md §5): repeated parameters OR together, different ones AND;
 * lookups __n __ic __nic __isw __nisw __iew __niew __ie __nie __empty __lt __lte __gt __gte;
 * `q`; `id`; `tag`/`tag__n`/`tag_id`; FK `<name>_id` and `<name>` (by name/slug); plus each
 * resource's hand-declared filters. The store renders the spec; client values are only ever
 * bound.
 *
 * `q` columns (registry.h q_columns): "t.col" or "@expression" (a store named expression) is
 * a case-insensitive contains on it; "[]col" an exact element of JSON array column `col`;
 * "=name" store named filter `name` (store/queryspec.h) on the term bound as text. A leading
 * "#" marks a column holding only hex digits and colons: skipped for a term with any other
 * character (it cannot match; the rest of q can then be served by indexes).
 *
 * Hand-declared filters (registry.h `filters`) add spec terms (fc->spec): lookups on
 * declared columns, store named filters (store_qs_filter, or the helpers below). No SQL text
 * is written here or in a resource declaration.
 */
#ifndef CK_API_FILTER_H
#define CK_API_FILTER_H

#include "api/api.h"
#include "api/registry.h"
#include "store/queryspec.h"

#define API_MAX_BINDS STORE_QS_MAX_BINDS

struct api_filter_ctx {
	const struct api_resource *res;
	struct store_qspec spec; /* the query: table, conditions, binds (this module fills it) */
	int64_t now;
	const struct ck_config *cfg;
	struct store_conn *conn; /* for choice checks (NetBox answers 400 for an unknown tag/FK) */
};

/* Starts an empty spec on res's table. api_fc_release() frees it. */
void api_fc_init(struct api_filter_ctx *fc, const struct api_resource *res,
		 const struct dom_ctx *ctx);
void api_fc_release(struct api_filter_ctx *fc);

/* Adds a bound value to the spec; returns its $n number (>0) or a negative error. */
int api_fc_bind_text(struct api_filter_ctx *fc, const char *s);
int api_fc_bind_int(struct api_filter_ctx *fc, int64_t v);

/* Builds the conditions for all query parameters of the request (except the reserved
 * ones: limit, offset, ordering, brief, fields, format, ...). 400-class errors in err. On
 * success fc->spec is complete and ready for the store. */
int api_filter_build(struct api_filter_ctx *fc, const struct http_request *req,
		     struct ck_error *err);

/* The spec fc fills. Borrowed from fc. */
struct store_qspec *api_fc_spec(struct api_filter_ctx *fc);

/* Parses a boolean filter value or fails with the NetBox message for `name`. */
int api_filter_bool(const char *name, const char *v, int *ret, struct ck_error *err);

/* Adds one condition: store named filter `store_filter` (one text bind) holds for one of
 * the values, each bound as text. */
int api_fc_any_filter(struct api_filter_ctx *fc, const char *store_filter, const char *const *vals,
		      size_t nvals);

/* Adds one condition: text column `col` (declared) equals one of the values. */
int api_fc_any_eq(struct api_filter_ctx *fc, const char *col, const char *const *vals,
		  size_t nvals);

/* Adds one condition: the JSON array column `col` (declared) has an element equal to one of
 * the values (e.g. a certificate's SANs); engine-neutral (store lookup STORE_QS_JSON_HAS). */
int api_fc_json_has(struct api_filter_ctx *fc, const char *col, const char *const *vals,
		    size_t nvals);

/* Boolean filters `name`, by the (last) value; 400 on a non-boolean. api_fc_bool_filter:
 * true selects the rows of store named filter `store_filter` (without binds), false the
 * others. api_fc_bool_set: true selects the rows whose column `col` (declared) is set (not
 * NULL), false those where it is NULL. */
int api_fc_bool_filter(struct api_filter_ctx *fc, const char *name, const char *const *vals,
		       size_t nvals, const char *store_filter, struct ck_error *err);
int api_fc_bool_set(struct api_filter_ctx *fc, const char *name, const char *const *vals,
		    size_t nvals, const char *col, struct ck_error *err);

/* Adds "<column> is none of the object types of admin_only resources" to the spec: for row
 * scopes of resources whose rows describe objects of other resources (the changelog). */
int api_fc_hide_admin_types(struct api_filter_ctx *fc, const char *column);

/* True for reserved (non-filter) parameter names. */
int api_param_is_reserved(const char *key);

#endif
