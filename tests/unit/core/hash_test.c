/* core/hash and core/clock: FNV-1a against the published 64-bit test vectors (the offset
 * basis for "", then "a" and "foobar"), piecewise hashing equal to hashing at once, and a
 * monotonic clock whose units agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/clock.h"
#include "core/hash.h"

static void test_fnv1a_vectors(void **state)
{
	(void)state;
	assert_true(ck_fnv1a("", 0) == 0xcbf29ce484222325ULL);
	assert_true(ck_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(ck_fnv1a("foobar", 6) == 0x85944171f73967e8ULL);
}

static void test_fnv1a_pieces(void **state)
{
	uint64_t h = CK_FNV1A_INIT;

	(void)state;
	h = ck_fnv1a_add(h, "foo", 3);
	h = ck_fnv1a_add(h, "bar", 3);
	assert_true(h == ck_fnv1a("foobar", 6));
	assert_true(ck_fnv1a("foobar", 6) != ck_fnv1a("foobaz", 6));
}

static void test_clock_units(void **state)
{
	int64_t ns = ck_mono_ns(), ms = ck_mono_ms(), later = ck_mono_ns();

	(void)state;
	assert_true(later >= ns);
	assert_true(ms >= ns / 1000000 && ms <= later / 1000000);
	assert_true(ck_mono_s() >= ns / 1000000000);
	assert_true(ck_mono_us() >= ns / 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fnv1a_vectors),
	    cmocka_unit_test(test_fnv1a_pieces),
	    cmocka_unit_test(test_clock_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
