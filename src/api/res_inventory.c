/*
 * api/res_inventory — the lean NetBox core objects certkeeper carries itself, at NetBox's own
 * API paths: tenants, tags, devices, virtual machines, services; plus the read-only
 * changelog (core object changes).
 */
#include "api/filter.h"
#include "api/resources.h"
#include "core/parse.h"

#include <string.h>

void api_render_display_name(const struct api_row *row, struct strbuf *sb)
{
	int c = api_row_col(row, "name");
	const char *s = c < 0 ? NULL : store_col_text(row->st, c, NULL);

	strbuf_adds(sb, s ? s : "");
}

#define COMMON_TAIL                                                                             \
	{"custom_fields", FT_JSON, "custom_fields", 0, 0, NULL, NULL, NULL, NULL},              \
	{"created", FT_TIME, "created", F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL},             \
	{"last_updated", FT_TIME, "last_updated", F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL}

static const char *const name_q[] = {"t.name", "t.description", NULL};

/* ---- tenants ---- */
static const struct api_field tenant_fields[] = {
	{"name", FT_TEXT, "name", F_REQ | F_BRIEF | F_ORDER, 100, NULL, NULL, NULL, "unique name"},
	{"slug", FT_TEXT, "slug", F_REQ | F_BRIEF | F_ORDER, 100, NULL, NULL, NULL, "unique URL-friendly name"},
	{"description", FT_TEXT, "description", F_BRIEF, 200, NULL, NULL, NULL, NULL},
	{"comments", FT_TEXT, "comments", F_NOFILTER, 0, NULL, NULL, NULL, NULL},
	{"certificate_count", FT_INT, "SELECT COUNT(*) FROM certificates c WHERE c.tenant_id = t.id",
	 F_RO | F_SQLEXPR, 0, NULL, NULL, NULL, NULL},
	COMMON_TAIL,
};

static int slug_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id, struct ck_error *err)
{
	const char *slug = dom_record_text(rec, "slug");

	(void)ctx;
	(void)old_id;
	if (!dom_record_has(rec, "slug"))
		return 0;
	if (!*slug)
		return ck_error_set(err, CK_E_INVALID, "slug", "This field may not be blank.");
	for (const char *p = slug; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return ck_error_set(err, CK_E_INVALID, "slug",
					    "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.");
	if (dom_record_has(rec, "name") && !*dom_record_text(rec, "name"))
		return ck_error_set(err, CK_E_INVALID, "name", "This field may not be blank.");
	return 0;
}

const struct api_resource res_tenants = {
	.name = "tenants", .path = "/api/tenancy/tenants/", .object_type = "tenancy.tenant",
	.verbose = "tenant", .table = "tenants", .fields = tenant_fields,
	.nfields = sizeof(tenant_fields) / sizeof(tenant_fields[0]), .default_order = "name",
	.q_columns = name_q, .hooks = {slug_check, NULL, NULL, api_render_display_name},
	.taggable = 1, .has_custom_fields = 1, .deletable = 1,
};

/* ---- tags ---- */
static const struct api_field tag_fields[] = {
	{"name", FT_TEXT, "name", F_REQ | F_BRIEF | F_ORDER, 100, NULL, NULL, NULL, NULL},
	{"slug", FT_TEXT, "slug", F_REQ | F_BRIEF | F_ORDER, 100, NULL, NULL, NULL, NULL},
	{"color", FT_TEXT, "color", F_BRIEF, 6, NULL, NULL, NULL, "RGB hex, e.g. 9e9e9e"},
	{"description", FT_TEXT, "description", 0, 200, NULL, NULL, NULL, NULL},
	{"tagged_items", FT_INT, "SELECT COUNT(*) FROM tagged_items ti WHERE ti.tag_id = t.id",
	 F_RO | F_SQLEXPR, 0, NULL, NULL, NULL, NULL},
	{"created", FT_TIME, "created", F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL},
	{"last_updated", FT_TIME, "last_updated", F_RO | F_ORDER, 0, NULL, NULL, NULL, NULL},
};

static int tag_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id, struct ck_error *err)
{
	const char *color = dom_record_text(rec, "color");

	if (dom_record_has(rec, "color")) {
		int ok = strlen(color) == 6;
		for (const char *p = color; ok && *p; p++)
			ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F');
		if (!ok)
			return ck_error_set(err, CK_E_INVALID, "color", "Enter a valid hexadecimal RGB color code.");
	}
	return slug_check(ctx, rec, old_id, err);
}

const struct api_resource res_tags = {
	.name = "tags", .path = "/api/extras/tags/", .object_type = "extras.tag", .verbose = "tag",
	.table = "tags", .fields = tag_fields, .nfields = sizeof(tag_fields) / sizeof(tag_fields[0]),
	.default_order = "name", .q_columns = name_q, .hooks = {tag_check, NULL, NULL, api_render_display_name},
	.deletable = 1,
};

/* ---- devices and virtual machines ---- */
static const char *const device_statuses[] = {"offline", "active", "planned", "staged", "failed",
					      "inventory", "decommissioning", NULL};
static const char *const vm_statuses[] = {"offline", "active", "planned", "staged", "failed",
					  "decommissioning", NULL};

static int name_required(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id, struct ck_error *err)
{
	(void)ctx;
	(void)old_id;
	if (dom_record_has(rec, "name") && !*dom_record_text(rec, "name"))
		return ck_error_set(err, CK_E_INVALID, "name", "This field may not be blank.");
	return 0;
}

#define HOST_FIELDS(statuses, cert_type)                                                          \
	{"name", FT_TEXT, "name", F_REQ | F_BRIEF | F_ORDER, 64, NULL, NULL, NULL, NULL},          \
	{"status", FT_CHOICE, "status", F_ORDER, 0, statuses, NULL, NULL, NULL},                   \
	{"tenant", FT_FK, "tenant_id", F_NULL, 0, NULL, "tenants", NULL, NULL},                    \
	{"description", FT_TEXT, "description", F_BRIEF, 200, NULL, NULL, NULL, NULL},             \
	{"comments", FT_TEXT, "comments", F_NOFILTER, 0, NULL, NULL, NULL, NULL},                  \
	{"certificate_count", FT_INT,                                                             \
	 "SELECT COUNT(*) FROM assignments a WHERE a.assigned_object_type = '" cert_type           \
	 "' AND a.assigned_object_id = t.id", F_RO | F_SQLEXPR, 0, NULL, NULL, NULL, NULL},       \
	COMMON_TAIL

static const struct api_field device_fields[] = {HOST_FIELDS(device_statuses, "dcim.device")};
static const struct api_field vm_fields[] = {HOST_FIELDS(vm_statuses, "virtualization.virtualmachine")};

const struct api_resource res_devices = {
	.name = "devices", .path = "/api/dcim/devices/", .object_type = "dcim.device", .verbose = "device",
	.table = "devices", .fields = device_fields, .nfields = sizeof(device_fields) / sizeof(device_fields[0]),
	.default_order = "name", .q_columns = name_q, .hooks = {name_required, NULL, NULL, api_render_display_name},
	.taggable = 1, .has_custom_fields = 1, .deletable = 1,
};

const struct api_resource res_virtual_machines = {
	.name = "virtual-machines", .path = "/api/virtualization/virtual-machines/",
	.object_type = "virtualization.virtualmachine", .verbose = "virtual machine", .table = "virtual_machines",
	.fields = vm_fields, .nfields = sizeof(vm_fields) / sizeof(vm_fields[0]), .default_order = "name",
	.q_columns = name_q, .hooks = {name_required, NULL, NULL, api_render_display_name},
	.taggable = 1, .has_custom_fields = 1, .deletable = 1,
};

/* ---- services ---- */
static const char *const protocols[] = {"tcp", "udp", "sctp", NULL};

static int service_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id, struct ck_error *err)
{
	int64_t dev = dom_record_int(rec, "device", 0), vm = dom_record_int(rec, "virtual_machine", 0);
	struct store_stmt *st;
	int r;

	if (name_required(ctx, rec, old_id, err))
		return CK_E_INVALID;
	if (old_id && (!dom_record_has(rec, "device") || !dom_record_has(rec, "virtual_machine"))) {
		r = store_query(ctx->conn, "SELECT device_id, virtual_machine_id FROM services WHERE id = $1", &st, err);
		if (r)
			return r;
		store_bind_i64(st, 1, old_id);
		if (store_step(st, err) == STORE_ROW) {
			if (!dom_record_has(rec, "device"))
				dev = store_col_i64(st, 0);
			if (!dom_record_has(rec, "virtual_machine"))
				vm = store_col_i64(st, 1);
		}
		store_done(st);
	}
	if ((dev != 0) == (vm != 0))
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "A service must be assigned to either a device or a virtual machine (exactly one).");
	if (dom_record_has(rec, "ports")) {
		const char *p = dom_record_text(rec, "ports");
		if (!strcmp(p, "[]"))
			return ck_error_set(err, CK_E_INVALID, "ports", "This list may not be empty.");
		/* the list is JSON integers validated by the registry; check the range textually */
		for (; *p; p++) {
			if (*p >= '0' && *p <= '9') {
				int64_t v = 0;
				while (*p >= '0' && *p <= '9' && v < 100000)
					v = v * 10 + (*p++ - '0');
				if (v < 1 || v > 65535)
					return ck_error_set(err, CK_E_INVALID, "ports", "Ports must be between 1 and 65535.");
				p--;
			} else if (*p == '-') {
				return ck_error_set(err, CK_E_INVALID, "ports", "Ports must be between 1 and 65535.");
			}
		}
	}
	return 0;
}

static void service_display(const struct api_row *row, struct strbuf *sb)
{
	int c = api_row_col(row, "name"), p = api_row_col(row, "protocol");
	const char *ports = store_col_text(row->st, api_row_col(row, "ports"), NULL);

	strbuf_addf(sb, "%s (%s/", store_col_text(row->st, c, NULL), store_col_text(row->st, p, NULL));
	for (const char *q = ports ? ports : ""; *q; q++)
		if (*q != '[' && *q != ']')
			strbuf_addch(sb, *q == ',' ? ',' : *q);
	strbuf_addch(sb, ')');
}

static const struct api_field service_fields[] = {
	{"name", FT_TEXT, "name", F_REQ | F_BRIEF | F_ORDER, 100, NULL, NULL, NULL, NULL},
	{"protocol", FT_CHOICE, "protocol", F_REQ | F_BRIEF, 0, protocols, NULL, NULL, NULL},
	{"ports", FT_INTLIST, "ports", F_REQ | F_BRIEF, 0, NULL, NULL, NULL, "list of port numbers"},
	{"device", FT_FK, "device_id", F_NULL, 0, NULL, "devices", NULL, "parent device"},
	{"virtual_machine", FT_FK, "virtual_machine_id", F_NULL, 0, NULL, "virtual-machines", NULL, "parent VM"},
	{"description", FT_TEXT, "description", 0, 200, NULL, NULL, NULL, NULL},
	{"comments", FT_TEXT, "comments", F_NOFILTER, 0, NULL, NULL, NULL, NULL},
	{"certificate_count", FT_INT,
	 "SELECT COUNT(*) FROM assignments a WHERE a.assigned_object_type = 'ipam.service' AND a.assigned_object_id = t.id",
	 F_RO | F_SQLEXPR, 0, NULL, NULL, NULL, NULL},
	COMMON_TAIL,
};

const struct api_resource res_services = {
	.name = "services", .path = "/api/ipam/services/", .object_type = "ipam.service", .verbose = "service",
	.table = "services", .fields = service_fields, .nfields = sizeof(service_fields) / sizeof(service_fields[0]),
	.default_order = "name", .q_columns = name_q, .hooks = {service_check, NULL, NULL, service_display},
	.taggable = 1, .has_custom_fields = 1, .deletable = 1,
};

/* ---- changelog (read-only) ---- */
static const char *const actions[] = {"create", "update", "delete", NULL};

static void change_display(const struct api_row *row, struct strbuf *sb)
{
	strbuf_addf(sb, "%s %s", store_col_text(row->st, api_row_col(row, "object_repr"), NULL),
		    store_col_text(row->st, api_row_col(row, "action"), NULL));
}

static int f_user(struct api_filter_ctx *fc, const char *const *vals, size_t nvals, struct ck_error *err)
{
	(void)err;
	return api_fc_any_text(fc, "t.user_name = $%d", vals, nvals);
}

/* Non-superusers never see changes of objects only superusers may view (users, tokens). */
static int change_scope(struct api_filter_ctx *fc, const struct api_req *ar, struct ck_error *err)
{
	(void)err;
	if (ar->user.is_superuser)
		return 0;
	return api_fc_hide_admin_types(fc, "changed_object_type");
}

static const struct api_filter change_filters[] = {{"user", f_user, "user name"}, {NULL, NULL, NULL}};
static const char *const change_q[] = {"t.object_repr", "t.changed_object_type", NULL};

static const struct api_field change_fields[] = {
	{"time", FT_TIME, "time", F_RO | F_BRIEF | F_ORDER, 0, NULL, NULL, NULL, NULL},
	{"user_name", FT_TEXT, "user_name", F_RO, 0, NULL, NULL, NULL, NULL},
	{"user", FT_INT, "user_id", F_RO | F_NULL, 0, NULL, NULL, NULL, NULL},
	{"request_id", FT_TEXT, "request_id", F_RO, 0, NULL, NULL, NULL, NULL},
	{"action", FT_CHOICE, "action", F_RO | F_BRIEF, 0, actions, NULL, NULL, NULL},
	{"changed_object_type", FT_TEXT, "changed_object_type", F_RO | F_BRIEF, 0, NULL, NULL, NULL, NULL},
	{"changed_object_id", FT_INT, "changed_object_id", F_RO | F_BRIEF, 0, NULL, NULL, NULL, NULL},
	{"object_repr", FT_TEXT, "object_repr", F_RO, 0, NULL, NULL, NULL, NULL},
	/* store/queryspec puts the blobs of large members back (migration 9) */
	{"prechange_data", FT_JSON, "@change_prechange", F_RO | F_NULL | F_NOFILTER | F_SQLEXPR, 0, NULL, NULL, NULL,
	 NULL},
	{"postchange_data", FT_JSON, "@change_postchange", F_RO | F_NULL | F_NOFILTER | F_SQLEXPR, 0, NULL, NULL, NULL,
	 NULL},
};

const struct api_resource res_object_changes = {
	.name = "object-changes", .path = "/api/core/object-changes/", .object_type = "core.objectchange",
	.verbose = "object change", .table = "object_changes", .fields = change_fields,
	.nfields = sizeof(change_fields) / sizeof(change_fields[0]), .default_order = "-time",
	.q_columns = change_q, .filters = change_filters, .hooks = {NULL, NULL, NULL, change_display},
	.read_only = 1, .scope = change_scope,
};
