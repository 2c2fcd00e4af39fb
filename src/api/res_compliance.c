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

/* ---- policies ---- */

/* `<fk>` by the target's name, case-insensitive contains; several values OR together. */
static int fk_name_contains(struct api_filter_ctx *fc, const char *col, const char *table,
			    const char *target_col, const char *const *vals, size_t nvals)
{
	int r = 0;

	store_qs_open_any(&fc->spec);
	for (size_t i = 0; i < nvals && !r; i++)
		r = store_qs_in_match(&fc->spec, col, table, target_col, STORE_QS_ICONTAINS,
				      vals[i]);
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
    {.name = "tenant", .build = f_policy_tenant, .help = "tenant name contains"},
    {.name = NULL},
};

static const char *const policy_q[] = {"t.name", "t.description", NULL};

static struct api_field policy_fields[] = {
    {.name = "name", .flags = F_BRIEF | F_ORDER, .help = "unique name"},
    {.name = "description"},
    {.name = "policy_type", .flags = F_BRIEF | F_ORDER, .help = "which rule the policy applies"},
    {.name = "severity", .flags = F_BRIEF | F_ORDER, .help = "critical, warning (default) or info"},
    {.name = "enabled", .flags = F_BRIEF},
    {.name = "parameters",
     .flags = F_NOFILTER,
     .help = "the rule's parameter, e.g. {\"min_bits\": 2048}"},
    {.name = "tenant", .help = "null: a global policy"},
    {.name = "tag_filter",
     .flags = F_NOFILTER,
     .help = "tag ids: the policy applies only to certificates carrying all of them"},
    {.name = "check_count",
     .type = FT_INT,
     .column = "@policy_check_count",
     .flags = F_RO | F_SQLEXPR | F_ORDER,
     .help = "number of check results"},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_compliance_policies = {
    .name = "compliance-policies",
    .model = &dom_model_compliance_policies,
    .path = "/api/plugins/netbox-ssl/compliance-policies/",
    .fields = policy_fields,
    .nfields = sizeof(policy_fields) / sizeof(policy_fields[0]),
    .default_order = "name",
    .q_columns = policy_q,
    .filters = policy_filters,
    .display = api_render_display_name,
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
    {.name = "certificate", .build = f_check_certificate, .help = "certificate CN contains"},
    {.name = "policy", .build = f_check_policy, .help = "policy name contains"},
    {.name = "checked_after", .build = f_checked_after, .help = "checked at or after this time"},
    {.name = "checked_before", .build = f_checked_before, .help = "checked at or before this time"},
    {.name = NULL},
};

static const char *const check_q[] = {"@check_certificate_name", "t.message", NULL};

/* "<certificate CN> - <policy name>: <result>" (the hidden name columns are selected in
 * brief rows too, so nested and brief displays agree). */
static void check_display(const struct api_row *row, struct strbuf *sb)
{
	const char *cn = store_col_text(row->st, api_row_col(row, "certificate_name"), NULL);
	const char *policy = store_col_text(row->st, api_row_col(row, "policy_name"), NULL);

	strbuf_addf(sb, "%s - %s: %s", cn ? cn : "", policy ? policy : "",
		    store_col_text(row->st, api_row_col(row, "result"), NULL));
}

static struct api_field check_fields[] = {
    {.name = "certificate"},
    {.name = "policy"},
    {.name = "result", .flags = F_BRIEF | F_ORDER, .help = "pass or fail"},
    {.name = "message"},
    {.name = "checked_at", .flags = F_BRIEF | F_ORDER, .help = "time of the last run"},
    {.name = "checked_value"},
    {.name = "expected_value"},
    {.name = "is_passing",
     .type = FT_BOOL,
     .column = "@check_is_passing",
     .flags = F_RO | F_SQLEXPR},
    {.name = "is_failing",
     .type = FT_BOOL,
     .column = "@check_is_failing",
     .flags = F_RO | F_SQLEXPR},
    {.name = "severity",
     .type = FT_CHOICE,
     .column = "@check_severity",
     .flags = F_RO | F_SQLEXPR | F_ORDER,
     .choices = dom_severities,
     .help = "the policy's severity"},
    {.name = "certificate_name",
     .type = FT_TEXT,
     .column = "@check_certificate_name",
     .flags = F_HIDDEN | F_SQLEXPR | F_BRIEF},
    {.name = "policy_name",
     .type = FT_TEXT,
     .column = "@check_policy_name",
     .flags = F_HIDDEN | F_SQLEXPR | F_BRIEF},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_compliance_checks = {
    .name = "compliance-checks",
    .model = &dom_model_compliance_checks,
    .path = "/api/plugins/netbox-ssl/compliance-checks/",
    .fields = check_fields,
    .nfields = sizeof(check_fields) / sizeof(check_fields[0]),
    .default_order = "-checked_at",
    .q_columns = check_q,
    .filters = check_filters,
    .display = check_display,
    .read_only = 1,
    .deletable = 1,
};
