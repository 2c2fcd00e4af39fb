/*
 * api/filter — turns NetBox-style query parameters into one SQL WHERE clause with bound
 * parameters (DESIGN.md §5): repeated parameters OR together, different ones AND; lookups
 * __n __ic __nic __isw __nisw __iew __niew __ie __nie __empty __lt __lte __gt __gte; `q`;
 * `id`; `tag`/`tag__n`/`tag_id`; FK `<name>_id` and `<name>` (by name/slug); plus each
 * resource's hand-declared filters. Only declared column names reach the SQL text.
 */
#ifndef CK_API_FILTER_H
#define CK_API_FILTER_H

#include "api/api.h"
#include "api/registry.h"

#define API_MAX_BINDS 512

struct api_bind {
	int is_int;
	int64_t i;
	char *s; /* owned */
};

struct api_filter_ctx {
	const struct api_resource *res;
	struct strbuf where;          /* conditions, each already parenthesised, joined by AND */
	struct api_bind binds[API_MAX_BINDS];
	int nbinds;
	int64_t now;
	const struct ck_config *cfg;
	struct store_conn *conn; /* for choice checks (NetBox answers 400 for an unknown tag/FK) */
};

void api_fc_init(struct api_filter_ctx *fc, const struct api_resource *res, const struct dom_ctx *ctx);
void api_fc_release(struct api_filter_ctx *fc);

/* Adds a bound value; returns its $n number (>0) or a negative error. */
int api_fc_bind_text(struct api_filter_ctx *fc, const char *s);
int api_fc_bind_int(struct api_filter_ctx *fc, int64_t v);

/* Starts a new AND-ed condition: appends " AND " when needed. */
void api_fc_and(struct api_filter_ctx *fc);

/* Builds the WHERE conditions for all query parameters of the request (except the reserved
 * ones: limit, offset, ordering, brief, fields, format, ...). 400-class errors in err. */
int api_filter_build(struct api_filter_ctx *fc, const struct http_request *req, struct ck_error *err);

/* Binds every collected value to st. */
void api_fc_apply(const struct api_filter_ctx *fc, struct store_stmt *st);

/* Parses a boolean filter value or fails with the NetBox message for `name`. */
int api_filter_bool(const char *name, const char *v, int *ret, struct ck_error *err);

/* Appends one condition "(<fmt> OR <fmt> ...)", one per value bound as text; `fmt` is a
 * declared SQL snippet with exactly one %d for the parameter number. */
int api_fc_any_text(struct api_filter_ctx *fc, const char *fmt, const char *const *vals, size_t nvals)
	__attribute__((format(printf, 2, 0)));

/* A boolean filter: appends true_sql or false_sql by the (last) value; 400 on a non-boolean. */
int api_fc_bool(struct api_filter_ctx *fc, const char *name, const char *const *vals, size_t nvals,
		const char *true_sql, const char *false_sql, struct ck_error *err);

/* Appends "<column> NOT IN (<object types of admin_only resources>)": for row scopes of
 * resources whose rows describe objects of other resources (the changelog). */
int api_fc_hide_admin_types(struct api_filter_ctx *fc, const char *column);

/* True for reserved (non-filter) parameter names. */
int api_param_is_reserved(const char *key);

#endif
