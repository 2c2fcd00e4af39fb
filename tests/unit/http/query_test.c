/* tests/unit/http/query_test — table-driven tests of the pure parsers in http/query. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/query.h"

struct decode_case {
	const char *in;
	int plus_is_space;
	int rc;
	const char *out;
};

static void test_url_decode(void **state)
{
	static const struct decode_case cases[] = {
	    {"", 1, 0, ""},
	    {"abc", 1, 0, "abc"},
	    {"a+b", 1, 0, "a b"},
	    {"a+b", 0, 0, "a+b"},
	    {"%41%62%7e%7E", 1, 0, "Ab~~"},
	    {"%2F%2f", 0, 0, "//"},
	    {"%e2%9c%93", 1, 0, "\xe2\x9c\x93"},
	    {"%25", 1, 0, "%"},
	    {"%2B", 1, 0, "+"},
	    {"%", 1, CK_E_PARSE, NULL},
	    {"%4", 1, CK_E_PARSE, NULL},
	    {"a%", 1, CK_E_PARSE, NULL},
	    {"%zz", 1, CK_E_PARSE, NULL},
	    {"%4g", 1, CK_E_PARSE, NULL},
	    {"%g4", 1, CK_E_PARSE, NULL},
	    {"%00", 1, CK_E_PARSE, NULL},
	    {"x%00y", 0, CK_E_PARSE, NULL},
	};
	size_t i, len;
	char out[64];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct decode_case *c = &cases[i];
		int rc = http_url_decode(c->in, strlen(c->in), c->plus_is_space, out, &len);

		if (rc != c->rc)
			fail_msg("case %zu '%s': rc %d, want %d", i, c->in, rc, c->rc);
		if (c->out) {
			assert_string_equal(out, c->out);
			assert_int_equal(len, strlen(c->out));
		}
	}
}

#define MAXP 8
struct query_case {
	const char *in;
	int rc;
	size_t n;
	const char *kv[MAXP][2];
};

static void test_query_parse(void **state)
{
	static const struct query_case cases[] = {
	    {"", 0, 0, {{0}}},
	    {"&&&", 0, 0, {{0}}},
	    {"a=1", 0, 1, {{"a", "1"}}},
	    {"status=a&status=b", 0, 2, {{"status", "a"}, {"status", "b"}}},
	    {"b=2&a=1&b=3", 0, 3, {{"b", "2"}, {"a", "1"}, {"b", "3"}}},
	    {"flag", 0, 1, {{"flag", ""}}},
	    {"flag=", 0, 1, {{"flag", ""}}},
	    {"=x", 0, 1, {{"", "x"}}},
	    {"a=1&&b=2&", 0, 2, {{"a", "1"}, {"b", "2"}}},
	    {"a=b=c", 0, 1, {{"a", "b=c"}}},
	    {"q=hello+world&x=%41%42", 0, 2, {{"q", "hello world"}, {"x", "AB"}}},
	    {"k%3D=v%26w", 0, 1, {{"k=", "v&w"}}},
	    {"name__ic=%C3%A9", 0, 1, {{"name__ic", "\xc3\xa9"}}},
	    {"a=%zz", CK_E_PARSE, 0, {{0}}},
	    {"a%=1", CK_E_PARSE, 0, {{0}}},
	    {"ok=1&a=%0", CK_E_PARSE, 0, {{0}}},
	    {"a=%00", CK_E_PARSE, 0, {{0}}},
	    {"1&2&3&4&5&6&7&8",
	     0,
	     8,
	     {{"1", ""},
	      {"2", ""},
	      {"3", ""},
	      {"4", ""},
	      {"5", ""},
	      {"6", ""},
	      {"7", ""},
	      {"8", ""}}},
	    {"1&2&3&4&5&6&7&8&9", CK_E_TOOBIG, 0, {{0}}},
	    {"1&2&3&4&5&6&7&8&&&",
	     0,
	     8,
	     {{"1", ""},
	      {"2", ""},
	      {"3", ""},
	      {"4", ""},
	      {"5", ""},
	      {"6", ""},
	      {"7", ""},
	      {"8", ""}}},
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct query_case *c = &cases[i];
		struct http_query q = {0};
		struct ck_error err;
		int rc;

		ck_error_clear(&err);
		rc = http_query_parse(c->in, strlen(c->in), MAXP, &q, &err);
		if (rc != c->rc)
			fail_msg("case %zu '%s': rc %d, want %d", i, c->in, rc, c->rc);
		if (rc < 0) {
			assert_int_equal(err.code, c->rc);
			assert_true(strlen(err.msg) > 0);
			assert_null(q.params);
			continue;
		}
		assert_int_equal(q.n, c->n);
		for (j = 0; j < c->n; j++) {
			assert_string_equal(q.params[j].key, c->kv[j][0]);
			assert_string_equal(q.params[j].value, c->kv[j][1]);
		}
		http_query_release(&q);
		assert_null(q.params);
	}
}

/* The query is not NUL-terminated at `len`: the parser must not read past it. */
static void test_query_len_respected(void **state)
{
	struct http_query q = {0};
	char buf[8];

	(void)state;
	memcpy(buf, "a=1&b=2", 7);
	buf[7] = 'X'; /* not a NUL */
	assert_int_equal(http_query_parse(buf, 3, 4, &q, NULL), 0);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.params[0].value, "1");
	http_query_release(&q);
	http_query_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_decode),
	    cmocka_unit_test(test_query_parse),
	    cmocka_unit_test(test_query_len_respected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
