/* api/filter_helpers — building blocks for hand-declared filters (see filter.h). */
#include "api/filter.h"

/* One OR-group with a term per value: each value bound as text, then added by `add`. */
static int any_bound(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
		     void (*add)(struct store_qspec *qs, const char *what, int bind), const char *what)
{
	int r = 0;

	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals && !r; i++) {
		int n = api_fc_bind_text(fc, vals[i]);
		if (n < 0)
			r = n;
		else
			add(&fc->spec, what, n);
	}
	store_qs_close(&fc->spec);
	return r;
}

int api_fc_any_text(struct api_filter_ctx *fc, const char *fmt, const char *const *vals, size_t nvals)
{
	return any_bound(fc, vals, nvals, store_qs_template, fmt);
}

int api_fc_bool(struct api_filter_ctx *fc, const char *name, const char *const *vals, size_t nvals,
		const char *true_sql, const char *false_sql, struct ck_error *err)
{
	int b;

	if (api_filter_bool(name, vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	store_qs_template(&fc->spec, b ? true_sql : false_sql, 0);
	return 0;
}

static void json_has(struct store_qspec *qs, const char *col, int bind)
{
	store_qs_where(qs, col, 0, STORE_QS_JSON_HAS, bind);
}

int api_fc_json_has(struct api_filter_ctx *fc, const char *col, const char *const *vals, size_t nvals)
{
	return any_bound(fc, vals, nvals, json_has, col);
}
