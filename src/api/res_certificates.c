/*
 * api/res_certificates — the certificates resource: declaration, computed fields
 * (reference §1.2) and the certificate-specific filters (§2.5).
 */
#include "api/export.h"
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



static struct api_field cert_fields[] = {
	{.name = "common_name", .flags = F_BRIEF | F_ICONTAINS | F_ORDER, .help = "subject CN"},
	{.name = "serial_number", .flags = F_BRIEF | F_ICONTAINS, .help = "upper-case colon hex"},
	{.name = "serial_key"},
	{.name = "fingerprint_sha256", .help = "SHA-256, colon hex"},
	{.name = "issuer", .flags = F_ICONTAINS, .help = "issuer DN (RFC 4514)"},
	{.name = "issuer_key"},
	{.name = "issuer_chain", .flags = F_NOFILTER},
	{.name = "valid_from", .flags = F_ORDER},
	{.name = "valid_to", .flags = F_BRIEF | F_ORDER},
	{.name = "sans", .help = "subject alternative names"},
	{.name = "key_size", .flags = F_ORDER, .help = "key bits"},
	{.name = "algorithm", .help = "key algorithm"},
	{.name = "status", .flags = F_BRIEF | F_ORDER, .help = "lifecycle status"},
	{.name = "private_key_location"},
	{.name = "renewal_note"},
	{.name = "comments", .flags = F_NOFILTER},
	{.name = "replaced_by", .flags = F_PLAINID, .help = "id of the successor"},
	{.name = "tenant", .help = "owning tenant"},
	{.name = "issuing_ca", .help = "issuing CA"},
	{.name = "archive_pinned"},
	{.name = "archived_at"},
	{.name = "external_id"},
	{.name = "source_removed"},
	{.name = "discovered_via_url"},
	{.name = "last_seen_at"},
	{.name = "pem_content", .flags = F_NOFILTER},
	{.name = "chain_status", .flags = F_BRIEF},
	{.name = "chain_validation_message", .flags = F_NOFILTER},
	{.name = "chain_validated_at"},
	{.name = "chain_depth"},
	{.name = "is_acme", .flags = F_BRIEF, .help = "ACME-managed"},
	{.name = "acme_provider", .help = "letsencrypt, letsencrypt_staging, zerossl, buypass, google, digicert, sectigo, other, or a provider's name"},
	{.name = "acme_account_email"},
	{.name = "acme_challenge_type"},
	{.name = "acme_server_url"},
	{.name = "acme_auto_renewal"},
	{.name = "acme_last_renewed"},
	{.name = "acme_renewal_days"},
	{.name = "ari_cert_id"},
	{.name = "ari_suggested_start"},
	{.name = "ari_suggested_end"},
	{.name = "ari_last_checked"},
	{.name = "ari_retry_after"},
	{.name = "ari_explanation_url"},
	{.name = "assignment_count", .type = FT_INT, .column = "SELECT COUNT(*) FROM assignments a WHERE a.certificate_id = t.id", .flags = F_RO | F_SQLEXPR | F_ORDER, .help = "number of assignments"},
	{.name = "days_remaining", .type = FT_COMPUTED, .flags = F_RO | F_BRIEF, .render = r_days_remaining},
	{.name = "days_expired", .type = FT_COMPUTED, .flags = F_RO, .render = r_days_expired},
	{.name = "is_expired", .type = FT_COMPUTED, .flags = F_RO, .render = r_is_expired},
	{.name = "is_expiring_soon", .type = FT_COMPUTED, .flags = F_RO, .render = r_is_expiring_soon},
	{.name = "is_critical", .type = FT_COMPUTED, .flags = F_RO, .render = r_is_critical},
	{.name = "expiry_status", .type = FT_COMPUTED, .flags = F_RO, .render = r_expiry_status},
	{.name = "chain_is_valid", .type = FT_COMPUTED, .flags = F_RO, .render = r_chain_is_valid},
	{.name = "acme_renewal_due", .type = FT_COMPUTED, .flags = F_RO, .render = r_acme_renewal_due},
	{.name = "acme_renewal_status", .type = FT_COMPUTED, .flags = F_RO, .render = r_acme_renewal_status},
	{.name = "renewal_status", .type = FT_COMPUTED, .flags = F_RO | F_NULL, .render = r_renewal_status},
	{.name = "custom_fields"},
	{.name = "created", .flags = F_ORDER},
	{.name = "last_updated", .flags = F_ORDER},
};

/* ---- export columns (api/export.h; reference §3.11) ---- */

/* Derived from valid_to, as the computed fields above. */
static struct export_value x_days_remaining(struct export_value vt, int64_t now, const struct ck_config *cfg)
{
	(void)cfg;
	return (struct export_value){.i = dom_cert_days_remaining(vt.i, now)};
}

static struct export_value x_is_expired(struct export_value vt, int64_t now, const struct ck_config *cfg)
{
	(void)cfg;
	return (struct export_value){.i = vt.i < now};
}

static struct export_value x_is_expiring_soon(struct export_value vt, int64_t now, const struct ck_config *cfg)
{
	int64_t d = dom_cert_days_remaining(vt.i, now);

	return (struct export_value){.i = d > 0 && d <= cfg->expiry_warning_days};
}

static struct export_value x_expiry_status(struct export_value vt, int64_t now, const struct ck_config *cfg)
{
	return (struct export_value){.s = dom_cert_expiry_status(vt.i, now, cfg)};
}

/* The export's columns: the order is the output's; the default list is every column without
 * EXPORT_EXTENDED. A new exported field is one line here. */
static const struct export_column cert_exports[] = {
	{.name = "id", .source = "id", .render = EXPORT_INT},
	{.name = "common_name", .source = "common_name", .render = EXPORT_TEXT},
	{.name = "serial_number", .source = "serial_number", .render = EXPORT_TEXT},
	{.name = "fingerprint_sha256", .source = "fingerprint_sha256", .render = EXPORT_TEXT},
	{.name = "issuer", .source = "issuer", .render = EXPORT_TEXT},
	{.name = "valid_from", .source = "valid_from", .render = EXPORT_TIME},
	{.name = "valid_to", .source = "valid_to", .render = EXPORT_TIME},
	{.name = "days_remaining", .source = "valid_to", .render = EXPORT_INT, .derive = x_days_remaining},
	{.name = "algorithm", .source = "algorithm", .render = EXPORT_TEXT},
	{.name = "key_size", .source = "key_size", .render = EXPORT_INT_NULL},
	{.name = "status", .source = "status", .render = EXPORT_TEXT},
	{.name = "tenant", .source = "@cert_tenant_name", .render = EXPORT_TEXT_NULL},
	{.name = "sans", .source = "sans", .render = EXPORT_LIST, .flags = EXPORT_CSV_NAMED},
	{.name = "is_expired", .source = "valid_to", .render = EXPORT_BOOL, .flags = EXPORT_EXTENDED, .derive = x_is_expired},
	{.name = "is_expiring_soon", .source = "valid_to", .render = EXPORT_BOOL, .flags = EXPORT_EXTENDED,
	 .derive = x_is_expiring_soon},
	{.name = "expiry_status", .source = "valid_to", .render = EXPORT_TEXT, .flags = EXPORT_EXTENDED,
	 .derive = x_expiry_status},
	{.name = "private_key_location", .source = "private_key_location", .render = EXPORT_TEXT, .flags = EXPORT_EXTENDED},
	{.name = "assignment_count", .source = "@cert_assignment_count", .render = EXPORT_INT, .flags = EXPORT_EXTENDED},
	{.name = "custom_fields", .source = "custom_fields", .render = EXPORT_OBJECT, .flags = EXPORT_EXTENDED},
	{.name = "assignments", .source = "@cert_assignments_json", .render = EXPORT_REFS, .flags = EXPORT_EXTENDED},
	{.name = "created", .source = "created", .render = EXPORT_TIME, .flags = EXPORT_EXTENDED},
	{.name = "last_updated", .source = "last_updated", .render = EXPORT_TIME, .flags = EXPORT_EXTENDED},
};

_Static_assert(sizeof(cert_exports) / sizeof(cert_exports[0]) <= EXPORT_MAX_COLUMNS,
	       "more export columns than EXPORT_MAX_COLUMNS");

const struct api_resource res_certificates = {
	.name = "certificates", .model = &dom_model_certificates,
	.path = "/api/plugins/netbox-ssl/certificates/",
	.fields = cert_fields,
	.nfields = sizeof(cert_fields) / sizeof(cert_fields[0]),
	.default_order = "-valid_to,common_name",
	.q_columns = q_cols,
	.filters = cert_filters,
	.display = cert_display,
	.exports = cert_exports,
	.nexports = sizeof(cert_exports) / sizeof(cert_exports[0]),
	.deletable = 1,
};
