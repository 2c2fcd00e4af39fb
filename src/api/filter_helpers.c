/* api/filter_helpers — building blocks for hand-declared filters (see filter.h). */
#include "api/filter.h"

int api_fc_any_text(struct api_filter_ctx *fc, const char *fmt, const char *const *vals, size_t nvals)
{
	api_fc_and(fc);
	strbuf_addch(&fc->where, '(');
	for (size_t i = 0; i < nvals; i++) {
		int n = api_fc_bind_text(fc, vals[i]);
		if (n < 0)
			return n;
		if (i)
			strbuf_adds(&fc->where, " OR ");
		strbuf_addf(&fc->where, fmt, n);
	}
	strbuf_addch(&fc->where, ')');
	return 0;
}

int api_fc_bool(struct api_filter_ctx *fc, const char *name, const char *const *vals, size_t nvals,
		const char *true_sql, const char *false_sql, struct ck_error *err)
{
	int b;

	if (api_filter_bool(name, vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	api_fc_and(fc);
	strbuf_adds(&fc->where, b ? true_sql : false_sql);
	return 0;
}
