/* Unit tests for domain/certificate: expiry arithmetic at the thresholds, ACME detection for
 * every provider pattern, CA detection, duplicate detection by normalised serial + issuer and
 * by fingerprint, and the before/after-write rules on an in-memory database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/config.h"
#include "domain/certificate.h"
#include "store/store.h"

#include "fixture_helper.h"

static const int64_t NOW = 1767225600; /* 2026-01-01T00:00:00Z */

static void test_days_and_status(void **state)
{
	struct ck_config cfg;
	static const struct {
		int64_t valid_to;
		int64_t days;
		const char *status;
	} cases[] = {
	    {NOW + 60 * 86400, 60, "ok"},	{NOW + 31 * 86400, 31, "ok"},
	    {NOW + 30 * 86400, 30, "warning"},	{NOW + 20 * 86400, 20, "warning"},
	    {NOW + 15 * 86400, 15, "warning"},	{NOW + 14 * 86400, 14, "critical"},
	    {NOW + 10 * 86400, 10, "critical"}, {NOW + 3600, 0, "critical"},
	    {NOW - 1, -1, "expired"},		{NOW - 40 * 86400, -40, "expired"},
	};

	(void)state;
	ck_config_defaults(&cfg);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(dom_cert_days_remaining(cases[i].valid_to, NOW), cases[i].days);
		assert_string_equal(dom_cert_expiry_status(cases[i].valid_to, NOW, &cfg),
				    cases[i].status);
	}
	/* days count UTC dates, not 24-hour periods */
	assert_int_equal(dom_cert_days_remaining(NOW + 86400 + 1, NOW + 86399), 1);
}

static void test_acme_detect(void **state)
{
	static const struct {
		const char *issuer, *provider;
	} cases[] = {
	    {"CN=R3, O=Let's Encrypt, C=US", "letsencrypt"},
	    {"CN=E7, O=Let's Encrypt, C=US", "letsencrypt"},
	    {"CN=something, O=LetsEncrypt", "letsencrypt"},
	    {"CN=(STAGING) Artificial Apricot R3, O=(STAGING) Let's Encrypt, C=US",
	     "letsencrypt_staging"},
	    {"CN=Fake LE Intermediate X1", "letsencrypt_staging"},
	    {"CN=ZeroSSL RSA Domain Secure Site CA, O=ZeroSSL, C=AT", "zerossl"},
	    {"CN=Buypass Class 2 CA 5, O=Buypass AS-983163327, C=NO", "buypass"},
	    {"CN=WR1, O=Google Trust Services, C=US", "google"},
	    {"CN=GTS CA 1C3, O=Google Trust Services LLC, C=US", "google"},
	    {"CN=Sectigo RSA Domain Validation Secure Server CA, O=Sectigo Limited", "sectigo"},
	    {"CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US", "digicert"},
	    {"CN=Example Internal CA, O=Example", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = dom_acme_detect(cases[i].issuer);
		if (!cases[i].provider)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].provider);
	}
}

static int open_db(void **state)
{
	static struct dom_fx f;

	if (dom_fx_open(&f, NOW))
		return -1;
	*state = &f;
	return 0;
}

static int close_db(void **state)
{
	dom_fx_close(*state);
	return 0;
}

static void test_ca_detect_and_duplicates(void **state)
{
	struct dom_ctx ctx = ((struct dom_fx *)*state)->ctx;
	struct ck_error err;
	int64_t id = -1;

	assert_int_equal(
	    store_exec(
		ctx.conn,
		"INSERT INTO certificate_authorities (name, issuer_pattern, created, last_updated)"
		" VALUES ('Zeta', 'example', 0, 0), ('Alpha', 'Example CA', 0, 0), ('Empty', '', "
		"0, 0);"
		"INSERT INTO certificates (common_name, serial_number, serial_key, "
		"fingerprint_sha256, issuer,"
		" issuer_key, valid_from, valid_to, created, last_updated) VALUES ('a.example', "
		"'00:AB:CD',"
		" 'ABCD', 'FP1', 'CN=Example CA, O=Example', 'cn=example ca,o=example', 0, 1, 0, "
		"0);",
		NULL),
	    0);
	assert_int_equal(dom_ca_detect(&ctx, "CN=EXAMPLE CA, O=Example", &id, NULL), 0);
	assert_int_equal(id, 2); /* name order: Alpha before Zeta */
	assert_int_equal(dom_ca_detect(&ctx, "CN=Other", &id, NULL), 0);
	assert_int_equal(id, 0);

	ck_error_clear(&err);
	/* same serial written differently, same issuer with other spacing/case */
	assert_int_equal(
	    dom_cert_find_duplicate(&ctx, "ab:cd", "cn=Example CA,O=Example", "FP2", 0, &id, &err),
	    0);
	assert_int_equal(id, 1);
	assert_non_null(strstr(err.msg, "Certificate already exists: a.example (ID: 1"));
	assert_int_equal(dom_cert_find_duplicate(&ctx, "01:AB:CD", "CN=Example CA, O=Example",
						 "FP2", 0, &id, NULL),
			 0);
	assert_int_equal(id, 0);
	assert_int_equal(dom_cert_find_duplicate(&ctx, "99", "CN=x", "FP1", 0, &id, NULL), 0);
	assert_int_equal(id, 1); /* by fingerprint */
	assert_int_equal(dom_cert_find_duplicate(&ctx, "99", "CN=x", "FP1", 1, &id, NULL), 0);
	assert_int_equal(id, 0); /* excluding itself */
}

static const char *const names[] = {
    "common_name",   "serial_number", "serial_key",	   "fingerprint_sha256",
    "issuer",	     "issuer_key",    "valid_from",	   "valid_to",
    "key_size",	     "status",	      "issuing_ca",	   "is_acme",
    "acme_provider", "archived_at",   "acme_renewal_days", "pem_content"};

static void test_before_write_normalises_and_refuses(void **state)
{
	struct dom_ctx ctx = ((struct dom_fx *)*state)->ctx;
	struct dom_record rec;
	struct ck_error err;
	const char *fp = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:"
			 "22:33:44:55:66:77:88:99";

	assert_int_equal(dom_record_init(&rec, names, sizeof(names) / sizeof(names[0])), 0);
	dom_record_set_text(&rec, "common_name", "le.example", 10);
	dom_record_set_text(&rec, "serial_number", "abc", 3);
	dom_record_set_text(&rec, "fingerprint_sha256", fp, strlen(fp));
	dom_record_set_text(&rec, "issuer", "CN=R3, O=Let's Encrypt, C=US", 29);
	dom_record_set_int(&rec, "valid_from", NOW);
	dom_record_set_int(&rec, "valid_to", NOW + 86400);
	dom_record_set_text(&rec, "status", "archived", 8);
	ck_error_clear(&err);
	assert_int_equal(dom_cert_before_write(&ctx, &rec, 0, &err), 0);
	assert_string_equal(dom_record_text(&rec, "serial_number"), "0A:BC");
	assert_string_equal(dom_record_text(&rec, "serial_key"), "ABC");
	assert_string_equal(dom_record_text(&rec, "fingerprint_sha256"),
			    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:"
			    "11:22:33:44:55:66:77:88:99");
	assert_int_equal(dom_record_int(&rec, "is_acme", 0), 1);
	assert_string_equal(dom_record_text(&rec, "acme_provider"), "letsencrypt");
	assert_int_equal(dom_record_int(&rec, "archived_at", 0), NOW);

	dom_record_set_text(&rec, "serial_number", "xyz", 3);
	assert_int_equal(dom_cert_before_write(&ctx, &rec, 0, &err), CK_E_INVALID);
	assert_string_equal(err.field, "serial_number");
	dom_record_set_text(&rec, "serial_number", "01", 2);
	dom_record_set_text(&rec, "fingerprint_sha256", "AA:BB", 5);
	assert_int_equal(dom_cert_before_write(&ctx, &rec, 0, &err), CK_E_INVALID);
	assert_string_equal(err.field, "fingerprint_sha256");
	dom_record_set_text(&rec, "fingerprint_sha256", fp, strlen(fp));
	dom_record_set_int(&rec, "valid_to", NOW - 1);
	assert_int_equal(dom_cert_before_write(&ctx, &rec, 0, &err), CK_E_INVALID);
	assert_string_equal(err.field, "valid_to");
	dom_record_set_int(&rec, "valid_to", NOW + 1);
	dom_record_set_int(&rec, "key_size", -1);
	assert_int_equal(dom_cert_before_write(&ctx, &rec, 0, &err), CK_E_INVALID);
	assert_string_equal(err.field, "key_size");
	dom_record_release(&rec);
}

/* Issue 13: a certificate already past valid_to when created is expired at once; an explicit
 * status other than active is kept, and updates leave the status alone. */
static void test_create_past_valid_to_is_expired(void **state)
{
	static const struct {
		const char *sent; /* NULL: not given */
		int64_t valid_to;
		int64_t old_id;
		const char *want; /* NULL: status left unset */
	} cases[] = {
	    {NULL, NOW - 1, 0, "expired"},
	    {"active", NOW - 86400, 0, "expired"},
	    {"revoked", NOW - 1, 0, "revoked"},
	    {"pending", NOW - 1, 0, "pending"},
	    {NULL, NOW, 0, NULL},
	    {"active", NOW + 1, 0, "active"},
	    {"active", NOW - 1, 1, "active"},
	    {NULL, NOW - 1, 1, NULL},
	};
	struct dom_ctx ctx = ((struct dom_fx *)*state)->ctx;
	const char *fp = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:"
			 "22:33:44:55:66:77:88:99";

	assert_int_equal(store_exec(ctx.conn,
				    "INSERT INTO certificates (id, common_name, serial_number, "
				    "serial_key, fingerprint_sha256,"
				    " issuer, issuer_key, valid_from, valid_to, algorithm, status, "
				    "created, last_updated)"
				    " VALUES (1, 'old.example', '01', '1', 'FP0', 'CN=x', 'cn=x', "
				    "0, 1, 'rsa', 'active', 0, 0);",
				    NULL),
			 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dom_record rec;
		assert_int_equal(dom_record_init(&rec, names, sizeof(names) / sizeof(names[0])), 0);
		if (!cases[i].old_id) {
			dom_record_set_text(&rec, "common_name", "new.example", 11);
			dom_record_set_text(&rec, "serial_number", "0abc", 4);
			dom_record_set_text(&rec, "fingerprint_sha256", fp, strlen(fp));
			dom_record_set_text(&rec, "issuer", "CN=Internal", 11);
			dom_record_set_int(&rec, "valid_from", 0);
		}
		dom_record_set_int(&rec, "valid_to", cases[i].valid_to);
		if (cases[i].sent)
			dom_record_set_text(&rec, "status", cases[i].sent, strlen(cases[i].sent));
		assert_int_equal(dom_cert_before_write(&ctx, &rec, cases[i].old_id, NULL), 0);
		if (cases[i].want)
			assert_string_equal(dom_record_text(&rec, "status"), cases[i].want);
		else
			assert_false(dom_record_has(&rec, "status"));
		dom_record_release(&rec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_days_and_status),
	    cmocka_unit_test(test_acme_detect),
	    cmocka_unit_test_setup_teardown(test_ca_detect_and_duplicates, open_db, close_db),
	    cmocka_unit_test_setup_teardown(test_before_write_normalises_and_refuses, open_db,
					    close_db),
	    cmocka_unit_test_setup_teardown(test_create_past_valid_to_is_expired, open_db,
					    close_db),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
