/*
 * api/res_certificates — the certificates resource: declaration, computed fields
 * (reference §1.2) and the certificate-specific filters (§2.5).
 */
#include "api/filter.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/values.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SERIAL_FILTER_MAX 256 /* serial_number holds at most 255 characters */

static int64_t col_i64(const struct api_row *row, const char *name)
{
	int c = api_row_col(row, name);

	return c < 0 ? 0 : store_col_i64(row->st, c);
}

static const char *col_text(const struct api_row *row, const char *name)
{
	int c = api_row_col(row, name);
	const char *s = c < 0 ? NULL : store_col_text(row->st, c, NULL);

	return s ? s : "";
}

static void r_days_remaining(const struct api_row *row, struct jsonw *w)
{
	jsonw_int(w, dom_cert_days_remaining(col_i64(row, "valid_to"), row->req->ctx.now));
}

static void r_days_expired(const struct api_row *row, struct jsonw *w)
{
	int64_t d = dom_cert_days_remaining(col_i64(row, "valid_to"), row->req->ctx.now);

	jsonw_int(w, d < 0 ? -d : 0);
}

static void r_is_expired(const struct api_row *row, struct jsonw *w)
{
	jsonw_bool(w, col_i64(row, "valid_to") < row->req->ctx.now);
}

static void r_is_expiring_soon(const struct api_row *row, struct jsonw *w)
{
	int64_t d = dom_cert_days_remaining(col_i64(row, "valid_to"), row->req->ctx.now);

	jsonw_bool(w, d > 0 && d <= row->req->ctx.cfg->expiry_warning_days);
}

static void r_is_critical(const struct api_row *row, struct jsonw *w)
{
	int64_t d = dom_cert_days_remaining(col_i64(row, "valid_to"), row->req->ctx.now);

	jsonw_bool(w, d > 0 && d <= row->req->ctx.cfg->expiry_critical_days);
}

static void r_expiry_status(const struct api_row *row, struct jsonw *w)
{
	jsonw_str(w, dom_cert_expiry_status(col_i64(row, "valid_to"), row->req->ctx.now, row->req->ctx.cfg));
}

static void r_chain_is_valid(const struct api_row *row, struct jsonw *w)
{
	const char *s = col_text(row, "chain_status");

	jsonw_bool(w, !strcmp(s, "valid") || !strcmp(s, "self_signed"));
}

static void r_acme_renewal_due(const struct api_row *row, struct jsonw *w)
{
	int64_t d = dom_cert_days_remaining(col_i64(row, "valid_to"), row->req->ctx.now);
	int64_t days = col_i64(row, "acme_renewal_days");

	jsonw_bool(w, col_i64(row, "is_acme") && col_i64(row, "acme_auto_renewal") && d <= (days ? days : 30));
}

/* reference §1.2: the first match of not_acme, manual, expired, due; otherwise ok. */
static const char *acme_renewal_status(const struct api_row *row)
{
	int64_t vt = col_i64(row, "valid_to"), now = row->req->ctx.now;
	int64_t days = col_i64(row, "acme_renewal_days");

	if (!col_i64(row, "is_acme"))
		return "not_acme";
	if (!col_i64(row, "acme_auto_renewal"))
		return "manual";
	if (vt < now)
		return "expired";
	if (dom_cert_days_remaining(vt, now) <= (days ? days : 30))
		return "due";
	return "ok";
}

static void r_acme_renewal_status(const struct api_row *row, struct jsonw *w)
{
	jsonw_str(w, acme_renewal_status(row));
}

/* Seed 004's renewal_status (ok | due | expired | manual): the same rule, computed for ACME
 * certificates only — null for the others. */
static void r_renewal_status(const struct api_row *row, struct jsonw *w)
{
	const char *s = acme_renewal_status(row);

	if (!strcmp(s, "not_acme"))
		jsonw_null(w);
	else
		jsonw_str(w, s);
}

static void cert_display(const struct api_row *row, struct strbuf *sb)
{
	char t[21];

	ck_format_time(col_i64(row, "valid_to"), t);
	strbuf_addf(sb, "%s (expires: %.10s)", col_text(row, "common_name"), t);
}

/* expiring_soon=true: now < valid_to <= now + warning days (false: no-op, as the reference). */
static int f_expiring_soon(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	int b, a, z;

	if (api_filter_bool("expiring_soon", vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	if (!b)
		return 0;
	a = api_fc_bind_int(fc, fc->now);
	z = api_fc_bind_int(fc, fc->now + (int64_t)fc->cfg->expiry_warning_days * 86400);
	api_fc_and(fc);
	strbuf_addf(&fc->where, "(t.valid_to > $%d AND t.valid_to <= $%d)", a, z);
	return 0;
}

static int f_expired(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	int b, n;

	if (api_filter_bool("expired", vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	n = api_fc_bind_int(fc, fc->now);
	api_fc_and(fc);
	strbuf_addf(&fc->where, b ? "t.valid_to < $%d" : "t.valid_to >= $%d", n);
	return 0;
}

/* expiry_status=ok|warning|critical|expired, repeatable (OR): translated to valid_to ranges
 * so the index serves it. Day boundaries follow dom_cert_days_remaining (UTC dates). */
static int f_expiry_status(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	int64_t today = fc->now - ((fc->now % 86400) + 86400) % 86400;
	int64_t crit_end = today + ((int64_t)fc->cfg->expiry_critical_days + 1) * 86400;
	int64_t warn_end = today + ((int64_t)fc->cfg->expiry_warning_days + 1) * 86400;

	api_fc_and(fc);
	strbuf_addch(&fc->where, '(');
	for (size_t i = 0; i < nvals; i++) {
		int a = 0, b = 0;
		if (i)
			strbuf_adds(&fc->where, " OR ");
		if (!strcmp(vals[i], "expired")) {
			a = api_fc_bind_int(fc, fc->now);
			strbuf_addf(&fc->where, "t.valid_to < $%d", a);
		} else if (!strcmp(vals[i], "critical")) {
			a = api_fc_bind_int(fc, fc->now);
			b = api_fc_bind_int(fc, crit_end);
			strbuf_addf(&fc->where, "(t.valid_to >= $%d AND t.valid_to < $%d)", a, b);
		} else if (!strcmp(vals[i], "warning")) {
			a = api_fc_bind_int(fc, fc->now > crit_end ? fc->now : crit_end);
			b = api_fc_bind_int(fc, warn_end);
			strbuf_addf(&fc->where, "(t.valid_to >= $%d AND t.valid_to < $%d)", a, b);
		} else if (!strcmp(vals[i], "ok")) {
			a = api_fc_bind_int(fc, fc->now > warn_end ? fc->now : warn_end);
			strbuf_addf(&fc->where, "t.valid_to >= $%d", a);
		} else {
			return ck_error_set(err, CK_E_INVALID, "expiry_status",
					    "Select a valid choice. %.60s is not one of the available choices.", vals[i]);
		}
		if (a < 0 || b < 0)
			return CK_E_TOOBIG;
	}
	strbuf_addch(&fc->where, ')');
	return 0;
}

static int time_bound(struct api_filter_ctx *fc, const char *name, const char *col, const char *op,
		      const char *const *vals, size_t nvals, struct ck_error *err)
{
	int64_t t;
	int n;

	if (ck_parse_time(vals[nvals - 1], &t))
		return ck_error_set(err, CK_E_INVALID, name, "Enter a valid date/time.");
	n = api_fc_bind_int(fc, t);
	api_fc_and(fc);
	strbuf_addf(&fc->where, "t.%s %s $%d", col, op, n);
	return 0;
}

static int f_valid_to_after(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e)
{ return time_bound(fc, "valid_to_after", "valid_to", ">=", v, n, e); }
static int f_valid_to_before(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e)
{ return time_bound(fc, "valid_to_before", "valid_to", "<=", v, n, e); }
static int f_valid_from_after(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e)
{ return time_bound(fc, "valid_from_after", "valid_from", ">=", v, n, e); }
static int f_valid_from_before(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e)
{ return time_bound(fc, "valid_from_before", "valid_from", "<=", v, n, e); }

static int f_has_issuing_ca(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	return api_fc_bool(fc, "has_issuing_ca", vals, nvals, "t.issuing_ca_id IS NOT NULL", "t.issuing_ca_id IS NULL", err);
}

static int f_has_assignments(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	return api_fc_bool(fc, "has_assignments", vals, nvals,
			   "EXISTS (SELECT 1 FROM assignments a WHERE a.certificate_id = t.id)",
			   "NOT EXISTS (SELECT 1 FROM assignments a WHERE a.certificate_id = t.id)", err);
}

static int f_has_ari(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	return api_fc_bool(fc, "has_ari", vals, nvals, "t.ari_cert_id <> ''", "t.ari_cert_id = ''", err);
}

/* san=DNS:x — exact element of the SAN list (repeats OR). */
static int f_san(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	(void)err;
	return api_fc_any_text(fc, "t.id IN (SELECT certificate_id FROM certificate_sans WHERE value = $%d)", vals,
			       nvals);
}

/* The SQL form of acme_renewal_status() for `name`=v (repeatable, OR; same day arithmetic as
 * dom_cert_days_remaining). renewal_status (seed 004) takes the values in any case and has no
 * not_acme. */
static int renewal_status_sql(struct api_filter_ctx *fc, const char *name, const char *const *vals, size_t nvals,
			      struct ck_error *err)
{
	static const char auto_on[] = "t.is_acme = 1 AND t.acme_auto_renewal = 1";
	static const char due[] = "(t.valid_to / 86400 - $%d) <= COALESCE(NULLIF(t.acme_renewal_days, 0), 30)";
	int (*eq)(const char *, const char *) = strcmp(name, "renewal_status") ? strcmp : strcasecmp;
	int now = api_fc_bind_int(fc, fc->now), today = api_fc_bind_int(fc, fc->now / 86400);

	if (now < 0 || today < 0)
		return CK_E_TOOBIG;
	api_fc_and(fc);
	strbuf_addch(&fc->where, '(');
	for (size_t i = 0; i < nvals; i++) {
		strbuf_adds(&fc->where, i ? " OR (" : "(");
		if (!strcmp(vals[i], "not_acme") && eq == strcmp)
			strbuf_adds(&fc->where, "t.is_acme = 0");
		else if (!eq(vals[i], "manual"))
			strbuf_adds(&fc->where, "t.is_acme = 1 AND t.acme_auto_renewal = 0");
		else if (!eq(vals[i], "expired"))
			strbuf_addf(&fc->where, "%s AND t.valid_to < $%d", auto_on, now);
		else if (!eq(vals[i], "due") || !eq(vals[i], "ok")) {
			strbuf_addf(&fc->where, "%s AND t.valid_to >= $%d AND %s", auto_on, now,
				    !eq(vals[i], "due") ? "" : "NOT ");
			strbuf_addf(&fc->where, due, today);
		} else
			return ck_error_set(err, CK_E_INVALID, name,
					    "Select a valid choice. %.60s is not one of the available choices.", vals[i]);
		strbuf_addch(&fc->where, ')');
	}
	strbuf_addch(&fc->where, ')');
	return 0;
}

static int f_acme_renewal_status(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
				 struct ck_error *err)
{
	return renewal_status_sql(fc, "acme_renewal_status", vals, nvals, err);
}

static int f_renewal_status(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			    struct ck_error *err)
{
	return renewal_status_sql(fc, "renewal_status", vals, nvals, err);
}

/* serial_number=v (repeatable, OR) matches a serial however it is written: the value's hex
 * digits inside the stored serial's (colons ignored, any case: "abc" and "A:BC" find
 * 0A:BC), or the whole serial with other leading zeros ("000ABC" = serial_key ABC). A value
 * with any other character can be in no stored serial (colon hex) and matches nothing. */
static int f_serial_number(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			   struct ck_error *err)
{
	(void)err;
	api_fc_and(fc);
	strbuf_addch(&fc->where, '(');
	for (size_t i = 0; i < nvals; i++) {
		char digits[SERIAL_FILTER_MAX];
		const char *key;
		int pf;
		size_t n = 0;
		int ok = 1, a;
		for (const char *p = vals[i]; *p && ok; p++) {
			ok = n + 1 < sizeof(digits) && (isxdigit((unsigned char)*p) || *p == ':');
			if (ok && *p != ':')
				digits[n++] = (char)toupper((unsigned char)*p);
		}
		digits[n] = '\0';
		if (i)
			strbuf_adds(&fc->where, " OR ");
		if (!ok || !n) {
			strbuf_adds(&fc->where, "0 = 1");
			continue;
		}
		a = api_fc_bind_text(fc, digits); /* hex only: no LIKE wildcard to escape */
		if (a < 0)
			return a;
		/* One value: the serial_key trigram index pre-filters (every serial whose hex
		 * contains the digits has a serial_key containing them without leading zeros). */
		for (key = digits; *key == '0'; key++)
			;
		if (nvals == 1 && (pf = store_qs_contains_prefilter(&fc->spec, "serial_key", key)) < 0)
			return pf;
		strbuf_addf(&fc->where,
			    "(REPLACE(t.serial_number, ':', '') LIKE '%%' || CAST($%d AS TEXT) || '%%'"
			    " OR t.serial_key = LTRIM(CAST($%d AS TEXT), '0'))",
			    a, a);
	}
	strbuf_addch(&fc->where, ')');
	return 0;
}

/* fingerprint_sha256=v (repeatable, OR): exact, with the value in the stored form when it is a
 * fingerprint written another way (no colons, lower case). */
static int f_fingerprint(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	(void)err;
	api_fc_and(fc);
	strbuf_addch(&fc->where, '(');
	for (size_t i = 0; i < nvals; i++) {
		struct strbuf fp;
		int n;
		strbuf_init(&fp, 128);
		n = api_fc_bind_text(fc, dom_value_fingerprint("", vals[i], &fp, NULL) ? vals[i] : strbuf_str(&fp));
		strbuf_release(&fp);
		if (n < 0)
			return n;
		strbuf_addf(&fc->where, "%st.fingerprint_sha256 = $%d", i ? " OR " : "", n);
	}
	strbuf_addch(&fc->where, ')');
	return 0;
}

static const struct api_filter cert_filters[] = {
	{"expiring_soon", f_expiring_soon, "true: expires within expiry_warning_days"},
	{"expired", f_expired, "true: valid_to is past; false: not yet"},
	{"expiry_status", f_expiry_status, "ok | warning | critical | expired (repeatable)"},
	{"valid_to_after", f_valid_to_after, "valid_to >= date"},
	{"valid_to_before", f_valid_to_before, "valid_to <= date"},
	{"valid_from_after", f_valid_from_after, "valid_from >= date"},
	{"valid_from_before", f_valid_from_before, "valid_from <= date"},
	{"has_issuing_ca", f_has_issuing_ca, "whether an issuing CA is set"},
	{"has_assignments", f_has_assignments, "whether the certificate is assigned anywhere"},
	{"has_ari", f_has_ari, "whether an ARI CertID is known"},
	{"san", f_san, "exact SAN element, e.g. DNS:www.example.com"},
	{"acme_renewal_status", f_acme_renewal_status, "not_acme | manual | expired | due | ok (repeatable)"},
	{"renewal_status", f_renewal_status, "ok | due | expired | manual, any case (repeatable; ACME only)"},
	{"serial_number", f_serial_number, "serial, with or without colons and leading zeros (contains)"},
	{"fingerprint_sha256", f_fingerprint, "SHA-256 fingerprint, with or without colons"},
	{"device_id", api_cert_filter_device, "assigned to this device or one of its services"},
	{"virtual_machine_id", api_cert_filter_vm, "assigned to this VM or one of its services"},
	{"service_id", api_cert_filter_service, "assigned to this service"},
	{NULL, NULL, NULL},
};

/* q ("#": hex-only columns, skipped for a term that is not hex and colons, filter.h): the
 * serial also as colon-less hex ("0abc" finds 0A:BC) and, whole, with any colons and leading
 * zeros ("AB:C", "000ABC": the normalised serial_key, computed in SQL). */
static const char *const q_cols[] = {"t.common_name", "#t.serial_number", "#REPLACE(t.serial_number, ':', '')",
				     "#=t.serial_key = LTRIM(UPPER(REPLACE(CAST($%d AS TEXT), ':', '')), '0')",
				     "t.issuer", "#t.fingerprint_sha256",
				     "=t.id IN (SELECT certificate_id FROM certificate_sans WHERE value = $%d)", NULL};

/* What users paste, in the stored form (issue 13; domain/values.h). */
static const struct api_normalizer cert_normalizers[] = {
	{"fingerprint_sha256", dom_value_fingerprint},
	{"acme_provider", dom_value_acme_provider},
	{"acme_challenge_type", dom_value_lower},
	{"acme_server_url", dom_value_http_url},
	{"acme_account_email", dom_value_email},
	{NULL, NULL},
};

#define TXT(n, len, fl) {#n, FT_TEXT, #n, fl, len, NULL, NULL, NULL, NULL}
#define BOOL(n) {#n, FT_BOOL, #n, 0, 0, NULL, NULL, NULL, NULL}
#define TIME(n, fl) {#n, FT_TIME, #n, fl, 0, NULL, NULL, NULL, NULL}
#define CALC(n, fn, fl) {#n, FT_COMPUTED, NULL, F_RO | (fl), 0, NULL, NULL, fn, NULL}

static const struct api_field cert_fields[] = {
	{"common_name", FT_TEXT, "common_name", F_REQ | F_BRIEF | F_ICONTAINS | F_ORDER, 255, NULL, NULL, NULL, "subject CN"},
	{"serial_number", FT_TEXT, "serial_number", F_REQ | F_BRIEF | F_ICONTAINS, 255, NULL, NULL, NULL, "upper-case colon hex"},
	{"serial_key", FT_TEXT, "serial_key", F_HIDDEN, 0, NULL, NULL, NULL, NULL},
	{"fingerprint_sha256", FT_TEXT, "fingerprint_sha256", F_REQ, 95, NULL, NULL, NULL, "SHA-256, colon hex"},
	{"issuer", FT_TEXT, "issuer", F_REQ | F_ICONTAINS, 512, NULL, NULL, NULL, "issuer DN (RFC 4514)"},
	{"issuer_key", FT_TEXT, "issuer_key", F_HIDDEN, 0, NULL, NULL, NULL, NULL},
	TXT(issuer_chain, 0, F_NOFILTER),
	TIME(valid_from, F_REQ | F_ORDER),
	TIME(valid_to, F_REQ | F_BRIEF | F_ORDER),
	{"sans", FT_STRLIST, "sans", 0, 0, NULL, NULL, NULL, "subject alternative names"},
	{"key_size", FT_INT, "key_size", F_NULL | F_ORDER, 0, NULL, NULL, NULL, "key bits"},
	{"algorithm", FT_CHOICE, "algorithm", F_REQ, 0, dom_cert_algorithms, NULL, NULL, "key algorithm"},
	{"status", FT_CHOICE, "status", F_BRIEF | F_ORDER, 0, dom_cert_statuses, NULL, NULL, "lifecycle status"},
	TXT(private_key_location, 512, 0),
	TXT(renewal_note, 0, 0),
	TXT(comments, 0, F_NOFILTER),
	{"replaced_by", FT_FK, "replaced_by", F_NULL | F_PLAINID, 0, NULL, "certificates", NULL, "id of the successor"},
	{"tenant", FT_FK, "tenant_id", F_NULL, 0, NULL, "tenants", NULL, "owning tenant"},
	{"issuing_ca", FT_FK, "issuing_ca_id", F_NULL, 0, NULL, "certificate-authorities", NULL, "issuing CA"},
	BOOL(archive_pinned),
	TIME(archived_at, F_NULL | F_RO),
	{"external_id", FT_TEXT, "external_id", F_RO, 255, NULL, NULL, NULL, NULL},
	BOOL(source_removed),
	TXT(discovered_via_url, 2048, 0),
	TIME(last_seen_at, F_NULL | F_RO),
	TXT(pem_content, 0, F_NOFILTER),
	{"chain_status", FT_CHOICE, "chain_status", F_BRIEF | F_RO, 0, dom_chain_statuses, NULL, NULL, NULL},
	TXT(chain_validation_message, 0, F_RO | F_NOFILTER),
	TIME(chain_validated_at, F_NULL | F_RO),
	{"chain_depth", FT_INT, "chain_depth", F_NULL | F_RO, 0, NULL, NULL, NULL, NULL},
	{"is_acme", FT_BOOL, "is_acme", F_BRIEF, 0, NULL, NULL, NULL, "ACME-managed"},
	{"acme_provider", FT_CHOICE, "acme_provider", F_OPEN, 100, dom_acme_providers, NULL, NULL,
	 "letsencrypt, letsencrypt_staging, zerossl, buypass, google, digicert, sectigo, other, or a provider's name"},
	TXT(acme_account_email, 254, 0),
	{"acme_challenge_type", FT_CHOICE, "acme_challenge_type", 0, 0, dom_acme_challenges, NULL, NULL, NULL},
	TXT(acme_server_url, 500, 0),
	BOOL(acme_auto_renewal),
	TIME(acme_last_renewed, F_NULL),
	{"acme_renewal_days", FT_INT, "acme_renewal_days", F_NULL, 0, NULL, NULL, NULL, NULL},
	TXT(ari_cert_id, 500, F_RO),
	TIME(ari_suggested_start, F_NULL | F_RO),
	TIME(ari_suggested_end, F_NULL | F_RO),
	TIME(ari_last_checked, F_NULL | F_RO),
	TIME(ari_retry_after, F_NULL | F_RO),
	TXT(ari_explanation_url, 500, F_RO),
	{"assignment_count", FT_INT, "SELECT COUNT(*) FROM assignments a WHERE a.certificate_id = t.id",
	 F_RO | F_SQLEXPR | F_ORDER, 0, NULL, NULL, NULL, "number of assignments"},
	CALC(days_remaining, r_days_remaining, F_BRIEF),
	CALC(days_expired, r_days_expired, 0),
	CALC(is_expired, r_is_expired, 0),
	CALC(is_expiring_soon, r_is_expiring_soon, 0),
	CALC(is_critical, r_is_critical, 0),
	CALC(expiry_status, r_expiry_status, 0),
	CALC(chain_is_valid, r_chain_is_valid, 0),
	CALC(acme_renewal_due, r_acme_renewal_due, 0),
	CALC(acme_renewal_status, r_acme_renewal_status, 0),
	CALC(renewal_status, r_renewal_status, F_NULL),
	{"custom_fields", FT_JSON, "custom_fields", 0, 0, NULL, NULL, NULL, NULL},
	TIME(created, F_RO | F_ORDER),
	TIME(last_updated, F_RO | F_ORDER),
};

const struct api_resource res_certificates = {
	.name = "certificates",
	.path = "/api/plugins/netbox-ssl/certificates/",
	.object_type = "netbox_ssl.certificate",
	.verbose = "certificate",
	.table = "certificates",
	.fields = cert_fields,
	.nfields = sizeof(cert_fields) / sizeof(cert_fields[0]),
	.default_order = "-valid_to,common_name",
	.q_columns = q_cols,
	.filters = cert_filters,
	.normalizers = cert_normalizers,
	.hooks = {dom_cert_before_write, dom_cert_after_write, NULL, cert_display},
	.taggable = 1,
	.has_custom_fields = 1,
	.deletable = 1,
};
