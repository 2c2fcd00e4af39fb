/*
 * domain/models_certificates — the certificate model (domain/model.h; the wire half, with
 * the computed fields and filters, is api/res_certificates.c). The rules live in
 * domain/certificate.c (dom_cert_before_write / dom_cert_after_write).
 */
#include "domain/certificate.h"
#include "domain/model.h"
#include "domain/values.h"

/* What users paste, in the stored form (issue 13; domain/values.h). */
static const struct dom_normalizer cert_normalizers[] = {
	{"fingerprint_sha256", dom_value_fingerprint},
	{"acme_provider", dom_value_acme_provider},
	{"acme_challenge_type", dom_value_lower},
	{"acme_server_url", dom_value_http_url},
	{"acme_account_email", dom_value_email},
	{NULL, NULL},
};

static const struct dom_field cert_fields[] = {
	{.name = "common_name", .type = FT_TEXT, .column = "common_name", .flags = F_REQ, .maxlen = 255},
	{.name = "serial_number", .type = FT_TEXT, .column = "serial_number", .flags = F_REQ, .maxlen = 255},
	{.name = "serial_key", .type = FT_TEXT, .column = "serial_key", .flags = F_HIDDEN},
	{.name = "fingerprint_sha256", .type = FT_TEXT, .column = "fingerprint_sha256", .flags = F_REQ, .maxlen = 95},
	{.name = "issuer", .type = FT_TEXT, .column = "issuer", .flags = F_REQ, .maxlen = 512},
	{.name = "issuer_key", .type = FT_TEXT, .column = "issuer_key", .flags = F_HIDDEN},
	{.name = "issuer_chain", .type = FT_TEXT, .column = "issuer_chain"},
	{.name = "valid_from", .type = FT_TIME, .column = "valid_from", .flags = F_REQ},
	{.name = "valid_to", .type = FT_TIME, .column = "valid_to", .flags = F_REQ},
	{.name = "sans", .type = FT_STRLIST, .column = "sans"},
	{.name = "key_size", .type = FT_INT, .column = "key_size", .flags = F_NULL},
	{.name = "algorithm", .type = FT_CHOICE, .column = "algorithm", .flags = F_REQ, .choices = dom_cert_algorithms},
	{.name = "status", .type = FT_CHOICE, .column = "status", .choices = dom_cert_statuses},
	{.name = "private_key_location", .type = FT_TEXT, .column = "private_key_location", .maxlen = 512},
	{.name = "renewal_note", .type = FT_TEXT, .column = "renewal_note"},
	{.name = "comments", .type = FT_TEXT, .column = "comments"},
	{.name = "replaced_by", .type = FT_FK, .column = "replaced_by", .flags = F_NULL, .fk_target = "certificates"},
	{.name = "tenant", .type = FT_FK, .column = "tenant_id", .flags = F_NULL, .fk_target = "tenants"},
	{.name = "issuing_ca", .type = FT_FK, .column = "issuing_ca_id", .flags = F_NULL, .fk_target = "certificate-authorities"},
	{.name = "archive_pinned", .type = FT_BOOL, .column = "archive_pinned"},
	{.name = "archived_at", .type = FT_TIME, .column = "archived_at", .flags = F_NULL | F_RO},
	{.name = "external_id", .type = FT_TEXT, .column = "external_id", .flags = F_RO, .maxlen = 255},
	{.name = "source_removed", .type = FT_BOOL, .column = "source_removed"},
	{.name = "discovered_via_url", .type = FT_TEXT, .column = "discovered_via_url", .maxlen = 2048},
	{.name = "last_seen_at", .type = FT_TIME, .column = "last_seen_at", .flags = F_NULL | F_RO},
	{.name = "pem_content", .type = FT_TEXT, .column = "pem_content"},
	{.name = "chain_status", .type = FT_CHOICE, .column = "chain_status", .flags = F_RO, .choices = dom_chain_statuses},
	{.name = "chain_validation_message", .type = FT_TEXT, .column = "chain_validation_message", .flags = F_RO},
	{.name = "chain_validated_at", .type = FT_TIME, .column = "chain_validated_at", .flags = F_NULL | F_RO},
	{.name = "chain_depth", .type = FT_INT, .column = "chain_depth", .flags = F_NULL | F_RO},
	{.name = "is_acme", .type = FT_BOOL, .column = "is_acme"},
	{.name = "acme_provider", .type = FT_CHOICE, .column = "acme_provider", .flags = F_OPEN, .maxlen = 100, .choices = dom_acme_providers},
	{.name = "acme_account_email", .type = FT_TEXT, .column = "acme_account_email", .maxlen = 254},
	{.name = "acme_challenge_type", .type = FT_CHOICE, .column = "acme_challenge_type", .choices = dom_acme_challenges},
	{.name = "acme_server_url", .type = FT_TEXT, .column = "acme_server_url", .maxlen = 500},
	{.name = "acme_auto_renewal", .type = FT_BOOL, .column = "acme_auto_renewal"},
	{.name = "acme_last_renewed", .type = FT_TIME, .column = "acme_last_renewed", .flags = F_NULL},
	{.name = "acme_renewal_days", .type = FT_INT, .column = "acme_renewal_days", .flags = F_NULL},
	{.name = "ari_cert_id", .type = FT_TEXT, .column = "ari_cert_id", .flags = F_RO, .maxlen = 500},
	{.name = "ari_suggested_start", .type = FT_TIME, .column = "ari_suggested_start", .flags = F_NULL | F_RO},
	{.name = "ari_suggested_end", .type = FT_TIME, .column = "ari_suggested_end", .flags = F_NULL | F_RO},
	{.name = "ari_last_checked", .type = FT_TIME, .column = "ari_last_checked", .flags = F_NULL | F_RO},
	{.name = "ari_retry_after", .type = FT_TIME, .column = "ari_retry_after", .flags = F_NULL | F_RO},
	{.name = "ari_explanation_url", .type = FT_TEXT, .column = "ari_explanation_url", .flags = F_RO, .maxlen = 500},
	{.name = "custom_fields", .type = FT_JSON, .column = "custom_fields"},
	{.name = "created", .type = FT_TIME, .column = "created", .flags = F_RO},
	{.name = "last_updated", .type = FT_TIME, .column = "last_updated", .flags = F_RO},
};

const struct dom_model dom_model_certificates = {
	.name = "certificates",
	.object_type = "netbox_ssl.certificate",
	.verbose = "certificate",
	.table = "certificates",
	.fields = cert_fields,
	.nfields = DOM_NFIELDS(cert_fields),
	.normalizers = cert_normalizers,
	.hooks = {.before_write = dom_cert_before_write, .after_write = dom_cert_after_write},
	.taggable = 1,
	.has_custom_fields = 1,
};
