/* domain/certificate — see certificate.h. */
#include "domain/certificate.h"
#include "domain/lifecycle.h"
#include "domain/values.h"
#include "store/certificates.h"
#include "x509/names.h"
#include "x509/pem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const dom_cert_statuses[] = {"active",  "expired",	"replaced", "revoked",
					 "pending", "archived", NULL};
const char *const dom_cert_algorithms[] = {"rsa", "ecdsa", "ed25519", "unknown", NULL};
const char *const dom_chain_statuses[] = {"unknown",	 "valid",    "invalid",
					  "self_signed", "no_chain", NULL};
const char *const dom_acme_providers[] = {"letsencrypt",
					  "letsencrypt_staging",
					  "zerossl",
					  "buypass",
					  "google",
					  "digicert",
					  "sectigo",
					  "other",
					  "",
					  NULL};
const char *const dom_acme_challenges[] = {"http-01", "dns-01", "tls-alpn-01", "unknown", "", NULL};

int64_t dom_cert_days_remaining(int64_t valid_to, int64_t now)
{
	int64_t a = valid_to >= 0 ? valid_to / 86400 : (valid_to - 86399) / 86400;
	int64_t b = now >= 0 ? now / 86400 : (now - 86399) / 86400;

	return a - b;
}

const char *dom_cert_expiry_status(int64_t valid_to, int64_t now, const struct ck_config *cfg)
{
	int64_t days = dom_cert_days_remaining(valid_to, now);

	if (valid_to < now)
		return "expired";
	/* [QUIRK fixed] day 0 but not yet expired counts as critical, not ok */
	if (days <= cfg->expiry_critical_days)
		return "critical";
	if (days <= cfg->expiry_warning_days)
		return "warning";
	return "ok";
}

const char *dom_acme_detect(const char *issuer)
{
	static const struct {
		const char *provider;
		const char *patterns[9];
	} rules[] = {
	    /* staging first: its issuers also say "Let's Encrypt" (reference [QUIRK]) */
	    {"letsencrypt_staging", {"(staging)", "fake le", NULL}},
	    {"letsencrypt",
	     {"let's encrypt", "letsencrypt", "r3, o=let's encrypt", "r10, o=let's encrypt",
	      "r11, o=let's encrypt", "e1, o=let's encrypt", "e5, o=let's encrypt",
	      "e6, o=let's encrypt", NULL}},
	    {"zerossl", {"zerossl", NULL}},
	    {"buypass", {"buypass", NULL}},
	    {"google", {"google trust services", "gts ca", NULL}},
	    {"sectigo", {"sectigo", NULL}},
	    {"digicert", {"digicert", NULL}},
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		for (int k = 0; rules[i].patterns[k]; k++)
			if (strcasestr(issuer, rules[i].patterns[k]))
				return rules[i].provider;
	return NULL;
}

struct ca_match {
	const char *issuer;
	int64_t id;
};

static int ca_matches(int64_t id, const char *pattern, void *arg)
{
	struct ca_match *m = arg;

	if (!strcasestr(m->issuer, pattern))
		return 0;
	m->id = id;
	return 1;
}

int dom_ca_detect(const struct dom_ctx *ctx, const char *issuer, int64_t *ret_id,
		  struct ck_error *err)
{
	struct ca_match m = {issuer, 0};
	int r = store_ca_each_pattern(ctx->conn, ca_matches, &m, err);

	*ret_id = r ? 0 : m.id;
	return r;
}

int dom_lifecycle_add(const struct dom_ctx *ctx, int64_t cert_id, const char *type,
		      const char *description, const char *old_status, const char *new_status,
		      int64_t related, struct ck_error *err)
{
	struct store_lifecycle_event ev = {
	    .cert_id = cert_id,
	    .type = type,
	    .description = description,
	    .old_status = old_status,
	    .new_status = new_status,
	    .actor = ctx->username,
	    .timestamp = ctx->now,
	    .related = related,
	};
	int r = dom_text_refuse_secret("description", description,
				       description ? strlen(description) : 0, err);

	return r ? r : store_lifecycle_insert(ctx->conn, &ev, err);
}

int dom_cert_find_duplicate(const struct dom_ctx *ctx, const char *serial, const char *issuer,
			    const char *fingerprint, int64_t exclude_id, int64_t *ret_id,
			    struct ck_error *err)
{
	char skey[300], ikey[2048], cn[256], found_serial[300];
	int r;

	*ret_id = 0;
	if (x509_serial_normalize(serial, skey, sizeof(skey)) ||
	    x509_dn_normalize(issuer, ikey, sizeof(ikey)))
		return 0; /* invalid values are reported by validation */
	r = store_cert_find_identity(ctx->conn, skey, ikey, fingerprint, exclude_id, ret_id, cn,
				     sizeof(cn), found_serial, sizeof(found_serial), err);
	if (!r && *ret_id)
		ck_error_set(err, CK_E_DUPLICATE, "pem_content",
			     "Certificate already exists: %s (ID: %lld, Serial: %.20s%s)", cn,
			     (long long)*ret_id, found_serial,
			     strlen(found_serial) > 20 ? "..." : "");
	return r;
}

/* Re-formats a serial as upper-case colon hex padded to whole bytes ("abc" → "0A:BC"). */
static int canonical_serial(const char *in, char *out, size_t outsz)
{
	char key[300];
	size_t n, o = 0;

	if (x509_serial_normalize(in, key, sizeof(key)))
		return CK_E_INVALID;
	n = strlen(key);
	for (size_t i = 0; i < n;) {
		if (o + 4 > outsz)
			return CK_E_TOOBIG;
		if (o)
			out[o++] = ':';
		if (i == 0 && n % 2) {
			out[o++] = '0';
			out[o++] = key[i++];
		} else {
			out[o++] = key[i++];
			out[o++] = key[i++];
		}
	}
	out[o] = '\0';
	return 0;
}

/* The fingerprint in its stored form, whichever spelling a path (API, data import, CLI)
 * brought: with or without colons, any case (domain/values.h). */
static int canonical_fingerprint(struct dom_record *rec, const char *in, struct ck_error *err)
{
	struct strbuf fp;
	int r;

	strbuf_init(&fp, X509_FINGERPRINT_LEN + 1);
	r = dom_value_fingerprint("fingerprint_sha256", in, &fp, err);
	if (!r && !fp.len)
		r = ck_error_set(err, CK_E_INVALID, "fingerprint_sha256",
				 "This field may not be blank.");
	if (!r)
		r = dom_record_set_text(rec, "fingerprint_sha256", strbuf_str(&fp), fp.len);
	strbuf_release(&fp);
	return r;
}

static int normalise_identity(struct dom_record *rec, struct ck_error *err)
{
	char buf[300], ikey[2048];
	struct dom_value *v;
	int r;

	v = dom_record_get(rec, "serial_number");
	if (v && v->type == DV_TEXT) {
		if (canonical_serial(v->s, buf, sizeof(buf)))
			return ck_error_set(
			    err, CK_E_INVALID, "serial_number",
			    "Enter a serial number as hexadecimal bytes, e.g. 01:23:AB.");
		dom_record_set_text(rec, "serial_number", buf, strlen(buf));
		x509_serial_normalize(buf, buf, sizeof(buf));
		dom_record_set_text(rec, "serial_key", buf, strlen(buf));
	}
	v = dom_record_get(rec, "fingerprint_sha256");
	if (v && v->type == DV_TEXT && (r = canonical_fingerprint(rec, v->s, err)))
		return r;
	v = dom_record_get(rec, "issuer");
	if (v && v->type == DV_TEXT) {
		if (!v->len)
			return ck_error_set(err, CK_E_INVALID, "issuer",
					    "This field may not be blank.");
		if (x509_dn_normalize(v->s, ikey, sizeof(ikey)))
			return ck_error_set(err, CK_E_INVALID, "issuer", "Issuer is too long.");
		dom_record_set_text(rec, "issuer_key", ikey, strlen(ikey));
	}
	v = dom_record_get(rec, "common_name");
	if (v && v->type == DV_TEXT && !v->len)
		return ck_error_set(err, CK_E_INVALID, "common_name",
				    "This field may not be blank.");
	return 0;
}

/* Current values of an existing certificate needed by the rules. */
static int load_current(const struct dom_ctx *ctx, int64_t id, struct store_cert_current *cur,
			struct ck_error *err)
{
	return store_cert_current(ctx->conn, id, cur, err);
}

static const char *pick_text(const struct dom_record *rec, const char *name, const char *cur)
{
	return dom_record_has(rec, name) ? dom_record_text(rec, name) : cur;
}

static int detect_links(const struct dom_ctx *ctx, struct dom_record *rec, const char *issuer,
			struct ck_error *err)
{
	const char *provider;
	int64_t ca = 0;
	int r;

	if (!dom_record_has(rec, "issuing_ca") || dom_record_is_null(rec, "issuing_ca")) {
		r = dom_ca_detect(ctx, issuer, &ca, err);
		if (r)
			return r;
		if (ca)
			dom_record_set_int(rec, "issuing_ca", ca);
	}
	provider = dom_acme_detect(issuer);
	if (provider && !dom_record_has(rec, "is_acme")) {
		dom_record_set_int(rec, "is_acme", 1);
		if (!dom_record_has(rec, "acme_provider") ||
		    !*dom_record_text(rec, "acme_provider"))
			dom_record_set_text(rec, "acme_provider", provider, strlen(provider));
	}
	return 0;
}

/* The name of the first identity field of the object (record value, else current) that the
 * parsed leaf contradicts, or NULL when they agree. */
static const char *pem_mismatch(const struct dom_record *rec, const struct store_cert_current *cur,
				const struct x509_cert_info *leaf)
{
	char a[2048], b[2048];
	const char *v;

	v = pick_text(rec, "fingerprint_sha256", cur->fingerprint);
	if (strcasecmp(v, leaf->fingerprint_sha256))
		return "fingerprint_sha256";
	v = pick_text(rec, "serial_number", cur->serial);
	if (x509_serial_normalize(v, a, sizeof(a)) ||
	    x509_serial_normalize(leaf->serial_number, b, sizeof(b)) || strcmp(a, b))
		return "serial_number";
	v = pick_text(rec, "issuer", cur->issuer);
	if (x509_dn_normalize(v, a, sizeof(a)) || x509_dn_normalize(leaf->issuer, b, sizeof(b)) ||
	    strcmp(a, b))
		return "issuer";
	if (strcmp(pick_text(rec, "common_name", cur->common_name), leaf->common_name))
		return "common_name";
	if ((dom_record_has(rec, "valid_from") ? dom_record_int(rec, "valid_from", 0)
					       : cur->valid_from) != leaf->valid_from)
		return "valid_from";
	if ((dom_record_has(rec, "valid_to") ? dom_record_int(rec, "valid_to", 0)
					     : cur->valid_to) != leaf->valid_to)
		return "valid_to";
	return NULL;
}

/* A pem_content a client PATCHes or PUTs onto a certificate is parsed like an import: one
 * certificate, no private key, and the object's identity and validity fields must be the ones
 * of that certificate — otherwise GET, the PEM export and the changelog would serve a
 * certificate the object does not describe. The stored text is the certificate's own block.
 * (A create keeps the reference's behaviour: manual records may carry any PEM text, which the
 * key guard still checks.) */
static int check_client_pem(struct dom_record *rec, const struct store_cert_current *cur,
			    struct ck_error *err)
{
	struct dom_value *v = dom_record_get(rec, "pem_content");
	struct x509_bundle *b = NULL;
	const char *bad;
	int r;

	if (rec->from_x509 || !v || v->type != DV_TEXT || !v->len)
		return 0;
	r = x509_parse_input(v->s, v->len, NULL, &b, err);
	if (r)
		return r;
	if (b->ncerts != 1 || b->ncsrs) {
		r = ck_error_set(err, CK_E_INVALID, "pem_content",
				 "pem_content must hold exactly one certificate (the chain belongs "
				 "in issuer_chain).");
	} else if ((bad = pem_mismatch(rec, cur, &b->certs[0]))) {
		r = ck_error_set(err, CK_E_INVALID, "pem_content",
				 "The certificate in pem_content does not match this object's %s.",
				 bad);
	} else {
		r = dom_record_set_text(rec, "pem_content", b->certs[0].pem,
					strlen(b->certs[0].pem));
	}
	x509_bundle_free(b);
	return r;
}

int dom_cert_before_write(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
			  struct ck_error *err)
{
	struct store_cert_current cur = {0};
	int64_t dup = 0, vf, vt;
	int r = normalise_identity(rec, err);

	if (r)
		return r;
	if (old_id && (r = load_current(ctx, old_id, &cur, err)))
		return r;
	if (old_id && (r = check_client_pem(rec, &cur, err)))
		return r;
	if (dom_record_has(rec, "key_size") && !dom_record_is_null(rec, "key_size") &&
	    (dom_record_int(rec, "key_size", 0) < 1 || dom_record_int(rec, "key_size", 0) > 65536))
		return ck_error_set(err, CK_E_INVALID, "key_size",
				    "Ensure this value is between 1 and 65536.");
	if (dom_record_has(rec, "acme_renewal_days") &&
	    !dom_record_is_null(rec, "acme_renewal_days") &&
	    (dom_record_int(rec, "acme_renewal_days", 0) < 0 ||
	     dom_record_int(rec, "acme_renewal_days", 0) > 3650))
		return ck_error_set(err, CK_E_INVALID, "acme_renewal_days",
				    "Ensure this value is between 0 and 3650.");
	vf = dom_record_has(rec, "valid_from") ? dom_record_int(rec, "valid_from", 0)
					       : cur.valid_from;
	vt = dom_record_has(rec, "valid_to") ? dom_record_int(rec, "valid_to", 0) : cur.valid_to;
	if (vt < vf)
		return ck_error_set(err, CK_E_INVALID, "valid_to",
				    "valid_to must not be earlier than valid_from.");
	/* a certificate already past valid_to when it is created (import, bulk import, data
	 * import, POST) is expired at once, not active until the next sweep (issue 13) */
	if (!old_id && vt < ctx->now && !strcmp(pick_text(rec, "status", "active"), "active") &&
	    (r = dom_record_set_text(rec, "status", "expired", strlen("expired"))))
		return r;
	if (!old_id || dom_record_has(rec, "serial_number") || dom_record_has(rec, "issuer") ||
	    dom_record_has(rec, "fingerprint_sha256")) {
		r = dom_cert_find_duplicate(ctx, pick_text(rec, "serial_number", cur.serial),
					    pick_text(rec, "issuer", cur.issuer),
					    pick_text(rec, "fingerprint_sha256", cur.fingerprint),
					    old_id, &dup, err);
		if (r)
			return r;
		if (dup) {
			/* name the field the client actually sent */
			if (err && !dom_record_has(rec, "pem_content"))
				snprintf(err->field, sizeof(err->field), "%s",
					 dom_record_has(rec, "fingerprint_sha256")
					     ? "fingerprint_sha256"
					     : "serial_number");
			return CK_E_DUPLICATE;
		}
	}
	if (!old_id && (r = detect_links(ctx, rec, dom_record_text(rec, "issuer"), err)))
		return r;
	if (!strcmp(pick_text(rec, "status", cur.status[0] ? cur.status : "active"), "archived") &&
	    !cur.archived_at && !dom_record_has(rec, "archived_at"))
		dom_record_set_int(rec, "archived_at", ctx->now);
	/* reference §1.2 status-change hook: the event lands in this transaction (rolled back
	 * with the update if a later step fails) */
	if (old_id && dom_record_has(rec, "status") &&
	    strcmp(dom_record_text(rec, "status"), cur.status))
		return dom_lifecycle_status_event(ctx, old_id, cur.status,
						  dom_record_text(rec, "status"), err);
	return 0;
}

int dom_cert_after_write(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			 int64_t old_id, struct ck_error *err)
{
	const char *status =
	    dom_record_has(rec, "status") ? dom_record_text(rec, "status") : "active";
	char desc[128];

	if (!old_id) {
		snprintf(desc, sizeof(desc), "Certificate imported with status %s", status);
		return dom_lifecycle_add(ctx, id, "imported", desc, "", status, 0, err);
	}
	return 0;
}

int dom_cert_record_from_x509(struct dom_record *rec, const struct x509_cert_info *leaf,
			      const char *issuer_chain)
{
	struct {
		const char *name, *value;
	} texts[] = {
	    {"common_name", leaf->common_name},
	    {"serial_number", leaf->serial_number},
	    {"fingerprint_sha256", leaf->fingerprint_sha256},
	    {"issuer", leaf->issuer},
	    {"algorithm", leaf->algorithm},
	    {"pem_content", leaf->pem},
	    {"issuer_chain", issuer_chain ? issuer_chain : ""},
	};
	char *sans = NULL;
	size_t cap = 3;
	int r = 0;

	rec->from_x509 = 1;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]) && !r; i++)
		r = dom_record_set_text(rec, texts[i].name, texts[i].value, strlen(texts[i].value));
	if (!r)
		r = dom_record_set_int(rec, "valid_from", leaf->valid_from);
	if (!r)
		r = dom_record_set_int(rec, "valid_to", leaf->valid_to);
	if (!r)
		r = leaf->key_size < 0 ? dom_record_set_null(rec, "key_size")
				       : dom_record_set_int(rec, "key_size", leaf->key_size);
	for (size_t i = 0; i < leaf->nsans; i++)
		cap += 2 * strlen(leaf->sans[i]) + 4;
	sans = r ? NULL : malloc(cap);
	if (!r && !sans)
		r = CK_E_NOMEM;
	if (!r) {
		/* SAN strings come from the parser: printable, but escape '"' and '\' anyway */
		size_t o = 0;
		sans[o++] = '[';
		for (size_t i = 0; i < leaf->nsans; i++) {
			if (i)
				sans[o++] = ',';
			sans[o++] = '"';
			for (const char *p = leaf->sans[i]; *p; p++) {
				if (*p == '"' || *p == '\\')
					sans[o++] = '\\';
				sans[o++] = (unsigned char)*p < 0x20 ? '?' : *p;
			}
			sans[o++] = '"';
		}
		sans[o++] = ']';
		r = dom_record_set_text(rec, "sans", sans, o);
	}
	free(sans);
	return r;
}

int dom_cert_parse_input(const void *data, size_t len, size_t max_input, struct x509_bundle **ret,
			 struct ck_error *err)
{
	struct x509_limits lim;

	x509_limits_default(&lim);
	lim.max_input = max_input;
	return x509_parse_input(data, len, &lim, ret, err);
}

void dom_cert_bundle_free(struct x509_bundle *b) { x509_bundle_free(b); }

int dom_cert_has_private_key(const char *text, size_t len)
{
	return x509_pem_has_private_key(text, len);
}
