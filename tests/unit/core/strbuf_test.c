/* Unit tests for core/strbuf: growth, cap enforcement at limit and limit+1, formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/strbuf.h"

static void test_append_and_take(void **state)
{
	struct strbuf sb;
	size_t len = 0;
	char *s;

	(void)state;
	strbuf_init(&sb, 0);
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(strbuf_adds(&sb, "abc"), 0);
	assert_int_equal(strbuf_addch(&sb, '-'), 0);
	assert_int_equal(strbuf_addf(&sb, "%d/%s", 42, "x"), 0);
	assert_int_equal(strbuf_add_i64(&sb, INT64_MIN), 0);
	assert_string_equal(strbuf_str(&sb), "abc-42/x-9223372036854775808");
	s = strbuf_take(&sb, &len);
	assert_int_equal(len, strlen(s));
	assert_int_equal(sb.len, 0);
	free(s);
	s = strbuf_take(&sb, NULL);
	assert_string_equal(s, "");
	free(s);
	strbuf_release(&sb);
}

static void test_cap_limit(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 8);
	assert_int_equal(strbuf_adds(&sb, "12345678"), 0);     /* exactly the cap */
	assert_int_equal(strbuf_addch(&sb, '9'), CK_E_TOOBIG); /* cap + 1 */
	assert_string_equal(strbuf_str(&sb), "12345678");
	assert_int_equal(strbuf_result(&sb), CK_E_TOOBIG);
	strbuf_reset(&sb);
	assert_int_equal(strbuf_result(&sb), 0);
	assert_int_equal(strbuf_addf(&sb, "%s", "123456789"), CK_E_TOOBIG);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_release(&sb);
}

static void test_large_growth(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(strbuf_addf(&sb, "%05d", i % 100000), 0);
	assert_int_equal(sb.len, 500000);
	assert_memory_equal(sb.buf + 5 * 99999, "99999", 5);
	strbuf_truncate(&sb, 3);
	assert_string_equal(strbuf_str(&sb), "000");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_and_take),
	    cmocka_unit_test(test_cap_limit),
	    cmocka_unit_test(test_large_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
