/* Unit tests for x509/crypto: known-answer vectors (SHA-256 FIPS 180-2, PBKDF2-HMAC-SHA256
 * RFC 7914 §11, base64 RFC 4648 §10), random bytes at X509_RANDOM_MAX and + 1, constant-time
 * equality and wiping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/error.h"
#include "x509/crypto.h"

static void test_sha256(void **state)
{
	char out[X509_SHA256_HEX_LEN + 1];

	(void)state;
	x509_sha256_hex("abc", 3, out);
	assert_string_equal(out,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	x509_sha256_hex("", 0, out);
	assert_string_equal(out,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_pbkdf2(void **state)
{
	unsigned char dk[64];
	char hex[129];

	(void)state;
	assert_int_equal(x509_pbkdf2_sha256("passwd", 6, "salt", 4, 1, dk, 64), 0);
	x509_hex_encode(dk, 64, hex);
	assert_string_equal(hex,
			    "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
			    "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
	assert_int_equal(x509_pbkdf2_sha256("password", 8, "salt", 4, 1, dk, 32), 0);
	x509_hex_encode(dk, 32, hex);
	assert_string_equal(hex,
			    "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
	assert_int_equal(x509_pbkdf2_sha256("p", 1, "s", 1, 0, dk, 32), CK_E_INVALID);
}

static void test_base64_and_hex(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {{"", ""},
		 {"f", "Zg=="},
		 {"fo", "Zm8="},
		 {"foo", "Zm9v"},
		 {"foob", "Zm9vYg=="},
		 {"fooba", "Zm9vYmE="},
		 {"foobar", "Zm9vYmFy"}};
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].in);

		assert_int_equal(x509_base64_encode(v[i].in, n, out), X509_BASE64_LEN(n));
		assert_string_equal(out, v[i].out);
	}
	x509_hex_encode("\x00\x7f\xff", 3, out);
	assert_string_equal(out, "007fff");
}

static void test_random(void **state)
{
	static unsigned char a[X509_RANDOM_MAX + 1], b[X509_RANDOM_MAX];

	(void)state;
	assert_int_equal(x509_random_bytes(a, X509_RANDOM_MAX), 0);
	assert_int_equal(x509_random_bytes(b, X509_RANDOM_MAX), 0);
	assert_memory_not_equal(a, b, X509_RANDOM_MAX);
	assert_int_equal(x509_random_bytes(a, X509_RANDOM_MAX + 1), CK_E_INTERNAL);
	assert_int_equal(x509_random_bytes(a, 0), 0);
}

static void test_equal_and_cleanse(void **state)
{
	char s[] = "secret";

	(void)state;
	assert_true(x509_secure_equal("abcdef", "abcdef", 6));
	assert_false(x509_secure_equal("abcdef", "abcdeg", 6));
	assert_true(x509_secure_equal("x", "y", 0));
	x509_cleanse(s, sizeof(s));
	assert_memory_equal(s, "\0\0\0\0\0\0\0", sizeof(s));
	x509_cleanse(NULL, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256),
	    cmocka_unit_test(test_pbkdf2),
	    cmocka_unit_test(test_base64_and_hex),
	    cmocka_unit_test(test_random),
	    cmocka_unit_test(test_equal_and_cleanse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
