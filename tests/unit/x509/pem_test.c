/* x509/pem: block scanner, private-key headers, base64, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
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

static char *read_fixture(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf = malloc(1 << 20);

	snprintf(path, sizeof(path), "%s/tests/fixtures/real-world/%s", CK_SOURCE_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* The storage guard must not refuse what certkeeper stores every day: real certificates and
 * chains (PEM, and their bodies as bare base64 and as hex), nor ordinary text. */
static void test_text_guard_no_false_positive(void **state)
{
	static const char *const files[] = {"digicert_chain.pem",    "digicert_leaf.pem",
					    "letsencrypt_chain.pem", "letsencrypt_leaf.pem",
					    "sectigo_chain.pem",     "sectigo_leaf.pem"};
	static const char *const texts[] = {
	    "",
	    "Mail the ops team",
	    "MIIB",
	    "30:82:01:0A:02:82:01:01:00",
	    "renewed by certbot; see MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
	    "openssh-key",
	    "b3BlbnNzaC1rZXk="};
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len, pos = 0;
		char *text = read_fixture(files[i], &len);
		struct x509_pem_block blk;
		assert_int_equal(x509_text_has_private_key(text, len), 0);
		while (x509_pem_next(text, len, &pos, &blk)) {
			unsigned char *der;
			size_t dlen;
			char *hex;
			assert_int_equal(x509_text_has_private_key(blk.body, blk.body_len), 0);
			assert_int_equal(x509_base64_decode(blk.body, blk.body_len, &der, &dlen),
					 0);
			assert_int_equal(x509_text_has_private_key((const char *)der, dlen), 0);
			hex = malloc(dlen * 2 + 1);
			assert_non_null(hex);
			for (size_t k = 0; k < dlen; k++)
				snprintf(hex + 2 * k, 3, "%02x", der[k]);
			assert_int_equal(x509_text_has_private_key(hex, dlen * 2), 0);
			free(hex);
			free(der);
		}
		free(text);
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_int_equal(x509_text_has_private_key(texts[i], strlen(texts[i])), 0);
}

/* Armour-less key structures, built by hand (no key material is committed): the first bytes of
 * each format, padded to the sniffing length with zeros. */
static void test_text_guard_structures(void **state)
{
	static const unsigned char pkcs8[] = {0x30, 0x82, 0x04, 0xbe, 0x02, 0x01,
					      0x00, 0x30, 0x0d, 0x06, 0x09};
	/* a CSR's CertificationRequestInfo also starts SEQUENCE { INTEGER 0, SEQUENCE } */
	static const unsigned char csrinfo[] = {0x30, 0x42, 0x02, 0x01, 0x00, 0x30,
						0x0f, 0x31, 0x0d, 0x30, 0x0b};
	static const unsigned char pkcs1[] = {0x30, 0x82, 0x04, 0xa4, 0x02, 0x01,
					      0x00, 0x02, 0x82, 0x01, 0x01};
	static const unsigned char sec1[] = {0x30, 0x77, 0x02, 0x01, 0x01, 0x04,
					     0x20, 0xaa, 0xbb, 0xcc, 0xdd};
	static const unsigned char pfx[] = {0x30, 0x82, 0x0a, 0x00, 0x02, 0x01, 0x03,
					    0x30, 0x82, 0x09, 0xc6, 0x06, 0x09};
	static const unsigned char epki[] = {0x30, 0x82, 0x01, 0x00, 0x30, 0x5b, 0x06, 0x09, 0x2a,
					     0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
	static const unsigned char spki[] = {0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a,
					     0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
	static const struct {
		const unsigned char *p;
		size_t n;
		int key;
	} cases[] = {
	    {pkcs8, sizeof(pkcs8), 1},	   {pkcs1, sizeof(pkcs1), 1},
	    {sec1, sizeof(sec1), 1},	   {pfx, sizeof(pfx), 1},
	    {csrinfo, sizeof(csrinfo), 0}, {epki, sizeof(epki), 1},
	    {spki, sizeof(spki), 0},	   {(const unsigned char *)"openssh-key-v1", 15, 1}};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char der[60] = {0};
		char *pem, text[200];
		memcpy(der, cases[i].p, cases[i].n);
		assert_int_equal(x509_text_has_private_key((const char *)der, sizeof(der)),
				 cases[i].key);
		assert_int_equal(x509_pem_encode("X", der, sizeof(der), &pem), 0);
		/* the body alone, after some words, with CRLF */
		snprintf(text, sizeof(text), "note:\r\n%.*s\r\n", 64, strchr(pem, '\n') + 1);
		if (x509_text_has_private_key(text, strlen(text)) != cases[i].key)
			fail_msg("case %zu: %s", i, text);
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
	    cmocka_unit_test(test_text_guard_no_false_positive),
	    cmocka_unit_test(test_text_guard_structures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
