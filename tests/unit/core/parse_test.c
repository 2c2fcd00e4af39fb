/* Unit tests for core/parse: numbers, booleans and ISO 8601 times, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/parse.h"

static void test_i64(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(ck_parse_i64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(ck_parse_i64("-5", -10, 0, &v), 0);
	assert_int_equal(v, -5);
	const char *bad[] = {"", " 1", "1 ", "1x", "abc", "101", "99999999999999999999", NULL};
	for (int i = 0; bad[i]; i++)
		assert_int_equal(ck_parse_i64(bad[i], 0, 100, &v), CK_E_INVALID);
	assert_int_equal(ck_parse_i64(NULL, 0, 100, &v), CK_E_INVALID);
}

static void test_bool(void **state)
{
	int b = -1;

	(void)state;
	assert_int_equal(ck_parse_bool("true", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(ck_parse_bool("0", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(ck_parse_bool("FALSE", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(ck_parse_bool("maybe", &b), CK_E_INVALID);
}

static void test_time(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} ok[] = {
	    {"1970-01-01", 0},
	    {"2024-06-01", 1717200000},
	    {"2024-06-01T00:00:00Z", 1717200000},
	    {"2024-06-01T02:00:00+02:00", 1717200000},
	    {"2024-06-01 00:00", 1717200000},
	    {"2024-06-01T00:00:00.123456Z", 1717200000},
	    {"2000-02-29T12:00:00Z", 951825600},
	};
	static const char *bad[] = {
	    "01/02/2024",   "2024-13-01",   "2023-02-29", "2024-06-01T25:00",
	    "2024-06-01Tx", "2024-06-01Z1", "",		  "2024-6-1"};
	int64_t v;
	char out[21];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(ck_parse_time(ok[i].in, &v), 0);
		assert_int_equal(v, ok[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ck_parse_time(bad[i], &v), CK_E_INVALID);
	ck_format_time(951825600, out);
	assert_string_equal(out, "2000-02-29T12:00:00Z");
	ck_format_time(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	for (int64_t t = -86400 * 800; t < 86400LL * 365 * 200; t += 86400 * 7 + 3601) {
		ck_format_time(t, out);
		assert_int_equal(ck_parse_time(out, &v), 0);
		assert_int_equal(v, t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_i64),
	    cmocka_unit_test(test_bool),
	    cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
