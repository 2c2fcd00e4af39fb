/* x509/pem: block scanner, private-key headers, base64, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "x509/pem.h"

static void test_pem_next(void **state)
{
	const char *text = "junk\r\n-----BEGIN FOO-----\r\nQUJD\r\n-----END FOO-----\r\n"
			   "-----BEGIN BAR-----\nx\n-----END BAZ-----\n"
			   "-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----tail";
	struct x509_pem_block blk;
	size_t pos = 0;

	(void)state;
	assert_int_equal(x509_pem_next(text, strlen(text), &pos, &blk), 1);
	assert_string_equal(blk.label, "FOO");
	assert_int_equal(blk.begin - text, 6);
	assert_int_equal(blk.len, strlen("-----BEGIN FOO-----\r\nQUJD\r\n-----END FOO-----"));
	assert_memory_equal(blk.body, "\r\nQUJD\r\n", blk.body_len);
	/* BAR has no matching END: skipped */
	assert_int_equal(x509_pem_next(text, strlen(text), &pos, &blk), 1);
	assert_string_equal(blk.label, "CERTIFICATE");
	assert_memory_equal(blk.begin + blk.len - 5, "-----", 5);
	assert_int_equal(x509_pem_next(text, strlen(text), &pos, &blk), 0);
	pos = 0;
	assert_int_equal(x509_pem_next("-----BEGIN -----", 16, &pos, &blk), 0);
}

static void test_private_key_headers(void **state)
{
	static const struct {
		const char *in;
		int found;
	} cases[] = {
	    {"-----BEGIN PRIVATE KEY-----", 1},
	    {"-----BEGIN RSA PRIVATE KEY-----", 1},
	    {"-----BEGIN EC PRIVATE KEY-----", 1},
	    {"-----BEGIN DSA PRIVATE KEY-----", 1},
	    {"-----BEGIN ENCRYPTED PRIVATE KEY-----", 1},
	    {"-----BEGIN OPENSSH PRIVATE KEY-----", 1},
	    {"xx-----begin some other private key-----", 1},
	    {"-----BEGIN\tPRIVATE\r\nKEY-----", 1},
	    {"-----BEGIN PUBLIC KEY-----", 0},
	    {"-----BEGIN PRIVATE KEYS-----", 0},
	    {"-----BEGIN PRIVATE KEY----", 0},
	    {"-----BEGINPRIVATE KEY-----", 0},
	    {"-----BEGIN XPRIVATE KEY-----", 0},
	    {"-----BEGIN PRIVATE-KEY-----", 0},
	    {"-----BEGIN CERTIFICATE-----", 0},
	    {"PRIVATE KEY", 0},
	    {"", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (x509_pem_has_private_key(cases[i].in, strlen(cases[i].in)) != cases[i].found)
			fail_msg("case %zu: '%s'", i, cases[i].in);
}

static void test_base64(void **state)
{
	static const struct {
		const char *in, *out;
		int rc;
	} cases[] = {
	    {"", "", 0},
	    {"QQ==", "A", 0},
	    {"QUI=", "AB", 0},
	    {"QUJD", "ABC", 0},
	    {" Q U\r\nJ D ", "ABC", 0},
	    {"QQ", "A", 0},
	    {"Q", NULL, CK_E_PARSE},
	    {"QQ=A", NULL, CK_E_PARSE},
	    {"Q===", NULL, CK_E_PARSE},
	    {"QQ=", NULL, CK_E_PARSE},
	    {"QU!D", NULL, CK_E_PARSE},
	};
	unsigned char *out;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = x509_base64_decode(cases[i].in, strlen(cases[i].in), &out, &n);

		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d", i, rc);
		if (rc == 0) {
			assert_int_equal(n, strlen(cases[i].out));
			assert_memory_equal(out, cases[i].out, n);
			free(out);
		}
	}
}

static void test_pem_encode_round_trip(void **state)
{
	unsigned char der[200], *back;
	char *pem;
	size_t n;
	struct x509_pem_block blk;
	size_t pos = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(der); i++)
		der[i] = (unsigned char)(i * 7);
	for (size_t len = 0; len < sizeof(der); len += 37) {
		assert_int_equal(x509_pem_encode("CERTIFICATE", der, len, &pem), 0);
		pos = 0;
		assert_int_equal(x509_pem_next(pem, strlen(pem), &pos, &blk), 1);
		assert_int_equal(blk.len, strlen(pem)); /* no trailing newline */
		assert_int_equal(x509_base64_decode(blk.body, blk.body_len, &back, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(back, der, len);
		for (char *line = strchr(pem, '\n'); line; line = strchr(line + 1, '\n')) {
			char *next = strchr(line + 1, '\n');
			assert_true(!next || next - line - 1 <= 64);
		}
		free(back);
		free(pem);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pem_next),
	    cmocka_unit_test(test_private_key_headers),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_pem_encode_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
