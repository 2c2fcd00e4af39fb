/* domain/compliance — see compliance.h. In order: the pure evaluation of the ten policy
 * types and scoring; policy parameters and tag_filter (write hooks, loading); runs (upsert
 * per certificate and policy); report and trend snapshots. Data access is store/compliance;
 * the API's JSON is written by api/ (this module returns structs). */
#include "domain/compliance.h"
#include "core/strbuf.h"
#include "domain/certificate.h"
#include "store/compliance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const dom_policy_types[] = {"min_key_size",
					"max_validity_days",
					"algorithm_allowed",
					"algorithm_forbidden",
					"expiry_warning",
					"chain_required",
					"san_required",
					"wildcard_forbidden",
					"issuer_allowed",
					"issuer_forbidden",
					NULL};
const char *const dom_severities[] = {"critical", "warning", "info", NULL};
const char *const dom_check_results[] = {"pass", "fail", "error", "skipped", NULL};

#define CERT_OBJECT_TYPE "netbox_ssl.certificate" /* tagged_items.object_type */
#define EVAL_CAP ((size_t)1 << 20)		  /* bytes of one message before it is cut */

struct eval {
	const struct dom_policy_params *p;
	const struct dom_cert_facts *c;
	int64_t now;
	struct strbuf msg, checked, expected;
};

/* Copies at most `chars` UTF-8 characters of src into dst (dstsz >= chars * 4 + 1). */
static void copy_chars(char *dst, size_t dstsz, const char *src, size_t chars)
{
	size_t o = 0, n = 0;

	for (; src[o] && o + 1 < dstsz; o++) {
		if (((unsigned char)src[o] & 0xC0) != 0x80 && n++ == chars)
			break;
		dst[o] = src[o];
	}
	dst[o] = '\0';
}

/* The first `chars` characters of s, into a strbuf. */
static void add_chars(struct strbuf *sb, const char *s, size_t chars)
{
	char buf[DOM_COMPLIANCE_ENTRY_MAX * 4 + 1];

	copy_chars(buf, sizeof(buf), s ? s : "",
		   chars < DOM_COMPLIANCE_ENTRY_MAX ? chars : DOM_COMPLIANCE_ENTRY_MAX);
	strbuf_adds(sb, buf);
}

/* Python's repr() of a str: single quotes unless the text has ' and no ". */
static void add_repr(struct strbuf *sb, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';

	strbuf_addch(sb, q);
	for (; *s; s++) {
		if (*s == q || *s == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, q);
}

/* Python's repr() of a list of str: ['a', 'b']. */
static void add_list(struct strbuf *sb, const char *const *v, size_t n)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		add_repr(sb, v[i]);
	}
	strbuf_addch(sb, ']');
}

static int64_t num_or(const struct eval *e, int64_t def)
{
	return e->p && e->p->has_num ? e->p->num : def;
}

static int min_key_size(struct eval *e)
{
	long long min = num_or(e, 2048), size = e->c->key_size;

	strbuf_addf(&e->expected, ">= %lld bits", min);
	if (!e->c->has_key_size) {
		strbuf_adds(&e->msg, "Certificate key size is not set");
		strbuf_adds(&e->checked, "None");
		return 0;
	}
	strbuf_addf(&e->checked, "%lld bits", size);
	if (size >= min) {
		strbuf_addf(&e->msg, "Key size %lld bits meets minimum requirement of %lld bits",
			    size, min);
		return 1;
	}
	strbuf_addf(&e->msg, "Key size %lld bits is below minimum requirement of %lld bits", size,
		    min);
	return 0;
}

/* Whole days of a span, rounded down like Python's timedelta.days. */
static int64_t floor_days(int64_t seconds)
{
	return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

static int max_validity_days(struct eval *e)
{
	long long max = num_or(e, 397), days = floor_days(e->c->valid_to - e->c->valid_from);

	strbuf_addf(&e->checked, "%lld days", days);
	strbuf_addf(&e->expected, "<= %lld days", max);
	if (days <= max) {
		strbuf_addf(&e->msg, "Validity period of %lld days is within limit of %lld days",
			    days, max);
		return 1;
	}
	strbuf_addf(&e->msg, "Validity period of %lld days exceeds maximum of %lld days", days,
		    max);
	return 0;
}

static const char *const default_algorithms[] = {"rsa", "ecdsa", "ed25519"};

/* The list parameter, or the default when absent. */
static void list_or(const struct eval *e, const char *const *def, size_t ndef,
		    const char *const **ret, size_t *ret_n)
{
	int given = e->p && e->p->has_list;

	*ret = given ? e->p->list : def;
	*ret_n = given ? e->p->nlist : ndef;
}

static int in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, v[i]))
			return 1;
	return 0;
}

/* The certificate's algorithm in lower case (ASCII). */
static void algorithm_lower(const struct eval *e, char *buf, size_t sz)
{
	size_t i = 0;

	for (const char *a = e->c->algorithm ? e->c->algorithm : ""; *a && i + 1 < sz; a++)
		buf[i++] = (char)(*a >= 'A' && *a <= 'Z' ? *a + 32 : *a);
	buf[i] = '\0';
}

static int algorithm_allowed(struct eval *e)
{
	const char *const *v;
	size_t n;
	char alg[64];
	int ok;

	list_or(e, default_algorithms, 3, &v, &n);
	algorithm_lower(e, alg, sizeof(alg));
	ok = in_list(alg, v, n);
	strbuf_addf(&e->msg, "Algorithm '%s' is %sin allowed list: ", alg, ok ? "" : "not ");
	add_list(&e->msg, v, n);
	strbuf_adds(&e->checked, alg);
	strbuf_adds(&e->expected, "one of ");
	add_list(&e->expected, v, n);
	return ok;
}

static int algorithm_forbidden(struct eval *e)
{
	const char *const *v;
	size_t n;
	char alg[64];
	int bad;

	list_or(e, NULL, 0, &v, &n);
	algorithm_lower(e, alg, sizeof(alg));
	bad = in_list(alg, v, n);
	if (bad) {
		strbuf_addf(&e->msg, "Algorithm '%s' is in forbidden list: ", alg);
		add_list(&e->msg, v, n);
	} else {
		strbuf_addf(&e->msg, "Algorithm '%s' is not in forbidden list", alg);
	}
	strbuf_adds(&e->checked, alg);
	strbuf_adds(&e->expected, "not one of ");
	add_list(&e->expected, v, n);
	return !bad;
}

static int expiry_warning(struct eval *e)
{
	long long warn = num_or(e, 30), days = dom_cert_days_remaining(e->c->valid_to, e->now);

	if (e->c->valid_to < e->now) { /* expired, even earlier today (days_remaining 0) */
		strbuf_addf(&e->msg, "Certificate expired %lld days ago", -days);
		strbuf_addf(&e->checked, "expired %lld days", -days);
		strbuf_addf(&e->expected, "> %lld days remaining", warn);
		return 0;
	}
	strbuf_addf(&e->checked, "%lld days", days);
	strbuf_addf(&e->expected, "> %lld days", warn);
	if (days > warn) {
		strbuf_addf(&e->msg, "Certificate has %lld days remaining (threshold: %lld)", days,
			    warn);
		return 1;
	}
	strbuf_addf(&e->msg, "Certificate expires in %lld days (threshold: %lld)", days, warn);
	return 0;
}

static int blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != '\f' && *s != '\v')
			return 0;
	return 1;
}

static int chain_required(struct eval *e)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	const char *chain = e->c->issuer_chain;
	int count = 0;

	strbuf_adds(&e->expected, "chain present");
	if (blank(chain)) {
		strbuf_adds(&e->msg, "Certificate chain is missing");
		strbuf_adds(&e->checked, "no chain");
		return 0;
	}
	for (const char *p = strstr(chain, begin); p; p = strstr(p + 1, begin))
		count++;
	strbuf_addf(&e->msg, "Certificate chain is present with %d certificate(s)", count);
	strbuf_addf(&e->checked, "%d certificates", count);
	return 1;
}

static int san_required(struct eval *e)
{
	long long min = num_or(e, 1), n = (long long)e->c->nsans;

	strbuf_addf(&e->checked, "%lld SANs", n);
	strbuf_addf(&e->expected, ">= %lld SANs", min);
	if (n >= min) {
		strbuf_addf(&e->msg, "Certificate has %lld SAN(s) (minimum: %lld)", n, min);
		return 1;
	}
	strbuf_addf(&e->msg, "Certificate has %lld SAN(s), minimum required: %lld", n, min);
	return 0;
}

/* A wildcard name: "*." after an optional "DNS:" prefix (reference [QUIRK] fixed: the
 * stored SANs carry the prefix, so the reference never saw a wildcard SAN). */
static int is_wildcard(const char *name)
{
	if (!strncasecmp(name, "DNS:", 4))
		name += 4;
	return !strncmp(name, "*.", 2);
}

static void add_wildcard(struct eval *e, const char *name, int *n)
{
	if (*n)
		strbuf_adds(&e->checked, ", ");
	strbuf_adds(&e->checked, name);
	strbuf_adds(&e->msg, *n ? ", " : "Certificate contains wildcard domain(s): [");
	add_repr(&e->msg, name);
	(*n)++;
}

static int wildcard_forbidden(struct eval *e)
{
	const char *cn = e->c->common_name ? e->c->common_name : "";
	int n = 0;

	strbuf_adds(&e->expected, "no wildcards");
	if (!strncmp(cn, "*.", 2))
		add_wildcard(e, cn, &n);
	for (size_t i = 0; i < e->c->nsans; i++)
		if (is_wildcard(e->c->sans[i]))
			add_wildcard(e, e->c->sans[i], &n);
	if (n) {
		strbuf_addch(&e->msg, ']');
		return 0;
	}
	strbuf_adds(&e->msg, "Certificate does not contain wildcard domains");
	strbuf_adds(&e->checked, "no wildcards");
	return 1;
}

/* The first list entry that is a case-insensitive substring of the issuer, or NULL. */
static const char *issuer_match(const struct eval *e, const char *const *v, size_t n)
{
	const char *issuer = e->c->issuer ? e->c->issuer : "";

	for (size_t i = 0; i < n; i++)
		if (strcasestr(issuer, v[i]))
			return v[i];
	return NULL;
}

/* Shared by issuer_allowed (want_match 1) and issuer_forbidden (0). */
static int issuer_rule(struct eval *e, int want_match)
{
	const char *issuer = e->c->issuer ? e->c->issuer : "";
	const char *const *v;
	const char *hit;
	size_t n;

	list_or(e, NULL, 0, &v, &n);
	if (!n) {
		strbuf_adds(&e->msg, want_match ? "No allowed issuers specified (all allowed)"
						: "No forbidden issuers specified");
		strbuf_adds(&e->checked, issuer);
		strbuf_adds(&e->expected, "any");
		return 1;
	}
	hit = issuer_match(e, v, n);
	add_chars(&e->checked, issuer, 100);
	strbuf_adds(&e->expected, want_match ? "contains one of " : "not contains ");
	add_list(&e->expected, v, n);
	if (want_match && hit) {
		strbuf_addf(&e->msg, "Issuer matches allowed pattern: %s", hit);
	} else if (want_match) {
		strbuf_adds(&e->msg, "Issuer '");
		add_chars(&e->msg, issuer, 50);
		strbuf_adds(&e->msg, "...' not in allowed list");
	} else if (hit) {
		strbuf_addf(&e->msg, "Issuer matches forbidden pattern: %s", hit);
	} else {
		strbuf_adds(&e->msg, "Issuer is not in forbidden list");
	}
	return want_match ? hit != NULL : hit == NULL;
}

static int issuer_allowed(struct eval *e) { return issuer_rule(e, 1); }
static int issuer_forbidden(struct eval *e) { return issuer_rule(e, 0); }

static int (*const checkers[])(struct eval *e) = {
    min_key_size,   max_validity_days, algorithm_allowed,  algorithm_forbidden, expiry_warning,
    chain_required, san_required,      wildcard_forbidden, issuer_allowed,	issuer_forbidden,
};

void dom_compliance_evaluate(const char *type, const struct dom_policy_params *p,
			     const struct dom_cert_facts *c, int64_t now,
			     struct dom_check_outcome *out)
{
	struct eval e = {.p = p, .c = c, .now = now};
	int passed = 0, known = 0;

	strbuf_init(&e.msg, EVAL_CAP);
	strbuf_init(&e.checked, EVAL_CAP);
	strbuf_init(&e.expected, EVAL_CAP);
	for (size_t i = 0; type && dom_policy_types[i] && !known; i++)
		if (!strcmp(type, dom_policy_types[i])) {
			known = 1;
			passed = checkers[i](&e);
		}
	if (!known)
		strbuf_addf(&e.msg, "Unknown policy type: %.64s", type ? type : "");
	out->passed = passed;
	copy_chars(out->message, sizeof(out->message), strbuf_str(&e.msg), DOM_COMPLIANCE_MSG_MAX);
	copy_chars(out->checked_value, sizeof(out->checked_value), strbuf_str(&e.checked),
		   DOM_COMPLIANCE_VALUE_MAX);
	copy_chars(out->expected_value, sizeof(out->expected_value), strbuf_str(&e.expected),
		   DOM_COMPLIANCE_VALUE_MAX);
	strbuf_release(&e.msg);
	strbuf_release(&e.checked);
	strbuf_release(&e.expected);
}

double dom_compliance_score(int64_t passed, int64_t total, int decimals, double empty)
{
	int64_t scale = decimals >= 2 ? 100 : 10;
	int64_t units;

	if (total <= 0)
		return empty;
	/* half-up in integers: round(passed * 100 * scale / total) */
	units = (2 * passed * 100 * scale + total) / (2 * total);
	return (double)units / (double)scale;
}

/* ---- policy parameters and tag_filter ---- */

/* The one parameter each type reads: an integer (num_key) or a list of strings (list_key). */
static const struct param_kind {
	const char *type, *num_key, *list_key;
} param_kinds[] = {
    {"min_key_size", "min_bits", NULL},	       {"max_validity_days", "max_days", NULL},
    {"algorithm_allowed", NULL, "algorithms"}, {"algorithm_forbidden", NULL, "algorithms"},
    {"expiry_warning", "warning_days", NULL},  {"chain_required", NULL, NULL},
    {"san_required", "min_count", NULL},       {"wildcard_forbidden", NULL, NULL},
    {"issuer_allowed", NULL, "issuers"},       {"issuer_forbidden", NULL, "issuers"},
};

static const struct param_kind *param_kind(const char *type)
{
	for (size_t i = 0; i < sizeof(param_kinds) / sizeof(param_kinds[0]); i++)
		if (!strcmp(param_kinds[i].type, type))
			return &param_kinds[i];
	return NULL;
}

static int check_int_param(const struct dom_ctx *ctx, const char *params, const char *key,
			   struct ck_error *err)
{
	char type[16];
	int64_t v = 0;
	int r = store_json_member(ctx->conn, params, key, type, sizeof(type), &v, err);

	if (r || !type[0])
		return r;
	if (strcmp(type, "integer") || v < 0 || v > DOM_COMPLIANCE_INT_MAX)
		return ck_error_set(err, CK_E_INVALID, "parameters",
				    "\"%s\" must be an integer from 0 to %d.", key,
				    DOM_COMPLIANCE_INT_MAX);
	return 0;
}

static int check_list_param(const struct dom_ctx *ctx, const char *params, const char *key,
			    struct ck_error *err)
{
	char type[16];
	int64_t v, n = 0, bad = 0;
	int r = store_json_member(ctx->conn, params, key, type, sizeof(type), &v, err);

	if (r || !type[0])
		return r;
	if (!strcmp(type, "array"))
		r = store_json_list_stats(ctx->conn, params, key, DOM_COMPLIANCE_ENTRY_MAX, &n,
					  &bad, err);
	if (r)
		return r;
	if (strcmp(type, "array") || n > DOM_COMPLIANCE_LIST_MAX || bad)
		return ck_error_set(
		    err, CK_E_INVALID, "parameters",
		    "\"%s\" must be a list of at most %d strings of at most %d characters.", key,
		    DOM_COMPLIANCE_LIST_MAX, DOM_COMPLIANCE_ENTRY_MAX);
	return 0;
}

int dom_policy_params_check(const struct dom_ctx *ctx, const char *type, const char *params,
			    struct ck_error *err)
{
	const struct param_kind *k = param_kind(type ? type : "");

	if (!k)
		return 0; /* the type itself is checked as a choice by the caller */
	if (k->num_key)
		return check_int_param(ctx, params, k->num_key, err);
	if (k->list_key)
		return check_list_param(ctx, params, k->list_key, err);
	return 0;
}

/* tag_filter (JSON array of integers): at most DOM_COMPLIANCE_TAGS_MAX existing tag ids. */
static int check_tag_filter(const struct dom_ctx *ctx, const char *ids, struct ck_error *err)
{
	int64_t n = 0, missing = 0;
	int has_missing = 0;
	int r = store_tag_ids_check(ctx->conn, ids, &n, &missing, &has_missing, err);

	if (r)
		return r;
	if (n > DOM_COMPLIANCE_TAGS_MAX)
		return ck_error_set(err, CK_E_INVALID, "tag_filter",
				    "Ensure this field has no more than %d elements.",
				    DOM_COMPLIANCE_TAGS_MAX);
	if (has_missing)
		return ck_error_set(err, CK_E_INVALID, "tag_filter",
				    "Invalid pk \"%lld\" - object does not exist.",
				    (long long)missing);
	return 0;
}

int dom_policy_before_write(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
			    struct ck_error *err)
{
	int has_type = dom_record_has(rec, "policy_type");
	int has_params = dom_record_has(rec, "parameters");
	char type[32] = "";
	char *stored = NULL;
	int r = 0;

	if (dom_record_has(rec, "name") && blank(dom_record_text(rec, "name")))
		return ck_error_set(err, CK_E_INVALID, "name", "This field may not be blank.");
	if (old_id && (!has_type || !has_params))
		r = store_policy_get(ctx->conn, old_id, type, sizeof(type), &stored, err);
	if (has_type)
		snprintf(type, sizeof(type), "%s", dom_record_text(rec, "policy_type"));
	if (!r && (has_type || has_params))
		r = dom_policy_params_check(ctx, type,
					    has_params ? dom_record_text(rec, "parameters")
					    : stored   ? stored
						       : "{}",
					    err);
	if (!r && dom_record_has(rec, "tag_filter"))
		r = check_tag_filter(ctx, dom_record_text(rec, "tag_filter"), err);
	free(stored);
	return r;
}

int dom_policy_after_write(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			   int64_t old_id, struct ck_error *err)
{
	(void)old_id;
	if (!dom_record_has(rec, "tag_filter"))
		return 0;
	return store_policy_tags_replace(ctx->conn, id, dom_record_text(rec, "tag_filter"), err);
}

/* ---- loading policies and certificates ---- */

struct dom_policy {
	int64_t id, tenant_id;
	char type[32];
	char *params_json;
	struct dom_policy_params params;
	char **items; /* owned list parameter */
	int64_t *tags;
	size_t ntags;
};

/* Decodes the parameter of p's type from its JSON (validated when written). */
static int decode_params(const struct dom_ctx *ctx, struct dom_policy *p, struct ck_error *err)
{
	const struct param_kind *k = param_kind(p->type);
	char type[16];
	int64_t v = 0;
	size_t n = 0;
	int r;

	if (!k || (!k->num_key && !k->list_key))
		return 0;
	r = store_json_member(ctx->conn, p->params_json, k->num_key ? k->num_key : k->list_key,
			      type, sizeof(type), &v, err);
	if (r || (k->num_key && strcmp(type, "integer")) || (k->list_key && strcmp(type, "array")))
		return r;
	if (k->num_key) {
		p->params.has_num = 1;
		p->params.num = v;
		return 0;
	}
	r = store_json_text_list(ctx->conn, p->params_json, k->list_key, DOM_COMPLIANCE_LIST_MAX,
				 &p->items, &n, err);
	if (!r) {
		p->params.has_list = 1;
		p->params.list = (const char *const *)p->items;
		p->params.nlist = n;
	}
	return r;
}

void dom_policy_set_release(struct dom_policy_set *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		free(s->v[i].params_json);
		store_texts_free(s->v[i].items, s->v[i].params.nlist);
		free(s->v[i].tags);
	}
	if (s) {
		free(s->v);
		s->v = NULL;
		s->n = 0;
	}
}

struct policy_loader {
	struct dom_policy_set *s;
	size_t cap;
};

/* store_policies_enabled() callback: appends one policy (grown by doubling). */
static int add_policy(void *arg, const struct store_policy_row *row)
{
	struct policy_loader *l = arg;
	struct dom_policy_set *s = l->s;
	struct dom_policy *p, *grown;

	if (s->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		if (!(grown = realloc(s->v, l->cap * sizeof(*grown))))
			return CK_E_NOMEM;
		s->v = grown;
	}
	p = &s->v[s->n];
	memset(p, 0, sizeof(*p));
	if (!(p->params_json = strdup(row->params)))
		return CK_E_NOMEM;
	s->n++;
	p->id = row->id;
	p->tenant_id = row->tenant_id;
	snprintf(p->type, sizeof(p->type), "%s", row->type);
	return 0;
}

static int ids_json(const int64_t *ids, size_t n, struct strbuf *sb)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s%lld", i ? "," : "", (long long)ids[i]);
	strbuf_addch(sb, ']');
	return strbuf_result(sb);
}

int dom_policy_set_load(const struct dom_ctx *ctx, const int64_t *ids, size_t nids,
			struct dom_policy_set *ret, struct ck_error *err)
{
	struct dom_policy_set s = {0};
	struct policy_loader l = {&s, 0};
	struct strbuf sb;
	int r = 0;

	strbuf_init(&sb, 32 * (DOM_COMPLIANCE_IDS_MAX + 1));
	if (nids > DOM_COMPLIANCE_IDS_MAX)
		r = ck_error_set(err, CK_E_TOOBIG, "policy_ids",
				 "Ensure this field has no more than %d elements.",
				 DOM_COMPLIANCE_IDS_MAX);
	if (!r && ids)
		r = ids_json(ids, nids, &sb);
	if (!r)
		r = store_policies_enabled(ctx->conn, ids ? strbuf_str(&sb) : NULL,
					   DOM_COMPLIANCE_POLICIES_MAX + 1, add_policy, &l, err);
	if (!r && s.n > DOM_COMPLIANCE_POLICIES_MAX)
		r = ck_error_set(err, CK_E_TOOBIG, NULL, "More than %d enabled policies.",
				 DOM_COMPLIANCE_POLICIES_MAX);
	for (size_t i = 0; !r && i < s.n; i++) {
		r = decode_params(ctx, &s.v[i], err);
		if (!r)
			r = store_policy_tag_ids(ctx->conn, s.v[i].id, &s.v[i].tags, &s.v[i].ntags,
						 err);
	}
	strbuf_release(&sb);
	if (r)
		dom_policy_set_release(&s);
	else
		*ret = s;
	return r;
}

/* A certificate as the checks and the applicability rule see it. */
struct cert_row {
	struct dom_cert_facts f;
	int64_t tenant_id;
	char *cn, *issuer, *algorithm, *chain;
	char **sans;
	int64_t *tags;
	size_t ntags;
};

static void cert_row_release(struct cert_row *c)
{
	free(c->cn);
	free(c->issuer);
	free(c->algorithm);
	free(c->chain);
	store_texts_free(c->sans, c->f.nsans);
	free(c->tags);
}

/* store_cert_facts() callback: copies the row into the cert_row. */
static int copy_facts(void *arg, const struct store_cert_facts_row *row)
{
	struct cert_row *c = arg;

	c->cn = strdup(row->common_name);
	c->issuer = strdup(row->issuer);
	c->algorithm = strdup(row->algorithm);
	c->chain = strdup(row->issuer_chain);
	c->f.has_key_size = row->has_key_size;
	c->f.key_size = row->key_size;
	c->f.valid_from = row->valid_from;
	c->f.valid_to = row->valid_to;
	c->tenant_id = row->tenant_id;
	return c->cn && c->issuer && c->algorithm && c->chain ? 0 : CK_E_NOMEM;
}

static int load_cert(const struct dom_ctx *ctx, int64_t id, struct cert_row *c,
		     struct ck_error *err)
{
	int r = store_cert_facts(ctx->conn, id, copy_facts, c, err);

	if (r == 0)
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	else if (r == 1)
		r = store_cert_sans(ctx->conn, id, &c->sans, &c->f.nsans, err);
	if (!r)
		r = store_object_tag_ids(ctx->conn, CERT_OBJECT_TYPE, id, &c->tags, &c->ntags, err);
	c->f.common_name = c->cn;
	c->f.issuer = c->issuer;
	c->f.algorithm = c->algorithm;
	c->f.issuer_chain = c->chain;
	c->f.sans = (const char *const *)c->sans;
	return r;
}

/* ---- runs ---- */

/* Invariant 3 (enabled is already true for every loaded policy). */
static int applies(const struct dom_policy *p, const struct cert_row *c)
{
	if (p->tenant_id && p->tenant_id != c->tenant_id)
		return 0;
	for (size_t i = 0; i < p->ntags; i++) {
		size_t k = 0;
		while (k < c->ntags && c->tags[k] != p->tags[i])
			k++;
		if (k == c->ntags)
			return 0;
	}
	return 1;
}

static int upsert_check(const struct dom_ctx *ctx, int64_t cert_id, int64_t policy_id,
			const struct dom_check_outcome *o, int64_t *ret_id, struct ck_error *err)
{
	const struct store_check k = {
	    .certificate_id = cert_id,
	    .policy_id = policy_id,
	    .now = ctx->now,
	    .result = o->passed ? "pass" : "fail",
	    .message = o->message,
	    .checked_value = o->checked_value,
	    .expected_value = o->expected_value,
	};

	return store_check_upsert(ctx->conn, &k, ret_id, err);
}

void dom_compliance_run_release(struct dom_compliance_run *run)
{
	if (!run)
		return;
	free(run->check_ids);
	run->check_ids = NULL;
	run->nchecks = 0;
}

int dom_compliance_run(const struct dom_ctx *ctx, int64_t cert_id, const struct dom_policy_set *set,
		       int scoped, struct dom_compliance_run *ret, struct ck_error *err)
{
	struct dom_compliance_run run = {0};
	struct dom_check_outcome *o = malloc(sizeof(*o));
	struct cert_row c = {0};
	int r = o ? load_cert(ctx, cert_id, &c, err) : CK_E_NOMEM;

	if (!r && !(run.check_ids = calloc(set->n + 1, sizeof(*run.check_ids))))
		r = CK_E_NOMEM;
	for (size_t i = 0; !r && i < set->n; i++) {
		const struct dom_policy *p = &set->v[i];
		if (scoped && !applies(p, &c))
			continue;
		dom_compliance_evaluate(p->type, &p->params, &c.f, ctx->now, o);
		r = upsert_check(ctx, cert_id, p->id, o, &run.check_ids[run.nchecks], err);
		if (!r) {
			run.nchecks++;
			run.passed += o->passed;
		}
	}
	if (!r) {
		run.total = (int64_t)run.nchecks;
		run.failed = run.total - run.passed;
		snprintf(run.common_name, sizeof(run.common_name), "%s", c.cn);
		*ret = run;
	} else {
		dom_compliance_run_release(&run);
	}
	cert_row_release(&c);
	free(o);
	return r;
}

/* ---- report and trend snapshots ---- */

static int64_t utc_midnight(int64_t t) { return t - ((t % 86400) + 86400) % 86400; }

/* The static name equal to s in names (NULL-terminated), or NULL. */
static const char *static_name(const char *const *names, const char *s)
{
	for (size_t i = 0; s && names[i]; i++)
		if (!strcmp(names[i], s))
			return names[i];
	return NULL;
}

struct group_sink {
	const char *const *names;
	struct dom_compliance_count *out;
	size_t max, n;
};

/* store_compliance_failures() callback: keeps groups naming a choice, at most max. */
static int add_group(void *arg, const char *name, int64_t count)
{
	struct group_sink *g = arg;
	const char *known = static_name(g->names, name);

	if (!known || g->n == g->max)
		return 0; /* a value outside the choices cannot be written by the API */
	g->out[g->n].name = known;
	g->out[g->n++].count = count;
	return 0;
}

static int report_groups(const struct dom_ctx *ctx, enum store_failure_group group, int64_t tenant,
			 const char *const *names, struct dom_compliance_count *out, size_t max,
			 size_t *ret_n, struct ck_error *err)
{
	struct group_sink g = {names, out, max, 0};
	int r = store_compliance_failures(ctx->conn, group, tenant, add_group, &g, err);

	if (!r)
		*ret_n = g.n;
	return r;
}

int dom_compliance_report(const struct dom_ctx *ctx, int64_t tenant_id,
			  struct dom_compliance_report *ret, struct ck_error *err)
{
	struct dom_compliance_report rep;
	struct store_compliance_totals t;
	int r;

	memset(&rep, 0, sizeof(rep));
	rep.tenant_id = tenant_id;
	rep.snapshot_date = utc_midnight(ctx->now);
	r = store_compliance_totals(ctx->conn, tenant_id, &t, err);
	if (!r) {
		rep.total_certificates = t.certificates;
		rep.total_checks = t.checks;
		rep.passed = t.passed;
		rep.failed = t.failed;
		rep.errors = t.errors;
		r = report_groups(ctx, STORE_FAILURES_BY_SEVERITY, tenant_id, dom_severities,
				  rep.severities, 3, &rep.nseverities, err);
	}
	if (!r)
		r = report_groups(ctx, STORE_FAILURES_BY_TYPE, tenant_id, dom_policy_types,
				  rep.types, 10, &rep.ntypes, err);
	if (r)
		return r;
	rep.score = dom_compliance_score(rep.passed, rep.total_checks, 2, 100.0);
	*ret = rep;
	return 0;
}

/* Writes the trend snapshot of a computed report (insert, or update of the day's row). */
static int snapshot_put(const struct dom_ctx *ctx, const struct dom_compliance_report *rep,
			int64_t *ret_id, struct ck_error *err)
{
	struct store_named_count sev[3], types[10];
	struct store_snapshot s;

	for (size_t i = 0; i < rep->nseverities; i++)
		sev[i] =
		    (struct store_named_count){rep->severities[i].name, rep->severities[i].count};
	for (size_t i = 0; i < rep->ntypes; i++)
		types[i] = (struct store_named_count){rep->types[i].name, rep->types[i].count};
	s = (struct store_snapshot){
	    .tenant_id = rep->tenant_id,
	    .snapshot_date = rep->snapshot_date,
	    .total_certificates = rep->total_certificates,
	    .total_checks = rep->total_checks,
	    .passed = rep->passed,
	    .failed = rep->failed,
	    .errors = rep->errors,
	    .score = rep->score,
	    .severities = sev,
	    .nseverities = rep->nseverities,
	    .types = types,
	    .ntypes = rep->ntypes,
	    .now = ctx->now,
	};
	return store_snapshot_put(ctx->conn, &s, ret_id, err);
}

int dom_compliance_snapshot(const struct dom_ctx *ctx, int64_t tenant_id, int64_t *ret_id,
			    struct ck_error *err)
{
	struct dom_compliance_report rep;
	int r = dom_compliance_report(ctx, tenant_id, &rep, err);

	return r ? r : snapshot_put(ctx, &rep, ret_id, err);
}

/* The reports are computed before the write transaction, not inside it: at 1M certificates
 * their counts take seconds, and inside the transaction they held the write lock that whole
 * time (every API write waited; issue 11). The write itself is n + 1 small upserts. */
int dom_compliance_snapshot_all(const struct dom_ctx *ctx, int *ret_count, struct ck_error *err)
{
	struct dom_compliance_report *reps = NULL;
	int64_t *tenants = NULL, id;
	size_t n = 0;
	int r = store_snapshot_tenants(ctx->conn, &tenants, &n, err);

	if (!r && !(reps = calloc(n + 1, sizeof(*reps))))
		r = CK_E_NOMEM;
	for (size_t i = 0; !r && i <= n; i++)
		r = dom_compliance_report(ctx, i ? tenants[i - 1] : 0, &reps[i], err);
	if (!r)
		r = store_tx_begin(ctx->conn, err);
	for (size_t i = 0; !r && i <= n; i++)
		r = snapshot_put(ctx, &reps[i], &id, err);
	if (!r)
		r = store_tx_commit(ctx->conn, err);
	else if (store_in_tx(ctx->conn))
		store_tx_rollback(ctx->conn);
	free(tenants);
	free(reps);
	if (r)
		return r;
	if (ret_count)
		*ret_count = (int)n + 1;
	return 0;
}
