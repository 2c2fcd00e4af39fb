/*
 * fuzz/fuzz_diff — libFuzzer target for POST certificates/diff/ (two inventory snapshots in,
 * added / removed / changed lists out), through the real handler api_lc_diff(). Input: the
 * request body. The expected answer is computed here from the parsed body with jansson:
 * items are keyed by a non-empty string fingerprint_sha256 (later duplicates win; items
 * without one are ignored). Properties:
 *  1. the answer is 200 or 400 with a JSON object body; 200 exactly when the body is an object
 *     whose "old" and "new" are arrays of at most max_export_size items;
 *  2. summary counts equal the list lengths, and: added = keys only in new, removed = keys
 *     only in old, changed + unchanged = keys in both;
 *  3. every added/removed item equals (json_equal) the last item of its key in new/old;
 *  4. every changed entry names a key in both whose listed fields differ, each change's
 *     old/new equal the snapshots' values (absent reads as null), and a key in both that
 *     is not listed has no difference in any listed field.
 */
#define FUZZ_WITH_APP
#include "api/lifecycle_actions.h"
#include "fuzz_util.h"

static const char *const fields[] = {"status",		 "valid_from", "valid_to",
				     "issuer",		 "algorithm",  "key_size",
				     "assignment_count", "tenant",     NULL};

static json_t *index_of(json_t *items)
{
	json_t *idx = json_object(), *v;
	size_t i;

	CHECK(idx);
	json_array_foreach(items, i, v)
	{
		json_t *fp = json_is_object(v) ? json_object_get(v, "fingerprint_sha256") : NULL;
		if (json_is_string(fp) && json_string_length(fp))
			json_object_set(idx, json_string_value(fp), v);
	}
	return idx;
}

static json_t *field_or_null(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v ? v : json_null();
}

static int differs(json_t *a, json_t *b)
{
	for (int i = 0; fields[i]; i++)
		if (!json_equal(field_or_null(a, fields[i]), field_or_null(b, fields[i])))
			return 1;
	return 0;
}

/* Items of list that are exactly the values of keys of `in` missing from `notin`. */
static void check_only(json_t *list, json_t *in, json_t *notin)
{
	const char *k;
	json_t *v;
	size_t want = 0, i;

	json_object_foreach(in, k, v)
	{
		int found = 0;
		if (json_object_get(notin, k))
			continue;
		want++;
		for (i = 0; i < json_array_size(list) && !found; i++)
			found = json_equal(json_array_get(list, i), v);
		CHECK(found);
	}
	CHECK(json_array_size(list) == want);
}

static void check_changed(json_t *changed, json_t *io, json_t *in, int64_t unchanged)
{
	const char *k;
	json_t *v, *e, *c;
	size_t i, j, both = 0, ndiff = 0;

	json_object_foreach(in, k, v)
	{
		if (!json_object_get(io, k))
			continue;
		both++;
		ndiff += differs(json_object_get(io, k), v);
	}
	CHECK(json_array_size(changed) == ndiff && (size_t)unchanged == both - ndiff);
	json_array_foreach(changed, i, e)
	{
		const char *fp = json_string_value(json_object_get(e, "fingerprint_sha256"));
		json_t *o, *n, *changes = json_object_get(e, "changes");
		CHECK(fp && (o = json_object_get(io, fp)) && (n = json_object_get(in, fp)));
		CHECK(json_is_array(changes) && json_array_size(changes) > 0);
		json_array_foreach(changes, j, c)
		{
			const char *name = json_string_value(json_object_get(c, "field"));
			CHECK(name);
			CHECK(json_equal(json_object_get(c, "old"), field_or_null(o, name)));
			CHECK(json_equal(json_object_get(c, "new"), field_or_null(n, name)));
			CHECK(!json_equal(field_or_null(o, name), field_or_null(n, name)));
		}
	}
}

static void check_200(json_t *req, json_t *resp)
{
	json_t *io = index_of(json_object_get(req, "old")),
	       *in = index_of(json_object_get(req, "new"));
	json_t *sum = json_object_get(resp, "summary");
	json_t *added = json_object_get(resp, "added"), *removed = json_object_get(resp, "removed");
	json_t *changed = json_object_get(resp, "changed");

	CHECK(json_is_array(added) && json_is_array(removed) && json_is_array(changed));
	CHECK(json_integer_value(json_object_get(sum, "added_count")) ==
	      (json_int_t)json_array_size(added));
	CHECK(json_integer_value(json_object_get(sum, "removed_count")) ==
	      (json_int_t)json_array_size(removed));
	CHECK(json_integer_value(json_object_get(sum, "changed_count")) ==
	      (json_int_t)json_array_size(changed));
	check_only(added, in, io);
	check_only(removed, io, in);
	check_changed(changed, io, in, json_integer_value(json_object_get(sum, "unchanged_count")));
	json_decref(io);
	json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_app *a = fz_app_get();
	char *text = fz_dup(data, size);
	struct http_request req = {"POST", "",	   "",		NULL, 0,   text,
				   size,   "fuzz", "127.0.0.1", 0,    NULL};
	struct http_response resp;
	struct api_req ar;
	json_t *body, *sent, *old, *new;
	json_error_t jerr;
	size_t max = (size_t)a->app.cfg.max_export_size;
	int ok;

	fz_req_init(&ar, a, &resp, &req);
	api_lc_diff(&ar);
	body = fz_resp_json(&resp);
	CHECK(json_is_object(body));
	sent = json_loadb(text, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	old = json_object_get(sent, "old");
	new = json_object_get(sent, "new");
	ok = json_is_array(old) && json_is_array(new) && json_array_size(old) <= max &&
	     json_array_size(new) <= max;
	CHECK(resp.status == (ok ? 200 : 400));
	if (ok)
		check_200(sent, body);
	json_decref(sent);
	json_decref(body);
	fz_req_release(&ar, &resp);
	free(text);
	return 0;
}
