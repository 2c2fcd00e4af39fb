/* domain/assignment — see assignment.h. */
#include "domain/assignment.h"
#include "domain/certificate.h"
#include "store/assignments.h"
#include "store/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dom_assignment_types[] = {"dcim.device", "ipam.service",
					    "virtualization.virtualmachine", NULL};

static const struct {
	const char *type, *model, *path;
} targets[] = {
    {"dcim.device", "Device", "/api/dcim/devices/"},
    {"virtualization.virtualmachine", "Virtual Machine", "/api/virtualization/virtual-machines/"},
    {"ipam.service", "Service", "/api/ipam/services/"},
};

int dom_target_get(const struct dom_ctx *ctx, const char *type, int64_t id, struct dom_target *ret,
		   struct ck_error *err)
{
	struct store_target t;
	int r;

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (strcmp(type, targets[i].type))
			continue;
		r = store_target_get(ctx->conn, type, id, &t, err);
		if (r < 0)
			return r;
		if (!r)
			return ck_error_set(err, CK_E_NOTFOUND, "assigned_object_id",
					    "%s with ID %lld does not exist.", targets[i].model,
					    (long long)id);
		memset(ret, 0, sizeof(*ret));
		ret->id = t.id;
		ret->tenant_id = t.tenant_id;
		snprintf(ret->name, sizeof(ret->name), "%s", t.name);
		ret->parent_id = t.parent_id;
		snprintf(ret->parent_name, sizeof(ret->parent_name), "%s", t.parent_name);
		snprintf(ret->parent_type, sizeof(ret->parent_type), "%s", t.parent_type);
		snprintf(ret->model, sizeof(ret->model), "%s", targets[i].model);
		snprintf(ret->list_path, sizeof(ret->list_path), "%s", targets[i].path);
		return 0;
	}
	return ck_error_set(err, CK_E_INVALID, "assigned_object_type",
			    "\"%.60s\" is not a valid choice.", type);
}

int dom_assignment_check_tenant(const struct dom_ctx *ctx, int64_t cert_id,
				const struct dom_target *t, struct ck_error *err)
{
	int64_t cert_tenant = 0;
	int r = store_cert_tenant(ctx->conn, cert_id, &cert_tenant, err);

	if (r)
		return r;
	if (cert_tenant && t->tenant_id && cert_tenant != t->tenant_id)
		return ck_error_set(
		    err, CK_E_INVALID, "non_field_errors",
		    "Certificate and assignment target must belong to the same tenant.");
	return 0;
}

/* Current (certificate, type, id) of an existing assignment for PATCH. */
static int load_current(const struct dom_ctx *ctx, int64_t id, int64_t *cert, char *type,
			size_t tsz, int64_t *obj, struct ck_error *err)
{
	int r = store_assignment_get(ctx->conn, id, cert, type, tsz, obj, err);

	if (!r)
		return ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	return r < 0 ? r : 0;
}

int dom_assignment_before_write(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
				struct ck_error *err)
{
	int64_t cert = 0, obj = 0, dup = 0;
	char type[40] = "";
	struct dom_target t;
	int r;

	if (old_id && (r = load_current(ctx, old_id, &cert, type, sizeof(type), &obj, err)))
		return r;
	cert = dom_record_int(rec, "certificate", cert);
	obj = dom_record_int(rec, "assigned_object_id", obj);
	if (dom_record_has(rec, "assigned_object_type"))
		snprintf(type, sizeof(type), "%s", dom_record_text(rec, "assigned_object_type"));
	if ((r = dom_target_get(ctx, type, obj, &t, err)))
		return r == CK_E_NOTFOUND ? CK_E_INVALID : r;
	if ((r = dom_assignment_check_tenant(ctx, cert, &t, err)))
		return r;
	if ((r = store_assignment_find(ctx->conn, cert, type, obj, old_id, &dup, err)) < 0)
		return r;
	if (dup)
		return ck_error_set(
		    err, CK_E_DUPLICATE, "non_field_errors",
		    "This certificate is already assigned to %s (assignment ID %lld).", t.name,
		    (long long)dup);
	return 0;
}

static int touch_and_log(const struct dom_ctx *ctx, int64_t assignment_id, const char *event,
			 const char *verb, struct ck_error *err)
{
	int64_t cert = 0, obj = 0;
	char type[40], desc[400];
	struct dom_target t;
	int r = load_current(ctx, assignment_id, &cert, type, sizeof(type), &obj, err);

	if (r)
		return r;
	if (dom_target_get(ctx, type, obj, &t, NULL))
		snprintf(t.name, sizeof(t.name), "#%lld", (long long)obj);
	snprintf(desc, sizeof(desc), "%s %s: %s", verb, type, t.name);
	r = dom_lifecycle_add(ctx, cert, event, desc, "", "", 0, err);
	if (r)
		return r;
	return store_cert_touch(ctx->conn, cert, ctx->now, err);
}

int dom_assignment_after_write(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			       int64_t old_id, struct ck_error *err)
{
	(void)rec;
	/* [QUIRK fixed] edits do not log a new assignment_added */
	if (old_id)
		return 0;
	return touch_and_log(ctx, id, "assignment_added", "Assigned to", err);
}

int dom_assignment_before_delete(const struct dom_ctx *ctx, int64_t id, struct ck_error *err)
{
	return touch_and_log(ctx, id, "assignment_removed", "Removed from", err);
}

/* Appends ids[0..k) as dependents of kind `resource`; frees ids. */
static int add_dependents(int64_t *ids, size_t k, const char *resource,
			  struct dom_dependent **items, size_t *n)
{
	struct dom_dependent *grown;

	if (!k)
		return 0;
	grown = realloc(*items, (*n + k) * sizeof(**items));
	if (!grown) {
		free(ids);
		return CK_E_NOMEM;
	}
	*items = grown;
	for (size_t i = 0; i < k; i++)
		grown[(*n)++] = (struct dom_dependent){resource, ids[i]};
	free(ids);
	return 0;
}

int dom_dependents(const struct dom_ctx *ctx, const char *object_type, int64_t id,
		   struct dom_dependent **ret, size_t *ret_n, struct ck_error *err)
{
	struct dom_dependent *items = NULL;
	int64_t *ids = NULL;
	size_t n = 0, k = 0;
	int r = 0;

	if (!strcmp(object_type, "netbox_ssl.certificate")) {
		r = store_assignments_of_cert(ctx->conn, id, &ids, &k, err);
		if (!r)
			r = add_dependents(ids, k, "assignments", &items, &n);
	} else if (!strcmp(object_type, "dcim.device") ||
		   !strcmp(object_type, "virtualization.virtualmachine")) {
		r = store_services_of(ctx->conn,
				      !strcmp(object_type, "dcim.device") ? "device" : "vm", id,
				      &ids, &k, err);
		if (!r)
			r = add_dependents(ids, k, "services", &items, &n);
		k = 0;
		if (!r)
			r = store_assignments_to(ctx->conn, object_type, id, &ids, &k, err);
		if (!r)
			r = add_dependents(ids, k, "assignments", &items, &n);
	} else if (!strcmp(object_type, "ipam.service")) {
		r = store_assignments_to(ctx->conn, object_type, id, &ids, &k, err);
		if (!r)
			r = add_dependents(ids, k, "assignments", &items, &n);
	}
	if (r) {
		free(items);
		return r;
	}
	*ret = items;
	*ret_n = n;
	return 0;
}
