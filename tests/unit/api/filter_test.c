/* Unit tests for api/filter: query parameters → a query spec the store renders; the `q`
 * column forms ("expr", "[]json-array-column") and api_fc_json_has, counted on a real table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/filter.h"
#include "store/queryspec.h"

static const char schema[] =
    "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, sans TEXT);"
    "INSERT INTO things VALUES (1, 'Alpha', 1, '[\"a.example\",\"b.example\"]'),"
    " (2, 'beta', NULL, '[\"c.example\"]'), (3, 'gamma', 3, '[]');";

static const char *const q_cols[] = {"t.name", "[]sans", NULL};

/* Declared outside the registry, so in the merged form the registry completes for its own
 * resources (api/registry.h). */
static const struct api_field fields[] = {
    {.name = "name", .type = FT_TEXT, .column = "name"},
    {.name = "n", .type = FT_INT, .column = "n", .flags = F_NULL},
    {.name = "sans", .type = FT_STRLIST, .column = "sans"},
};

static const struct dom_model things_model = {
    .name = "things",
    .object_type = "x.thing",
    .table = "things",
};

static const struct api_resource things = {
    .name = "things",
    .path = "/things/",
    .model = &things_model,
    .fields = fields,
    .nfields = sizeof(fields) / sizeof(fields[0]),
    .q_columns = q_cols,
};

struct fixture {
	struct store *st;
	struct dom_ctx ctx;
	struct api_filter_ctx *fc;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || !(f->fc = malloc(sizeof(*f->fc))))
		return -1;
	if (store_open("sqlite::memory:", 1, &f->st, NULL) ||
	    !(f->ctx.conn = store_conn_get(f->st)) || store_exec(f->ctx.conn, schema, NULL))
		return -1;
	api_fc_init(f->fc, &things, &f->ctx);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	api_fc_release(f->fc);
	free(f->fc);
	store_close(f->st);
	free(f);
	return 0;
}

/* Builds the filters of `params` (key, value pairs) and counts the matching rows. */
static int64_t count_of(struct fixture *f, const struct http_param *params, size_t n)
{
	struct http_request req = {
	    .method = "GET", .path = "/things/", .params = params, .nparams = n};
	struct ck_error err;
	int64_t c = -1;

	ck_error_clear(&err);
	api_fc_release(f->fc);
	api_fc_init(f->fc, &things, &f->ctx);
	assert_int_equal(api_filter_build(f->fc, &req, &err), 0);
	assert_int_equal(store_qs_count(f->ctx.conn, api_fc_spec(f->fc), &c, NULL), 0);
	return c;
}

static void test_params(void **state)
{
	struct fixture *f = *state;
	const struct http_param q_name[] = {{"q", "ALP"}};
	const struct http_param q_san[] = {{"q", "c.example"}};
	const struct http_param q_part_san[] = {{"q", "c.exam"}}; /* SANs match whole */
	const struct http_param ic[] = {{"name__ic", "A"}};
	const struct http_param two_n[] = {{"n__n", "1"}, {"n__n", "3"}}; /* AND; NULL kept */
	const struct http_param two_eq[] = {{"n", "1"}, {"n", "3"}};	  /* OR */
	const struct http_param empty[] = {{"name__empty", "false"}, {"n__gte", "2"}};

	assert_int_equal(count_of(f, q_name, 1), 1);
	assert_int_equal(count_of(f, q_san, 1), 1);
	assert_int_equal(count_of(f, q_part_san, 1), 0);
	assert_int_equal(count_of(f, ic, 1), 3);
	assert_int_equal(count_of(f, two_n, 2), 1);
	assert_int_equal(count_of(f, two_eq, 2), 2);
	assert_int_equal(count_of(f, empty, 2), 1);
}

/* A JSON-array column filter: any of the values is an element. */
static void test_json_has(void **state)
{
	struct fixture *f = *state;
	const char *const vals[] = {"b.example", "c.example"};
	struct strbuf sql;
	int64_t c = -1;

	assert_int_equal(api_fc_json_has(f->fc, "sans", vals, 2), 0);
	strbuf_init(&sql, 1 << 16);
	assert_int_equal(store_qs_render(f->ctx.conn, api_fc_spec(f->fc), STORE_QS_COUNT, &sql), 0);
	assert_string_equal(
	    strbuf_str(&sql),
	    "SELECT COUNT(*) FROM things t WHERE (EXISTS (SELECT 1 FROM json_each(t.sans)"
	    " WHERE json_each.value = $1) OR EXISTS (SELECT 1 FROM json_each(t.sans)"
	    " WHERE json_each.value = $2))");
	strbuf_release(&sql);
	assert_int_equal(store_qs_count(f->ctx.conn, api_fc_spec(f->fc), &c, NULL), 0);
	assert_int_equal(c, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json_has, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
