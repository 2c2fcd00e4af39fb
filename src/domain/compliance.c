/* domain/compliance — see compliance.h. In order: the pure evaluation of the ten policy
 * types and scoring; policy parameters and tag_filter (write hooks, loading); runs (upsert
 * per certificate and policy); report and trend snapshots. */
#include "domain/compliance.h"
#include "core/jsonw.h"
#include "domain/certificate.h"

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

#define EVAL_CAP ((size_t)1 << 20) /* bytes of one message before it is cut */

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

/* The one parameter each type reads: an integer (num_path) or a list of strings (list_path). */
static const struct param_kind {
	const char *type, *num_path, *list_path;
} param_kinds[] = {
    {"min_key_size", "$.min_bits", NULL},	 {"max_validity_days", "$.max_days", NULL},
    {"algorithm_allowed", NULL, "$.algorithms"}, {"algorithm_forbidden", NULL, "$.algorithms"},
    {"expiry_warning", "$.warning_days", NULL},	 {"chain_required", NULL, NULL},
    {"san_required", "$.min_count", NULL},	 {"wildcard_forbidden", NULL, NULL},
    {"issuer_allowed", NULL, "$.issuers"},	 {"issuer_forbidden", NULL, "$.issuers"},
};

static const struct param_kind *param_kind(const char *type)
{
	for (size_t i = 0; i < sizeof(param_kinds) / sizeof(param_kinds[0]); i++)
		if (!strcmp(param_kinds[i].type, type))
			return &param_kinds[i];
	return NULL;
}

/* The JSON type at `path` of params ("" when absent) and, for an integer, its value. */
static int json_type_at(const struct dom_ctx *ctx, const char *params, const char *path, char *type,
			size_t tsz, int64_t *ret_int, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ctx->conn, "SELECT json_type($1, $2), json_extract($1, $2)", &st, err);

	if (r)
		return r;
	store_bind_text(st, 1, params, (size_t)-1);
	store_bind_text(st, 2, path, (size_t)-1);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		const char *t = store_col_text(st, 0, NULL);
		snprintf(type, tsz, "%s", t ? t : "");
		*ret_int = store_col_i64(st, 1);
		r = 0;
	}
	store_done(st);
	return r < 0 ? r : 0;
}

static int check_int_param(const struct dom_ctx *ctx, const char *params, const char *path,
			   struct ck_error *err)
{
	char type[16];
	int64_t v = 0;
	int r = json_type_at(ctx, params, path, type, sizeof(type), &v, err);

	if (r || !type[0])
		return r;
	if (strcmp(type, "integer") || v < 0 || v > DOM_COMPLIANCE_INT_MAX)
		return ck_error_set(err, CK_E_INVALID, "parameters",
				    "\"%s\" must be an integer from 0 to %d.", path + 2,
				    DOM_COMPLIANCE_INT_MAX);
	return 0;
}

static int check_list_param(const struct dom_ctx *ctx, const char *params, const char *path,
			    struct ck_error *err)
{
	struct store_stmt *st;
	char type[16];
	int64_t v, n = 0, bad = 0;
	int r = json_type_at(ctx, params, path, type, sizeof(type), &v, err);

	if (r || !type[0])
		return r;
	if (!strcmp(type, "array")) {
		r = store_query(
		    ctx->conn,
		    "SELECT COUNT(*), COALESCE(SUM(type <> 'text' OR length(value) > $3), 0)"
		    " FROM json_each($1, $2)",
		    &st, err);
		if (r)
			return r;
		store_bind_text(st, 1, params, (size_t)-1);
		store_bind_text(st, 2, path, (size_t)-1);
		store_bind_i64(st, 3, DOM_COMPLIANCE_ENTRY_MAX);
		if ((r = store_step(st, err)) == STORE_ROW) {
			n = store_col_i64(st, 0);
			bad = store_col_i64(st, 1);
		}
		store_done(st);
		if (r < 0)
			return r;
	}
	if (strcmp(type, "array") || n > DOM_COMPLIANCE_LIST_MAX || bad)
		return ck_error_set(
		    err, CK_E_INVALID, "parameters",
		    "\"%s\" must be a list of at most %d strings of at most %d characters.",
		    path + 2, DOM_COMPLIANCE_LIST_MAX, DOM_COMPLIANCE_ENTRY_MAX);
	return 0;
}

int dom_policy_params_check(const struct dom_ctx *ctx, const char *type, const char *params,
			    struct ck_error *err)
{
	const struct param_kind *k = param_kind(type ? type : "");

	if (!k)
		return 0; /* the type itself is checked as a choice by the caller */
	if (k->num_path)
		return check_int_param(ctx, params, k->num_path, err);
	if (k->list_path)
		return check_list_param(ctx, params, k->list_path, err);
	return 0;
}

/* The stored type and parameters of policy `id` (caller frees *ret_params). */
static int stored_policy(const struct dom_ctx *ctx, int64_t id, char *type, size_t tsz,
			 char **ret_params, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ctx->conn,
			    "SELECT policy_type, parameters FROM compliance_policies WHERE id = $1",
			    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(type, tsz, "%s", store_col_text(st, 0, NULL));
		*ret_params =
		    strdup(store_col_text(st, 1, NULL) ? store_col_text(st, 1, NULL) : "{}");
		r = *ret_params ? 0 : CK_E_NOMEM;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
	return r;
}

/* tag_filter (JSON array of integers): at most DOM_COMPLIANCE_TAGS_MAX existing tag ids. */
static int check_tag_filter(const struct dom_ctx *ctx, const char *ids, struct ck_error *err)
{
	struct store_stmt *st;
	int64_t n = 0, missing = 0;
	int r = store_query(ctx->conn,
			    "SELECT COUNT(*), (SELECT value FROM json_each($1) WHERE value NOT IN"
			    " (SELECT id FROM tags) LIMIT 1) FROM json_each($1)",
			    &st, err);

	if (r)
		return r;
	store_bind_text(st, 1, ids, (size_t)-1);
	if ((r = store_step(st, err)) == STORE_ROW) {
		n = store_col_i64(st, 0);
		missing = store_col_is_null(st, 1) ? 0 : store_col_i64(st, 1);
		r = store_col_is_null(st, 1) ? 0 : 1;
	}
	store_done(st);
	if (r < 0)
		return r;
	if (n > DOM_COMPLIANCE_TAGS_MAX)
		return ck_error_set(err, CK_E_INVALID, "tag_filter",
				    "Ensure this field has no more than %d elements.",
				    DOM_COMPLIANCE_TAGS_MAX);
	if (r)
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
		r = stored_policy(ctx, old_id, type, sizeof(type), &stored, err);
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

static int exec_id_text(const struct dom_ctx *ctx, const char *sql, int64_t id, const char *text,
			struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ctx->conn, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	if (text)
		store_bind_text(st, 2, text, (size_t)-1);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int dom_policy_after_write(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			   int64_t old_id, struct ck_error *err)
{
	int r;

	(void)old_id;
	if (!dom_record_has(rec, "tag_filter"))
		return 0;
	r = exec_id_text(ctx, "DELETE FROM compliance_policy_tags WHERE policy_id = $1", id, NULL,
			 err);
	if (!r)
		r = exec_id_text(ctx,
				 "INSERT INTO compliance_policy_tags (policy_id, tag_id)"
				 " SELECT DISTINCT $1, value FROM json_each($2)",
				 id, dom_record_text(rec, "tag_filter"), err);
	return r;
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

static void free_texts(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* Steps st (bound by the caller) collecting column 0 as strings, at most max; done(st). */
static int collect_texts(struct store_stmt *st, size_t max, char ***ret, size_t *ret_n,
			 struct ck_error *err)
{
	char **v = NULL, **grown;
	size_t n = 0, cap = 0;
	int r;

	while ((r = store_step(st, err)) == STORE_ROW && n < max) {
		const char *s = store_col_text(st, 0, NULL);
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			if (!(grown = realloc(v, cap * sizeof(*v)))) {
				r = CK_E_NOMEM;
				break;
			}
			v = grown;
		}
		if (!(v[n] = strdup(s ? s : ""))) {
			r = CK_E_NOMEM;
			break;
		}
		n++;
	}
	store_done(st);
	if (r < 0) {
		free_texts(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}


static int query_ids(const struct dom_ctx *ctx, const char *sql, int64_t id, int64_t **ret,
		     size_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ctx->conn, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	return store_collect_i64(st, ret, ret_n, err);
}

/* Decodes the parameter of p's type from its JSON (validated when written). */
static int decode_params(const struct dom_ctx *ctx, struct dom_policy *p, struct ck_error *err)
{
	const struct param_kind *k = param_kind(p->type);
	struct store_stmt *st;
	char type[16];
	int64_t v = 0;
	size_t n = 0;
	int r;

	if (!k || (!k->num_path && !k->list_path))
		return 0;
	r = json_type_at(ctx, p->params_json, k->num_path ? k->num_path : k->list_path, type,
			 sizeof(type), &v, err);
	if (r || (k->num_path && strcmp(type, "integer")) ||
	    (k->list_path && strcmp(type, "array")))
		return r;
	if (k->num_path) {
		p->params.has_num = 1;
		p->params.num = v;
		return 0;
	}
	r = store_query(ctx->conn, "SELECT value FROM json_each($1, $2) WHERE type = 'text'", &st,
			err);
	if (r)
		return r;
	store_bind_text(st, 1, p->params_json, (size_t)-1);
	store_bind_text(st, 2, k->list_path, (size_t)-1);
	r = collect_texts(st, DOM_COMPLIANCE_LIST_MAX, &p->items, &n, err);
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
		free_texts(s->v[i].items, s->v[i].params.nlist);
		free(s->v[i].tags);
	}
	if (s) {
		free(s->v);
		s->v = NULL;
		s->n = 0;
	}
}

/* Appends an empty slot to s (grown by doubling); NULL when out of memory. */
static struct dom_policy *policy_slot(struct dom_policy_set *s, size_t *cap)
{
	struct dom_policy *grown;

	if (s->n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if (!(grown = realloc(s->v, *cap * sizeof(*grown))))
			return NULL;
		s->v = grown;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	return &s->v[s->n++];
}

/* The rows of the enabled policies (ids: JSON array text or NULL for all). */
static int load_policy_rows(const struct dom_ctx *ctx, const char *ids, struct dom_policy_set *s,
			    struct ck_error *err)
{
	struct store_stmt *st;
	size_t cap = 0;
	int r = store_query(ctx->conn,
			    "SELECT id, policy_type, parameters, COALESCE(tenant_id, 0)"
			    " FROM compliance_policies WHERE enabled = 1"
			    " AND ($1 IS NULL OR id IN (SELECT value FROM json_each($1)))"
			    " ORDER BY id LIMIT $2",
			    &st, err);

	if (r)
		return r;
	if (ids)
		store_bind_text(st, 1, ids, (size_t)-1);
	else
		store_bind_null(st, 1);
	store_bind_i64(st, 2, DOM_COMPLIANCE_POLICIES_MAX + 1);
	while ((r = store_step(st, err)) == STORE_ROW) {
		struct dom_policy *p = policy_slot(s, &cap);
		const char *params = store_col_text(st, 2, NULL);
		if (!p || !(p->params_json = strdup(params ? params : "{}"))) {
			r = CK_E_NOMEM;
			break;
		}
		p->id = store_col_i64(st, 0);
		snprintf(p->type, sizeof(p->type), "%s", store_col_text(st, 1, NULL));
		p->tenant_id = store_col_i64(st, 3);
	}
	store_done(st);
	if (!r && s->n > DOM_COMPLIANCE_POLICIES_MAX)
		r = ck_error_set(err, CK_E_TOOBIG, NULL, "More than %d enabled policies.",
				 DOM_COMPLIANCE_POLICIES_MAX);
	return r;
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
		r = load_policy_rows(ctx, ids ? strbuf_str(&sb) : NULL, &s, err);
	for (size_t i = 0; !r && i < s.n; i++) {
		r = decode_params(ctx, &s.v[i], err);
		if (!r)
			r = query_ids(
			    ctx,
			    "SELECT tag_id FROM compliance_policy_tags WHERE policy_id = $1"
			    " ORDER BY tag_id",
			    s.v[i].id, &s.v[i].tags, &s.v[i].ntags, err);
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
	free_texts(c->sans, c->f.nsans);
	free(c->tags);
}

static char *dup_col(struct store_stmt *st, int col)
{
	const char *s = store_col_text(st, col, NULL);

	return strdup(s ? s : "");
}

static int load_cert_fields(const struct dom_ctx *ctx, int64_t id, struct cert_row *c,
			    struct ck_error *err)
{
	struct store_stmt *st;
	int r =
	    store_query(ctx->conn,
			"SELECT common_name, issuer, algorithm, issuer_chain, key_size, valid_from,"
			" valid_to, COALESCE(tenant_id, 0) FROM certificates WHERE id = $1",
			&st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		c->cn = dup_col(st, 0);
		c->issuer = dup_col(st, 1);
		c->algorithm = dup_col(st, 2);
		c->chain = dup_col(st, 3);
		c->f.has_key_size = !store_col_is_null(st, 4);
		c->f.key_size = store_col_i64(st, 4);
		c->f.valid_from = store_col_i64(st, 5);
		c->f.valid_to = store_col_i64(st, 6);
		c->tenant_id = store_col_i64(st, 7);
		r = c->cn && c->issuer && c->algorithm && c->chain ? 0 : CK_E_NOMEM;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
	return r;
}

static int load_cert(const struct dom_ctx *ctx, int64_t id, struct cert_row *c,
		     struct ck_error *err)
{
	struct store_stmt *st;
	int r = load_cert_fields(ctx, id, c, err);

	if (!r)
		r = store_query(
		    ctx->conn,
		    "SELECT value FROM json_each((SELECT sans FROM certificates WHERE id = $1))",
		    &st, err);
	if (!r) {
		store_bind_i64(st, 1, id);
		r = collect_texts(st, (size_t)-1, &c->sans, &c->f.nsans, err);
	}
	if (!r)
		r = query_ids(
		    ctx,
		    "SELECT tag_id FROM tagged_items WHERE object_type = 'netbox_ssl.certificate'"
		    " AND object_id = $1",
		    id, &c->tags, &c->ntags, err);
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
	struct store_stmt *st;
	int r = store_query(
	    ctx->conn,
	    "INSERT INTO compliance_checks (certificate_id, policy_id, result, message, checked_at,"
	    " checked_value, expected_value, created, last_updated)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $5, $5)"
	    " ON CONFLICT (certificate_id, policy_id) DO UPDATE SET result = excluded.result,"
	    " message = excluded.message, checked_at = excluded.checked_at,"
	    " checked_value = excluded.checked_value, expected_value = excluded.expected_value,"
	    " last_updated = excluded.last_updated RETURNING id",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, cert_id);
	store_bind_i64(st, 2, policy_id);
	store_bind_text(st, 3, o->passed ? "pass" : "fail", (size_t)-1);
	store_bind_text(st, 4, o->message, (size_t)-1);
	store_bind_i64(st, 5, ctx->now);
	store_bind_text(st, 6, o->checked_value, (size_t)-1);
	store_bind_text(st, 7, o->expected_value, (size_t)-1);
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret_id = store_col_i64(st, 0);
	store_done(st);
	return r == STORE_ROW ? 0 : r < 0 ? r : CK_E_DB;
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

#define TENANT_CERTS " AND ($1 = 0 OR c.tenant_id = $1)"

static int64_t utc_midnight(int64_t t) { return t - ((t % 86400) + 86400) % 86400; }

static int report_counts(const struct dom_ctx *ctx, struct dom_compliance_report *rep,
			 struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    ctx->conn,
	    "SELECT (SELECT COUNT(*) FROM certificates c WHERE c.status = 'active'" TENANT_CERTS
	    "),"
	    " COUNT(*), COALESCE(SUM(k.result = 'pass'), 0), COALESCE(SUM(k.result = 'fail'), 0),"
	    " COALESCE(SUM(k.result = 'error'), 0)"
	    " FROM compliance_checks k JOIN certificates c ON c.id = k.certificate_id"
	    " WHERE 1 = 1" TENANT_CERTS,
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, rep->tenant_id);
	if ((r = store_step(st, err)) == STORE_ROW) {
		rep->total_certificates = store_col_i64(st, 0);
		rep->total_checks = store_col_i64(st, 1);
		rep->passed = store_col_i64(st, 2);
		rep->failed = store_col_i64(st, 3);
		rep->errors = store_col_i64(st, 4);
	}
	store_done(st);
	return r < 0 ? r : 0;
}

/* The static name equal to s in names (NULL-terminated), or NULL. */
static const char *static_name(const char *const *names, const char *s)
{
	for (size_t i = 0; s && names[i]; i++)
		if (!strcmp(names[i], s))
			return names[i];
	return NULL;
}

/* Failures grouped by `sql`'s first column (one of names), at most max groups. */
static int report_groups(const struct dom_ctx *ctx, const char *sql, int64_t tenant,
			 const char *const *names, struct dom_compliance_count *out, size_t max,
			 size_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st;
	size_t n = 0;
	int r = store_query(ctx->conn, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tenant);
	while ((r = store_step(st, err)) == STORE_ROW) {
		const char *name = static_name(names, store_col_text(st, 0, NULL));
		if (!name || n == max)
			continue; /* a value outside the choices cannot be written by the API */
		out[n].name = name;
		out[n++].count = store_col_i64(st, 1);
	}
	store_done(st);
	if (r < 0)
		return r;
	*ret_n = n;
	return 0;
}

int dom_compliance_report(const struct dom_ctx *ctx, int64_t tenant_id,
			  struct dom_compliance_report *ret, struct ck_error *err)
{
	static const char by_severity[] =
	    "SELECT p.severity, COUNT(*) FROM compliance_checks k"
	    " JOIN compliance_policies p ON p.id = k.policy_id"
	    " JOIN certificates c ON c.id = k.certificate_id"
	    " WHERE k.result = 'fail'" TENANT_CERTS " GROUP BY p.severity ORDER BY p.severity";
	static const char by_type[] =
	    "SELECT p.policy_type, COUNT(*) FROM compliance_checks k"
	    " JOIN compliance_policies p ON p.id = k.policy_id"
	    " JOIN certificates c ON c.id = k.certificate_id"
	    " WHERE k.result = 'fail'" TENANT_CERTS
	    " GROUP BY p.policy_type ORDER BY COUNT(*) DESC, p.policy_type";
	struct dom_compliance_report rep;
	int r;

	memset(&rep, 0, sizeof(rep));
	rep.tenant_id = tenant_id;
	rep.snapshot_date = utc_midnight(ctx->now);
	r = report_counts(ctx, &rep, err);
	if (!r)
		r = report_groups(ctx, by_severity, tenant_id, dom_severities, rep.severities, 3,
				  &rep.nseverities, err);
	if (!r)
		r = report_groups(ctx, by_type, tenant_id, dom_policy_types, rep.types, 10,
				  &rep.ntypes, err);
	if (r)
		return r;
	rep.score = dom_compliance_score(rep.passed, rep.total_checks, 2, 100.0);
	*ret = rep;
	return 0;
}

static void write_counts(struct jsonw *w, const char *key, const char *label,
			 const struct dom_compliance_count *v, size_t n)
{
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_open(w);
		jsonw_kstr(w, label, v[i].name);
		jsonw_kint(w, "count", v[i].count);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

void dom_compliance_write_breakdowns(const struct dom_compliance_report *rep, struct jsonw *w)
{
	write_counts(w, "severity_breakdown", "severity", rep->severities, rep->nseverities);
	write_counts(w, "policy_breakdown", "policy_type", rep->types, rep->ntypes);
}

int dom_compliance_details_json(const struct dom_compliance_report *rep, struct strbuf *sb)
{
	struct jsonw w;

	jsonw_init(&w, sb);
	jsonw_obj_open(&w);
	dom_compliance_write_breakdowns(rep, &w);
	jsonw_kint(&w, "error_checks", rep->errors);
	jsonw_obj_close(&w);
	return jsonw_result(&w);
}

/* UPDATE (when today's row exists) or INSERT of a snapshot; binds shared by both texts. */
static int write_snapshot(const struct dom_ctx *ctx, const char *sql,
			  const struct dom_compliance_report *rep, const char *details,
			  int64_t *ret_id, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ctx->conn, sql, &st, err);

	if (r)
		return r;
	if (rep->tenant_id)
		store_bind_i64(st, 1, rep->tenant_id);
	else
		store_bind_null(st, 1);
	store_bind_i64(st, 2, rep->snapshot_date);
	store_bind_i64(st, 3, rep->total_certificates);
	store_bind_i64(st, 4, rep->total_checks);
	store_bind_i64(st, 5, rep->passed);
	store_bind_i64(st, 6, rep->failed);
	store_bind_double(st, 7, rep->score);
	store_bind_text(st, 8, details, (size_t)-1);
	store_bind_i64(st, 9, ctx->now);
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret_id = store_col_i64(st, 0);
	store_done(st);
	return r < 0 ? r : 0;
}

int dom_compliance_snapshot(const struct dom_ctx *ctx, int64_t tenant_id, int64_t *ret_id,
			    struct ck_error *err)
{
	static const char update_sql[] =
	    "UPDATE compliance_trend_snapshots SET total_certificates = $3, total_checks = $4,"
	    " passed_checks = $5, failed_checks = $6, compliance_score = $7, details = $8,"
	    " last_updated = $9 WHERE COALESCE(tenant_id, 0) = COALESCE($1, 0)"
	    " AND snapshot_date = $2 RETURNING id";
	static const char insert_sql[] =
	    "INSERT INTO compliance_trend_snapshots (tenant_id, snapshot_date, total_certificates,"
	    " total_checks, passed_checks, failed_checks, compliance_score, details, created,"
	    " last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id";
	struct dom_compliance_report rep;
	struct strbuf details;
	int64_t id = 0;
	int r = dom_compliance_report(ctx, tenant_id, &rep, err);

	strbuf_init(&details, 1 << 16);
	if (!r)
		r = dom_compliance_details_json(&rep, &details);
	if (!r)
		r = write_snapshot(ctx, update_sql, &rep, strbuf_str(&details), &id, err);
	if (!r && !id)
		r = write_snapshot(ctx, insert_sql, &rep, strbuf_str(&details), &id, err);
	if (!r && !id)
		r = CK_E_DB;
	strbuf_release(&details);
	if (!r)
		*ret_id = id;
	return r;
}

int dom_compliance_snapshot_all(const struct dom_ctx *ctx, int *ret_count, struct ck_error *err)
{
	int64_t *tenants = NULL, id;
	size_t n = 0;
	int r = store_tx_begin(ctx->conn, err);

	if (r)
		return r;
	r = dom_compliance_snapshot(ctx, 0, &id, err);
	if (!r)
		r = query_ids(ctx,
			      "SELECT id FROM tenants t WHERE $1 = $1 AND (EXISTS (SELECT 1 FROM"
			      " certificates c WHERE c.tenant_id = t.id) OR EXISTS (SELECT 1 FROM"
			      " compliance_policies p WHERE p.tenant_id = t.id)) ORDER BY id",
			      0, &tenants, &n, err);
	for (size_t i = 0; !r && i < n; i++)
		r = dom_compliance_snapshot(ctx, tenants[i], &id, err);
	free(tenants);
	if (!r)
		r = store_tx_commit(ctx->conn, err);
	if (r) {
		store_tx_rollback(ctx->conn);
		return r;
	}
	if (ret_count)
		*ret_count = (int)n + 1;
	return 0;
}
