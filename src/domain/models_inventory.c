/*
 * domain/models_inventory — the models of the lean NetBox core objects certkeeper carries
 * itself (tenants, tags, devices, virtual machines, services) and of the changelog, with
 * their validation rules (domain/model.h; the wire half is api/res_inventory.c).
 */
#include "domain/model.h"
#include "store/records.h"

#include <string.h>

static int slug_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
		      struct ck_error *err)
{
	const char *slug = dom_record_text(rec, "slug");

	(void)ctx;
	(void)old_id;
	if (!dom_record_has(rec, "slug"))
		return 0;
	if (!*slug)
		return ck_error_set(err, CK_E_INVALID, "slug", "This field may not be blank.");
	for (const char *p = slug; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return ck_error_set(err, CK_E_INVALID, "slug",
					    "Enter a valid \"slug\" consisting of letters, "
					    "numbers, underscores or hyphens.");
	if (dom_record_has(rec, "name") && !*dom_record_text(rec, "name"))
		return ck_error_set(err, CK_E_INVALID, "name", "This field may not be blank.");
	return 0;
}

static int tag_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
		     struct ck_error *err)
{
	const char *color = dom_record_text(rec, "color");

	if (dom_record_has(rec, "color")) {
		int ok = strlen(color) == 6;
		for (const char *p = color; ok && *p; p++)
			ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			     (*p >= 'A' && *p <= 'F');
		if (!ok)
			return ck_error_set(err, CK_E_INVALID, "color",
					    "Enter a valid hexadecimal RGB color code.");
	}
	return slug_check(ctx, rec, old_id, err);
}

static int name_required(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
			 struct ck_error *err)
{
	(void)ctx;
	(void)old_id;
	if (dom_record_has(rec, "name") && !*dom_record_text(rec, "name"))
		return ck_error_set(err, CK_E_INVALID, "name", "This field may not be blank.");
	return 0;
}

static int service_check(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
			 struct ck_error *err)
{
	int64_t dev = dom_record_int(rec, "device", 0),
		vm = dom_record_int(rec, "virtual_machine", 0);
	int r;

	if (name_required(ctx, rec, old_id, err))
		return CK_E_INVALID;
	if (old_id && (!dom_record_has(rec, "device") || !dom_record_has(rec, "virtual_machine"))) {
		int64_t old_dev, old_vm;
		r = store_service_parents(ctx->conn, old_id, &old_dev, &old_vm, err);
		if (r)
			return r;
		if (!dom_record_has(rec, "device"))
			dev = old_dev;
		if (!dom_record_has(rec, "virtual_machine"))
			vm = old_vm;
	}
	if ((dev != 0) == (vm != 0))
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "A service must be assigned to either a device or a virtual "
				    "machine (exactly one).");
	if (dom_record_has(rec, "ports")) {
		const char *p = dom_record_text(rec, "ports");
		if (!strcmp(p, "[]"))
			return ck_error_set(err, CK_E_INVALID, "ports",
					    "This list may not be empty.");
		/* the list is JSON integers validated by the decoder; check the range textually */
		for (; *p; p++) {
			if (*p >= '0' && *p <= '9') {
				int64_t v = 0;
				while (*p >= '0' && *p <= '9' && v < 100000)
					v = v * 10 + (*p++ - '0');
				if (v < 1 || v > 65535)
					return ck_error_set(err, CK_E_INVALID, "ports",
							    "Ports must be between 1 and 65535.");
				p--;
			} else if (*p == '-') {
				return ck_error_set(err, CK_E_INVALID, "ports",
						    "Ports must be between 1 and 65535.");
			}
		}
	}
	return 0;
}

#define COMMON_TAIL                                                                                \
	{.name = "custom_fields", .type = FT_JSON, .column = "custom_fields"},                     \
	    {.name = "created", .type = FT_TIME, .column = "created", .flags = F_RO},              \
	{                                                                                          \
		.name = "last_updated", .type = FT_TIME, .column = "last_updated", .flags = F_RO   \
	}

/* ---- tenants ---- */
static const struct dom_field tenant_fields[] = {
    {.name = "name", .type = FT_TEXT, .column = "name", .flags = F_REQ, .maxlen = 100},
    {.name = "slug", .type = FT_TEXT, .column = "slug", .flags = F_REQ, .maxlen = 100},
    {.name = "description", .type = FT_TEXT, .column = "description", .maxlen = 200},
    {.name = "comments", .type = FT_TEXT, .column = "comments"},
    COMMON_TAIL,
};

const struct dom_model dom_model_tenants = {
    .name = "tenants",
    .object_type = "tenancy.tenant",
    .verbose = "tenant",
    .table = "tenants",
    .fields = tenant_fields,
    .nfields = DOM_NFIELDS(tenant_fields),
    .hooks = {.before_write = slug_check},
    .taggable = 1,
    .has_custom_fields = 1,
};

/* ---- tags ---- */
static const struct dom_field tag_fields[] = {
    {.name = "name", .type = FT_TEXT, .column = "name", .flags = F_REQ, .maxlen = 100},
    {.name = "slug", .type = FT_TEXT, .column = "slug", .flags = F_REQ, .maxlen = 100},
    {.name = "color", .type = FT_TEXT, .column = "color", .maxlen = 6},
    {.name = "description", .type = FT_TEXT, .column = "description", .maxlen = 200},
    {.name = "created", .type = FT_TIME, .column = "created", .flags = F_RO},
    {.name = "last_updated", .type = FT_TIME, .column = "last_updated", .flags = F_RO},
};

const struct dom_model dom_model_tags = {
    .name = "tags",
    .object_type = "extras.tag",
    .verbose = "tag",
    .table = "tags",
    .fields = tag_fields,
    .nfields = DOM_NFIELDS(tag_fields),
    .hooks = {.before_write = tag_check},
};

/* ---- devices and virtual machines ---- */
static const char *const device_statuses[] = {"offline", "active",    "planned",	 "staged",
					      "failed",	 "inventory", "decommissioning", NULL};
static const char *const vm_statuses[] = {"offline", "active",		"planned", "staged",
					  "failed",  "decommissioning", NULL};

#define HOST_FIELDS(statuses)                                                                      \
	{.name = "name", .type = FT_TEXT, .column = "name", .flags = F_REQ, .maxlen = 64},         \
	    {.name = "status", .type = FT_CHOICE, .column = "status", .choices = statuses},        \
	    {.name = "tenant",                                                                     \
	     .type = FT_FK,                                                                        \
	     .column = "tenant_id",                                                                \
	     .flags = F_NULL,                                                                      \
	     .fk_target = "tenants"},                                                              \
	    {.name = "description", .type = FT_TEXT, .column = "description", .maxlen = 200},      \
	    {.name = "comments", .type = FT_TEXT, .column = "comments"}, COMMON_TAIL

static const struct dom_field device_fields[] = {HOST_FIELDS(device_statuses)};
static const struct dom_field vm_fields[] = {HOST_FIELDS(vm_statuses)};

const struct dom_model dom_model_devices = {
    .name = "devices",
    .object_type = "dcim.device",
    .verbose = "device",
    .table = "devices",
    .fields = device_fields,
    .nfields = DOM_NFIELDS(device_fields),
    .hooks = {.before_write = name_required},
    .taggable = 1,
    .has_custom_fields = 1,
};

const struct dom_model dom_model_virtual_machines = {
    .name = "virtual-machines",
    .object_type = "virtualization.virtualmachine",
    .verbose = "virtual machine",
    .table = "virtual_machines",
    .fields = vm_fields,
    .nfields = DOM_NFIELDS(vm_fields),
    .hooks = {.before_write = name_required},
    .taggable = 1,
    .has_custom_fields = 1,
};

/* ---- services ---- */
static const char *const protocols[] = {"tcp", "udp", "sctp", NULL};

static const struct dom_field service_fields[] = {
    {.name = "name", .type = FT_TEXT, .column = "name", .flags = F_REQ, .maxlen = 100},
    {.name = "protocol",
     .type = FT_CHOICE,
     .column = "protocol",
     .flags = F_REQ,
     .choices = protocols},
    {.name = "ports", .type = FT_INTLIST, .column = "ports", .flags = F_REQ},
    {.name = "device",
     .type = FT_FK,
     .column = "device_id",
     .flags = F_NULL,
     .fk_target = "devices"},
    {.name = "virtual_machine",
     .type = FT_FK,
     .column = "virtual_machine_id",
     .flags = F_NULL,
     .fk_target = "virtual-machines"},
    {.name = "description", .type = FT_TEXT, .column = "description", .maxlen = 200},
    {.name = "comments", .type = FT_TEXT, .column = "comments"},
    COMMON_TAIL,
};

const struct dom_model dom_model_services = {
    .name = "services",
    .object_type = "ipam.service",
    .verbose = "service",
    .table = "services",
    .fields = service_fields,
    .nfields = DOM_NFIELDS(service_fields),
    .hooks = {.before_write = service_check},
    .taggable = 1,
    .has_custom_fields = 1,
};

/* ---- changelog (read-only: rows are written by dom_uow_change only) ---- */
static const char *const actions[] = {"create", "update", "delete", NULL};

static const struct dom_field change_fields[] = {
    {.name = "time", .type = FT_TIME, .column = "time", .flags = F_RO},
    {.name = "user_name", .type = FT_TEXT, .column = "user_name", .flags = F_RO},
    {.name = "user", .type = FT_INT, .column = "user_id", .flags = F_RO | F_NULL},
    {.name = "request_id", .type = FT_TEXT, .column = "request_id", .flags = F_RO},
    {.name = "action", .type = FT_CHOICE, .column = "action", .flags = F_RO, .choices = actions},
    {.name = "changed_object_type",
     .type = FT_TEXT,
     .column = "changed_object_type",
     .flags = F_RO},
    {.name = "changed_object_id", .type = FT_INT, .column = "changed_object_id", .flags = F_RO},
    {.name = "object_repr", .type = FT_TEXT, .column = "object_repr", .flags = F_RO},
};

const struct dom_model dom_model_object_changes = {
    .name = "object-changes",
    .object_type = "core.objectchange",
    .verbose = "object change",
    .table = "object_changes",
    .fields = change_fields,
    .nfields = DOM_NFIELDS(change_fields),
};
