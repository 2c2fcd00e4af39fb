/* x509/names: serial and DN formats and normalisation, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "x509/internal.h" /* also tests the OpenSSL-typed formatters */
#include "x509/names.h"

static void test_hex_colon(void **state)
{
	char out[16];

	(void)state;
	x509_hex_colon((const unsigned char *)"\x01\xab\xff", 3, out);
	assert_string_equal(out, "01:AB:FF");
	x509_hex_colon(NULL, 0, out);
	assert_string_equal(out, "");
}

static void test_serial_normalize(void **state)
{
	static const struct {
		const char *in, *out;
		int rc;
	} cases[] = {
	    {"01:23", "123", 0},
	    {"1:23", "123", 0},
	    {"0123", "123", 0},
	    {"ab:CD", "ABCD", 0},
	    {"00", "0", 0},
	    {"0", "0", 0},
	    {"-01:23", "-123", 0},
	    {"-00", "0", 0},
	    {"", NULL, CK_E_INVALID},
	    {":12", NULL, CK_E_INVALID},
	    {"12:", NULL, CK_E_INVALID},
	    {"1::2", NULL, CK_E_INVALID},
	    {"12 34", NULL, CK_E_INVALID},
	    {"0x12", NULL, CK_E_INVALID},
	    {"-", NULL, CK_E_INVALID},
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(x509_serial_normalize(cases[i].in, out, sizeof(out)), cases[i].rc);
		if (cases[i].out)
			assert_string_equal(out, cases[i].out);
	}
	assert_int_equal(x509_serial_normalize("ABCD", out, 4), CK_E_TOOBIG);
	assert_int_equal(x509_serial_normalize("ABCD", out, 5), 0);
	assert_int_equal(x509_serial_normalize(NULL, out, 5), CK_E_INVALID);
}

static void test_serial_equal(void **state)
{
	static const struct {
		const char *a, *b;
		int eq;
	} cases[] = {
	    {"1:23", "01:23", 1}, {"01:23", "0123", 1}, {"ab:cd", "AB:CD", 1},
	    {"A:BC", "0A:BC", 1}, {"00", "0", 1},	{"01:23", "01:24", 0},
	    {"-01", "01", 0},	  {"zz", "zz", 0},	{"", "", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(x509_serial_equal(cases[i].a, cases[i].b), cases[i].eq);
}

static void test_dn_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"CN=R3, O=Let's Encrypt, C=US", "cn=r3,o=let's encrypt,c=us"},
	    {"CN = R3 ,O=Let's   Encrypt,C=US ", "cn=r3,o=let's encrypt,c=us"},
	    {"cn=r3,o=let's encrypt,c=us", "cn=r3,o=let's encrypt,c=us"},
	    {"O=A\\, B, CN=x + UID=y", "o=a\\, b,cn=x+uid=y"},
	    {"CN=\\ lead", "cn=\\ lead"},
	    {"", ""},
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(x509_dn_normalize(cases[i].in, out, sizeof(out)), 0);
		assert_string_equal(out, cases[i].out);
	}
	assert_int_equal(x509_dn_normalize("CN=abc", out, 6), CK_E_TOOBIG);
	assert_int_equal(x509_dn_normalize("CN=abc", out, 7), 0);
	assert_int_equal(x509_dn_normalize("CN=abc", out, 0), CK_E_TOOBIG);
}

static void add(X509_NAME *n, const char *field, int type, const char *v, int set)
{
	assert_int_equal(
	    X509_NAME_add_entry_by_txt(n, field, type, (const unsigned char *)v, -1, -1, set), 1);
}

static void test_name_format(void **state)
{
	X509_NAME *n = X509_NAME_new();
	char *s = NULL;

	(void)state;
	add(n, "C", MBSTRING_ASC, "US", 0);
	add(n, "O", MBSTRING_UTF8, "Ac,me+\"<x>;\\", 0);
	add(n, "OU", MBSTRING_ASC, "#lead ", 0);
	add(n, "OU", MBSTRING_ASC, " sp\x01", 0);
	add(n, "CN", MBSTRING_UTF8, "Café", 0);
	add(n, "UID", MBSTRING_ASC, "u1", -1);	 /* joins the CN's RDN: multi-valued */
	add(n, "1.2.3.4", MBSTRING_ASC, "x", 0); /* no OpenSSL name: dotted OID, #DER */
	assert_int_equal(x509_name_format(n, &s), 0);
	assert_string_equal(s, "1.2.3.4=#0C0178, UID=u1+CN=Café, OU=\\ sp\\01, OU=\\#lead\\ , "
			       "O=Ac\\,me\\+\\\"\\<x\\>\\;\\\\, C=US");
	free(s);
	X509_NAME_free(n);
	n = X509_NAME_new();
	assert_int_equal(x509_name_format(n, &s), 0); /* empty DN */
	assert_string_equal(s, "");
	free(s);
	add(n, "CN", MBSTRING_ASC, "bmp", 0);
	add(n, "CN", MBSTRING_ASC, "second", 0);
	assert_int_equal(x509_name_first(n, NID_commonName, &s), 0);
	assert_string_equal(s, "bmp");
	free(s);
	assert_int_equal(x509_name_first(n, NID_organizationName, &s), CK_E_NOTFOUND);
	X509_NAME_free(n);
}

static void test_serial_format(void **state)
{
	static const struct {
		long v;
		const char *want;
	} cases[] = {
	    {0, "00"},	 {1, "01"},	      {0x123, "01:23"}, {0xABCDEF, "AB:CD:EF"},
	    {-1, "-01"}, {-0x1234, "-12:34"}, {0x80, "80"},
	};
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASN1_INTEGER_set(ai, cases[i].v);
		assert_int_equal(x509_serial_format(ai, &s), 0);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	ASN1_INTEGER_free(ai);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hex_colon),	 cmocka_unit_test(test_serial_normalize),
	    cmocka_unit_test(test_serial_equal), cmocka_unit_test(test_dn_normalize),
	    cmocka_unit_test(test_name_format),	 cmocka_unit_test(test_serial_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
