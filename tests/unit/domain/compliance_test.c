/* Unit tests for domain/compliance: every policy type passing and failing with the exact
 * reference strings and edge values (table-driven), value truncation by characters, scoring,
 * parameter and tag_filter validation at their limits (limit and limit + 1), applicability
 * (tenant, tags, enabled), the upsert refreshing checked_at, the report and trend snapshots.
 * Database tests run on a fresh in-memory database each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "domain/compliance.h"
#include "store/store.h"

#include "fixture_helper.h"

#define NOW 1800000000LL /* 2027-01-15T08:00:00Z */
#define DAY 86400LL
#define HOUR 3600LL

/* ---- pure evaluation ---- */

struct tcase {
	const char *type;
	int has_num;
	int64_t num;
	int has_list;
	const char *list[4];
	size_t nlist;
	int key; /* 0: 2048, -1: unknown, else this size */
	const char *alg, *chain, *cn, *issuer;
	int64_t from, to; /* offsets from NOW; both 0: NOW - 10 days, NOW + 80 days + 1 hour */
	int sans_set;
	const char *sans[4];
	size_t nsans;
	int passed;
	const char *msg, *checked, *expected;
};

#define LE_ISSUER "CN=R3, O=Let's Encrypt, C=US"
#define DEFAULT_ALGS "['rsa', 'ecdsa', 'ed25519']"

static const struct tcase cases[] = {
    /* min_key_size */
    {"min_key_size", .passed = 1,
     .msg = "Key size 2048 bits meets minimum requirement of 2048 bits", .checked = "2048 bits",
     .expected = ">= 2048 bits"},
    {"min_key_size", .key = 2047,
     .msg = "Key size 2047 bits is below minimum requirement of 2048 bits", .checked = "2047 bits",
     .expected = ">= 2048 bits"},
    {"min_key_size", .key = -1, .msg = "Certificate key size is not set", .checked = "None",
     .expected = ">= 2048 bits"},
    {"min_key_size", 1, 4096, .key = 4096, .passed = 1,
     .msg = "Key size 4096 bits meets minimum requirement of 4096 bits", .checked = "4096 bits",
     .expected = ">= 4096 bits"},
    {"min_key_size", 1, 0, .key = 1, .passed = 1,
     .msg = "Key size 1 bits meets minimum requirement of 0 bits", .checked = "1 bits",
     .expected = ">= 0 bits"},
    /* max_validity_days: whole days, rounded down */
    {"max_validity_days", .from = 0, .to = 397 * DAY, .passed = 1,
     .msg = "Validity period of 397 days is within limit of 397 days", .checked = "397 days",
     .expected = "<= 397 days"},
    {"max_validity_days", .from = 0, .to = 398 * DAY - 1, .passed = 1,
     .msg = "Validity period of 397 days is within limit of 397 days", .checked = "397 days",
     .expected = "<= 397 days"},
    {"max_validity_days", .from = -1, .to = 398 * DAY - 1,
     .msg = "Validity period of 398 days exceeds maximum of 397 days", .checked = "398 days",
     .expected = "<= 397 days"},
    {"max_validity_days", 1, 90, .from = -DAY, .to = 90 * DAY,
     .msg = "Validity period of 91 days exceeds maximum of 90 days", .checked = "91 days",
     .expected = "<= 90 days"},
    /* algorithm_allowed / _forbidden: case-insensitive */
    {"algorithm_allowed", .passed = 1, .msg = "Algorithm 'rsa' is in allowed list: " DEFAULT_ALGS,
     .checked = "rsa", .expected = "one of " DEFAULT_ALGS},
    {"algorithm_allowed", .alg = "ECDSA", .passed = 1,
     .msg = "Algorithm 'ecdsa' is in allowed list: " DEFAULT_ALGS, .checked = "ecdsa",
     .expected = "one of " DEFAULT_ALGS},
    {"algorithm_allowed", .alg = "unknown",
     .msg = "Algorithm 'unknown' is not in allowed list: " DEFAULT_ALGS, .checked = "unknown",
     .expected = "one of " DEFAULT_ALGS},
    {"algorithm_allowed", .has_list = 1, .list = {"RSA"}, .nlist = 1, .passed = 1,
     .msg = "Algorithm 'rsa' is in allowed list: ['RSA']", .checked = "rsa",
     .expected = "one of ['RSA']"},
    {"algorithm_allowed", .has_list = 1, .nlist = 0,
     .msg = "Algorithm 'rsa' is not in allowed list: []", .checked = "rsa",
     .expected = "one of []"},
    {"algorithm_forbidden", .passed = 1, .msg = "Algorithm 'rsa' is not in forbidden list",
     .checked = "rsa", .expected = "not one of []"},
    {"algorithm_forbidden", .has_list = 1, .list = {"dsa"}, .nlist = 1, .passed = 1,
     .msg = "Algorithm 'rsa' is not in forbidden list", .checked = "rsa",
     .expected = "not one of ['dsa']"},
    {"algorithm_forbidden", .has_list = 1, .list = {"dsa", "RSA"}, .nlist = 2,
     .msg = "Algorithm 'rsa' is in forbidden list: ['dsa', 'RSA']", .checked = "rsa",
     .expected = "not one of ['dsa', 'RSA']"},
    /* expiry_warning: days_remaining > warning_days (UTC dates) */
    {"expiry_warning", .from = -DAY, .to = 15 * DAY + HOUR,
     .msg = "Certificate expires in 15 days (threshold: 30)", .checked = "15 days",
     .expected = "> 30 days"},
    {"expiry_warning", .from = -DAY, .to = 30 * DAY + HOUR,
     .msg = "Certificate expires in 30 days (threshold: 30)", .checked = "30 days",
     .expected = "> 30 days"},
    {"expiry_warning", .from = -DAY, .to = 31 * DAY, .passed = 1,
     .msg = "Certificate has 31 days remaining (threshold: 30)", .checked = "31 days",
     .expected = "> 30 days"},
    {"expiry_warning", .from = -9 * DAY, .to = -3 * DAY, .msg = "Certificate expired 3 days ago",
     .checked = "expired 3 days", .expected = "> 30 days remaining"},
    {"expiry_warning", .from = -9 * DAY, .to = -1, .msg = "Certificate expired 0 days ago",
     .checked = "expired 0 days", .expected = "> 30 days remaining"},
    {"expiry_warning", 1, 0, .from = -DAY, .to = HOUR,
     .msg = "Certificate expires in 0 days (threshold: 0)", .checked = "0 days",
     .expected = "> 0 days"},
    {"expiry_warning", 1, 0, .from = -DAY, .to = DAY, .passed = 1,
     .msg = "Certificate has 1 days remaining (threshold: 0)", .checked = "1 days",
     .expected = "> 0 days"},
    /* chain_required */
    {"chain_required", .chain = "", .msg = "Certificate chain is missing", .checked = "no chain",
     .expected = "chain present"},
    {"chain_required", .chain = " \n\t", .msg = "Certificate chain is missing",
     .checked = "no chain", .expected = "chain present"},
    {"chain_required",
     .chain = "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n-----BEGIN "
	      "CERTIFICATE-----\nB\n"
	      "-----END CERTIFICATE-----\n",
     .passed = 1, .msg = "Certificate chain is present with 2 certificate(s)",
     .checked = "2 certificates", .expected = "chain present"},
    /* san_required */
    {"san_required", .passed = 1, .msg = "Certificate has 1 SAN(s) (minimum: 1)",
     .checked = "1 SANs", .expected = ">= 1 SANs"},
    {"san_required", .sans_set = 1, .nsans = 0,
     .msg = "Certificate has 0 SAN(s), minimum required: 1", .checked = "0 SANs",
     .expected = ">= 1 SANs"},
    {"san_required", 1, 0, .sans_set = 1, .nsans = 0, .passed = 1,
     .msg = "Certificate has 0 SAN(s) (minimum: 0)", .checked = "0 SANs", .expected = ">= 0 SANs"},
    {"san_required", 1, 3, .sans_set = 1, .sans = {"DNS:a", "DNS:b"}, .nsans = 2,
     .msg = "Certificate has 2 SAN(s), minimum required: 3", .checked = "2 SANs",
     .expected = ">= 3 SANs"},
    /* wildcard_forbidden: the DNS: prefix is stripped ([QUIRK] fixed) */
    {"wildcard_forbidden", .passed = 1, .msg = "Certificate does not contain wildcard domains",
     .checked = "no wildcards", .expected = "no wildcards"},
    {"wildcard_forbidden", .sans_set = 1, .sans = {"DNS:www.example.com", "DNS:*.example.com"},
     .nsans = 2, .msg = "Certificate contains wildcard domain(s): ['DNS:*.example.com']",
     .checked = "DNS:*.example.com", .expected = "no wildcards"},
    {"wildcard_forbidden", .cn = "*.example.com", .sans_set = 1,
     .sans = {"*.api.example.com", "dns:*.x.org"}, .nsans = 2,
     .msg = "Certificate contains wildcard domain(s): ['*.example.com', '*.api.example.com', "
	    "'dns:*.x.org']",
     .checked = "*.example.com, *.api.example.com, dns:*.x.org", .expected = "no wildcards"},
    {"wildcard_forbidden", .cn = "*example.com", .sans_set = 1,
     .sans = {"DNS:a*.example.com", "IP:*.1"}, .nsans = 2, .passed = 1,
     .msg = "Certificate does not contain wildcard domains", .checked = "no wildcards",
     .expected = "no wildcards"},
    /* issuer_allowed / _forbidden: case-insensitive substrings; empty list passes */
    {"issuer_allowed", .passed = 1, .msg = "No allowed issuers specified (all allowed)",
     .checked = LE_ISSUER, .expected = "any"},
    {"issuer_allowed", .has_list = 1, .list = {"DigiCert", "let's encrypt"}, .nlist = 2,
     .passed = 1, .msg = "Issuer matches allowed pattern: let's encrypt", .checked = LE_ISSUER,
     .expected = "contains one of ['DigiCert', \"let's encrypt\"]"},
    {"issuer_allowed", .has_list = 1, .list = {"DigiCert"}, .nlist = 1,
     .msg = "Issuer '" LE_ISSUER "...' not in allowed list", .checked = LE_ISSUER,
     .expected = "contains one of ['DigiCert']"},
    {"issuer_forbidden", .passed = 1, .msg = "No forbidden issuers specified", .checked = LE_ISSUER,
     .expected = "any"},
    {"issuer_forbidden", .has_list = 1, .list = {"ENCRYPT"}, .nlist = 1,
     .msg = "Issuer matches forbidden pattern: ENCRYPT", .checked = LE_ISSUER,
     .expected = "not contains ['ENCRYPT']"},
    {"issuer_forbidden", .has_list = 1, .list = {"DigiCert"}, .nlist = 1, .passed = 1,
     .msg = "Issuer is not in forbidden list", .checked = LE_ISSUER,
     .expected = "not contains ['DigiCert']"},
    /* anything else fails */
    {"rot13", .msg = "Unknown policy type: rot13", .checked = "", .expected = ""},
};

static void facts_for(const struct tcase *t, struct dom_cert_facts *f)
{
	static const char *const one_san[] = {"DNS:www.example.com"};

	memset(f, 0, sizeof(*f));
	f->common_name = t->cn ? t->cn : "www.example.com";
	f->issuer = t->issuer ? t->issuer : LE_ISSUER;
	f->algorithm = t->alg ? t->alg : "rsa";
	f->issuer_chain = t->chain ? t->chain : "";
	f->has_key_size = t->key != -1;
	f->key_size = t->key > 0 ? t->key : 2048;
	f->valid_from = NOW + (t->from || t->to ? t->from : -10 * DAY);
	f->valid_to = NOW + (t->from || t->to ? t->to : 80 * DAY + HOUR);
	f->sans = t->sans_set ? t->sans : one_san;
	f->nsans = t->sans_set ? t->nsans : 1;
}

static void test_every_type(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *t = &cases[i];
		struct dom_policy_params p = {t->has_num, t->num, t->has_list, t->list, t->nlist};
		struct dom_cert_facts f;
		struct dom_check_outcome o;

		facts_for(t, &f);
		dom_compliance_evaluate(t->type, &p, &f, NOW, &o);
		if (o.passed != t->passed || strcmp(o.message, t->msg) ||
		    strcmp(o.checked_value, t->checked) || strcmp(o.expected_value, t->expected))
			fail_msg("case %zu (%s): got %d '%s' / '%s' / '%s'", i, t->type, o.passed,
				 o.message, o.checked_value, o.expected_value);
	}
}

/* Each type passes at least once and fails at least once in the table. */
static void test_table_covers_every_type(void **state)
{
	(void)state;
	for (size_t k = 0; dom_policy_types[k]; k++) {
		int pass = 0, fail = 0;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (!strcmp(cases[i].type, dom_policy_types[k]))
				cases[i].passed ? pass++ : fail++;
		if (!pass || !fail)
			fail_msg("%s: %d pass / %d fail cases", dom_policy_types[k], pass, fail);
	}
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* checked/expected values are cut to 255 CHARACTERS (2-byte é here), never mid-character. */
static void test_values_cut_by_characters(void **state)
{
	char issuer[300 * 2 + 1] = "";
	const char *list[1];
	struct dom_cert_facts f;
	struct dom_check_outcome o;
	struct dom_policy_params none = {0}, pl = {0, 0, 1, list, 1};
	struct tcase t = {.type = "issuer_forbidden"};

	(void)state;
	for (int i = 0; i < 300; i++)
		strcat(issuer, "\xc3\xa9");
	t.issuer = issuer;
	facts_for(&t, &f);
	dom_compliance_evaluate("issuer_forbidden", &none, &f, NOW, &o);
	assert_int_equal(utf8_chars(o.checked_value), DOM_COMPLIANCE_VALUE_MAX);
	assert_int_equal(strlen(o.checked_value), 2 * DOM_COMPLIANCE_VALUE_MAX);
	list[0] = "x";
	dom_compliance_evaluate("issuer_allowed", &pl, &f, NOW, &o);
	assert_int_equal(o.passed, 0);
	assert_int_equal(utf8_chars(o.checked_value), 100);
	assert_int_equal(utf8_chars(o.message),
			 strlen("Issuer '") + 50 + strlen("...' not in allowed list"));
}

static void test_scores(void **state)
{
	(void)state;
	assert_true(dom_compliance_score(4, 5, 1, 0) == 80.0);
	assert_true(dom_compliance_score(2, 3, 1, 0) == 66.7);
	assert_true(dom_compliance_score(2, 3, 2, 100) == 66.67);
	assert_true(dom_compliance_score(1, 3, 2, 100) == 33.33);
	assert_true(dom_compliance_score(1, 16, 1, 0) == 6.3); /* half up */
	assert_true(dom_compliance_score(5, 5, 1, 0) == 100.0);
	assert_true(dom_compliance_score(0, 7, 2, 100) == 0.0);
	assert_true(dom_compliance_score(0, 0, 1, 0) == 0.0);
	assert_true(dom_compliance_score(0, 0, 2, 100) == 100.0);
}

/* ---- database ---- */

static int setup(void **state) { return dom_fx_setup(state, NOW); }

static int teardown(void **state) { return dom_fx_teardown(state); }

/* "NULL" for 0, else the number. */
static const char *sql_id(int64_t id, char *buf, size_t sz)
{
	if (id)
		snprintf(buf, sz, "%lld", (long long)id);
	else
		snprintf(buf, sz, "NULL");
	return buf;
}

static int64_t cert(struct dom_fx *f, int64_t tenant, const char *extra_tags)
{
	static int n;
	char sql[1024], t[24];
	int64_t id;

	n++;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO certificates (common_name, serial_number, serial_key, "
		 "fingerprint_sha256, issuer,"
		 " issuer_key, valid_from, valid_to, key_size, algorithm, sans, tenant_id, "
		 "created, last_updated)"
		 " VALUES ('c%d.example.com', '%02X', '%X', 'FP%d', 'CN=CA', 'cn=ca', %lld, %lld, "
		 "2048, 'rsa',"
		 " '[\"DNS:c%d.example.com\"]', %s, 1, 1)",
		 n, n, n, n, NOW - 10 * DAY, NOW + 15 * DAY + HOUR, n,
		 sql_id(tenant, t, sizeof(t)));
	dom_fx_exec(f, sql);
	id = dom_fx_scalar(f, "SELECT MAX(id) FROM certificates WHERE $1 = $1", 0);
	for (const char *t = extra_tags; t && *t; t++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO tagged_items (tag_id, object_type, object_id) VALUES (%c, "
			 "'netbox_ssl.certificate', %lld)",
			 *t, (long long)id);
		dom_fx_exec(f, sql);
	}
	return id;
}

/* A policy row; tags: digits of tag ids. */
static int64_t policy(struct dom_fx *f, const char *name, const char *type, const char *params,
		      const char *severity, int enabled, int64_t tenant, const char *tags)
{
	char sql[1024], t[24];
	int64_t id;

	snprintf(sql, sizeof(sql),
		 "INSERT INTO compliance_policies (name, policy_type, parameters, severity, "
		 "enabled, tenant_id,"
		 " created, last_updated) VALUES ('%s', '%s', '%s', '%s', %d, %s, 1, 1)",
		 name, type, params, severity, enabled, sql_id(tenant, t, sizeof(t)));
	dom_fx_exec(f, sql);
	id = dom_fx_scalar(f,
			   "SELECT id FROM compliance_policies WHERE id = (SELECT MAX(id) FROM "
			   "compliance_policies) AND $1 = $1",
			   0);
	for (const char *t = tags; t && *t; t++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO compliance_policy_tags (policy_id, tag_id) VALUES (%lld, %c)",
			 (long long)id, *t);
		dom_fx_exec(f, sql);
	}
	return id;
}

static void base_rows(struct dom_fx *f)
{
	dom_fx_exec(
	    f, "INSERT INTO tenants (name, slug, created, last_updated) VALUES ('T1', 't1', 1, "
	       "1), ('T2', 't2', 1, 1);"
	       "INSERT INTO tags (name, slug, created, last_updated) VALUES ('A', 'a', 1, 1), "
	       "('B', 'b', 1, 1);");
}

static int params_check(struct dom_fx *f, const char *type, const char *params)
{
	struct ck_error e;
	int r;

	ck_error_clear(&e);
	r = dom_policy_params_check(&f->ctx, type, params, &e);
	if (r)
		assert_string_equal(e.field, "parameters");
	return r;
}

static void test_parameter_limits(void **state)
{
	struct dom_fx *f = *state;
	char buf[8192];
	size_t o;

	assert_int_equal(params_check(f, "min_key_size", "{}"), 0);
	assert_int_equal(params_check(f, "min_key_size", "{\"min_bits\": 0}"), 0);
	assert_int_equal(params_check(f, "min_key_size", "{\"min_bits\": 1000000}"), 0);
	assert_int_equal(params_check(f, "min_key_size", "{\"min_bits\": 1000001}"), CK_E_INVALID);
	assert_int_equal(params_check(f, "min_key_size", "{\"min_bits\": -1}"), CK_E_INVALID);
	assert_int_equal(params_check(f, "min_key_size", "{\"min_bits\": \"2048\"}"), CK_E_INVALID);
	assert_int_equal(params_check(f, "min_key_size", "{\"min_bits\": 2048.5}"), CK_E_INVALID);
	assert_int_equal(params_check(f, "expiry_warning", "{\"warning_days\": null}"),
			 CK_E_INVALID);
	assert_int_equal(params_check(f, "expiry_warning", "{\"min_bits\": \"ignored\"}"), 0);
	assert_int_equal(params_check(f, "chain_required", "{\"anything\": [1]}"), 0);
	assert_int_equal(params_check(f, "algorithm_allowed", "{\"algorithms\": \"rsa\"}"),
			 CK_E_INVALID);
	assert_int_equal(params_check(f, "algorithm_allowed", "{\"algorithms\": [\"rsa\", 1]}"),
			 CK_E_INVALID);
	assert_int_equal(params_check(f, "issuer_allowed", "{\"issuers\": []}"), 0);
	/* 100 entries pass, 101 fail */
	for (int n = 100; n <= 101; n++) {
		o = (size_t)snprintf(buf, sizeof(buf), "{\"issuers\": [");
		for (int i = 0; i < n; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s\"i%d\"", i ? "," : "",
					      i);
		snprintf(buf + o, sizeof(buf) - o, "]}");
		assert_int_equal(params_check(f, "issuer_forbidden", buf),
				 n == 100 ? 0 : CK_E_INVALID);
	}
	/* an entry of 255 characters passes, 256 fails (characters, not bytes) */
	for (int n = 255; n <= 256; n++) {
		o = (size_t)snprintf(buf, sizeof(buf), "{\"algorithms\": [\"");
		for (int i = 0; i < n; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\xc3\xa9");
		snprintf(buf + o, sizeof(buf) - o, "\"]}");
		assert_int_equal(params_check(f, "algorithm_forbidden", buf),
				 n == 255 ? 0 : CK_E_INVALID);
	}
}

static const char *const policy_names[] = {"name", "policy_type", "parameters", "tag_filter", NULL};

static int before_write(struct dom_fx *f, const char *type, const char *params, const char *tags,
			int64_t old_id, struct ck_error *e)
{
	struct dom_record rec;
	int r;

	assert_int_equal(dom_record_init(&rec, policy_names, 4), 0);
	if (type)
		dom_record_set_text(&rec, "policy_type", type, strlen(type));
	if (params)
		dom_record_set_text(&rec, "parameters", params, strlen(params));
	if (tags)
		dom_record_set_text(&rec, "tag_filter", tags, strlen(tags));
	ck_error_clear(e);
	r = dom_policy_before_write(&f->ctx, &rec, old_id, e);
	if (!r && tags && old_id)
		r = dom_policy_after_write(&f->ctx, &rec, old_id, old_id, e);
	dom_record_release(&rec);
	return r;
}

static void test_policy_hooks(void **state)
{
	struct dom_fx *f = *state;
	struct ck_error e;
	struct strbuf sb;
	int64_t p;

	base_rows(f);
	p = policy(f, "keys", "min_key_size", "{\"min_bits\": 4096}", "critical", 1, 0, NULL);
	assert_int_equal(before_write(f, "min_key_size", "{\"min_bits\": \"x\"}", NULL, 0, &e),
			 CK_E_INVALID);
	/* PATCH of the type alone re-checks the STORED parameters against the new type */
	assert_int_equal(before_write(f, "max_validity_days", NULL, NULL, p, &e), 0);
	dom_fx_exec(f, "UPDATE compliance_policies SET parameters = '{\"max_days\": \"x\"}'");
	assert_int_equal(before_write(f, "max_validity_days", NULL, NULL, p, &e), CK_E_INVALID);
	assert_int_equal(before_write(f, NULL, "{\"max_days\": 90}", NULL, p, &e), 0);
	/* tag_filter: unknown tag refused; replacing the set */
	assert_int_equal(before_write(f, NULL, NULL, "[1, 99]", p, &e), CK_E_INVALID);
	assert_string_equal(e.field, "tag_filter");
	assert_string_equal(e.msg, "Invalid pk \"99\" - object does not exist.");
	assert_int_equal(before_write(f, NULL, NULL, "[2, 1, 2]", p, &e), 0);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM compliance_policy_tags WHERE policy_id = $1", p),
	    2);
	assert_int_equal(before_write(f, NULL, NULL, "[]", p, &e), 0);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM compliance_policy_tags WHERE policy_id = $1", p),
	    0);
	/* 100 tags pass, 101 fail */
	dom_fx_exec(
	    f, "WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < 101)"
	       " INSERT INTO tags (name, slug, created, last_updated) SELECT 'x' || i, 'x' || i, "
	       "1, 1 FROM n");
	strbuf_init(&sb, 4096);
	strbuf_addch(&sb, '[');
	for (int i = 1; i <= 100; i++)
		strbuf_addf(&sb, "%s%d", i > 1 ? "," : "", i);
	strbuf_addch(&sb, ']');
	assert_int_equal(before_write(f, NULL, NULL, strbuf_str(&sb), p, &e), 0);
	strbuf_truncate(&sb, sb.len - 1);
	strbuf_adds(&sb, ",101]");
	assert_int_equal(before_write(f, NULL, NULL, strbuf_str(&sb), p, &e), CK_E_INVALID);
	assert_string_equal(e.field, "tag_filter");
	strbuf_release(&sb);
}

static int run(struct dom_fx *f, int64_t cert_id, const int64_t *ids, size_t nids, int scoped,
	       struct dom_compliance_run *out)
{
	struct dom_policy_set set = {0};
	struct ck_error e;
	int r;

	ck_error_clear(&e);
	r = dom_policy_set_load(&f->ctx, ids, nids, &set, &e);
	if (!r)
		r = dom_compliance_run(&f->ctx, cert_id, &set, scoped, out, &e);
	dom_policy_set_release(&set);
	return r;
}

static void test_applicability(void **state)
{
	struct dom_fx *f = *state;
	struct dom_compliance_run out;
	int64_t c, pg, pt1, pt2, pa, pab, poff, ids[2];

	base_rows(f);
	c = cert(f, 1, "1"); /* tenant T1, tag A */
	pg = policy(f, "global", "min_key_size", "{}", "critical", 1, 0, NULL);
	pt1 = policy(f, "t1", "expiry_warning", "{}", "warning", 1, 1, NULL);
	pt2 = policy(f, "t2", "min_key_size", "{}", "warning", 1, 2, NULL);
	pa = policy(f, "tag a", "san_required", "{}", "info", 1, 0, "1");
	pab = policy(f, "tags a+b", "san_required", "{}", "info", 1, 0, "12");
	poff = policy(f, "off", "min_key_size", "{}", "info", 0, 0, NULL);
	(void)pab;
	assert_int_equal(run(f, c, NULL, 0, 1, &out), 0);
	assert_int_equal(out.total, 3);	 /* global, T1, tag A */
	assert_int_equal(out.passed, 2); /* expiry in 15 days fails */
	assert_int_equal(out.failed, 1);
	assert_string_equal(out.common_name, "c1.example.com");
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM compliance_checks WHERE certificate_id = $1", c),
	    3);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT result = 'fail' FROM compliance_checks WHERE policy_id = $1",
			  pt1),
	    1);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM compliance_checks WHERE policy_id = $1", pa), 1);
	dom_compliance_run_release(&out);
	/* explicit ids: enabled ones only, scope not applied */
	ids[0] = pt2;
	ids[1] = poff;
	assert_int_equal(run(f, c, ids, 2, 0, &out), 0);
	assert_int_equal(out.total, 1);
	assert_int_equal(
	    out.check_ids[0],
	    dom_fx_scalar(f, "SELECT id FROM compliance_checks WHERE policy_id = $1", pt2));
	dom_compliance_run_release(&out);
	/* a certificate without tenant: only global policies (and tag ones when tagged) */
	c = cert(f, 0, NULL);
	assert_int_equal(run(f, c, NULL, 0, 1, &out), 0);
	assert_int_equal(out.total, 1);
	assert_int_equal(out.check_ids[0],
			 dom_fx_scalar(f,
				       "SELECT id FROM compliance_checks WHERE policy_id = $1 AND"
				       " certificate_id = (SELECT MAX(id) FROM certificates)",
				       pg));
	dom_compliance_run_release(&out);
	assert_int_equal(run(f, 999, NULL, 0, 1, &out), CK_E_NOTFOUND);
}

/* One row per (certificate, policy); a rerun updates it and refreshes checked_at. */
static void test_upsert_refreshes_checked_at(void **state)
{
	struct dom_fx *f = *state;
	struct dom_compliance_run a, b;
	int64_t c, p;

	base_rows(f);
	c = cert(f, 0, NULL);
	p = policy(f, "exp", "expiry_warning", "{\"warning_days\": 10}", "warning", 1, 0, NULL);
	assert_int_equal(run(f, c, NULL, 0, 1, &a), 0);
	assert_int_equal(a.passed, 1);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT checked_at FROM compliance_checks WHERE policy_id = $1", p),
	    NOW);
	f->ctx.now = NOW + 6 * DAY; /* now 9 days left: fails */
	assert_int_equal(run(f, c, NULL, 0, 1, &b), 0);
	assert_int_equal(b.failed, 1);
	assert_int_equal(a.check_ids[0], b.check_ids[0]);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM compliance_checks WHERE policy_id = $1", p), 1);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT checked_at FROM compliance_checks WHERE policy_id = $1", p),
	    NOW + 6 * DAY);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT created FROM compliance_checks WHERE policy_id = $1", p), NOW);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT result = 'fail' FROM compliance_checks WHERE policy_id = $1",
			  p),
	    1);
	dom_compliance_run_release(&a);
	dom_compliance_run_release(&b);
}

static void test_report_and_snapshots(void **state)
{
	struct dom_fx *f = *state;
	struct dom_compliance_report rep;
	struct dom_compliance_run out;
	struct ck_error e;
	int64_t c1, c2, s1, s2;
	int n = 0;

	base_rows(f);
	ck_error_clear(&e);
	assert_int_equal(dom_compliance_report(&f->ctx, 0, &rep, &e), 0);
	assert_true(rep.score == 100.0); /* no checks */
	assert_int_equal(rep.total_checks, 0);
	assert_int_equal(rep.snapshot_date, NOW - 8 * HOUR);
	c1 = cert(f, 1, NULL);
	c2 = cert(f, 2, NULL);
	dom_fx_exec(f, "UPDATE certificates SET status = 'archived' WHERE id = 2");
	policy(f, "keys", "min_key_size", "{\"min_bits\": 4096}", "critical", 1, 0, NULL);
	policy(f, "exp", "expiry_warning", "{}", "warning", 1, 0, NULL);
	policy(f, "exp2", "expiry_warning", "{\"warning_days\": 1}", "warning", 1, 0, NULL);
	assert_int_equal(run(f, c1, NULL, 0, 1, &out), 0);
	dom_compliance_run_release(&out);
	assert_int_equal(run(f, c2, NULL, 0, 1, &out), 0);
	dom_compliance_run_release(&out);
	assert_int_equal(dom_compliance_report(&f->ctx, 0, &rep, &e), 0);
	assert_int_equal(rep.total_certificates, 1); /* active only */
	assert_int_equal(rep.total_checks, 6);
	assert_int_equal(rep.passed, 2);
	assert_int_equal(rep.failed, 4);
	assert_true(rep.score == 33.33);
	assert_int_equal(rep.nseverities, 2);
	assert_string_equal(rep.severities[0].name, "critical");
	assert_int_equal(rep.severities[0].count, 2);
	assert_string_equal(rep.severities[1].name, "warning");
	assert_int_equal(rep.ntypes, 2);
	assert_int_equal(rep.types[0].count, 2);
	assert_int_equal(dom_compliance_report(&f->ctx, 1, &rep, &e), 0);
	assert_int_equal(rep.total_certificates, 1);
	assert_int_equal(rep.total_checks, 3);
	assert_true(rep.score == 33.33);
	assert_int_equal(dom_compliance_report(&f->ctx, 2, &rep, &e), 0);
	assert_int_equal(rep.total_certificates, 0);
	/* snapshots: one per (tenant, day), refreshed on the same day */
	assert_int_equal(store_tx_begin(f->ctx.conn, &e), 0);
	assert_int_equal(dom_compliance_snapshot(&f->ctx, 0, &s1, &e), 0);
	assert_int_equal(dom_compliance_snapshot(&f->ctx, 0, &s2, &e), 0);
	assert_int_equal(s1, s2);
	assert_int_equal(dom_compliance_snapshot(&f->ctx, 1, &s2, &e), 0);
	assert_int_not_equal(s1, s2);
	assert_int_equal(store_tx_commit(f->ctx.conn, &e), 0);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM compliance_trend_snapshots WHERE $1 = $1", 0),
	    2);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT passed_checks FROM compliance_trend_snapshots WHERE id = $1",
			  s1),
	    2);
	assert_int_equal(
	    dom_fx_scalar(f,
			  "SELECT json_extract(details, '$.severity_breakdown[0].count') FROM"
			  " compliance_trend_snapshots WHERE id = $1",
			  s1),
	    2);
	f->ctx.now = NOW + DAY;
	assert_int_equal(dom_compliance_snapshot_all(&f->ctx, &n, &e), 0);
	assert_int_equal(n, 3); /* global, T1, T2 */
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM compliance_trend_snapshots WHERE $1 = $1", 0),
	    5);
	assert_int_equal(dom_compliance_snapshot_all(&f->ctx, &n, &e), 0);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM compliance_trend_snapshots WHERE $1 = $1", 0),
	    5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_type),
	    cmocka_unit_test(test_table_covers_every_type),
	    cmocka_unit_test(test_values_cut_by_characters),
	    cmocka_unit_test(test_scores),
	    cmocka_unit_test_setup_teardown(test_parameter_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_policy_hooks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_applicability, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upsert_refreshes_checked_at, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_and_snapshots, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
