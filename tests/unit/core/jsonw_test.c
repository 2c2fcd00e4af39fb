/* Unit tests for core/jsonw: structure, escaping, invalid UTF-8, numbers — every output is
 * parsed back with jansson (the oracle) and compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/error.h"
#include "core/jsonw.h"

static json_t *parse(const struct strbuf *sb)
{
	json_error_t e;
	json_t *j = json_loadb(sb->buf, sb->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

	if (!j)
		fail_msg("invalid JSON '%s': %s", strbuf_str(sb), e.text);
	return j;
}

static void test_structure(void **state)
{
	struct strbuf sb;
	struct jsonw w;
	json_t *j;

	(void)state;
	strbuf_init(&sb, 0);
	jsonw_init(&w, &sb);
	jsonw_obj_open(&w);
	jsonw_kint(&w, "count", 2);
	jsonw_knull(&w, "next");
	jsonw_key(&w, "results");
	jsonw_arr_open(&w);
	jsonw_obj_open(&w);
	jsonw_kstr(&w, "cn", "a");
	jsonw_kbool(&w, "ok", 1);
	jsonw_key(&w, "t");
	jsonw_time(&w, 0);
	jsonw_obj_close(&w);
	jsonw_int(&w, -7);
	jsonw_arr_open(&w);
	jsonw_arr_close(&w);
	jsonw_str(&w, NULL);
	jsonw_double(&w, 2.5);
	jsonw_raw(&w, "{\"x\":1}", 7);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
	assert_int_equal(jsonw_result(&w), 0);
	assert_string_equal(strbuf_str(&sb),
			    "{\"count\":2,\"next\":null,\"results\":[{\"cn\":\"a\",\"ok\":true,"
			    "\"t\":\"1970-01-01T00:00:00Z\"},-7,[],null,2.5,{\"x\":1}]}");
	j = parse(&sb);
	json_decref(j);
	strbuf_release(&sb);
}

static void check_roundtrip2(const char *in, size_t n, const char *want, size_t want_len)
{
	struct strbuf sb;
	struct jsonw w;
	json_t *j;

	strbuf_init(&sb, 0);
	jsonw_init(&w, &sb);
	jsonw_strn(&w, in, n);
	j = parse(&sb);
	assert_true(json_is_string(j));
	assert_int_equal(json_string_length(j), want_len);
	assert_memory_equal(json_string_value(j), want, want_len);
	json_decref(j);
	strbuf_release(&sb);
}

static void check_roundtrip(const char *in, size_t n, const char *want)
{
	check_roundtrip2(in, n, want, strlen(want));
}

static void test_escaping(void **state)
{
	(void)state;
	check_roundtrip("plain", 5, "plain");
	check_roundtrip("q\"b\\s/", 6, "q\"b\\s/");
	check_roundtrip("\n\r\t\b\f\x01\x1f", 7, "\n\r\t\b\f\x01\x1f");
	check_roundtrip2("nul\0in", 6, "nul\0in", 6);
	check_roundtrip("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", 14,
			"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
	/* invalid UTF-8: lone continuation, overlong, surrogate, truncated → U+FFFD each byte */
	check_roundtrip("a\x80z", 3, "a\xef\xbf\xbdz");
	check_roundtrip("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	check_roundtrip("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_roundtrip("x\xe2\x82", 3, "x\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_random_strings(void **state)
{
	(void)state;
	srand(1234);
	for (int iter = 0; iter < 2000; iter++) {
		char buf[64];
		size_t n = (size_t)(rand() % 63);
		struct strbuf sb;
		struct jsonw w;
		json_t *j;

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(1 + rand() % 255);
		strbuf_init(&sb, 0);
		jsonw_init(&w, &sb);
		jsonw_arr_open(&w);
		jsonw_strn(&w, buf, n);
		jsonw_double(&w, (double)rand() / 7.0);
		jsonw_arr_close(&w);
		j = parse(&sb);
		assert_true(json_is_array(j));
		json_decref(j);
		strbuf_release(&sb);
	}
}

static void test_numbers_and_cap(void **state)
{
	struct strbuf sb;
	struct jsonw w;
	json_t *j;

	(void)state;
	strbuf_init(&sb, 0);
	jsonw_init(&w, &sb);
	jsonw_arr_open(&w);
	jsonw_int(&w, INT64_MAX);
	jsonw_int(&w, INT64_MIN);
	jsonw_double(&w, 0.1);
	jsonw_double(&w, 1e300);
	jsonw_double(&w, 3.0);
	jsonw_double(&w, 0.0 / 0.0);
	jsonw_arr_close(&w);
	j = parse(&sb);
	assert_int_equal(json_integer_value(json_array_get(j, 0)), INT64_MAX);
	assert_true(json_real_value(json_array_get(j, 2)) == 0.1);
	assert_true(json_real_value(json_array_get(j, 4)) == 3.0);
	assert_true(json_is_null(json_array_get(j, 5)));
	json_decref(j);
	strbuf_release(&sb);

	strbuf_init(&sb, 10);
	jsonw_init(&w, &sb);
	jsonw_str(&w, "0123456789abc");
	assert_int_equal(jsonw_result(&w), CK_E_TOOBIG);
	strbuf_release(&sb);
}

static void test_key_ident(void **state)
{
	struct strbuf sb;
	struct jsonw w;

	(void)state;
	strbuf_init(&sb, 0);
	jsonw_init(&w, &sb);
	jsonw_obj_open(&w);
	jsonw_key_ident(&w, "common_name");
	jsonw_str(&w, "a");
	jsonw_key_ident(&w, "days-2");
	jsonw_int(&w, 2);
	jsonw_key(&w, "x");
	jsonw_null(&w);
	jsonw_obj_close(&w);
	assert_string_equal(strbuf_str(&sb), "{\"common_name\":\"a\",\"days-2\":2,\"x\":null}");
	strbuf_release(&sb);
	/* at the cap the key is refused and the failure latched */
	strbuf_init(&sb, 6);
	jsonw_init(&w, &sb);
	jsonw_obj_open(&w);
	jsonw_key_ident(&w, "abcdef");
	assert_int_equal(jsonw_result(&w), CK_E_TOOBIG);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_structure),	   cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_random_strings), cmocka_unit_test(test_numbers_and_cap),
	    cmocka_unit_test(test_key_ident),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
