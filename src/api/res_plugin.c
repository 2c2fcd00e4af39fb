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

/* ---- certificate authorities ---- */
static const char *const ca_q[] = {"t.name", "t.description", "t.issuer_pattern", NULL};

static struct api_field ca_fields[] = {
    {.name = "name", .flags = F_BRIEF | F_ORDER, .help = "unique name"},
    {.name = "type", .flags = F_BRIEF | F_ORDER, .help = "public, internal or acme"},
    {.name = "description"},
    {.name = "issuer_pattern",
     .help = "case-insensitive substring of certificate issuers this CA issues"},
    {.name = "website_url"},
    {.name = "portal_url"},
    {.name = "contact_email"},
    {.name = "renewal_instructions", .flags = F_NOFILTER},
    {.name = "is_approved", .flags = F_BRIEF},
    {.name = "comments", .flags = F_NOFILTER},
    {.name = "certificate_count",
     .type = FT_INT,
     .column = "@ca_certificate_count",
     .flags = F_RO | F_SQLEXPR | F_ORDER},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_cas = {
    .name = "certificate-authorities",
    .model = &dom_model_cas,
    .path = "/api/plugins/netbox-ssl/certificate-authorities/",
    .fields = ca_fields,
    .nfields = sizeof(ca_fields) / sizeof(ca_fields[0]),
    .default_order = "name",
    .q_columns = ca_q,
    .display = api_render_display_name,
    .deletable = 1,
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
		strbuf_addf(sb, "Certificate #%lld → %s #%lld", (long long)cert, type ? type : "?",
			    (long long)id);
}

/* device_id / virtual_machine_id / service_id: the object itself and (for hosts) its
 * services; store named filter `filter` (<certificate|assignment>_on_<object>) per id, OR-ed. */
static int host_filter(struct api_filter_ctx *fc, const char *filter, const char *name,
		       const char *const *vals, size_t nvals, struct ck_error *err)
{
	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals; i++) {
		int64_t id;
		if (ck_parse_i64(vals[i], 1, INT64_MAX, &id))
			return ck_error_set(err, CK_E_INVALID, name, "Enter a number.");
		store_qs_filter(&fc->spec, filter, api_fc_bind_int(fc, id), 0);
	}
	store_qs_close(&fc->spec);
	return fc->spec.failed;
}

#define HOST_FILTERS(prefix, row)                                                                  \
	static int prefix##_device(struct api_filter_ctx *fc, const char *const *v, size_t n,      \
				   struct ck_error *e)                                             \
	{                                                                                          \
		return host_filter(fc, row "_on_device", "device_id", v, n, e);                    \
	}                                                                                          \
	static int prefix##_vm(struct api_filter_ctx *fc, const char *const *v, size_t n,          \
			       struct ck_error *e)                                                 \
	{                                                                                          \
		return host_filter(fc, row "_on_virtual_machine", "virtual_machine_id", v, n, e);  \
	}                                                                                          \
	static int prefix##_service(struct api_filter_ctx *fc, const char *const *v, size_t n,     \
				    struct ck_error *e)                                            \
	{                                                                                          \
		return host_filter(fc, row "_on_service", "service_id", v, n, e);                  \
	}

HOST_FILTERS(asg, "assignment")
HOST_FILTERS(cert, "certificate")

int api_cert_filter_device(struct api_filter_ctx *fc, const char *const *v, size_t n,
			   struct ck_error *e)
{
	return cert_device(fc, v, n, e);
}
int api_cert_filter_vm(struct api_filter_ctx *fc, const char *const *v, size_t n,
		       struct ck_error *e)
{
	return cert_vm(fc, v, n, e);
}
int api_cert_filter_service(struct api_filter_ctx *fc, const char *const *v, size_t n,
			    struct ck_error *e)
{
	return cert_service(fc, v, n, e);
}

static int f_certificate_cn(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			    struct ck_error *err)
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
    {.name = "device_id",
     .build = asg_device,
     .help = "assignments to this device or its services"},
    {.name = "virtual_machine_id",
     .build = asg_vm,
     .help = "assignments to this VM or its services"},
    {.name = "service_id", .build = asg_service, .help = "assignments to this service"},
    {.name = "certificate", .build = f_certificate_cn, .help = "certificate CN contains"},
    {.name = NULL},
};

static const char *const assignment_q[] = {"@assignment_certificate_name", "t.notes", NULL};

static struct api_field assignment_fields[] = {
    {.name = "certificate", .flags = F_BRIEF, .help = "certificate id"},
    {.name = "assigned_object_type",
     .flags = F_BRIEF,
     .help = "dcim.device, virtualization.virtualmachine or ipam.service"},
    {.name = "assigned_object_id", .flags = F_BRIEF},
    {.name = "assigned_object", .type = FT_COMPUTED, .flags = F_RO, .render = r_assigned_object},
    {.name = "is_primary", .flags = F_BRIEF},
    {.name = "notes"},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_assignments = {
    .name = "assignments",
    .model = &dom_model_assignments,
    .path = "/api/plugins/netbox-ssl/assignments/",
    .fields = assignment_fields,
    .nfields = sizeof(assignment_fields) / sizeof(assignment_fields[0]),
    .default_order = "certificate,id",
    .q_columns = assignment_q,
    .filters = assignment_filters,
    .display = assignment_display,
    .deletable = 1,
};

/* ---- CSRs ---- */
static const char *const csr_q[] = {"t.common_name", "t.organization", "t.requested_by",
				    "t.target_ca", NULL};

static void r_subject_string(const struct api_row *row, struct jsonw *w)
{
	static const struct {
		const char *field, *label;
	} parts[] = {{"common_name", "CN"}, {"organization", "O"}, {"organizational_unit", "OU"},
		     {"locality", "L"},	    {"state", "ST"},	   {"country", "C"}};
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

static int f_has_certificate(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			     struct ck_error *err)
{
	return api_fc_bool_set(fc, "has_certificate", vals, nvals, "resulting_certificate_id", err);
}

static const struct api_filter csr_filters[] = {
    {.name = "has_certificate", .build = f_has_certificate, .help = "has a resulting certificate"},
    {.name = NULL},
};

static void csr_display(const struct api_row *row, struct strbuf *sb)
{
	strbuf_addf(sb, "CSR: %s", store_col_text(row->st, api_row_col(row, "common_name"), NULL));
}

static struct api_field csr_fields[] = {
    {.name = "common_name", .flags = F_BRIEF | F_ICONTAINS | F_ORDER},
    {.name = "organization", .flags = F_ICONTAINS},
    {.name = "organizational_unit"},
    {.name = "locality"},
    {.name = "state"},
    {.name = "country"},
    {.name = "sans"},
    {.name = "key_size"},
    {.name = "algorithm"},
    {.name = "fingerprint_sha256"},
    {.name = "pem_content", .flags = F_NOFILTER},
    {.name = "status", .flags = F_BRIEF | F_ORDER},
    {.name = "requested_date", .flags = F_BRIEF | F_ORDER},
    {.name = "requested_by", .flags = F_ICONTAINS},
    {.name = "target_ca", .flags = F_ICONTAINS},
    {.name = "notes"},
    {.name = "comments", .flags = F_NOFILTER},
    {.name = "resulting_certificate"},
    {.name = "tenant"},
    {.name = "subject_string", .type = FT_COMPUTED, .flags = F_RO, .render = r_subject_string},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_csrs = {
    .name = "csrs",
    .model = &dom_model_csrs,
    .path = "/api/plugins/netbox-ssl/csrs/",
    .fields = csr_fields,
    .nfields = sizeof(csr_fields) / sizeof(csr_fields[0]),
    .default_order = "-requested_date",
    .q_columns = csr_q,
    .filters = csr_filters,
    .display = csr_display,
    .deletable = 1,
};
