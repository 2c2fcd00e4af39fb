/*
 * store/queryspec_named — the SQL of the named expressions and named filters the registry's
 * declarations name (queryspec.h lists them with their meaning; queryspec_named.h says how
 * they are rendered). Each expression is evaluated over the row `t` of the spec's table.
 */
#include "store/queryspec_named.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- named expressions ---- */

static void expr_policy_tag_ids(const struct store_driver *d, struct strbuf *sql)
{
	strbuf_adds(sql, "SELECT ");
	d->sql_json_int_array_agg(sql, "pt.tag_id");
	strbuf_adds(sql, " FROM compliance_policy_tags pt WHERE pt.policy_id = t.id");
}

/* A certificate's assignments as a JSON array of {type, id, name}, in id order. */
static void expr_cert_assignments_json(const struct store_driver *d, struct strbuf *sql)
{
	static const char *const keys[] = {"type", "id", "name"};
	static const char *const values[] = {
	    "a.assigned_object_type", "a.assigned_object_id",
	    "CASE a.assigned_object_type"
	    " WHEN 'dcim.device' THEN (SELECT name FROM devices WHERE id = a.assigned_object_id)"
	    " WHEN 'virtualization.virtualmachine' THEN (SELECT name FROM virtual_machines"
	    " WHERE id = a.assigned_object_id)"
	    " WHEN 'ipam.service' THEN (SELECT name FROM services WHERE id = a.assigned_object_id)"
	    " END"};

	strbuf_adds(sql, "SELECT ");
	d->sql_json_agg_object(sql, keys, values, 3);
	strbuf_adds(sql,
		    " FROM (SELECT * FROM assignments WHERE certificate_id = t.id ORDER BY id) a");
}

/* A changelog snapshot with its blob placeholders put back (migration 9, schema.c): for each
 * blob column that is set, the placeholder "\u0000ck-pem" or "\u0000ck-chain" (quotes
 * included) is replaced by the stored literal, or by the literal rebuilt from the
 * certificate that holds it. A missing blob leaves the placeholder (never NULL). `inner` is
 * the expression to substitute into. */
static void blob_literal(const struct store_driver *d, struct strbuf *sql, const char *col,
			 const char *mark)
{
	strbuf_addf(sql,
		    "COALESCE((SELECT COALESCE(b.body, '\"' || replace(replace(c.pem_content, ");
	d->sql_char(sql, 13);
	strbuf_adds(sql, ", '\\r'), ");
	d->sql_char(sql, 10);
	strbuf_addf(sql,
		    ", '\\n') || '\"') FROM changelog_blobs b LEFT JOIN certificates c"
		    " ON c.id = b.certificate_id WHERE b.sha256 = t.%s), '%s')",
		    col, mark);
}

static void change_splice(const struct store_driver *d, struct strbuf *sql, const char *col,
			  const char *mark,
			  void (*inner)(const struct store_driver *, struct strbuf *, const char *),
			  const char *side)
{
	strbuf_addf(sql, "CASE WHEN t.%s IS NULL THEN ", col);
	inner(d, sql, side);
	strbuf_adds(sql, " ELSE replace(");
	inner(d, sql, side);
	strbuf_addf(sql, ", '%s', ", mark);
	blob_literal(d, sql, col, mark);
	strbuf_adds(sql, ") END");
}

static void change_data(const struct store_driver *d, struct strbuf *sql, const char *side)
{
	(void)d; /* a json column on PostgreSQL: replace() takes text */
	strbuf_addf(sql, "CAST(t.%schange_data AS TEXT)", side);
}

static void change_chain(const struct store_driver *d, struct strbuf *sql, const char *side)
{
	char col[32];

	snprintf(col, sizeof(col), "%schange_chain_blob", side);
	change_splice(d, sql, col, "\"\\u0000ck-chain\"", change_data, side);
}

static void expr_change_side(const struct store_driver *d, struct strbuf *sql, const char *side)
{
	char col[32];

	snprintf(col, sizeof(col), "%schange_pem_blob", side);
	change_splice(d, sql, col, "\"\\u0000ck-pem\"", change_chain, side);
}

static void expr_change_pre(const struct store_driver *d, struct strbuf *sql)
{
	expr_change_side(d, sql, "pre");
}

static void expr_change_post(const struct store_driver *d, struct strbuf *sql)
{
	expr_change_side(d, sql, "post");
}

/* The number of assignments to the object t of `type` (a NetBox object type). */
#define ASSIGNED_COUNT(type)                                                                       \
	"SELECT COUNT(*) FROM assignments a WHERE a.assigned_object_type = '" type "'"             \
	" AND a.assigned_object_id = t.id"

/* Engine-neutral named expressions: fixed text. */
static const struct {
	const char *name;
	const char *sql;
} fixed_exprs[] = {
    {"@policy_check_count", "SELECT COUNT(*) FROM compliance_checks k WHERE k.policy_id = t.id"},
    {"@check_certificate_name",
     "SELECT c.common_name FROM certificates c WHERE c.id = t.certificate_id"},
    {"@check_policy_name", "SELECT p.name FROM compliance_policies p WHERE p.id = t.policy_id"},
    {"@check_severity", "SELECT p.severity FROM compliance_policies p WHERE p.id = t.policy_id"},
    {"@check_is_passing", "t.result = 'pass'"},
    {"@check_is_failing", "t.result = 'fail'"},
    {"@cert_tenant_name", "SELECT name FROM tenants WHERE id = t.tenant_id"},
    {"@cert_assignment_count", "SELECT COUNT(*) FROM assignments a WHERE a.certificate_id = t.id"},
    /* the serial as hex digits only: `q` finds "0abc" in 0A:BC (the trigram index serves it
     * through serial_key, queryspec.c trigram_cols) */
    {"@cert_serial_hex", "REPLACE(t.serial_number, ':', '')"},
    {"@tenant_certificate_count", "SELECT COUNT(*) FROM certificates c WHERE c.tenant_id = t.id"},
    {"@ca_certificate_count", "SELECT COUNT(*) FROM certificates c WHERE c.issuing_ca_id = t.id"},
    {"@tag_tagged_items", "SELECT COUNT(*) FROM tagged_items ti WHERE ti.tag_id = t.id"},
    {"@device_certificate_count", ASSIGNED_COUNT("dcim.device")},
    {"@vm_certificate_count", ASSIGNED_COUNT("virtualization.virtualmachine")},
    {"@service_certificate_count", ASSIGNED_COUNT("ipam.service")},
    {"@assignment_certificate_name",
     "SELECT common_name FROM certificates c WHERE c.id = t.certificate_id"},
};

/* Named expressions composed from the driver's dialect. */
static const struct {
	const char *name;
	void (*build)(const struct store_driver *d, struct strbuf *sql);
} built_exprs[] = {
    {"@policy_tag_ids", expr_policy_tag_ids},
    {"@cert_assignments_json", expr_cert_assignments_json},
    {"@change_prechange", expr_change_pre},
    {"@change_postchange", expr_change_post},
};

int qs_named_expr(const struct store_driver *d, struct strbuf *sql, const char *name)
{
	for (size_t i = 0; i < NELEMS(fixed_exprs); i++) {
		if (!strcmp(fixed_exprs[i].name, name)) {
			strbuf_addf(sql, "(%s)", fixed_exprs[i].sql);
			return 1;
		}
	}
	for (size_t i = 0; i < NELEMS(built_exprs); i++) {
		if (!strcmp(built_exprs[i].name, name)) {
			strbuf_addch(sql, '(');
			built_exprs[i].build(d, sql);
			strbuf_addch(sql, ')');
			return 1;
		}
	}
	return 0;
}

/* ---- named filters ---- */

/* The ACME certificates renewed automatically (index certificates_acme). */
#define ACME_AUTO "t.is_acme = 1 AND t.acme_auto_renewal = 1"
/* Renewal due ($2 = today, in days since the epoch): within acme_renewal_days (0: 30) of
 * valid_to, by UTC dates as dom_cert_days_remaining() counts them. */
#define ACME_DUE "(t.valid_to / 86400 - $2) <= COALESCE(NULLIF(t.acme_renewal_days, 0), 30)"

/* An assignment (`self`: the condition tying assignment `a` to the row t) to object $1 of
 * `type`, or to a service whose `svc_col` is $1 (the services of a device or VM). */
#define ASSIGNED_TO(self, type)                                                                    \
	"EXISTS (SELECT 1 FROM assignments a WHERE a." self                                        \
	" AND ((a.assigned_object_type = '" type "' AND a.assigned_object_id = $1)))"
#define ASSIGNED_TO_HOST(self, type, svc_col)                                                      \
	"EXISTS (SELECT 1 FROM assignments a WHERE a." self                                        \
	" AND ((a.assigned_object_type = '" type                                                   \
	"' AND a.assigned_object_id = $1) OR (a.assigned_object_type = 'ipam.service' AND"         \
	" a.assigned_object_id IN (SELECT id FROM services WHERE " svc_col " = $1))))"
#define CERT_SELF "certificate_id = t.id"
#define ASSIGNMENT_SELF "id = t.id"

/* Every named filter is engine-neutral text, or a subquery whose membership test the driver
 * writes (in_expr); one whose SQL differs otherwise per engine gets a builder over the
 * driver's operations beside its text, as the expressions above. */
static const struct {
	const char *name;
	int nbinds;
	const char *sql;
	const char *in_expr; /* set: the condition is "in_expr is a value of subquery sql"
			      * (driver.h sql_in_subquery) */
} filters[] = {
    /* no row (a filter value that can match nothing) */
    {.name = "none", .nbinds = 0, .sql = "0 = 1"},
    /* certificate t has SAN element $1 (exact, e.g. "DNS:www.example.com") */
    {.name = "certificate_san",
     .nbinds = 1,
     .sql = "SELECT certificate_id FROM certificate_sans WHERE value = $1",
     .in_expr = "t.id"},
    /* certificate t's serial contains hex digits $1 (upper case, no colons), or is $1 but
     * for leading zeros */
    {.name = "certificate_serial",
     .nbinds = 1,
     .sql = "REPLACE(t.serial_number, ':', '') LIKE '%' || CAST($1 AS TEXT) || '%'"
	    " OR t.serial_key = LTRIM(CAST($1 AS TEXT), '0')"},
    /* certificate t's serial_key is client text $1 without colons, case and leading zeros */
    {.name = "certificate_serial_key",
     .nbinds = 1,
     .sql = "t.serial_key = LTRIM(UPPER(REPLACE(CAST($1 AS TEXT), ':', '')), '0')"},
    {.name = "certificate_has_assignments",
     .nbinds = 0,
     .sql = "EXISTS (SELECT 1 FROM assignments a WHERE a.certificate_id = t.id)"},
    /* acme_renewal_status (reference §1.2); $1 = now, $2 = today (days since the epoch) */
    {.name = "certificate_renewal_not_acme", .nbinds = 0, .sql = "t.is_acme = 0"},
    {.name = "certificate_renewal_manual",
     .nbinds = 0,
     .sql = "t.is_acme = 1 AND t.acme_auto_renewal = 0"},
    {.name = "certificate_renewal_expired", .nbinds = 1, .sql = ACME_AUTO " AND t.valid_to < $1"},
    {.name = "certificate_renewal_due",
     .nbinds = 2,
     .sql = ACME_AUTO " AND t.valid_to >= $1 AND " ACME_DUE},
    {.name = "certificate_renewal_ok",
     .nbinds = 2,
     .sql = ACME_AUTO " AND t.valid_to >= $1 AND NOT " ACME_DUE},
    /* certificate / assignment t is assigned to device, VM ($1; or one of their services) or
     * service $1 */
    {.name = "certificate_on_device",
     .nbinds = 1,
     .sql = ASSIGNED_TO_HOST(CERT_SELF, "dcim.device", "device_id")},
    {.name = "certificate_on_virtual_machine",
     .nbinds = 1,
     .sql = ASSIGNED_TO_HOST(CERT_SELF, "virtualization.virtualmachine", "virtual_machine_id")},
    {.name = "certificate_on_service", .nbinds = 1, .sql = ASSIGNED_TO(CERT_SELF, "ipam.service")},
    {.name = "assignment_on_device",
     .nbinds = 1,
     .sql = ASSIGNED_TO_HOST(ASSIGNMENT_SELF, "dcim.device", "device_id")},
    {.name = "assignment_on_virtual_machine",
     .nbinds = 1,
     .sql =
	 ASSIGNED_TO_HOST(ASSIGNMENT_SELF, "virtualization.virtualmachine", "virtual_machine_id")},
    {.name = "assignment_on_service",
     .nbinds = 1,
     .sql = ASSIGNED_TO(ASSIGNMENT_SELF, "ipam.service")},
};

static int filter_index(const char *name)
{
	for (size_t i = 0; i < NELEMS(filters); i++)
		if (!strcmp(filters[i].name, name))
			return (int)i;
	return -1;
}

int qs_named_filter_binds(const char *name)
{
	int i = filter_index(name);

	return i < 0 ? -1 : filters[i].nbinds;
}

/* Appends text with its bind numbers $1.. moved to start at `bind`. */
static void renumber_binds(struct strbuf *sql, const char *text, int bind)
{
	for (const char *p = text; *p; p++) {
		char *end;
		long k;

		if (*p != '$' || p[1] < '1' || p[1] > '9') {
			strbuf_addch(sql, *p);
			continue;
		}
		k = strtol(p + 1, &end, 10);
		strbuf_addf(sql, "$%d", bind + (int)k - 1);
		p = end - 1;
	}
}

void qs_named_filter_render(const struct store_driver *d, struct strbuf *sql, const char *name,
			    int bind, int negate)
{
	int i = filter_index(name);
	struct strbuf sub;

	if (i < 0) {
		strbuf_adds(sql,
			    "0 = 1"); /* not reached: store_qs_filter() refuses unknown names */
		return;
	}
	strbuf_adds(sql, negate ? "NOT (" : "(");
	if (!filters[i].in_expr) {
		renumber_binds(sql, filters[i].sql, bind);
	} else {
		strbuf_init(&sub, 128);
		renumber_binds(&sub, filters[i].sql, bind);
		if (strbuf_result(&sub))
			sql->failed = strbuf_result(&sub); /* latched: the render fails */
		else
			d->sql_in_subquery(sql, filters[i].in_expr, strbuf_str(&sub));
		strbuf_release(&sub);
	}
	strbuf_addch(sql, ')');
}
