/*
 * x509_parse_input() over certificates, CSRs and keys generated at run time
 * (gen-fixtures.sh via the openssl CLI; expired/not-yet-valid and odd serials via the
 * OpenSSL API), plus limits and error messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "x509_helper.h"

#define MSG_PRIVKEY "Private key detected. For security reasons, private keys cannot be stored."
#define MSG_NOCERT                                                                                 \
	"No valid certificate found in input. Please provide a certificate in PEM format."

static char *dir;

static char *fpath(const char *name)
{
	static char buf[4][512];
	static int slot;

	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", dir, name);
	return buf[slot];
}

static struct x509_bundle *parse_named(const char *name)
{
	struct ck_error err;
	struct x509_bundle *b = th_parse_file(fpath(name), &err);

	if (!b)
		print_error("%s: %s\n", name, err.msg);
	assert_non_null(b);
	return b;
}

static int parse_buf(const void *data, size_t len, const struct x509_limits *lim,
		     struct x509_bundle **b, struct ck_error *err)
{
	ck_error_clear(err);
	*b = NULL;
	return x509_parse_input(data, len, lim, b, err);
}

static int setup(void **state)
{
	(void)state;
	dir = th_tmpdir();
	return th_sh("sh '%s/tests/unit/x509/gen-fixtures.sh' '%s'", CK_SOURCE_DIR, dir);
}

static int teardown(void **state)
{
	(void)state;
	th_rmtree(dir);
	free(dir);
	return 0;
}

static void test_key_types(void **state)
{
	static const struct {
		const char *file, *cn, *alg;
		int bits, self_signed, ca;
	} cases[] = {
	    {"rsa2048.pem", "rsa2048.test", "rsa", 2048, 1, 1},
	    {"rsa4096.pem", "rsa4096.test", "rsa", 4096, 1, 1},
	    {"ec256.pem", "ec256.test", "ecdsa", 256, 1, 1},
	    {"ec384.pem", "ec384.test", "ecdsa", 384, 1, 1},
	    {"ec521.pem", "ec521.test", "ecdsa", 521, 1, 1},
	    {"ed25519.pem", "ed25519.test", "ed25519", -1, 1, 1},
	    {"leaf.pem", "leaf.test", "ecdsa", 256, 0, 0},
	    {"fake_self.pem", "ec256.test", "ecdsa", 384, 0, 0}, /* names match, key does not */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x509_bundle *b = parse_named(cases[i].file);
		const struct x509_cert_info *c = &b->certs[0];

		assert_int_equal(b->ncerts, 1);
		assert_int_equal(b->ncsrs, 0);
		assert_string_equal(c->common_name, cases[i].cn);
		assert_string_equal(c->algorithm, cases[i].alg);
		assert_int_equal(c->key_size, cases[i].bits);
		assert_int_equal(c->is_self_signed, cases[i].self_signed);
		assert_int_equal(c->is_ca, cases[i].ca);
		assert_int_equal(strlen(c->fingerprint_sha256), X509_FINGERPRINT_LEN);
		th_check_against_openssl(fpath(cases[i].file), "PEM", c);
		x509_bundle_free(b);
	}
}

static void test_names_and_sans(void **state)
{
	static const struct {
		const char *file, *cn, *subject, *sans[6];
	} cases[] = {
	    {"sans.pem",
	     "sans.test",
	     "CN=sans.test",
	     {"DNS:a.sans.test", "IP:192.0.2.7", "IP:2001:db8::1", "Email:ops@example.com",
	      "URI:https://example.com/p?q=1"}},
	    {"nocn.pem", "first.test", "O=No CN Org", {"DNS:first.test", "DNS:second.test"}},
	    {"nocn_nosan.pem", "Unknown", "O=Nothing Here", {NULL}},
	    {"utf8.pem", "Zürich Café", "C=CH, O=Ünïcödé\\, Ltd, CN=Zürich Café", {NULL}},
	    {"multi.pem", "multi.test", "OU=Unit+O=Org, UID=jdoe+CN=multi.test", {NULL}},
	    {"leaf.pem", "leaf.test", "CN=leaf.test", {"DNS:leaf.test"}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x509_bundle *b = parse_named(cases[i].file);
		const struct x509_cert_info *c = &b->certs[0];
		size_t n = 0;

		assert_string_equal(c->common_name, cases[i].cn);
		assert_string_equal(c->subject, cases[i].subject);
		while (n < 6 && cases[i].sans[n])
			n++;
		assert_int_equal(c->nsans, n);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(c->sans[k], cases[i].sans[k]);
		th_check_against_openssl(fpath(cases[i].file), "PEM", c);
		x509_bundle_free(b);
	}
}

static void test_serial_20_bytes_high_bit(void **state)
{
	struct x509_bundle *b = parse_named("serial20.pem");

	(void)state;
	assert_string_equal(b->certs[0].serial_number,
			    "80:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:01");
	x509_bundle_free(b);
	b = parse_named("leaf.pem");
	assert_string_equal(b->certs[0].serial_number, "01:23");
	assert_string_equal(b->certs[0].issuer, "CN=ec256.test");
	x509_bundle_free(b);
}

/* DER of a throw-away EC certificate with the given validity and serial. */
static unsigned char *make_cert(int64_t nb, int64_t na, long serial, int *ret_len)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;

	assert_non_null(key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"api.test", -1,
				   -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	*ret_len = i2d_X509(x, &der);
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(key);
	return der;
}

static void test_validity_and_odd_serials(void **state)
{
	static const struct {
		int64_t nb, na;
		long serial;
		const char *want_serial;
	} cases[] = {
	    {981173106, 1012709106, 1, "01"},		/* expired: 2001-02-03 .. 2002-02-03 */
	    {2524608000, 2556144000, 0, "00"},		/* not yet valid, GeneralizedTime (2050+) */
	    {1700000000, 1800000000, -0x123, "-01:23"}, /* negative serial */
	    {1700000000, 1800000000, 0x80, "80"},	/* DER pads 0x00; not shown */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int len = 0;
		unsigned char *der = make_cert(cases[i].nb, cases[i].na, cases[i].serial, &len);
		struct x509_bundle *b;
		struct ck_error err;

		assert_int_equal(parse_buf(der, (size_t)len, NULL, &b, &err), 0);
		assert_int_equal(b->certs[0].valid_from, cases[i].nb);
		assert_int_equal(b->certs[0].valid_to, cases[i].na);
		assert_string_equal(b->certs[0].serial_number, cases[i].want_serial);
		assert_true(b->certs[0].is_self_signed);
		assert_false(b->certs[0].is_ca);
		x509_bundle_free(b);
		OPENSSL_free(der);
	}
}

static void test_der_and_pkcs7(void **state)
{
	static const char *const p7files[] = {"three.p7b", "three.p7.der"};
	static const char *const cns[] = {"leaf.test", "ec256.test", "rsa2048.test"};
	struct x509_bundle *b = parse_named("rsa2048.der"), *pemb = parse_named("rsa2048.pem");
	char *file = th_read(fpath("rsa2048.pem"), NULL),
	     *three = th_read(fpath("three.pem"), NULL);

	(void)state;
	assert_int_equal(b->ncerts, 1);
	assert_string_equal(b->certs[0].fingerprint_sha256, pemb->certs[0].fingerprint_sha256);
	assert_memory_equal(b->certs[0].pem, file, strlen(b->certs[0].pem)); /* re-encoded */
	assert_string_equal(file + strlen(b->certs[0].pem), "\n");
	th_check_against_openssl(fpath("rsa2048.der"), "DER", &b->certs[0]);
	x509_bundle_free(b);
	x509_bundle_free(pemb);
	for (size_t i = 0; i < 2; i++) {
		b = parse_named(p7files[i]);
		assert_int_equal(b->ncerts, 3);
		for (size_t k = 0; k < 3; k++) {
			assert_string_equal(b->certs[k].common_name, cns[k]);
			assert_non_null(strstr(three, b->certs[k].pem));
		}
		assert_non_null(strstr(b->issuer_chain, b->certs[1].pem));
		assert_non_null(strstr(b->issuer_chain, b->certs[2].pem));
		assert_int_equal(strlen(b->issuer_chain),
				 strlen(b->certs[1].pem) + 1 + strlen(b->certs[2].pem));
		x509_bundle_free(b);
	}
	free(file);
	free(three);
}

/* Converts LF to CRLF around surrounding chatter. Caller frees. */
static char *crlf_wrap(const char *pem)
{
	char *out = malloc(strlen(pem) * 2 + 64), *o = out;

	o += sprintf(o, "Hi team, here is the cert:\r\n\r\n");
	for (const char *p = pem; *p; p++) {
		if (*p == '\n')
			*o++ = '\r';
		*o++ = *p;
	}
	sprintf(o, "\r\nThanks -- ops\r\n");
	return out;
}

static void test_crlf_and_surrounding_text(void **state)
{
	char *three = th_read(fpath("three.pem"), NULL), *wrapped = crlf_wrap(three);
	struct x509_bundle *b, *ref = parse_named("three.pem");
	struct ck_error err;

	(void)state;
	assert_int_equal(parse_buf(wrapped, strlen(wrapped), NULL, &b, &err), 0);
	assert_int_equal(b->ncerts, 3);
	for (size_t k = 0; k < 3; k++)
		assert_string_equal(b->certs[k].fingerprint_sha256,
				    ref->certs[k].fingerprint_sha256);
	assert_memory_equal(b->certs[0].pem, "-----BEGIN CERTIFICATE-----\r\n", 29); /* verbatim */
	assert_string_equal(b->certs[0].pem + strlen(b->certs[0].pem) - 25,
			    "-----END CERTIFICATE-----");
	x509_bundle_free(b);
	x509_bundle_free(ref);
	free(wrapped);
	free(three);
}

static void expect_privkey(const void *data, size_t len)
{
	struct x509_bundle *b;
	struct ck_error err;

	assert_int_equal(parse_buf(data, len, NULL, &b, &err), CK_E_PRIVKEY);
	assert_null(b);
	assert_string_equal(err.field, "pem_content");
	assert_string_equal(err.msg, MSG_PRIVKEY);
}

static void test_private_keys_refused(void **state)
{
	static const char *const files[] = {"ec256.key",     "rsa_trad.key", "ec_trad.key",
					    "encrypted.key", "bundle.p12",   "pkcs8.der"};
	static const char *const headers[] = {
	    "-----BEGIN DSA PRIVATE KEY-----\nMIIB\n-----END DSA PRIVATE KEY-----\n",
	    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n",
	    "text -----begin rsa private key----- more",
	    "-----BEGIN  ENCRYPTED \t PRIVATE\nKEY-----",
	    "-----BEGIN PRIVATE KEY-----",
	};
	char *cert = th_read(fpath("leaf.pem"), NULL), *key = th_read(fpath("leaf.key"), NULL);
	char both[16384];
	size_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *data = th_read(fpath(files[i]), &len);

		assert_non_null(data);
		expect_privkey(data, len);
		free(data);
	}
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		expect_privkey(headers[i], strlen(headers[i]));
	snprintf(both, sizeof(both), "%s\n%s", cert, key); /* a cert with its key pasted below */
	expect_privkey(both, strlen(both));
	free(cert);
	free(key);
}

static void test_not_private_keys(void **state)
{
	static const char *const ok[] = {
	    "-----BEGIN PUBLIC KEY-----",
	    "-----BEGIN PRIVATE KEYS-----",
	    "-----BEGINPRIVATE KEY-----",
	    "-----BEGIN PRIVATE-KEY-----",
	};
	struct x509_bundle *b;
	struct ck_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse_buf(ok[i], strlen(ok[i]), NULL, &b, &err), CK_E_PARSE);
		assert_string_equal(err.msg, MSG_NOCERT);
	}
}

static void test_input_limit(void **state)
{
	char *cert = th_read(fpath("leaf.pem"), NULL), *buf = malloc(65537);
	size_t clen = strlen(cert);
	struct x509_bundle *b;
	struct ck_error err;

	(void)state;
	memset(buf, ' ', 65537);
	memcpy(buf, cert, clen);
	assert_int_equal(parse_buf(buf, 65536, NULL, &b, &err), 0); /* exactly the limit */
	assert_int_equal(b->ncerts, 1);
	x509_bundle_free(b);
	assert_int_equal(parse_buf(buf, 65537, NULL, &b, &err), CK_E_TOOBIG);
	assert_null(b);
	assert_string_equal(err.msg, "Input too large (65537 bytes). Maximum is 65536 bytes.");
	free(buf);
	free(cert);
}

static void test_count_limits(void **state)
{
	char *three = th_read(fpath("three.pem"), NULL), *sans = th_read(fpath("sans.pem"), NULL);
	struct x509_limits lim;
	struct x509_bundle *b;
	struct ck_error err;

	(void)state;
	x509_limits_default(&lim);
	assert_int_equal(lim.max_input, 65536);
	assert_int_equal(lim.max_certs, 100);
	assert_int_equal(lim.max_sans, 1000);
	lim.max_certs = 3;
	assert_int_equal(parse_buf(three, strlen(three), &lim, &b, &err), 0);
	x509_bundle_free(b);
	lim.max_certs = 2;
	assert_int_equal(parse_buf(three, strlen(three), &lim, &b, &err), CK_E_TOOBIG);
	assert_string_equal(err.msg, "Too many certificates in input. Maximum is 2.");
	x509_limits_default(&lim);
	lim.max_sans = 5;
	assert_int_equal(parse_buf(sans, strlen(sans), &lim, &b, &err), 0);
	x509_bundle_free(b);
	lim.max_sans = 4;
	assert_int_equal(parse_buf(sans, strlen(sans), &lim, &b, &err), CK_E_TOOBIG);
	assert_string_equal(err.msg, "Too many subject alternative names (5). Maximum is 4.");
	free(three);
	free(sans);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *in, *msg_prefix;
	} cases[] = {
	    {"", MSG_NOCERT},
	    {"hello world", MSG_NOCERT},
	    {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", MSG_NOCERT},
	    {"-----BEGIN CERTIFICATE-----\nno end line", MSG_NOCERT},
	    {"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----",
	     "Failed to parse certificate: invalid base64"},
	    {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
	     "Failed to parse certificate: "},
	    {"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----",
	     "Failed to parse CSR: "},
	    {"-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----", "Failed to parse certificate: "},
	    {"\x30\x03\x02\x01\x01", "Failed to parse certificate: "},
	};
	struct x509_bundle *b;
	struct ck_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_buf(cases[i].in, strlen(cases[i].in), NULL, &b, &err),
				 CK_E_PARSE);
		assert_null(b);
		assert_string_equal(err.field, "pem_content");
		if (strncmp(err.msg, cases[i].msg_prefix, strlen(cases[i].msg_prefix)))
			fail_msg("case %zu: got '%s'", i, err.msg);
	}
}

static void test_broken_second_block(void **state)
{
	char *cert = th_read(fpath("leaf.pem"), NULL), buf[8192];
	struct x509_bundle *b;
	struct ck_error err;

	(void)state;
	snprintf(buf, sizeof(buf),
		 "%s-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", cert);
	assert_int_equal(parse_buf(buf, strlen(buf), NULL, &b, &err), CK_E_PARSE);
	assert_non_null(strstr(err.msg, "Failed to parse certificate: "));
	free(cert);
}

static void test_csr(void **state)
{
	struct x509_bundle *b = parse_named("csr.pem"), *d = parse_named("csr.der");
	struct x509_bundle *bare = parse_named("csr_bare.pem");
	const struct x509_csr_info *c = &b->csrs[0];

	(void)state;
	assert_int_equal(b->ncerts, 0);
	assert_int_equal(b->ncsrs, 1);
	assert_string_equal(c->common_name, "csr.test");
	assert_string_equal(c->organization, "Example BV");
	assert_string_equal(c->organizational_unit, "Ops");
	assert_string_equal(c->locality, "Amsterdam");
	assert_string_equal(c->state, "Noord-Holland");
	assert_string_equal(c->country, "NL");
	assert_string_equal(
	    c->subject, "CN=csr.test, OU=Ops, O=Example BV, L=Amsterdam, ST=Noord-Holland, C=NL");
	assert_int_equal(c->nsans, 3);
	assert_string_equal(c->sans[2], "IP:10.0.0.1");
	assert_string_equal(c->algorithm, "ecdsa");
	assert_int_equal(c->key_size, 384);
	assert_string_equal(c->fingerprint_sha256, d->csrs[0].fingerprint_sha256);
	assert_memory_equal(d->csrs[0].pem, "-----BEGIN CERTIFICATE REQUEST-----\n", 36);
	assert_int_equal(th_sh("openssl req -in '%s' -outform DER | sha256sum | "
			       "tr a-f A-F | grep -q \"^$(echo '%s' | tr -d :)\"",
			       fpath("csr.pem"), c->fingerprint_sha256),
			 0);
	assert_string_equal(bare->csrs[0].organization, "");
	assert_string_equal(bare->csrs[0].country, "");
	assert_int_equal(bare->csrs[0].nsans, 0);
	assert_string_equal(bare->csrs[0].algorithm, "ed25519");
	assert_int_equal(bare->csrs[0].key_size, -1);
	x509_bundle_free(b);
	x509_bundle_free(d);
	x509_bundle_free(bare);
}

static void test_cert_and_csr_mixed(void **state)
{
	char *cert = th_read(fpath("leaf.pem"), NULL), *csr = th_read(fpath("csr.pem"), NULL);
	char buf[16384];
	struct x509_bundle *b;
	struct ck_error err;

	(void)state;
	snprintf(buf, sizeof(buf), "%s\n%s", csr, cert);
	assert_int_equal(parse_buf(buf, strlen(buf), NULL, &b, &err), 0);
	assert_int_equal(b->ncerts, 1);
	assert_int_equal(b->ncsrs, 1);
	assert_string_equal(b->issuer_chain, "");
	x509_bundle_free(b);
	free(cert);
	free(csr);
}

static void test_verify_signed_by(void **state)
{
	struct x509_bundle *leaf = parse_named("leaf.pem"), *ca = parse_named("ec256.pem");
	struct x509_bundle *other = parse_named("rsa2048.pem"),
			   *fake = parse_named("fake_self.pem");
	struct x509_cert_info broken = {.der = (unsigned char *)"\x30\x00", .der_len = 2};

	(void)state;
	assert_int_equal(x509_verify_signed_by(&leaf->certs[0], &ca->certs[0]), 1);
	assert_int_equal(x509_verify_signed_by(&ca->certs[0], &ca->certs[0]), 1);
	assert_int_equal(x509_verify_signed_by(&leaf->certs[0], &other->certs[0]), 0);
	assert_int_equal(x509_verify_signed_by(&fake->certs[0], &fake->certs[0]), 0);
	assert_int_equal(x509_verify_signed_by(&fake->certs[0], &ca->certs[0]), 1);
	assert_int_equal(x509_verify_signed_by(&broken, &ca->certs[0]), CK_E_PARSE);
	x509_bundle_free(leaf);
	x509_bundle_free(ca);
	x509_bundle_free(other);
	x509_bundle_free(fake);
}

static void test_bundle_free_null(void **state)
{
	(void)state;
	x509_bundle_free(NULL);
	x509_cert_info_release(NULL);
	x509_csr_info_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_types),
	    cmocka_unit_test(test_names_and_sans),
	    cmocka_unit_test(test_serial_20_bytes_high_bit),
	    cmocka_unit_test(test_validity_and_odd_serials),
	    cmocka_unit_test(test_der_and_pkcs7),
	    cmocka_unit_test(test_crlf_and_surrounding_text),
	    cmocka_unit_test(test_private_keys_refused),
	    cmocka_unit_test(test_not_private_keys),
	    cmocka_unit_test(test_input_limit),
	    cmocka_unit_test(test_count_limits),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_broken_second_block),
	    cmocka_unit_test(test_csr),
	    cmocka_unit_test(test_cert_and_csr_mixed),
	    cmocka_unit_test(test_verify_signed_by),
	    cmocka_unit_test(test_bundle_free_null),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
