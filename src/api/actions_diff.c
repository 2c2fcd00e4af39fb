/* api/actions_diff — diff/: compares two inventory snapshots (reference §3.13). */
#include "api/actions.h"
#include "api/lifecycle_actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/changelog.h"
#include "domain/lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ---- diff (reference §3.13) ---- */

static const char *const diff_fields[] = {"status",	      "valid_from", "valid_to",
					  "issuer",	      "algorithm",  "key_size",
					  "assignment_count", "tenant",	    NULL};

/* Items keyed by fingerprint_sha256 (later duplicates win); items without one are ignored. */
static json_t *diff_index(json_t *items)
{
	json_t *idx = json_object(), *v;
	size_t i;

	json_array_foreach(items, i, v)
	{
		json_t *fp = json_is_object(v) ? json_object_get(v, "fingerprint_sha256") : NULL;
		if (idx && json_is_string(fp) && json_string_length(fp))
			json_object_set(idx, json_string_value(fp), v);
	}
	return idx;
}

static void write_json(struct jsonw *w, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	if (s)
		jsonw_raw(w, s, strlen(s));
	else
		jsonw_null(w);
	free(s);
}

/* Writes {fingerprint_sha256, common_name, changes} when a compared field differs; 1 if so. */
static int diff_changed(struct jsonw *w, const char *fp, json_t *o, json_t *n)
{
	json_t *cn = json_object_get(n, "common_name");
	int any = 0;

	for (int i = 0; diff_fields[i]; i++) {
		json_t *a = json_object_get(o, diff_fields[i]),
		       *b = json_object_get(n, diff_fields[i]);
		if (json_equal(a ? a : json_null(), b ? b : json_null()))
			continue;
		if (!any++) {
			jsonw_obj_open(w);
			jsonw_kstr(w, "fingerprint_sha256", fp);
			jsonw_kstr(w, "common_name",
				   json_is_string(cn) ? json_string_value(cn) : "Unknown");
			jsonw_key(w, "changes");
			jsonw_arr_open(w);
		}
		jsonw_obj_open(w);
		jsonw_kstr(w, "field", diff_fields[i]);
		jsonw_key(w, "old");
		write_json(w, a);
		jsonw_key(w, "new");
		write_json(w, b);
		jsonw_obj_close(w);
	}
	if (any) {
		jsonw_arr_close(w);
		jsonw_obj_close(w);
	}
	return any != 0;
}

/* Writes the items of `a` whose key is not in `b`; returns their number. */
static int64_t diff_only(struct jsonw *w, json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	int64_t n = 0;

	jsonw_arr_open(w);
	json_object_foreach(a, k, v)
	{
		if (!json_object_get(b, k)) {
			write_json(w, v);
			n++;
		}
	}
	jsonw_arr_close(w);
	return n;
}

static void diff_write(struct jsonw *w, json_t *old, json_t *new)
{
	int64_t added, removed, changed = 0, unchanged = 0;
	const char *k;
	json_t *v;

	jsonw_obj_open(w);
	jsonw_key(w, "added");
	added = diff_only(w, new, old);
	jsonw_key(w, "removed");
	removed = diff_only(w, old, new);
	jsonw_key(w, "changed");
	jsonw_arr_open(w);
	json_object_foreach(new, k, v)
	{
		json_t *o = json_object_get(old, k);
		if (!o)
			continue;
		if (diff_changed(w, k, o, v))
			changed++;
		else
			unchanged++;
	}
	jsonw_arr_close(w);
	jsonw_key(w, "summary");
	jsonw_obj_open(w);
	jsonw_kint(w, "added_count", added);
	jsonw_kint(w, "removed_count", removed);
	jsonw_kint(w, "changed_count", changed);
	jsonw_kint(w, "unchanged_count", unchanged);
	jsonw_obj_close(w);
	jsonw_obj_close(w);
}

void api_lc_diff(struct api_req *ar)
{
	struct ck_error err;
	struct jsonw w;
	json_t *body, *old, *new, *io = NULL, *in = NULL;
	size_t max = (size_t)ar->app->cfg.max_export_size;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	old = json_is_object(body) ? json_object_get(body, "old") : NULL;
	new = json_is_object(body) ? json_object_get(body, "new") : NULL;
	if (!json_is_array(old) || !json_is_array(new)) {
		api_fail_detail(ar, CK_E_INVALID, "Both 'old' and 'new' must be JSON arrays.");
		return;
	}
	if (json_array_size(old) > max || json_array_size(new) > max) {
		ck_error_set(&err, CK_E_INVALID, NULL,
			     "Snapshots exceed maximum size of %zu items.", max);
		api_fail(ar, CK_E_INVALID, &err);
		return;
	}
	io = diff_index(old);
	in = diff_index(new);
	if (!io || !in) {
		api_fail(ar, CK_E_NOMEM, NULL);
	} else {
		api_json_begin(ar, 200, &w);
		diff_write(&w, io, in);
	}
	json_decref(io);
	json_decref(in);
}
