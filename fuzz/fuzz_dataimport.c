/*
 * fuzz/fuzz_dataimport — libFuzzer target for POST certificates/bulk-data-import/: the request
 * decoding, the CSV and JSON row readers, per-row validation (dates, choices, key sizes, SANs,
 * tenants, the private-key guard) and the all-or-nothing creation, through the real handler
 * (its action table entry, served by api_action_serve) over a real in-memory database with
 * two seeded certificates.
 *
 * Input: a mode byte, then either the raw request body (mode bit 0 clear) or the `content`
 * text, which the target wraps as {"content", "format" (bits 1-2: auto/csv/json/absent),
 * "on_duplicate" (bit 3: error/skip)} (mode bit 0 set). Properties:
 *  1. the answer is 201 or 400 with a JSON object body;
 *  2. 400 leaves the database unchanged (no certificate, no changelog row: all or nothing);
 *     a row-error list, when present, holds {row >= 0, field, non-empty message} items;
 *  3. 201: exactly created_count new certificates exist, the body lists them, and
 *     created_count + skipped_count equals the number of rows (counted here with jansson for
 *     JSON content, and as records minus the header line with the CSV reader for CSV);
 *  4. no stored pem_content or issuer_chain holds a private key (x509_pem_has_private_key).
 * Created rows are deleted after each input so the database stays at its seed.
 */
#define FUZZ_WITH_APP
#include "api/actions.h"
#include "api/csv.h"
#include "fuzz_util.h"
#include "x509/pem.h"

#define CERTS "SELECT count(*) FROM certificates"
#define CHANGES "SELECT count(*) FROM object_changes WHERE request_id = 'fuzz'"

/* Rows the handler must see: JSON array size (an object is one row), or CSV records - 1. */
static int64_t count_rows(const char *content, size_t len, int json)
{
	if (json) {
		json_error_t jerr;
		json_t *j = json_loadb(content, len, JSON_DECODE_ANY, &jerr);
		int64_t n = json_is_array(j)	? (int64_t)json_array_size(j)
			    : json_is_object(j) ? 1
						: -1;
		json_decref(j);
		return n;
	}
	struct csv_reader rd;
	const char *f[CSV_MAX_FIELDS];
	size_t nf;
	int64_t n = 0;

	csv_reader_init(&rd, content, len);
	while (csv_read(&rd, f, &nf, NULL) == 1)
		n++;
	csv_reader_release(&rd);
	return n ? n - 1 : 0;
}

static void check_no_keys(struct fz_app *a)
{
	struct store_stmt *st;

	CHECK(store_query(store_conn_get(a->st),
			  "SELECT coalesce(pem_content, ''), coalesce(issuer_chain, '')"
			  " FROM certificates WHERE id > 2",
			  &st, NULL) == 0);
	while (store_step(st, NULL) == STORE_ROW) {
		for (int c = 0; c < 2; c++) {
			size_t n = 0;
			const char *s = store_col_text(st, c, &n);
			CHECK(!s || !x509_pem_has_private_key(s, n));
		}
	}
	store_done(st);
}

static void check_errors(json_t *body)
{
	json_t *errs = json_object_get(body, "errors"), *e;
	size_t i;

	if (!errs)
		return;
	CHECK(json_is_array(errs) && json_array_size(errs) > 0);
	json_array_foreach(errs, i, e)
	{
		json_t *row = json_object_get(e, "row"), *msg = json_object_get(e, "message");
		CHECK(json_is_integer(row) && json_integer_value(row) >= 0);
		CHECK(json_is_string(json_object_get(e, "field")));
		CHECK(json_is_string(msg) && json_string_length(msg) > 0);
	}
}

static void check_created(struct fz_app *a, json_t *body, int64_t certs_before, json_t *req)
{
	json_t *created = json_object_get(body, "created_count");
	json_t *skipped = json_object_get(body, "skipped_count");
	json_t *list = json_object_get(body, "certificates");
	json_t *content = json_object_get(req, "content");
	const char *fmt = json_string_value(json_object_get(req, "format"));
	const char *p = json_string_value(content);
	int json;

	CHECK(json_is_integer(created) && json_is_integer(skipped) && json_is_array(list));
	CHECK(fz_count(a, CERTS) - certs_before == json_integer_value(created));
	CHECK((int64_t)json_array_size(list) == json_integer_value(created));
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
		p++;
	json = fmt && !strcmp(fmt, "json")  ? 1
	       : fmt && !strcmp(fmt, "csv") ? 0
					    : (*p == '[' || *p == '{');
	CHECK(json_integer_value(created) + json_integer_value(skipped) ==
	      count_rows(json_string_value(content), json_string_length(content), json));
	check_no_keys(a);
}

/* The request body: raw input, or the input wrapped as `content`; NULL when not UTF-8. */
static char *make_body(uint8_t mode, const uint8_t *p, size_t n)
{
	static const char *const formats[] = {"auto", "csv", "json", NULL};
	json_t *o, *c;
	char *s;

	if (!(mode & 1))
		return fz_dup(p, n);
	c = json_stringn((const char *)p, n);
	if (!c)
		return NULL;
	o = json_object();
	CHECK(o && json_object_set_new(o, "content", c) == 0);
	if (formats[(mode >> 1) & 3])
		json_object_set_new(o, "format", json_string(formats[(mode >> 1) & 3]));
	json_object_set_new(o, "on_duplicate", json_string(mode & 8 ? "skip" : "error"));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_app *a = fz_app_get();
	struct fz f = {data, size};
	uint8_t mode = fz_u8(&f);
	char *body_text = make_body(mode, f.p, f.n);
	struct http_request req = {"POST", "", "", NULL, 0, NULL, 0, "fuzz", "127.0.0.1", 0, NULL};
	struct http_response resp;
	struct api_req ar;
	json_t *body, *sent;
	json_error_t jerr;
	int64_t certs = fz_count(a, CERTS), changes = fz_count(a, CHANGES);
	const struct api_resource *res = api_registry_find("certificates");

	if (!body_text)
		return 0;
	req.body = body_text;
	req.body_len = mode & 1 ? strlen(body_text) : f.n;
	req.path = res->path;
	fz_req_init(&ar, a, &resp, &req);
	api_action_serve(&ar, res, api_action_find(res, "bulk-data-import/", 0), 0);
	CHECK(resp.status == 201 || resp.status == 400);
	body = fz_resp_json(&resp);
	CHECK(json_is_object(body));
	if (resp.status == 400) {
		CHECK(fz_count(a, CERTS) == certs && fz_count(a, CHANGES) == changes);
		check_errors(body);
	} else {
		sent = json_loadb(body_text, req.body_len, 0, &jerr);
		CHECK(json_is_string(json_object_get(sent, "content")));
		check_created(a, body, certs, sent);
		json_decref(sent);
		fz_exec(a, "DELETE FROM certificates WHERE id > 2;"
			   " DELETE FROM object_changes WHERE request_id = 'fuzz'");
	}
	json_decref(body);
	fz_req_release(&ar, &resp);
	free(body_text);
	return 0;
}
