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

static const char *const name_q[] = {"t.name", "t.description", NULL};

/* ---- tenants ---- */
static struct api_field tenant_fields[] = {
    {.name = "name", .flags = F_BRIEF | F_ORDER, .help = "unique name"},
    {.name = "slug", .flags = F_BRIEF | F_ORDER, .help = "unique URL-friendly name"},
    {.name = "description", .flags = F_BRIEF},
    {.name = "comments", .flags = F_NOFILTER},
    {.name = "certificate_count",
     .type = FT_INT,
     .column = "@tenant_certificate_count",
     .flags = F_RO | F_SQLEXPR},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_tenants = {
    .name = "tenants",
    .model = &dom_model_tenants,
    .path = "/api/tenancy/tenants/",
    .fields = tenant_fields,
    .nfields = sizeof(tenant_fields) / sizeof(tenant_fields[0]),
    .default_order = "name",
    .q_columns = name_q,
    .display = api_render_display_name,
    .deletable = 1,
};

/* ---- tags ---- */
static struct api_field tag_fields[] = {
    {.name = "name", .flags = F_BRIEF | F_ORDER},
    {.name = "slug", .flags = F_BRIEF | F_ORDER},
    {.name = "color", .flags = F_BRIEF, .help = "RGB hex, e.g. 9e9e9e"},
    {.name = "description"},
    {.name = "tagged_items",
     .type = FT_INT,
     .column = "@tag_tagged_items",
     .flags = F_RO | F_SQLEXPR},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_tags = {
    .name = "tags",
    .model = &dom_model_tags,
    .path = "/api/extras/tags/",
    .fields = tag_fields,
    .nfields = sizeof(tag_fields) / sizeof(tag_fields[0]),
    .default_order = "name",
    .q_columns = name_q,
    .display = api_render_display_name,
    .deletable = 1,
};

/* ---- devices and virtual machines ---- */

static struct api_field device_fields[] = {
    {.name = "name", .flags = F_BRIEF | F_ORDER},
    {.name = "status", .flags = F_ORDER},
    {.name = "tenant"},
    {.name = "description", .flags = F_BRIEF},
    {.name = "comments", .flags = F_NOFILTER},
    {.name = "certificate_count",
     .type = FT_INT,
     .column = "@device_certificate_count",
     .flags = F_RO | F_SQLEXPR},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};
static struct api_field vm_fields[] = {
    {.name = "name", .flags = F_BRIEF | F_ORDER},
    {.name = "status", .flags = F_ORDER},
    {.name = "tenant"},
    {.name = "description", .flags = F_BRIEF},
    {.name = "comments", .flags = F_NOFILTER},
    {.name = "certificate_count",
     .type = FT_INT,
     .column = "@vm_certificate_count",
     .flags = F_RO | F_SQLEXPR},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_devices = {
    .name = "devices",
    .model = &dom_model_devices,
    .path = "/api/dcim/devices/",
    .fields = device_fields,
    .nfields = sizeof(device_fields) / sizeof(device_fields[0]),
    .default_order = "name",
    .q_columns = name_q,
    .display = api_render_display_name,
    .deletable = 1,
};

const struct api_resource res_virtual_machines = {
    .name = "virtual-machines",
    .model = &dom_model_virtual_machines,
    .path = "/api/virtualization/virtual-machines/",
    .fields = vm_fields,
    .nfields = sizeof(vm_fields) / sizeof(vm_fields[0]),
    .default_order = "name",
    .q_columns = name_q,
    .display = api_render_display_name,
    .deletable = 1,
};

/* ---- services ---- */

static void service_display(const struct api_row *row, struct strbuf *sb)
{
	int c = api_row_col(row, "name"), p = api_row_col(row, "protocol");
	const char *ports = store_col_text(row->st, api_row_col(row, "ports"), NULL);

	strbuf_addf(sb, "%s (%s/", store_col_text(row->st, c, NULL),
		    store_col_text(row->st, p, NULL));
	for (const char *q = ports ? ports : ""; *q; q++)
		if (*q != '[' && *q != ']')
			strbuf_addch(sb, *q == ',' ? ',' : *q);
	strbuf_addch(sb, ')');
}

static struct api_field service_fields[] = {
    {.name = "name", .flags = F_BRIEF | F_ORDER},
    {.name = "protocol", .flags = F_BRIEF},
    {.name = "ports", .flags = F_BRIEF, .help = "list of port numbers"},
    {.name = "device", .help = "parent device"},
    {.name = "virtual_machine", .help = "parent VM"},
    {.name = "description"},
    {.name = "comments", .flags = F_NOFILTER},
    {.name = "certificate_count",
     .type = FT_INT,
     .column = "@service_certificate_count",
     .flags = F_RO | F_SQLEXPR},
    {.name = "custom_fields"},
    {.name = "created", .flags = F_ORDER},
    {.name = "last_updated", .flags = F_ORDER},
};

const struct api_resource res_services = {
    .name = "services",
    .model = &dom_model_services,
    .path = "/api/ipam/services/",
    .fields = service_fields,
    .nfields = sizeof(service_fields) / sizeof(service_fields[0]),
    .default_order = "name",
    .q_columns = name_q,
    .display = service_display,
    .deletable = 1,
};

/* ---- changelog (read-only) ---- */

static void change_display(const struct api_row *row, struct strbuf *sb)
{
	strbuf_addf(sb, "%s %s", store_col_text(row->st, api_row_col(row, "object_repr"), NULL),
		    store_col_text(row->st, api_row_col(row, "action"), NULL));
}

static int f_user(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
		  struct ck_error *err)
{
	(void)err;
	return api_fc_any_eq(fc, "user_name", vals, nvals);
}

/* Non-superusers never see changes of objects only superusers may view (users, tokens). */
static int change_scope(struct api_filter_ctx *fc, const struct api_req *ar, struct ck_error *err)
{
	(void)err;
	if (ar->user.is_superuser)
		return 0;
	return api_fc_hide_admin_types(fc, "changed_object_type");
}

static const struct api_filter change_filters[] = {
    {.name = "user", .build = f_user, .help = "user name"}, {.name = NULL}};
static const char *const change_q[] = {"t.object_repr", "t.changed_object_type", NULL};

static struct api_field change_fields[] = {
    {.name = "time", .flags = F_BRIEF | F_ORDER},
    {.name = "user_name"},
    {.name = "user"},
    {.name = "request_id"},
    {.name = "action", .flags = F_BRIEF},
    {.name = "changed_object_type", .flags = F_BRIEF},
    {.name = "changed_object_id", .flags = F_BRIEF},
    {.name = "object_repr"},
    /* store/queryspec puts the blobs of large members back (migration 9) */
    {.name = "prechange_data",
     .type = FT_JSON,
     .column = "@change_prechange",
     .flags = F_RO | F_NULL | F_NOFILTER | F_SQLEXPR},
    {.name = "postchange_data",
     .type = FT_JSON,
     .column = "@change_postchange",
     .flags = F_RO | F_NULL | F_NOFILTER | F_SQLEXPR},
};

const struct api_resource res_object_changes = {
    .name = "object-changes",
    .model = &dom_model_object_changes,
    .path = "/api/core/object-changes/",
    .fields = change_fields,
    .nfields = sizeof(change_fields) / sizeof(change_fields[0]),
    .default_order = "-time",
    .q_columns = change_q,
    .filters = change_filters,
    .display = change_display,
    .read_only = 1,
    .scope = change_scope,
};
