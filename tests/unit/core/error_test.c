/* core/error: ck_error_set keeps a message and a field name at their limits and cuts them at
 * limit+1 (never past the struct), returns the code, and accepts a NULL error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"

static void message_at_and_over_the_limit(void **state)
{
	struct ck_error err;
	char text[CK_ERROR_MSG_MAX + 1];

	(void)state;
	memset(text, 'm', sizeof(text) - 1);
	text[CK_ERROR_MSG_MAX - 1] = '\0'; /* the longest message kept whole */
	assert_int_equal(ck_error_set(&err, CK_E_INVALID, NULL, "%s", text), CK_E_INVALID);
	assert_int_equal(err.code, CK_E_INVALID);
	assert_string_equal(err.msg, text);
	assert_string_equal(err.field, "");

	text[CK_ERROR_MSG_MAX - 1] = 'm'; /* one byte more: cut to the limit */
	text[CK_ERROR_MSG_MAX] = '\0';
	ck_error_set(&err, CK_E_TOOBIG, NULL, "%s", text);
	assert_int_equal(strlen(err.msg), CK_ERROR_MSG_MAX - 1);
	assert_memory_equal(err.msg, text, CK_ERROR_MSG_MAX - 1);
}

static void field_at_and_over_the_limit(void **state)
{
	struct ck_error err;
	char field[CK_ERROR_FIELD_MAX + 1];

	(void)state;
	memset(field, 'f', sizeof(field) - 1);
	field[CK_ERROR_FIELD_MAX - 1] = '\0';
	ck_error_set(&err, CK_E_INVALID, field, "bad");
	assert_string_equal(err.field, field);
	field[CK_ERROR_FIELD_MAX - 1] = 'f';
	field[CK_ERROR_FIELD_MAX] = '\0';
	ck_error_set(&err, CK_E_INVALID, field, "bad");
	assert_int_equal(strlen(err.field), CK_ERROR_FIELD_MAX - 1);
	assert_string_equal(err.msg, "bad");
}

static void null_error_returns_the_code(void **state)
{
	(void)state;
	assert_int_equal(ck_error_set(NULL, CK_E_NOTFOUND, "x", "gone"), CK_E_NOTFOUND);
	assert_string_equal(ck_strerror(CK_E_TIMEOUT), "statement time limit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(message_at_and_over_the_limit),
	    cmocka_unit_test(field_at_and_over_the_limit),
	    cmocka_unit_test(null_error_returns_the_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
