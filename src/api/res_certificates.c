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
	jsonw_str(w, dom_cert_expiry_status(col_i64(row, "valid_to"), row->req->ctx.now,
					    row->req->ctx.cfg));
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

	jsonw_bool(w, col_i64(row, "is_acme") && col_i64(row, "acme_auto_renewal") &&
			  d <= (days ? days : 30));
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
static int f_expiring_soon(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			   struct ck_error *err)
{
	int b, a, z;

	if (api_filter_bool("expiring_soon", vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	if (!b)
		return 0;
	a = api_fc_bind_int(fc, fc->now);
	z = api_fc_bind_int(fc, fc->now + (int64_t)fc->cfg->expiry_warning_days * 86400);
	store_qs_open_all(&fc->spec);
	store_qs_where(&fc->spec, "valid_to", 0, STORE_QS_GT, a);
	store_qs_where(&fc->spec, "valid_to", 0, STORE_QS_LTE, z);
	store_qs_close(&fc->spec);
	return fc->spec.failed;
}

static int f_expired(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
		     struct ck_error *err)
{
	int b, n;

	if (api_filter_bool("expired", vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	n = api_fc_bind_int(fc, fc->now);
	store_qs_where(&fc->spec, "valid_to", 0, b ? STORE_QS_LT : STORE_QS_GTE, n);
	return fc->spec.failed;
}

/* valid_to in [from, to) (to 0: no upper bound). */
static void valid_to_range(struct api_filter_ctx *fc, int64_t from, int64_t to)
{
	store_qs_open_all(&fc->spec);
	store_qs_where(&fc->spec, "valid_to", 0, STORE_QS_GTE, api_fc_bind_int(fc, from));
	if (to)
		store_qs_where(&fc->spec, "valid_to", 0, STORE_QS_LT, api_fc_bind_int(fc, to));
	store_qs_close(&fc->spec);
}

/* expiry_status=ok|warning|critical|expired, repeatable (OR): translated to valid_to ranges
 * so the index serves it. Day boundaries follow dom_cert_days_remaining (UTC dates). */
static int f_expiry_status(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			   struct ck_error *err)
{
	int64_t today = fc->now - ((fc->now % 86400) + 86400) % 86400;
	int64_t crit_end = today + ((int64_t)fc->cfg->expiry_critical_days + 1) * 86400;
	int64_t warn_end = today + ((int64_t)fc->cfg->expiry_warning_days + 1) * 86400;

	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals; i++) {
		if (!strcmp(vals[i], "expired"))
			store_qs_where(&fc->spec, "valid_to", 0, STORE_QS_LT,
				       api_fc_bind_int(fc, fc->now));
		else if (!strcmp(vals[i], "critical"))
			valid_to_range(fc, fc->now, crit_end);
		else if (!strcmp(vals[i], "warning"))
			valid_to_range(fc, fc->now > crit_end ? fc->now : crit_end, warn_end);
		else if (!strcmp(vals[i], "ok"))
			valid_to_range(fc, fc->now > warn_end ? fc->now : warn_end, 0);
		else
			return ck_error_set(
			    err, CK_E_INVALID, "expiry_status",
			    "Select a valid choice. %.60s is not one of the available choices.",
			    vals[i]);
		if (fc->spec.failed)
			return fc->spec.failed;
	}
	store_qs_close(&fc->spec);
	return fc->spec.failed;
}

static int time_bound(struct api_filter_ctx *fc, const char *name, const char *col,
		      enum store_qs_lookup lk, const char *const *vals, size_t nvals,
		      struct ck_error *err)
{
	int64_t t;

	if (ck_parse_time(vals[nvals - 1], &t))
		return ck_error_set(err, CK_E_INVALID, name, "Enter a valid date/time.");
	store_qs_where(&fc->spec, col, 0, lk, api_fc_bind_int(fc, t));
	return fc->spec.failed;
}

static int f_valid_to_after(struct api_filter_ctx *fc, const char *const *v, size_t n,
			    struct ck_error *e)
{
	return time_bound(fc, "valid_to_after", "valid_to", STORE_QS_GTE, v, n, e);
}
static int f_valid_to_before(struct api_filter_ctx *fc, const char *const *v, size_t n,
			     struct ck_error *e)
{
	return time_bound(fc, "valid_to_before", "valid_to", STORE_QS_LTE, v, n, e);
}
static int f_valid_from_after(struct api_filter_ctx *fc, const char *const *v, size_t n,
			      struct ck_error *e)
{
	return time_bound(fc, "valid_from_after", "valid_from", STORE_QS_GTE, v, n, e);
}
static int f_valid_from_before(struct api_filter_ctx *fc, const char *const *v, size_t n,
			       struct ck_error *e)
{
	return time_bound(fc, "valid_from_before", "valid_from", STORE_QS_LTE, v, n, e);
}

static int f_has_issuing_ca(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			    struct ck_error *err)
{
	return api_fc_bool_set(fc, "has_issuing_ca", vals, nvals, "issuing_ca_id", err);
}

static int f_has_assignments(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			     struct ck_error *err)
{
	return api_fc_bool_filter(fc, "has_assignments", vals, nvals, "certificate_has_assignments",
				  err);
}

/* has_ari: an ARI CertID is known (ari_cert_id is NOT NULL, '' when unknown). */
static int f_has_ari(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
		     struct ck_error *err)
{
	int b;

	if (api_filter_bool("has_ari", vals[nvals - 1], &b, err))
		return CK_E_INVALID;
	store_qs_where(&fc->spec, "ari_cert_id", 0, b ? STORE_QS_NE : STORE_QS_EQ,
		       api_fc_bind_text(fc, ""));
	return fc->spec.failed;
}

/* acme_renewal_status() as a condition for `name`=v (repeatable, OR; store named filters
 * certificate_renewal_*, same day arithmetic as dom_cert_days_remaining). renewal_status
 * (seed 004) takes the values in any case and has no not_acme. */
static int renewal_status_filter(struct api_filter_ctx *fc, const char *name,
				 const char *const *vals, size_t nvals, struct ck_error *err)
{
	static const char *const states[] = {"not_acme", "manual", "expired", "due", "ok"};
	static const char *const filters[] = {
	    "certificate_renewal_not_acme", "certificate_renewal_manual",
	    "certificate_renewal_expired", "certificate_renewal_due", "certificate_renewal_ok"};
	int any_case = !strcmp(name, "renewal_status");
	/* now, then today: the binds the filters take ($1 now, $2 today) */
	int now = api_fc_bind_int(fc, fc->now);

	if (now < 0 || api_fc_bind_int(fc, fc->now / 86400) < 0)
		return CK_E_TOOBIG;
	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals; i++) {
		size_t k = any_case ? 1 : 0;
		while (k < sizeof(states) / sizeof(states[0]) &&
		       (any_case ? strcasecmp(vals[i], states[k]) : strcmp(vals[i], states[k])))
			k++;
		if (k == sizeof(states) / sizeof(states[0]))
			return ck_error_set(
			    err, CK_E_INVALID, name,
			    "Select a valid choice. %.60s is not one of the available choices.",
			    vals[i]);
		store_qs_filter(&fc->spec, filters[k], k >= 2 ? now : 0, 0);
	}
	store_qs_close(&fc->spec);
	return fc->spec.failed;
}

static int f_acme_renewal_status(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
				 struct ck_error *err)
{
	return renewal_status_filter(fc, "acme_renewal_status", vals, nvals, err);
}

static int f_renewal_status(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			    struct ck_error *err)
{
	return renewal_status_filter(fc, "renewal_status", vals, nvals, err);
}

/* The hex digits of serial filter value `v`, upper case, colons dropped, into `digits`: their
 * number, or 0 when `v` has another character (no stored serial, colon hex, can hold it), is
 * empty, or is too long. */
static size_t serial_digits(const char *v, char digits[SERIAL_FILTER_MAX])
{
	size_t n = 0;

	for (const char *p = v; *p; p++) {
		if (n + 1 >= SERIAL_FILTER_MAX || !(isxdigit((unsigned char)*p) || *p == ':'))
			return 0;
		if (*p != ':')
			digits[n++] = (char)toupper((unsigned char)*p);
	}
	digits[n] = '\0';
	return n;
}

/* serial_number=v (repeatable, OR) matches a serial however it is written: the value's hex
 * digits inside the stored serial's (colons ignored, any case: "abc" and "A:BC" find
 * 0A:BC), or the whole serial with other leading zeros ("000ABC" = serial_key ABC). A value
 * with any other character can be in no stored serial (colon hex) and matches nothing. */
static int f_serial_number(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			   struct ck_error *err)
{
	char digits[SERIAL_FILTER_MAX];
	const char *key;
	int pf;

	(void)err;
	/* One value: the serial_key trigram index pre-filters (every serial whose hex contains
	 * the digits has a serial_key containing them without leading zeros). */
	if (nvals == 1 && serial_digits(vals[0], digits)) {
		for (key = digits; *key == '0'; key++)
			;
		if ((pf = store_qs_contains_prefilter(&fc->spec, "serial_key", key)) < 0)
			return pf;
	}
	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals; i++) {
		if (!serial_digits(vals[i], digits)) {
			store_qs_filter(&fc->spec, "none", 0, 0);
			continue;
		}
		/* hex only: no LIKE wildcard to escape */
		store_qs_filter(&fc->spec, "certificate_serial", api_fc_bind_text(fc, digits), 0);
	}
	store_qs_close(&fc->spec);
	return fc->spec.failed;
}

/* fingerprint_sha256=v (repeatable, OR): exact, with the value in the stored form when it is a
 * fingerprint written another way (no colons, lower case). */
static int f_fingerprint(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			 struct ck_error *err)
{
	(void)err;
	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals; i++) {
		struct strbuf fp;
		int n;
		strbuf_init(&fp, 128);
		n = api_fc_bind_text(
		    fc, dom_value_fingerprint("", vals[i], &fp, NULL) ? vals[i] : strbuf_str(&fp));
		strbuf_release(&fp);
		if (n < 0)
			return n;
		store_qs_where(&fc->spec, "fingerprint_sha256", 0, STORE_QS_EQ, n);
	}
	store_qs_close(&fc->spec);
	return fc->spec.failed;
}

static const struct api_filter cert_filters[] = {
    {.name = "expiring_soon",
     .build = f_expiring_soon,
     .help = "true: expires within expiry_warning_days"},
    {.name = "expired", .build = f_expired, .help = "true: valid_to is past; false: not yet"},
    {.name = "expiry_status",
     .build = f_expiry_status,
     .help = "ok | warning | critical | expired (repeatable)"},
    {.name = "valid_to_after", .build = f_valid_to_after, .help = "valid_to >= date"},
    {.name = "valid_to_before", .build = f_valid_to_before, .help = "valid_to <= date"},
    {.name = "valid_from_after", .build = f_valid_from_after, .help = "valid_from >= date"},
    {.name = "valid_from_before", .build = f_valid_from_before, .help = "valid_from <= date"},
    {.name = "has_issuing_ca", .build = f_has_issuing_ca, .help = "whether an issuing CA is set"},
    {.name = "has_assignments",
     .build = f_has_assignments,
     .help = "whether the certificate is assigned anywhere"},
    {.name = "has_ari", .build = f_has_ari, .help = "whether an ARI CertID is known"},
    {.name = "san",
     .store_filter = "certificate_san",
     .help = "exact SAN element, e.g. DNS:www.example.com"},
    {.name = "acme_renewal_status",
     .build = f_acme_renewal_status,
     .help = "not_acme | manual | expired | due | ok (repeatable)"},
    {.name = "renewal_status",
     .build = f_renewal_status,
     .help = "ok | due | expired | manual, any case (repeatable; ACME only)"},
    {.name = "serial_number",
     .build = f_serial_number,
     .help = "serial, with or without colons and leading zeros (contains)"},
    {.name = "fingerprint_sha256",
     .build = f_fingerprint,
     .help = "SHA-256 fingerprint, with or without colons"},
    {.name = "device_id",
     .build = api_cert_filter_device,
     .help = "assigned to this device or one of its services"},
    {.name = "virtual_machine_id",
     .build = api_cert_filter_vm,
     .help = "assigned to this VM or one of its services"},
    {.name = "service_id", .build = api_cert_filter_service, .help = "assigned to this service"},
    {.name = NULL},
};

/* q ("#": hex-only columns, skipped for a term that is not hex and colons, filter.h): the
 * serial also as colon-less hex ("0abc" finds 0A:BC) and, whole, with any colons and leading
 * zeros ("AB:C", "000ABC": the normalised serial_key, store named filter
 * certificate_serial_key); an exact SAN element. */
static const char *const q_cols[] = {
    "t.common_name", "#t.serial_number",      "#@cert_serial_hex", "#=certificate_serial_key",
    "t.issuer",	     "#t.fingerprint_sha256", "=certificate_san",  NULL};

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
    {.name = "acme_provider",
     .help = "letsencrypt, letsencrypt_staging, zerossl, buypass, google, digicert, sectigo, "
	     "other, or a provider's name"},
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
    {.name = "assignment_count",
     .type = FT_INT,
     .column = "@cert_assignment_count",
     .flags = F_RO | F_SQLEXPR | F_ORDER,
     .help = "number of assignments"},
    {.name = "days_remaining",
     .type = FT_COMPUTED,
     .flags = F_RO | F_BRIEF,
     .render = r_days_remaining},
    {.name = "days_expired", .type = FT_COMPUTED, .flags = F_RO, .render = r_days_expired},
    {.name = "is_expired", .type = FT_COMPUTED, .flags = F_RO, .render = r_is_expired},
    {.name = "is_expiring_soon", .type = FT_COMPUTED, .flags = F_RO, .render = r_is_expiring_soon},
    {.name = "is_critical", .type = FT_COMPUTED, .flags = F_RO, .render = r_is_critical},
    {.name = "expiry_status", .type = FT_COMPUTED, .flags = F_RO, .render = r_expiry_status},
    {.name = "chain_is_valid", .type = FT_COMPUTED, .flags = F_RO, .render = r_chain_is_valid},
    {.name = "acme_renewal_due", .type = FT_COMPUTED, .flags = F_RO, .render = r_acme_renewal_due},
    {.name = "acme_renewal_status",
     .type = FT_COMPUTED,
     .flags = F_RO,
     .render = r_acme_renewal_status},
    {.name = "renewal_status",
     .type = FT_COMPUTED,
     .flags = F_RO | F_NULL,
     .render = r_renewal_status},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

/* ---- export columns (api/export.h; reference §3.11) ---- */

/* Derived from valid_to, as the computed fields above. */
static struct export_value x_days_remaining(struct export_value vt, int64_t now,
					    const struct ck_config *cfg)
{
	(void)cfg;
	return (struct export_value){.i = dom_cert_days_remaining(vt.i, now)};
}

static struct export_value x_is_expired(struct export_value vt, int64_t now,
					const struct ck_config *cfg)
{
	(void)cfg;
	return (struct export_value){.i = vt.i < now};
}

static struct export_value x_is_expiring_soon(struct export_value vt, int64_t now,
					      const struct ck_config *cfg)
{
	int64_t d = dom_cert_days_remaining(vt.i, now);

	return (struct export_value){.i = d > 0 && d <= cfg->expiry_warning_days};
}

static struct export_value x_expiry_status(struct export_value vt, int64_t now,
					   const struct ck_config *cfg)
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
    {.name = "days_remaining",
     .source = "valid_to",
     .render = EXPORT_INT,
     .derive = x_days_remaining},
    {.name = "algorithm", .source = "algorithm", .render = EXPORT_TEXT},
    {.name = "key_size", .source = "key_size", .render = EXPORT_INT_NULL},
    {.name = "status", .source = "status", .render = EXPORT_TEXT},
    {.name = "tenant", .source = "@cert_tenant_name", .render = EXPORT_TEXT_NULL},
    {.name = "sans", .source = "sans", .render = EXPORT_LIST, .flags = EXPORT_CSV_NAMED},
    {.name = "is_expired",
     .source = "valid_to",
     .render = EXPORT_BOOL,
     .flags = EXPORT_EXTENDED,
     .derive = x_is_expired},
    {.name = "is_expiring_soon",
     .source = "valid_to",
     .render = EXPORT_BOOL,
     .flags = EXPORT_EXTENDED,
     .derive = x_is_expiring_soon},
    {.name = "expiry_status",
     .source = "valid_to",
     .render = EXPORT_TEXT,
     .flags = EXPORT_EXTENDED,
     .derive = x_expiry_status},
    {.name = "private_key_location",
     .source = "private_key_location",
     .render = EXPORT_TEXT,
     .flags = EXPORT_EXTENDED},
    {.name = "assignment_count",
     .source = "@cert_assignment_count",
     .render = EXPORT_INT,
     .flags = EXPORT_EXTENDED},
    {.name = "custom_fields",
     .source = "custom_fields",
     .render = EXPORT_OBJECT,
     .flags = EXPORT_EXTENDED},
    {.name = "assignments",
     .source = "@cert_assignments_json",
     .render = EXPORT_REFS,
     .flags = EXPORT_EXTENDED},
    {.name = "created", .source = "created", .render = EXPORT_TIME, .flags = EXPORT_EXTENDED},
    {.name = "last_updated",
     .source = "last_updated",
     .render = EXPORT_TIME,
     .flags = EXPORT_EXTENDED},
};

_Static_assert(sizeof(cert_exports) / sizeof(cert_exports[0]) <= EXPORT_MAX_COLUMNS,
	       "more export columns than EXPORT_MAX_COLUMNS");

const struct api_resource res_certificates = {
    .name = "certificates",
    .model = &dom_model_certificates,
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
