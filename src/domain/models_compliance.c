/*
 * domain/models_compliance — the models of compliance policies and check results
 * (domain/model.h; the wire half is api/res_compliance.c). `tag_filter` is a list of tag ids
 * kept in compliance_policy_tags (written by dom_policy_after_write), read through a store
 * named expression.
 */
#include "domain/compliance.h"
#include "domain/model.h"

#define COMMON_TAIL                                                                                \
	{.name = "custom_fields", .type = FT_JSON, .column = "custom_fields"},                     \
	    {.name = "created", .type = FT_TIME, .column = "created", .flags = F_RO},              \
	{                                                                                          \
		.name = "last_updated", .type = FT_TIME, .column = "last_updated", .flags = F_RO   \
	}

static const struct dom_field policy_fields[] = {
    {.name = "name", .type = FT_TEXT, .column = "name", .flags = F_REQ, .maxlen = 100},
    {.name = "description", .type = FT_TEXT, .column = "description", .maxlen = 200},
    {.name = "policy_type",
     .type = FT_CHOICE,
     .column = "policy_type",
     .flags = F_REQ,
     .choices = dom_policy_types},
    {.name = "severity", .type = FT_CHOICE, .column = "severity", .choices = dom_severities},
    {.name = "enabled", .type = FT_BOOL, .column = "enabled"},
    {.name = "parameters", .type = FT_JSON, .column = "parameters"},
    {.name = "tenant",
     .type = FT_FK,
     .column = "tenant_id",
     .flags = F_NULL,
     .fk_target = "tenants"},
    {.name = "tag_filter", .type = FT_INTLIST, .column = "@policy_tag_ids", .flags = F_SQLEXPR},
    COMMON_TAIL,
};

const struct dom_model dom_model_compliance_policies = {
    .name = "compliance-policies",
    .object_type = "netbox_ssl.compliancepolicy",
    .verbose = "compliance policy",
    .table = "compliance_policies",
    .fields = policy_fields,
    .nfields = DOM_NFIELDS(policy_fields),
    .hooks = {.before_write = dom_policy_before_write, .after_write = dom_policy_after_write},
    .taggable = 1,
    .has_custom_fields = 1,
};

/* Rows are written by the compliance-check commands (domain/compliance.h). */
static const struct dom_field check_fields[] = {
    {.name = "certificate",
     .type = FT_FK,
     .column = "certificate_id",
     .flags = F_RO,
     .fk_target = "certificates"},
    {.name = "policy",
     .type = FT_FK,
     .column = "policy_id",
     .flags = F_RO,
     .fk_target = "compliance-policies"},
    {.name = "result",
     .type = FT_CHOICE,
     .column = "result",
     .flags = F_RO,
     .choices = dom_check_results},
    {.name = "message", .type = FT_TEXT, .column = "message", .flags = F_RO},
    {.name = "checked_at", .type = FT_TIME, .column = "checked_at", .flags = F_RO},
    {.name = "checked_value",
     .type = FT_TEXT,
     .column = "checked_value",
     .flags = F_RO,
     .maxlen = 255},
    {.name = "expected_value",
     .type = FT_TEXT,
     .column = "expected_value",
     .flags = F_RO,
     .maxlen = 255},
    COMMON_TAIL,
};

const struct dom_model dom_model_compliance_checks = {
    .name = "compliance-checks",
    .object_type = "netbox_ssl.compliancecheck",
    .verbose = "compliance check",
    .table = "compliance_checks",
    .fields = check_fields,
    .nfields = DOM_NFIELDS(check_fields),
    .taggable = 1,
    .has_custom_fields = 1,
};
