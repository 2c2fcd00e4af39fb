/* Unit tests for x509/chain: real public chains (with and without the system trust store) and
 * generated chains for every status, the length limit at 10 and 11, and tampered signatures.
 * Certificates are generated in memory with OpenSSL (throw-away P-256 test keys). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/parse.h"
#include "x509/chain.h"
#include "x509/pem.h"
#include "x509_helper.h"

#define DAY 86400

/* ---- generation ---- */

struct gen {
	X509 *x;
	EVP_PKEY *key;
	char pem[4096];
};

static EVP_PKEY *test_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

/* Makes a certificate CN=cn valid [nb, na] signed by issuer (NULL: self-signed). */
static void gen_cert(struct gen *g, const char *cn, const struct gen *issuer, int64_t nb,
		     int64_t na, int ca)
{
	X509_NAME *name = X509_NAME_new();
	BIO *bio = BIO_new(BIO_s_mem());
	static long serial = 1000;
	char *data;
	long len;

	g->key = test_key();
	g->x = X509_new();
	X509_set_version(g->x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(g->x), serial++);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(g->x, name);
	X509_set_issuer_name(g->x, issuer ? X509_get_subject_name(issuer->x) : name);
	ASN1_TIME_set(X509_getm_notBefore(g->x), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(g->x), (time_t)na);
	X509_set_pubkey(g->x, g->key);
	if (ca) {
		X509_EXTENSION *ext =
		    X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
		X509_add_ext(g->x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(g->x, issuer ? issuer->key : g->key, EVP_sha256()) > 0);
	PEM_write_bio_X509(bio, g->x);
	len = BIO_get_mem_data(bio, &data);
	assert_true(len > 0 && (size_t)len < sizeof(g->pem));
	memcpy(g->pem, data, (size_t)len);
	g->pem[len] = '\0';
	BIO_free(bio);
	X509_NAME_free(name);
}

/* Flips a byte inside the signature and re-encodes the PEM. */
static void tamper(struct gen *g)
{
	unsigned char *der = NULL;
	char *pem = NULL;
	int len = i2d_X509(g->x, &der);

	assert_true(len > 10);
	der[len - 3] ^= 0x55;
	assert_int_equal(x509_pem_encode("CERTIFICATE", der, (size_t)len, &pem), 0);
	snprintf(g->pem, sizeof(g->pem), "%s\n", pem);
	free(pem);
	OPENSSL_free(der);
}

static void gen_free(struct gen *g)
{
	X509_free(g->x);
	EVP_PKEY_free(g->key);
}

/* root → inter → leaf, valid from now-1d: root 10 y, inter 5 y, leaf 90 d. */
struct chain3 {
	struct gen root, inter, leaf;
	int64_t now;
};

static int setup3(void **state)
{
	struct chain3 *c = calloc(1, sizeof(*c));

	c->now = (int64_t)time(NULL);
	gen_cert(&c->root, "Unit Test Root", NULL, c->now - DAY, c->now + 3650 * DAY, 1);
	gen_cert(&c->inter, "Unit Test Issuing CA", &c->root, c->now - DAY, c->now + 1825 * DAY, 1);
	gen_cert(&c->leaf, "leaf.example.com", &c->inter, c->now - DAY, c->now + 90 * DAY, 0);
	*state = c;
	return 0;
}

static int teardown3(void **state)
{
	struct chain3 *c = *state;

	gen_free(&c->root);
	gen_free(&c->inter);
	gen_free(&c->leaf);
	free(c);
	return 0;
}

/* Validates and returns the status; res is released. */
static enum x509_chain_status run(const char *leaf, const char *chain, int64_t at, int trust,
				  char *msg, size_t msgsz, int *depth)
{
	struct x509_chain_opts o = {at, trust};
	struct x509_chain_result *r = calloc(1, sizeof(*r));
	enum x509_chain_status s;

	assert_int_equal(x509_chain_validate(leaf, strlen(leaf), chain, strlen(chain), &o, r), 0);
	s = r->status;
	if (msg)
		snprintf(msg, msgsz, "%s", r->message);
	if (depth)
		*depth = r->depth;
	if (!x509_chain_status_ok(s) && s != X509_CHAIN_NO_CHAIN)
		assert_true(r->nerrors >= 1);
	x509_chain_result_release(r);
	free(r);
	return s;
}

static char *join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 1;
	char *s = malloc(n);

	snprintf(s, n, "%s%s%s", a, b, c ? c : "");
	return s;
}

/* ---- generated chains ---- */

static void test_valid_and_depth(void **state)
{
	struct chain3 *c = *state;
	char *chain = join(c->inter.pem, c->root.pem, NULL), msg[256];
	int depth = 0;

	assert_int_equal(run(c->leaf.pem, chain, c->now, 1, msg, sizeof(msg), &depth),
			 X509_CHAIN_VALID);
	assert_int_equal(depth, 3);
	assert_string_equal(msg, "Certificate chain is complete and valid");
	free(chain);
}

static void test_wrong_order_and_missing(void **state)
{
	struct chain3 *c = *state;
	char *wrong = join(c->root.pem, c->inter.pem, NULL);

	assert_int_equal(run(c->leaf.pem, wrong, c->now, 1, NULL, 0, NULL), X509_CHAIN_INCOMPLETE);
	assert_int_equal(run(c->leaf.pem, c->root.pem, c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_INCOMPLETE);
	/* the private root is in no trust store */
	assert_int_equal(run(c->leaf.pem, c->inter.pem, c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_INCOMPLETE);
	/* without the trust store: the reference's "valid (does not end at self-signed root)" */
	assert_int_equal(run(c->leaf.pem, c->inter.pem, c->now, 0, NULL, 0, NULL),
			 X509_CHAIN_VALID);
	free(wrong);
}

static void test_times(void **state)
{
	struct chain3 *c = *state;
	char *chain = join(c->inter.pem, c->root.pem, NULL), msg[256];

	assert_int_equal(run(c->leaf.pem, chain, c->now - 3 * DAY, 1, msg, sizeof(msg), NULL),
			 X509_CHAIN_NOT_YET_VALID);
	assert_non_null(strstr(msg, "#1"));
	assert_int_equal(run(c->leaf.pem, chain, c->now + 100 * DAY, 1, msg, sizeof(msg), NULL),
			 X509_CHAIN_EXPIRED);
	assert_non_null(strstr(msg, "Certificate #1 in chain has expired"));
	free(chain);
}

static void test_expired_intermediate(void **state)
{
	struct chain3 *c = *state;
	struct gen inter, leaf;
	char *chain, msg[256];

	gen_cert(&inter, "Short Lived CA", &c->root, c->now - 10 * DAY, c->now - DAY, 1);
	gen_cert(&leaf, "leaf2.example.com", &inter, c->now - DAY, c->now + 90 * DAY, 0);
	chain = join(inter.pem, c->root.pem, NULL);
	assert_int_equal(run(leaf.pem, chain, c->now, 1, msg, sizeof(msg), NULL),
			 X509_CHAIN_EXPIRED);
	assert_non_null(strstr(msg, "#2"));
	free(chain);
	gen_free(&inter);
	gen_free(&leaf);
}

static void test_tampered_signatures(void **state)
{
	struct chain3 *c = *state;
	struct gen leaf = {0}, root = {0};
	char *chain, *bad_root;

	gen_cert(&leaf, "tampered.example.com", &c->inter, c->now - DAY, c->now + 90 * DAY, 0);
	tamper(&leaf);
	chain = join(c->inter.pem, c->root.pem, NULL);
	assert_int_equal(run(leaf.pem, chain, c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_INVALID_SIGNATURE);
	/* the same names but signed by a different key (an impostor intermediate) */
	gen_cert(&root, "Unit Test Issuing CA", NULL, c->now - DAY, c->now + 10 * DAY, 1);
	bad_root = join(root.pem, c->root.pem, NULL);
	assert_int_equal(run(c->leaf.pem, bad_root, c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_INCOMPLETE);
	free(bad_root);
	gen_free(&root);
	/* a stored root whose self-signature was tampered with (row 11) */
	memset(&root, 0, sizeof(root));
	root.x = X509_dup(c->root.x);
	tamper(&root);
	bad_root = join(c->inter.pem, root.pem, NULL);
	assert_int_equal(run(c->leaf.pem, bad_root, c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_INVALID_SIGNATURE);
	free(bad_root);
	X509_free(root.x);
	free(chain);
	gen_free(&leaf);
}

static void test_self_signed_and_no_chain(void **state)
{
	struct chain3 *c = *state;
	struct gen ss;
	int depth = 0;

	gen_cert(&ss, "self.example.com", NULL, c->now - DAY, c->now + DAY, 0);
	assert_int_equal(run(ss.pem, "", c->now, 1, NULL, 0, &depth), X509_CHAIN_SELF_SIGNED);
	assert_int_equal(depth, 1);
	tamper(&ss);
	assert_int_equal(run(ss.pem, "", c->now, 1, NULL, 0, NULL), X509_CHAIN_INVALID_SIGNATURE);
	assert_int_equal(run(c->leaf.pem, "  \n", c->now, 1, NULL, 0, &depth), X509_CHAIN_NO_CHAIN);
	assert_int_equal(depth, 1);
	gen_free(&ss);
}

static void test_parse_errors(void **state)
{
	struct chain3 *c = *state;
	static const char garbage[] =
	    "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydA==\n-----END CERTIFICATE-----\n";
	char *chain;
	struct x509_chain_opts o = {c->now, 1};
	struct x509_chain_result *r = calloc(1, sizeof(*r));

	assert_int_equal(run("not a pem", c->inter.pem, c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_PARSE_ERROR);
	assert_int_equal(run(garbage, c->inter.pem, c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_PARSE_ERROR);
	assert_int_equal(run(c->leaf.pem, garbage, c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_PARSE_ERROR);
	assert_int_equal(run(c->leaf.pem, "junk text", c->now, 1, NULL, 0, NULL),
			 X509_CHAIN_PARSE_ERROR);
	/* a bad block among good ones is skipped, with an error line */
	chain = join(c->inter.pem, garbage, c->root.pem);
	assert_int_equal(
	    x509_chain_validate(c->leaf.pem, strlen(c->leaf.pem), chain, strlen(chain), &o, r), 0);
	assert_int_equal(r->status, X509_CHAIN_VALID);
	assert_int_equal(r->nerrors, 1);
	assert_non_null(strstr(r->errors[0], "skipped"));
	assert_int_equal(r->ncerts, 3);
	x509_chain_result_release(r);
	x509_chain_result_release(r); /* may repeat */
	free(r);
	free(chain);
}

/* A path of n certificates (leaf first) under one self-signed root. */
static void test_length_limit(void **state)
{
	struct chain3 *c = *state;
	struct gen g[X509_CHAIN_MAX + 1];
	char name[32], msg[256], *chain = calloc(1, 64 * 1024);
	int depth = 0;

	gen_cert(&g[0], "L0 Root", NULL, c->now - DAY, c->now + DAY, 1);
	for (int i = 1; i <= X509_CHAIN_MAX; i++) {
		snprintf(name, sizeof(name), "L%d", i);
		gen_cert(&g[i], name, &g[i - 1], c->now - DAY, c->now + DAY, 1);
	}
	/* exactly X509_CHAIN_MAX: leaf g[9] + chain g[8..0] = 10 certificates */
	for (int i = 8; i >= 0; i--)
		strcat(chain, g[i].pem);
	assert_int_equal(run(g[9].pem, chain, c->now, 1, msg, sizeof(msg), &depth),
			 X509_CHAIN_VALID);
	assert_int_equal(depth, X509_CHAIN_MAX);
	/* limit + 1 */
	chain[0] = '\0';
	for (int i = 9; i >= 0; i--)
		strcat(chain, g[i].pem);
	assert_int_equal(run(g[10].pem, chain, c->now, 1, msg, sizeof(msg), NULL),
			 X509_CHAIN_PARSE_ERROR);
	assert_string_equal(msg, "Chain too long (11 certificates). Maximum is 10.");
	for (int i = 0; i <= X509_CHAIN_MAX; i++)
		gen_free(&g[i]);
	free(chain);
}

/* ---- real chains (tests/fixtures/real-world) ---- */

static void real(const char *name, int trust, int64_t at, enum x509_chain_status want,
		 int want_depth, int trusted)
{
	char path[512];
	struct x509_chain_opts o = {at, trust};
	struct x509_chain_result *r = calloc(1, sizeof(*r));
	char *text, *cut;

	snprintf(path, sizeof(path), "%s/tests/fixtures/real-world/%s_chain.pem", CK_SOURCE_DIR,
		 name);
	text = th_read(path, NULL);
	assert_non_null(text);
	cut = strstr(text + 1, "-----BEGIN");
	assert_non_null(cut);
	assert_int_equal(x509_chain_validate(text, (size_t)(cut - text), cut, strlen(cut), &o, r),
			 0);
	if (r->status != want)
		fail_msg("%s: %s (%s)", name, x509_chain_status_name(r->status), r->message);
	assert_int_equal(r->depth, want_depth);
	assert_int_equal(r->trusted_root, trusted);
	if (trusted)
		assert_true(r->certs[r->ncerts - 1].is_self_signed);
	x509_chain_result_release(r);
	free(r);
	free(text);
}

static void test_real_chains(void **state)
{
	int64_t inside = 0, now = (int64_t)time(NULL);

	(void)state;
	assert_int_equal(ck_parse_time("2026-02-01T00:00:00Z", &inside), 0);
	/* Let's Encrypt ships without ISRG Root X1: found in /etc/ssl/certs */
	real("letsencrypt", 1, inside, X509_CHAIN_VALID, 3, 1);
	real("letsencrypt", 0, inside, X509_CHAIN_VALID, 2, 0);
	real("digicert", 1, inside, X509_CHAIN_VALID, 3, 0);
	real("sectigo", 1, inside, X509_CHAIN_VALID, 4, 0);
	/* the fixture leaves end by April 2026 */
	if (now > inside + 120 * DAY)
		real("digicert", 1, now, X509_CHAIN_EXPIRED, 3, 0);
	real("digicert", 1, inside - 3 * 365 * DAY, X509_CHAIN_NOT_YET_VALID, 3, 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(x509_chain_status_name(X509_CHAIN_INVALID_SIGNATURE),
			    "invalid_signature");
	assert_string_equal(x509_chain_status_name(X509_CHAIN_NOT_YET_VALID), "not_yet_valid");
	assert_true(x509_chain_status_ok(X509_CHAIN_SELF_SIGNED));
	assert_false(x509_chain_status_ok(X509_CHAIN_NO_CHAIN));
	x509_chain_result_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_valid_and_depth, setup3, teardown3),
	    cmocka_unit_test_setup_teardown(test_wrong_order_and_missing, setup3, teardown3),
	    cmocka_unit_test_setup_teardown(test_times, setup3, teardown3),
	    cmocka_unit_test_setup_teardown(test_expired_intermediate, setup3, teardown3),
	    cmocka_unit_test_setup_teardown(test_tampered_signatures, setup3, teardown3),
	    cmocka_unit_test_setup_teardown(test_self_signed_and_no_chain, setup3, teardown3),
	    cmocka_unit_test_setup_teardown(test_parse_errors, setup3, teardown3),
	    cmocka_unit_test_setup_teardown(test_length_limit, setup3, teardown3),
	    cmocka_unit_test(test_real_chains),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
