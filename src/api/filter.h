/*
 * api/filter — turns NetBox-style query parameters into the conditions of a query spec
 * (store/queryspec.h, DESIGN.md §5): repeated parameters OR together, different ones AND;
 * lookups __n __ic __nic __isw __nisw __iew __niew __ie __nie __empty __lt __lte __gt __gte;
 * `q`; `id`; `tag`/`tag__n`/`tag_id`; FK `<name>_id` and `<name>` (by name/slug); plus each
 * resource's hand-declared filters. The store renders the spec; client values are only ever
 * bound.
 *
 * `q` columns (registry.h q_columns): "expr" is a case-insensitive contains on a declared
 * expression; "[]col" an exact element of JSON array column `col`; "=template" a declared
 * condition with one %d for the bound value (engine-specific: prefer "[]col"). A leading "#"
 * marks a column holding only hex digits and colons: skipped for a term with any other
 * character (it cannot match; the rest of q can then be served by indexes).
 *
 * Hand-declared filters (registry.h `filters`) still write declared condition text with
 * `$n` placeholders into fc->where (api_fc_and + strbuf) or through api_fc_any_text /
 * api_fc_bool; the spec carries that text as its last AND-ed term. New filters should add
 * spec terms (fc->spec) instead.
 */
#ifndef CK_API_FILTER_H
#define CK_API_FILTER_H

#include "api/api.h"
#include "api/registry.h"
#include "store/queryspec.h"

#define API_MAX_BINDS STORE_QS_MAX_BINDS

struct api_filter_ctx {
	const struct api_resource *res;
	struct store_qspec spec;  /* the query: table, conditions, binds (this module fills it) */
	struct strbuf where;      /* hand-declared filters' declared conditions, joined by AND */
	int64_t now;
	const struct ck_config *cfg;
	struct store_conn *conn; /* for choice checks (NetBox answers 400 for an unknown tag/FK) */
};

/* Starts an empty spec on res's table. api_fc_release() frees it. */
void api_fc_init(struct api_filter_ctx *fc, const struct api_resource *res, const struct dom_ctx *ctx);
void api_fc_release(struct api_filter_ctx *fc);

/* Adds a bound value to the spec; returns its $n number (>0) or a negative error. */
int api_fc_bind_text(struct api_filter_ctx *fc, const char *s);
int api_fc_bind_int(struct api_filter_ctx *fc, int64_t v);

/* Starts a new AND-ed hand-written condition in fc->where: appends " AND " when needed. */
void api_fc_and(struct api_filter_ctx *fc);

/* Builds the conditions for all query parameters of the request (except the reserved
 * ones: limit, offset, ordering, brief, fields, format, ...). 400-class errors in err. On
 * success fc->spec is complete (fc->where attached) and ready for the store. */
int api_filter_build(struct api_filter_ctx *fc, const struct http_request *req, struct ck_error *err);

/* The spec with fc->where attached as its last AND-ed term (call again after writing to
 * fc->where). Borrowed from fc. */
struct store_qspec *api_fc_spec(struct api_filter_ctx *fc);

/* Parses a boolean filter value or fails with the NetBox message for `name`. */
int api_filter_bool(const char *name, const char *v, int *ret, struct ck_error *err);

/* Adds one condition "(<fmt> OR <fmt> ...)" to the spec, one per value bound as text; `fmt`
 * is a declared SQL snippet with exactly one %d for the parameter number. */
int api_fc_any_text(struct api_filter_ctx *fc, const char *fmt, const char *const *vals, size_t nvals)
	__attribute__((format(printf, 2, 0)));

/* Adds one condition: the JSON array column `col` (declared) has an element equal to one of
 * the values (e.g. a certificate's SANs); engine-neutral (store lookup STORE_QS_JSON_HAS). */
int api_fc_json_has(struct api_filter_ctx *fc, const char *col, const char *const *vals, size_t nvals);

/* A boolean filter: adds declared condition true_sql or false_sql (no placeholder) by the
 * (last) value; 400 on a non-boolean. */
int api_fc_bool(struct api_filter_ctx *fc, const char *name, const char *const *vals, size_t nvals,
		const char *true_sql, const char *false_sql, struct ck_error *err);

/* Adds "<column> is none of the object types of admin_only resources" to the spec: for row
 * scopes of resources whose rows describe objects of other resources (the changelog). */
int api_fc_hide_admin_types(struct api_filter_ctx *fc, const char *column);

/* True for reserved (non-filter) parameter names. */
int api_param_is_reserved(const char *key);

#endif
