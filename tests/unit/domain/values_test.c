/* Unit tests for domain/values: every normaliser on the spellings users paste (accepted, with
 * the stored form) and on the near misses it must refuse, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/values.h"

typedef int (*normalizer)(const char *field, const char *in, struct strbuf *out,
			  struct ck_error *err);

struct vcase {
	const char *in;
	const char *out; /* NULL: refused */
};

static void run(normalizer fn, const char *field, const struct vcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb;
		struct ck_error err;
		int r;

		strbuf_init(&sb, 4096);
		ck_error_clear(&err);
		r = fn(field, cases[i].in, &sb, &err);
		if (cases[i].out) {
			if (r)
				fail_msg("%s: \"%s\" refused: %s", field, cases[i].in, err.msg);
			assert_string_equal(strbuf_str(&sb), cases[i].out);
		} else {
			if (r != CK_E_INVALID)
				fail_msg("%s: \"%s\" accepted as \"%s\"", field, cases[i].in,
					 strbuf_str(&sb));
			assert_string_equal(err.field, field);
		}
		strbuf_release(&sb);
	}
}

#define FP_HEX "ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01"
#define FP_CANON                                                                                   \
	"AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:"  \
	"45:AB:01"

static void test_fingerprint(void **state)
{
	static const struct vcase cases[] = {
	    {FP_HEX, FP_CANON},
	    {"AB01CD23EF45AB01CD23EF45AB01CD23EF45AB01CD23EF45AB01CD23EF45AB01", FP_CANON},
	    {FP_CANON, FP_CANON},
	    {"ab:01:cd:23:ef:45:ab:01:cd:23:ef:45:ab:01:cd:23:ef:45:ab:01:cd:23:ef:45:ab:01:cd:23:"
	     "ef:45:ab:01",
	     FP_CANON},
	    {"AB:01CD23EF45AB01CD23EF45AB01CD23EF45AB01CD23EF45AB01CD23EF45AB01",
	     FP_CANON}, /* colons at byte edges */
	    {"", ""},
	    {FP_HEX "0", NULL},	 /* 65 digits */
	    {FP_HEX "01", NULL}, /* 33 bytes */
	    {"ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab0", NULL}, /* 63 */
	    {"a:b01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01", NULL},
	    {":" FP_HEX, NULL},
	    {FP_CANON ":", NULL},
	    {"AB::01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:EF:45:AB:01:CD:23:"
	     "EF:45:AB:01",
	     NULL},
	    {"gb01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01cd23ef45ab01", NULL},
	    {"AB 01", NULL},
	};

	(void)state;
	run(dom_value_fingerprint, "fingerprint_sha256", cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_lower(void **state)
{
	static const struct vcase cases[] = {
	    {"DNS-01", "dns-01"},
	    {"Tls-Alpn-01", "tls-alpn-01"},
	    {"http-01", "http-01"},
	    {"", ""},
	};

	(void)state;
	run(dom_value_lower, "acme_challenge_type", cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_acme_provider(void **state)
{
	static const struct vcase cases[] = {
	    {"Let's Encrypt", "letsencrypt"},
	    {"LETSENCRYPT", "letsencrypt"},
	    {"Let's Encrypt (Staging)", "letsencrypt_staging"},
	    {"letsencrypt_staging", "letsencrypt_staging"},
	    {"ZeroSSL", "zerossl"},
	    {"Buypass", "buypass"},
	    {"Google Trust Services", "google"},
	    {"GTS", "google"},
	    {"DigiCert", "digicert"},
	    {"sectigo", "sectigo"},
	    {"Other", "other"},
	    {"Smallstep step-ca", "Smallstep step-ca"},
	    {"  padded name \t", "padded name"},
	    {"Let's Encrypt mirror", "Let's Encrypt mirror"}, /* not a provider's name: kept */
	    {"", ""},
	    {"   ", ""},
	};

	(void)state;
	run(dom_value_acme_provider, "acme_provider", cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_http_url(void **state)
{
	static const struct vcase cases[] = {
	    {"https://acme-v02.api.letsencrypt.org/directory",
	     "https://acme-v02.api.letsencrypt.org/directory"},
	    {"HTTP://127.0.0.1:14000/dir", "http://127.0.0.1:14000/dir"},
	    {"https://[::1]:8443/dir?x=1#f", "https://[::1]:8443/dir?x=1#f"},
	    {"https://user:pw@ca.example", "https://user:pw@ca.example"},
	    {"https://ca.example", "https://ca.example"},
	    {"", ""},
	    {"not a url", NULL},
	    {"acme.example/dir", NULL},
	    {"ftp://acme.example/dir", NULL},
	    {"https://", NULL},
	    {"https:///dir", NULL},
	    {"https://:443/", NULL},
	    {"https://user@/dir", NULL},
	    {"https://a b.example/", NULL},
	    {"https://ca.example/\x01", NULL},
	    {"https://ca<.example/", NULL},
	    {"javascript:alert(1)", NULL},
	};

	(void)state;
	run(dom_value_http_url, "acme_server_url", cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_email(void **state)
{
	static const struct vcase cases[] = {
	    {"acme@example.com", "acme@example.com"},
	    {"ops+le@sub.example.co.uk", "ops+le@sub.example.co.uk"},
	    {"root@localhost", "root@localhost"},
	    {"x@xn--bcher-kva.example", "x@xn--bcher-kva.example"},
	    {"", ""},
	    {"nope", NULL},
	    {"@example.com", NULL},
	    {"a@", NULL},
	    {"a@b", NULL},
	    {"a@@example.com", NULL},
	    {"a@b@example.com", NULL},
	    {"a b@example.com", NULL},
	    {"a@example..com", NULL},
	    {"a@.example.com", NULL},
	    {"a@example.com.", NULL},
	    {"a@-example.com", NULL},
	    {"a@example-.com", NULL},
	    {"a@exa_mple.com", NULL},
	};

	(void)state;
	run(dom_value_email, "acme_account_email", cases, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fingerprint),	  cmocka_unit_test(test_lower),
	    cmocka_unit_test(test_acme_provider), cmocka_unit_test(test_http_url),
	    cmocka_unit_test(test_email),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
