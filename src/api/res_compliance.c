/*
 * api/res_compliance — compliance policies and checks (reference §1.3, §2.2, §2.5):
 *   /api/plugins/netbox-ssl/compliance-policies/  full CRUD; `tag_filter` is a list of tag
 *       ids kept in compliance_policy_tags (written by the domain hook), `parameters` a JSON
 *       object checked per type by domain/compliance, `check_count` computed;
 *   /api/plugins/netbox-ssl/compliance-checks/    list, get and delete only; rows are written
 *       by the compliance-check actions (api/actions_compliance.c).
 * Computed columns are store named expressions ("@name", store/queryspec.h): no SQL here.
 */
#include "api/filter.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/compliance.h"

#include <string.h>

#define COMMON_TAIL                                                                                \
	{"custom_fields", FT_JSON, "custom_fields", 0, 0, NULL, NULL, NULL, NULL},                 \
	    {"created", FT_TIME, "created", F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL},            \
	{                                                                                          \
		"last_updated", FT_TIME, "last_updated", F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL \
	}

/* ---- policies ---- */

/* `<fk>` by the target's name, case-insensitive contains; several values OR together. */
static int fk_name_contains(struct api_filter_ctx *fc, const char *col, const char *table,
			    const char *target_col, const char *const *vals, size_t nvals)
{
	int r = 0;

	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals && !r; i++)
		r = store_qs_in_match(&fc->spec, col, table, target_col, STORE_QS_ICONTAINS, vals[i]);
	store_qs_close(&fc->spec);
	return r;
}

static int f_policy_tenant(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			   struct ck_error *err)
{
	(void)err;
	return fk_name_contains(fc, "tenant_id", "tenants", "name", vals, nvals);
}

static const struct api_filter policy_filters[] = {
    {"tenant", f_policy_tenant, "tenant name contains"},
    {NULL, NULL, NULL},
};

static const char *const policy_q[] = {"t.name", "t.description", NULL};

static const struct api_field policy_fields[] = {
    {"name", FT_TEXT, "name", F_REQ | F_BRIEF | F_ORDER, 100, NULL, NULL, NULL, "unique name"},
    {"description", FT_TEXT, "description", 0, 200, NULL, NULL, NULL, NULL},
    {"policy_type", FT_CHOICE, "policy_type", F_REQ | F_BRIEF | F_ORDER, 0, dom_policy_types, NULL,
     NULL, "which rule the policy applies"},
    {"severity", FT_CHOICE, "severity", F_BRIEF | F_ORDER, 0, dom_severities, NULL, NULL,
     "critical, warning (default) or info"},
    {"enabled", FT_BOOL, "enabled", F_BRIEF, 0, NULL, NULL, NULL, NULL},
    {"parameters", FT_JSON, "parameters", F_NOFILTER, 0, NULL, NULL, NULL,
     "the rule's parameter, e.g. {\"min_bits\": 2048}"},
    {"tenant", FT_FK, "tenant_id", F_NULL, 0, NULL, "tenants", NULL, "null: a global policy"},
    {"tag_filter", FT_INTLIST, "@policy_tag_ids", /* a store named expression */
     F_SQLEXPR | F_NOFILTER, 0, NULL, NULL, NULL,
     "tag ids: the policy applies only to certificates carrying all of them"},
    {"check_count", FT_INT, "@policy_check_count",
     F_RO | F_SQLEXPR | F_ORDER, 0, NULL, NULL, NULL, "number of check results"},
    COMMON_TAIL,
};

const struct api_resource res_compliance_policies = {
    .name = "compliance-policies",
    .path = "/api/plugins/netbox-ssl/compliance-policies/",
    .object_type = "netbox_ssl.compliancepolicy",
    .verbose = "compliance policy",
    .table = "compliance_policies",
    .fields = policy_fields,
    .nfields = sizeof(policy_fields) / sizeof(policy_fields[0]),
    .default_order = "name",
    .q_columns = policy_q,
    .filters = policy_filters,
    .hooks = {dom_policy_before_write, dom_policy_after_write, NULL, api_render_display_name},
    .taggable = 1,
    .has_custom_fields = 1,
    .deletable = 1,
};

/* ---- checks ---- */

static int f_check_certificate(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			       struct ck_error *err)
{
	(void)err;
	return fk_name_contains(fc, "certificate_id", "certificates", "common_name", vals, nvals);
}

static int f_check_policy(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			  struct ck_error *err)
{
	(void)err;
	return fk_name_contains(fc, "policy_id", "compliance_policies", "name", vals, nvals);
}

/* checked_after (>=) / checked_before (<=): one bound time, the last value wins. */
static int checked_bound(struct api_filter_ctx *fc, const char *name, enum store_qs_lookup lk,
			 const char *const *vals, size_t nvals, struct ck_error *err)
{
	int64_t t;
	int n;

	if (ck_parse_time(vals[nvals - 1], &t))
		return ck_error_set(err, CK_E_INVALID, name, "Enter a valid date/time.");
	n = api_fc_bind_int(fc, t);
	if (n < 0)
		return n;
	store_qs_where(&fc->spec, "checked_at", 0, lk, n);
	return 0;
}

static int f_checked_after(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			   struct ck_error *err)
{
	return checked_bound(fc, "checked_after", STORE_QS_GTE, vals, nvals, err);
}

static int f_checked_before(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
			    struct ck_error *err)
{
	return checked_bound(fc, "checked_before", STORE_QS_LTE, vals, nvals, err);
}

static const struct api_filter check_filters[] = {
    {"certificate", f_check_certificate, "certificate CN contains"},
    {"policy", f_check_policy, "policy name contains"},
    {"checked_after", f_checked_after, "checked at or after this time"},
    {"checked_before", f_checked_before, "checked at or before this time"},
    {NULL, NULL, NULL},
};

static const char *const check_q[] = {
    "@check_certificate_name", "t.message", NULL};

/* "<certificate CN> - <policy name>: <result>" (the hidden name columns are selected in
 * brief rows too, so nested and brief displays agree). */
static void check_display(const struct api_row *row, struct strbuf *sb)
{
	const char *cn = store_col_text(row->st, api_row_col(row, "certificate_name"), NULL);
	const char *policy = store_col_text(row->st, api_row_col(row, "policy_name"), NULL);

	strbuf_addf(sb, "%s - %s: %s", cn ? cn : "", policy ? policy : "",
		    store_col_text(row->st, api_row_col(row, "result"), NULL));
}

static const struct api_field check_fields[] = {
    {"certificate", FT_FK, "certificate_id", F_RO, 0, NULL, "certificates", NULL, NULL},
    {"policy", FT_FK, "policy_id", F_RO, 0, NULL, "compliance-policies", NULL, NULL},
    {"result", FT_CHOICE, "result", F_RO | F_BRIEF | F_ORDER, 0, dom_check_results, NULL, NULL,
     "pass or fail"},
    {"message", FT_TEXT, "message", F_RO, 0, NULL, NULL, NULL, NULL},
    {"checked_at", FT_TIME, "checked_at", F_RO | F_BRIEF | F_ORDER, 0, NULL, NULL, NULL,
     "time of the last run"},
    {"checked_value", FT_TEXT, "checked_value", F_RO, 255, NULL, NULL, NULL, NULL},
    {"expected_value", FT_TEXT, "expected_value", F_RO, 255, NULL, NULL, NULL, NULL},
    {"is_passing", FT_BOOL, "@check_is_passing", F_RO | F_SQLEXPR, 0, NULL, NULL, NULL, NULL},
    {"is_failing", FT_BOOL, "@check_is_failing", F_RO | F_SQLEXPR, 0, NULL, NULL, NULL, NULL},
    {"severity", FT_CHOICE, "@check_severity",
     F_RO | F_SQLEXPR | F_ORDER, 0, dom_severities, NULL, NULL, "the policy's severity"},
    {"certificate_name", FT_TEXT,
     "@check_certificate_name",
     F_HIDDEN | F_SQLEXPR | F_BRIEF, 0, NULL, NULL, NULL, NULL},
    {"policy_name", FT_TEXT, "@check_policy_name",
     F_HIDDEN | F_SQLEXPR | F_BRIEF, 0, NULL, NULL, NULL, NULL},
    COMMON_TAIL,
};

const struct api_resource res_compliance_checks = {
    .name = "compliance-checks",
    .path = "/api/plugins/netbox-ssl/compliance-checks/",
    .object_type = "netbox_ssl.compliancecheck",
    .verbose = "compliance check",
    .table = "compliance_checks",
    .fields = check_fields,
    .nfields = sizeof(check_fields) / sizeof(check_fields[0]),
    .default_order = "-checked_at",
    .q_columns = check_q,
    .filters = check_filters,
    .hooks = {NULL, NULL, NULL, check_display},
    .taggable = 1,
    .has_custom_fields = 1,
    .read_only = 1,
    .deletable = 1,
};
