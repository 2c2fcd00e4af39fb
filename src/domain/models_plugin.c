/*
 * domain/models_plugin — the models of the NetBox SSL objects besides certificates:
 * certificate authorities, assignments and certificate signing requests (domain/model.h;
 * the wire half is api/res_plugin.c).
 */
#include "domain/assignment.h"
#include "domain/model.h"

#include <string.h>

#define COMMON_TAIL                                                                                \
	{.name = "custom_fields", .type = FT_JSON, .column = "custom_fields"},                     \
	    {.name = "created", .type = FT_TIME, .column = "created", .flags = F_RO},              \
	{                                                                                          \
		.name = "last_updated", .type = FT_TIME, .column = "last_updated", .flags = F_RO   \
	}

/* ---- certificate authorities ---- */
static const char *const ca_types[] = {"public", "internal", "acme", NULL};

static int ca_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
		    struct ck_error *err)
{
	(void)ctx;
	(void)old_id;
	if (dom_record_has(rec, "name") && !*dom_record_text(rec, "name"))
		return ck_error_set(err, CK_E_INVALID, "name", "This field may not be blank.");
	if (dom_record_has(rec, "contact_email") && *dom_record_text(rec, "contact_email") &&
	    !strchr(dom_record_text(rec, "contact_email"), '@'))
		return ck_error_set(err, CK_E_INVALID, "contact_email",
				    "Enter a valid email address.");
	return 0;
}

static const struct dom_field ca_fields[] = {
    {.name = "name", .type = FT_TEXT, .column = "name", .flags = F_REQ, .maxlen = 100},
    {.name = "type", .type = FT_CHOICE, .column = "type", .choices = ca_types},
    {.name = "description", .type = FT_TEXT, .column = "description", .maxlen = 200},
    {.name = "issuer_pattern", .type = FT_TEXT, .column = "issuer_pattern", .maxlen = 255},
    {.name = "website_url", .type = FT_TEXT, .column = "website_url", .maxlen = 200},
    {.name = "portal_url", .type = FT_TEXT, .column = "portal_url", .maxlen = 200},
    {.name = "contact_email", .type = FT_TEXT, .column = "contact_email", .maxlen = 254},
    {.name = "renewal_instructions", .type = FT_TEXT, .column = "renewal_instructions"},
    {.name = "is_approved", .type = FT_BOOL, .column = "is_approved"},
    {.name = "comments", .type = FT_TEXT, .column = "comments"},
    COMMON_TAIL,
};

const struct dom_model dom_model_cas = {
    .name = "certificate-authorities",
    .object_type = "netbox_ssl.certificateauthority",
    .verbose = "certificate authority",
    .table = "certificate_authorities",
    .fields = ca_fields,
    .nfields = DOM_NFIELDS(ca_fields),
    .hooks = {.before_write = ca_check},
    .taggable = 1,
    .has_custom_fields = 1,
};

/* ---- assignments ---- */
static const struct dom_field assignment_fields[] = {
    {.name = "certificate",
     .type = FT_FK,
     .column = "certificate_id",
     .flags = F_REQ,
     .fk_target = "certificates"},
    {.name = "assigned_object_type",
     .type = FT_CHOICE,
     .column = "assigned_object_type",
     .flags = F_REQ,
     .choices = dom_assignment_types},
    {.name = "assigned_object_id", .type = FT_INT, .column = "assigned_object_id", .flags = F_REQ},
    {.name = "is_primary", .type = FT_BOOL, .column = "is_primary"},
    {.name = "notes", .type = FT_TEXT, .column = "notes"},
    COMMON_TAIL,
};

const struct dom_model dom_model_assignments = {
    .name = "assignments",
    .object_type = "netbox_ssl.certificateassignment",
    .verbose = "assignment",
    .table = "assignments",
    .fields = assignment_fields,
    .nfields = DOM_NFIELDS(assignment_fields),
    .hooks = {.before_write = dom_assignment_before_write,
	      .after_write = dom_assignment_after_write,
	      .before_delete = dom_assignment_before_delete},
    .taggable = 1,
    .has_custom_fields = 1,
};

/* ---- CSRs ---- */
static const char *const csr_statuses[] = {"pending", "approved", "rejected",
					   "issued",  "expired",  NULL};

static int csr_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
		     struct ck_error *err)
{
	struct dom_value *fp = dom_record_get(rec, "fingerprint_sha256");

	(void)ctx;
	(void)old_id;
	if (dom_record_has(rec, "common_name") && !*dom_record_text(rec, "common_name"))
		return ck_error_set(err, CK_E_INVALID, "common_name",
				    "This field may not be blank.");
	if (fp && fp->type == DV_TEXT)
		for (char *p = fp->s; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
	if (!old_id && !dom_record_has(rec, "requested_date"))
		dom_record_set_int(rec, "requested_date", ctx->now);
	return 0;
}

static const struct dom_field csr_fields[] = {
    {.name = "common_name",
     .type = FT_TEXT,
     .column = "common_name",
     .flags = F_REQ,
     .maxlen = 255},
    {.name = "organization", .type = FT_TEXT, .column = "organization", .maxlen = 255},
    {.name = "organizational_unit",
     .type = FT_TEXT,
     .column = "organizational_unit",
     .maxlen = 255},
    {.name = "locality", .type = FT_TEXT, .column = "locality", .maxlen = 255},
    {.name = "state", .type = FT_TEXT, .column = "state", .maxlen = 255},
    {.name = "country", .type = FT_TEXT, .column = "country", .maxlen = 2},
    {.name = "sans", .type = FT_STRLIST, .column = "sans"},
    {.name = "key_size", .type = FT_INT, .column = "key_size", .flags = F_NULL},
    {.name = "algorithm", .type = FT_TEXT, .column = "algorithm", .maxlen = 20},
    {.name = "fingerprint_sha256",
     .type = FT_TEXT,
     .column = "fingerprint_sha256",
     .flags = F_REQ,
     .maxlen = 95},
    {.name = "pem_content", .type = FT_TEXT, .column = "pem_content", .flags = F_REQ},
    {.name = "status", .type = FT_CHOICE, .column = "status", .choices = csr_statuses},
    {.name = "requested_date", .type = FT_TIME, .column = "requested_date", .flags = F_RO},
    {.name = "requested_by", .type = FT_TEXT, .column = "requested_by", .maxlen = 255},
    {.name = "target_ca", .type = FT_TEXT, .column = "target_ca", .maxlen = 255},
    {.name = "notes", .type = FT_TEXT, .column = "notes"},
    {.name = "comments", .type = FT_TEXT, .column = "comments"},
    {.name = "resulting_certificate",
     .type = FT_FK,
     .column = "resulting_certificate_id",
     .flags = F_NULL,
     .fk_target = "certificates"},
    {.name = "tenant",
     .type = FT_FK,
     .column = "tenant_id",
     .flags = F_NULL,
     .fk_target = "tenants"},
    COMMON_TAIL,
};

const struct dom_model dom_model_csrs = {
    .name = "csrs",
    .object_type = "netbox_ssl.certificatesigningrequest",
    .verbose = "certificate signing request",
    .table = "csrs",
    .fields = csr_fields,
    .nfields = DOM_NFIELDS(csr_fields),
    .hooks = {.before_write = csr_check},
    .taggable = 1,
    .has_custom_fields = 1,
};
