/* api/filter_helpers — building blocks for hand-declared filters (see filter.h). */
#include "api/filter.h"

/* One OR-group with a term per value: each value bound as text, then added by `add`. */
static int any_bound(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
		     void (*add)(struct store_qspec *qs, const char *what, int bind),
		     const char *what)
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
	return r ? r : fc->spec.failed;
}

static void named_filter(struct store_qspec *qs, const char *name, int bind)
{
	store_qs_filter(qs, name, bind, 0);
}

int api_fc_any_filter(struct api_filter_ctx *fc, const char *store_filter, const char *const *vals,
		      size_t nvals)
{
	return any_bound(fc, vals, nvals, named_filter, store_filter);
}

static void text_eq(struct store_qspec *qs, const char *col, int bind)
{
	store_qs_where(qs, col, 0, STORE_QS_EQ, bind);
}

int api_fc_any_eq(struct api_filter_ctx *fc, const char *col, const char *const *vals, size_t nvals)
{
	return any_bound(fc, vals, nvals, text_eq, col);
}

int api_fc_bool_filter(struct api_filter_ctx *fc, const char *name, const char *const *vals,
		       size_t nvals, const char *store_filter, struct ck_error *err)
{
	int b;

	if (api_filter_bool(name, vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	store_qs_filter(&fc->spec, store_filter, 0, !b);
	return fc->spec.failed;
}

int api_fc_bool_set(struct api_filter_ctx *fc, const char *name, const char *const *vals,
		    size_t nvals, const char *col, struct ck_error *err)
{
	int b;

	if (api_filter_bool(name, vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	store_qs_where(&fc->spec, col, 0, b ? STORE_QS_NOT_NULL : STORE_QS_NULL, 0);
	return fc->spec.failed;
}

static void json_has(struct store_qspec *qs, const char *col, int bind)
{
	store_qs_where(qs, col, 0, STORE_QS_JSON_HAS, bind);
}

int api_fc_json_has(struct api_filter_ctx *fc, const char *col, const char *const *vals,
		    size_t nvals)
{
	return any_bound(fc, vals, nvals, json_has, col);
}
