/*
 * Real certificates cross-checked field by field against the openssl CLI: every Mozilla root
 * of the ca-certificates package and the real-world chains of tests/fixtures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x509_helper.h"

#define FIXTURES CK_SOURCE_DIR "/tests/fixtures/real-world"

static void test_mozilla_roots(void **state)
{
	glob_t g;
	size_t checked = 0;

	(void)state;
	if (glob("/usr/share/ca-certificates/mozilla/*.crt", 0, NULL, &g) != 0)
		skip();
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct ck_error err;
		struct x509_bundle *b = th_parse_file(g.gl_pathv[i], &err);

		if (!b)
			print_error("%s: %s\n", g.gl_pathv[i], err.msg);
		assert_non_null(b);
		assert_int_equal(b->ncerts, 1);
		th_check_against_openssl(g.gl_pathv[i], "PEM", &b->certs[0]);
		/* roots: self-signed CAs with a known algorithm and size */
		assert_true(b->certs[0].is_self_signed);
		assert_true(b->certs[0].is_ca);
		assert_true(!strcmp(b->certs[0].algorithm, "rsa") ||
			    !strcmp(b->certs[0].algorithm, "ecdsa"));
		assert_true(b->certs[0].key_size >= 256);
		assert_string_equal(b->issuer_chain, "");
		x509_bundle_free(b);
		checked++;
	}
	globfree(&g);
	assert_true(checked > 100);
}

static void test_real_world_chains(void **state)
{
	static const struct {
		const char *file;
		size_t ncerts;
		const char *cn, *alg;
		int bits;
	} cases[] = {
	    {"letsencrypt_leaf.pem", 1, "letsencrypt.org", "ecdsa", 256},
	    {"letsencrypt_chain.pem", 2, "letsencrypt.org", "ecdsa", 256},
	    {"digicert_leaf.pem", 1, "www.digicert.com", "rsa", 2048},
	    {"digicert_chain.pem", 3, "www.digicert.com", "rsa", 2048},
	    {"sectigo_leaf.pem", 1, "sectigo.com", NULL, 0},
	    {"sectigo_chain.pem", 4, "sectigo.com", NULL, 0},
	};
	char path[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x509_bundle *b;

		snprintf(path, sizeof(path), "%s/%s", FIXTURES, cases[i].file);
		b = th_parse_file(path, NULL);
		assert_non_null(b);
		assert_int_equal(b->ncerts, cases[i].ncerts);
		assert_string_equal(b->certs[0].common_name, cases[i].cn);
		if (cases[i].alg) {
			assert_string_equal(b->certs[0].algorithm, cases[i].alg);
			assert_int_equal(b->certs[0].key_size, cases[i].bits);
		}
		th_check_against_openssl(path, "PEM", &b->certs[0]);
		assert_false(b->certs[0].is_ca);
		assert_false(b->certs[0].is_self_signed);
		for (size_t k = 1; k < b->ncerts; k++) {
			assert_true(b->certs[k].is_ca);
			assert_int_equal(x509_verify_signed_by(&b->certs[k - 1], &b->certs[k]), 1);
			assert_int_equal(x509_verify_signed_by(&b->certs[k], &b->certs[k - 1]), 0);
			assert_non_null(strstr(b->issuer_chain, b->certs[k].pem));
		}
		if (b->ncerts == 1)
			assert_string_equal(b->issuer_chain, "");
		x509_bundle_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mozilla_roots),
	    cmocka_unit_test(test_real_world_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
