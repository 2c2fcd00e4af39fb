/*
 * api/res_plugin — the NetBox SSL resources besides certificates: certificate authorities,
 * assignments and certificate signing requests (reference §1.3, §2.2, §2.5).
 */
#include "api/filter.h"
#include "api/resources.h"
#include "domain/assignment.h"
#include "core/parse.h"
#include "domain/certificate.h"

#include <stdio.h>
#include <string.h>

#define COMMON_TAIL                                                                             \
	{"custom_fields", FT_JSON, "custom_fields", 0, 0, NULL, NULL, NULL, NULL},              \
	{"created", FT_TIME, "created", F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL},             \
	{"last_updated", FT_TIME, "last_updated", F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL}

/* ---- certificate authorities ---- */
static const char *const ca_types[] = {"public", "internal", "acme", NULL};
static const char *const ca_q[] = {"t.name", "t.description", "t.issuer_pattern", NULL};

static const struct api_field ca_fields[] = {
	{"name", FT_TEXT, "name", F_REQ | F_BRIEF | F_ORDER, 100, NULL, NULL, NULL, "unique name"},
	{"type", FT_CHOICE, "type", F_BRIEF | F_ORDER, 0, ca_types, NULL, NULL, "public, internal or acme"},
	{"description", FT_TEXT, "description", 0, 200, NULL, NULL, NULL, NULL},
	{"issuer_pattern", FT_TEXT, "issuer_pattern", 0, 255, NULL, NULL, NULL,
	 "case-insensitive substring of certificate issuers this CA issues"},
	{"website_url", FT_TEXT, "website_url", 0, 200, NULL, NULL, NULL, NULL},
	{"portal_url", FT_TEXT, "portal_url", 0, 200, NULL, NULL, NULL, NULL},
	{"contact_email", FT_TEXT, "contact_email", 0, 254, NULL, NULL, NULL, NULL},
	{"renewal_instructions", FT_TEXT, "renewal_instructions", F_NOFILTER, 0, NULL, NULL, NULL, NULL},
	{"is_approved", FT_BOOL, "is_approved", F_BRIEF, 0, NULL, NULL, NULL, NULL},
	{"comments", FT_TEXT, "comments", F_NOFILTER, 0, NULL, NULL, NULL, NULL},
	{"certificate_count", FT_INT, "SELECT COUNT(*) FROM certificates c WHERE c.issuing_ca_id = t.id",
	 F_RO | F_SQLEXPR | F_ORDER, 0, NULL, NULL, NULL, NULL},
	COMMON_TAIL,
};

static int ca_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id, struct ck_error *err)
{
	(void)ctx;
	(void)old_id;
	if (dom_record_has(rec, "name") && !*dom_record_text(rec, "name"))
		return ck_error_set(err, CK_E_INVALID, "name", "This field may not be blank.");
	if (dom_record_has(rec, "contact_email") && *dom_record_text(rec, "contact_email") &&
	    !strchr(dom_record_text(rec, "contact_email"), '@'))
		return ck_error_set(err, CK_E_INVALID, "contact_email", "Enter a valid email address.");
	return 0;
}

const struct api_resource res_cas = {
	.name = "certificate-authorities", .path = "/api/plugins/netbox-ssl/certificate-authorities/",
	.object_type = "netbox_ssl.certificateauthority", .verbose = "certificate authority",
	.table = "certificate_authorities", .fields = ca_fields, .nfields = sizeof(ca_fields) / sizeof(ca_fields[0]),
	.default_order = "name", .q_columns = ca_q, .hooks = {ca_check, NULL, NULL, api_render_display_name},
	.taggable = 1, .has_custom_fields = 1, .deletable = 1,
};

/* ---- assignments ---- */
static void r_assigned_object(const struct api_row *row, struct jsonw *w)
{
	const char *type = store_col_text(row->st, api_row_col(row, "assigned_object_type"), NULL);
	int64_t id = store_col_i64(row->st, api_row_col(row, "assigned_object_id"));
	struct dom_target t;

	if (!type || dom_target_get(&row->req->ctx, type, id, &t, NULL)) {
		jsonw_null(w);
		return;
	}
	jsonw_obj_open(w);
	jsonw_kint(w, "id", t.id);
	jsonw_key(w, "url");
	api_write_url(w, row->req, t.list_path, t.id);
	jsonw_key(w, "display");
	if (t.parent_id) {
		struct strbuf d;
		strbuf_init(&d, 1024);
		strbuf_addf(&d, "%s on %s", t.name, t.parent_name);
		jsonw_strn(w, strbuf_str(&d), d.len);
		strbuf_release(&d);
	} else {
		jsonw_str(w, t.name);
	}
	jsonw_kstr(w, "name", t.name);
	jsonw_kstr(w, "model", t.model);
	if (t.parent_id) {
		jsonw_key(w, "parent");
		jsonw_obj_open(w);
		jsonw_kint(w, "id", t.parent_id);
		jsonw_kstr(w, "type", t.parent_type);
		jsonw_kstr(w, "name", t.parent_name);
		jsonw_obj_close(w);
	}
	jsonw_obj_close(w);
}

static void assignment_display(const struct api_row *row, struct strbuf *sb)
{
	int64_t cert = store_col_i64(row->st, api_row_col(row, "certificate"));
	const char *type = store_col_text(row->st, api_row_col(row, "assigned_object_type"), NULL);
	int64_t id = store_col_i64(row->st, api_row_col(row, "assigned_object_id"));
	struct dom_target t;

	if (type && !dom_target_get(&row->req->ctx, type, id, &t, NULL))
		strbuf_addf(sb, "Certificate #%lld → %s", (long long)cert, t.name);
	else
		strbuf_addf(sb, "Certificate #%lld → %s #%lld", (long long)cert, type ? type : "?", (long long)id);
}

/* device_id / virtual_machine_id / service_id: the object itself and (for hosts) its services. */
static int host_filter(struct api_filter_ctx *fc, const char *type, const char *svc_col, const char *cert_col,
		       const char *name, const char *const *vals, size_t nvals, struct ck_error *err)
{
	api_fc_and(fc);
	strbuf_adds(&fc->where, "(");
	for (size_t i = 0; i < nvals; i++) {
		int64_t id;
		int n;
		if (ck_parse_i64(vals[i], 1, INT64_MAX, &id))
			return ck_error_set(err, CK_E_INVALID, name, "Enter a number.");
		n = api_fc_bind_int(fc, id);
		if (n < 0)
			return n;
		strbuf_addf(&fc->where, "%sEXISTS (SELECT 1 FROM assignments a WHERE a.%s AND ((a.assigned_object_type = '%s'"
					" AND a.assigned_object_id = $%d)",
			    i ? " OR " : "", cert_col, type, n);
		if (svc_col)
			strbuf_addf(&fc->where, " OR (a.assigned_object_type = 'ipam.service' AND a.assigned_object_id IN"
						" (SELECT id FROM services WHERE %s = $%d))", svc_col, n);
		strbuf_adds(&fc->where, "))");
	}
	strbuf_addch(&fc->where, ')');
	return 0;
}

#define HOST_FILTERS(prefix, cert_col)                                                                 \
	static int prefix##_device(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e) \
	{ return host_filter(fc, "dcim.device", "device_id", cert_col, "device_id", v, n, e); }         \
	static int prefix##_vm(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e) \
	{ return host_filter(fc, "virtualization.virtualmachine", "virtual_machine_id", cert_col,      \
			     "virtual_machine_id", v, n, e); }                                         \
	static int prefix##_service(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e) \
	{ return host_filter(fc, "ipam.service", NULL, cert_col, "service_id", v, n, e); }

HOST_FILTERS(asg, "id = t.id")
HOST_FILTERS(cert, "certificate_id = t.id")

int api_cert_filter_device(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e)
{ return cert_device(fc, v, n, e); }
int api_cert_filter_vm(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e)
{ return cert_vm(fc, v, n, e); }
int api_cert_filter_service(struct api_filter_ctx *fc, const char *const *v, size_t n, struct ck_error *e)
{ return cert_service(fc, v, n, e); }

static int f_certificate_cn(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	int r = 0;

	(void)err;
	/* contains, case-insensitive, the value taken literally (as NetBox's icontains) */
	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals && !r; i++)
		r = store_qs_in_match(&fc->spec, "certificate_id", "certificates", "common_name",
				      STORE_QS_ICONTAINS, vals[i]);
	store_qs_close(&fc->spec);
	return r;
}

static const struct api_filter assignment_filters[] = {
	{"device_id", asg_device, "assignments to this device or its services"},
	{"virtual_machine_id", asg_vm, "assignments to this VM or its services"},
	{"service_id", asg_service, "assignments to this service"},
	{"certificate", f_certificate_cn, "certificate CN contains"},
	{NULL, NULL, NULL},
};

static const char *const assignment_q[] = {
	"(SELECT common_name FROM certificates c WHERE c.id = t.certificate_id)", "t.notes", NULL};

static const struct api_field assignment_fields[] = {
	{"certificate", FT_FK, "certificate_id", F_REQ | F_BRIEF, 0, NULL, "certificates", NULL, "certificate id"},
	{"assigned_object_type", FT_CHOICE, "assigned_object_type", F_REQ | F_BRIEF, 0, dom_assignment_types, NULL, NULL,
	 "dcim.device, virtualization.virtualmachine or ipam.service"},
	{"assigned_object_id", FT_INT, "assigned_object_id", F_REQ | F_BRIEF, 0, NULL, NULL, NULL, NULL},
	{"assigned_object", FT_COMPUTED, NULL, F_RO, 0, NULL, NULL, r_assigned_object, NULL},
	{"is_primary", FT_BOOL, "is_primary", F_BRIEF, 0, NULL, NULL, NULL, NULL},
	{"notes", FT_TEXT, "notes", 0, 0, NULL, NULL, NULL, NULL},
	COMMON_TAIL,
};

const struct api_resource res_assignments = {
	.name = "assignments", .path = "/api/plugins/netbox-ssl/assignments/",
	.object_type = "netbox_ssl.certificateassignment", .verbose = "assignment", .table = "assignments",
	.fields = assignment_fields, .nfields = sizeof(assignment_fields) / sizeof(assignment_fields[0]),
	.default_order = "certificate,id", .q_columns = assignment_q, .filters = assignment_filters,
	.hooks = {dom_assignment_before_write, dom_assignment_after_write, dom_assignment_before_delete,
		  assignment_display},
	.taggable = 1, .has_custom_fields = 1, .deletable = 1,
};

/* ---- CSRs ---- */
static const char *const csr_statuses[] = {"pending", "approved", "rejected", "issued", "expired", NULL};
static const char *const csr_q[] = {"t.common_name", "t.organization", "t.requested_by", "t.target_ca", NULL};

static void r_subject_string(const struct api_row *row, struct jsonw *w)
{
	static const struct {
		const char *field, *label;
	} parts[] = {{"common_name", "CN"}, {"organization", "O"}, {"organizational_unit", "OU"},
		     {"locality", "L"}, {"state", "ST"}, {"country", "C"}};
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *v = store_col_text(row->st, api_row_col(row, parts[i].field), NULL);
		if (v && *v)
			strbuf_addf(&sb, "%s%s=%s", sb.len ? ", " : "", parts[i].label, v);
	}
	jsonw_strn(w, strbuf_str(&sb), sb.len);
	strbuf_release(&sb);
}

static int f_has_certificate(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	return api_fc_bool(fc, "has_certificate", vals, nvals, "t.resulting_certificate_id IS NOT NULL",
			   "t.resulting_certificate_id IS NULL", err);
}

static const struct api_filter csr_filters[] = {{"has_certificate", f_has_certificate, "has a resulting certificate"},
						{NULL, NULL, NULL}};

static int csr_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id, struct ck_error *err)
{
	struct dom_value *fp = dom_record_get(rec, "fingerprint_sha256");

	(void)ctx;
	(void)old_id;
	if (dom_record_has(rec, "common_name") && !*dom_record_text(rec, "common_name"))
		return ck_error_set(err, CK_E_INVALID, "common_name", "This field may not be blank.");
	if (fp && fp->type == DV_TEXT)
		for (char *p = fp->s; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
	if (!old_id && !dom_record_has(rec, "requested_date"))
		dom_record_set_int(rec, "requested_date", ctx->now);
	return 0;
}

static void csr_display(const struct api_row *row, struct strbuf *sb)
{
	strbuf_addf(sb, "CSR: %s", store_col_text(row->st, api_row_col(row, "common_name"), NULL));
}

static const struct api_field csr_fields[] = {
	{"common_name", FT_TEXT, "common_name", F_REQ | F_BRIEF | F_ICONTAINS | F_ORDER, 255, NULL, NULL, NULL, NULL},
	{"organization", FT_TEXT, "organization", F_ICONTAINS, 255, NULL, NULL, NULL, NULL},
	{"organizational_unit", FT_TEXT, "organizational_unit", 0, 255, NULL, NULL, NULL, NULL},
	{"locality", FT_TEXT, "locality", 0, 255, NULL, NULL, NULL, NULL},
	{"state", FT_TEXT, "state", 0, 255, NULL, NULL, NULL, NULL},
	{"country", FT_TEXT, "country", 0, 2, NULL, NULL, NULL, NULL},
	{"sans", FT_STRLIST, "sans", 0, 0, NULL, NULL, NULL, NULL},
	{"key_size", FT_INT, "key_size", F_NULL, 0, NULL, NULL, NULL, NULL},
	{"algorithm", FT_TEXT, "algorithm", 0, 20, NULL, NULL, NULL, NULL},
	{"fingerprint_sha256", FT_TEXT, "fingerprint_sha256", F_REQ, 95, NULL, NULL, NULL, NULL},
	{"pem_content", FT_TEXT, "pem_content", F_REQ | F_NOFILTER, 0, NULL, NULL, NULL, NULL},
	{"status", FT_CHOICE, "status", F_BRIEF | F_ORDER, 0, csr_statuses, NULL, NULL, NULL},
	{"requested_date", FT_TIME, "requested_date", F_BRIEF | F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL},
	{"requested_by", FT_TEXT, "requested_by", F_ICONTAINS, 255, NULL, NULL, NULL, NULL},
	{"target_ca", FT_TEXT, "target_ca", F_ICONTAINS, 255, NULL, NULL, NULL, NULL},
	{"notes", FT_TEXT, "notes", 0, 0, NULL, NULL, NULL, NULL},
	{"comments", FT_TEXT, "comments", F_NOFILTER, 0, NULL, NULL, NULL, NULL},
	{"resulting_certificate", FT_FK, "resulting_certificate_id", F_NULL, 0, NULL, "certificates", NULL, NULL},
	{"tenant", FT_FK, "tenant_id", F_NULL, 0, NULL, "tenants", NULL, NULL},
	{"subject_string", FT_COMPUTED, NULL, F_RO, 0, NULL, NULL, r_subject_string, NULL},
	COMMON_TAIL,
};

const struct api_resource res_csrs = {
	.name = "csrs", .path = "/api/plugins/netbox-ssl/csrs/", .object_type = "netbox_ssl.certificatesigningrequest",
	.verbose = "certificate signing request", .table = "csrs", .fields = csr_fields,
	.nfields = sizeof(csr_fields) / sizeof(csr_fields[0]), .default_order = "-requested_date",
	.q_columns = csr_q, .filters = csr_filters, .hooks = {csr_check, NULL, NULL, csr_display},
	.taggable = 1, .has_custom_fields = 1, .deletable = 1,
};
