/* domain/assignment — see assignment.h. */
#include "domain/assignment.h"
#include "domain/certificate.h"
#include "store/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dom_assignment_types[] = {"dcim.device", "ipam.service", "virtualization.virtualmachine", NULL};

static const struct {
	const char *type, *model, *path, *sql;
} targets[] = {
	{"dcim.device", "Device", "/api/dcim/devices/",
	 "SELECT id, COALESCE(tenant_id, 0), name, 0, '', '' FROM devices WHERE id = $1"},
	{"virtualization.virtualmachine", "Virtual Machine", "/api/virtualization/virtual-machines/",
	 "SELECT id, COALESCE(tenant_id, 0), name, 0, '', '' FROM virtual_machines WHERE id = $1"},
	{"ipam.service", "Service", "/api/ipam/services/",
	 "SELECT s.id, COALESCE(d.tenant_id, v.tenant_id, 0), s.name, COALESCE(s.device_id, s.virtual_machine_id, 0),"
	 " COALESCE(d.name, v.name, ''), CASE WHEN s.device_id IS NOT NULL THEN 'dcim.device'"
	 " ELSE 'virtualization.virtualmachine' END"
	 " FROM services s LEFT JOIN devices d ON d.id = s.device_id"
	 " LEFT JOIN virtual_machines v ON v.id = s.virtual_machine_id WHERE s.id = $1"},
};

int dom_target_get(const struct dom_ctx *ctx, const char *type, int64_t id, struct dom_target *ret,
		   struct ck_error *err)
{
	struct store_stmt *st;
	int r;

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (strcmp(type, targets[i].type))
			continue;
		r = store_query(ctx->conn, targets[i].sql, &st, err);
		if (r)
			return r;
		store_bind_i64(st, 1, id);
		r = store_step(st, err);
		if (r == STORE_ROW) {
			memset(ret, 0, sizeof(*ret));
			ret->id = store_col_i64(st, 0);
			ret->tenant_id = store_col_i64(st, 1);
			snprintf(ret->name, sizeof(ret->name), "%s", store_col_text(st, 2, NULL));
			ret->parent_id = store_col_i64(st, 3);
			snprintf(ret->parent_name, sizeof(ret->parent_name), "%s", store_col_text(st, 4, NULL));
			snprintf(ret->parent_type, sizeof(ret->parent_type), "%s", store_col_text(st, 5, NULL));
			snprintf(ret->model, sizeof(ret->model), "%s", targets[i].model);
			snprintf(ret->list_path, sizeof(ret->list_path), "%s", targets[i].path);
			r = 0;
		} else if (r == STORE_DONE) {
			r = ck_error_set(err, CK_E_NOTFOUND, "assigned_object_id", "%s with ID %lld does not exist.",
					 targets[i].model, (long long)id);
		}
		store_done(st);
		return r;
	}
	return ck_error_set(err, CK_E_INVALID, "assigned_object_type", "\"%.60s\" is not a valid choice.", type);
}

int dom_assignment_check_tenant(const struct dom_ctx *ctx, int64_t cert_id, const struct dom_target *t,
				struct ck_error *err)
{
	int64_t cert_tenant = 0;
	int r = store_scalar_i64(ctx->conn, "SELECT COALESCE(tenant_id, 0) FROM certificates WHERE id = $1",
				 &cert_id, 1, &cert_tenant, err);

	if (r)
		return r;
	if (cert_tenant && t->tenant_id && cert_tenant != t->tenant_id)
		return ck_error_set(err, CK_E_INVALID, "non_field_errors",
				    "Certificate and assignment target must belong to the same tenant.");
	return 0;
}

/* Current (certificate, type, id) of an existing assignment for PATCH. */
static int load_current(const struct dom_ctx *ctx, int64_t id, int64_t *cert, char *type, size_t tsz,
			int64_t *obj, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ctx->conn, "SELECT certificate_id, assigned_object_type, assigned_object_id"
				       " FROM assignments WHERE id = $1", &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*cert = store_col_i64(st, 0);
		snprintf(type, tsz, "%s", store_col_text(st, 1, NULL));
		*obj = store_col_i64(st, 2);
		r = 0;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
	return r;
}

int dom_assignment_before_write(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
				struct ck_error *err)
{
	int64_t cert = 0, obj = 0, dup = 0;
	char type[40] = "";
	struct dom_target t;
	struct store_stmt *st;
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
	r = store_query(ctx->conn, "SELECT id FROM assignments WHERE certificate_id = $1 AND"
				   " assigned_object_type = $2 AND assigned_object_id = $3 AND id <> $4", &st, err);
	if (r)
		return r;
	store_bind_i64(st, 1, cert);
	store_bind_text(st, 2, type, (size_t)-1);
	store_bind_i64(st, 3, obj);
	store_bind_i64(st, 4, old_id);
	if (store_step(st, err) == STORE_ROW)
		dup = store_col_i64(st, 0);
	store_done(st);
	if (dup)
		return ck_error_set(err, CK_E_DUPLICATE, "non_field_errors",
				    "This certificate is already assigned to %s (assignment ID %lld).", t.name, (long long)dup);
	return 0;
}

static int touch_and_log(const struct dom_ctx *ctx, int64_t assignment_id, const char *event, const char *verb,
			 struct ck_error *err)
{
	int64_t cert = 0, obj = 0;
	char type[40], desc[400];
	struct dom_target t;
	struct store_stmt *st;
	int r = load_current(ctx, assignment_id, &cert, type, sizeof(type), &obj, err);

	if (r)
		return r;
	if (dom_target_get(ctx, type, obj, &t, NULL))
		snprintf(t.name, sizeof(t.name), "#%lld", (long long)obj);
	snprintf(desc, sizeof(desc), "%s %s: %s", verb, type, t.name);
	r = dom_lifecycle_add(ctx, cert, event, desc, "", "", 0, err);
	if (r)
		return r;
	r = store_query(ctx->conn, "UPDATE certificates SET last_updated = $1 WHERE id = $2", &st, err);
	if (r)
		return r;
	store_bind_i64(st, 1, ctx->now);
	store_bind_i64(st, 2, cert);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
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
static int add_dependents(int64_t *ids, size_t k, const char *resource, struct dom_dependent **items, size_t *n)
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

int dom_dependents(const struct dom_ctx *ctx, const char *object_type, int64_t id, struct dom_dependent **ret,
		   size_t *ret_n, struct ck_error *err)
{
	struct dom_dependent *items = NULL;
	int64_t *ids = NULL;
	size_t n = 0, k = 0;
	int r = 0;

	if (!strcmp(object_type, "netbox_ssl.certificate")) {
		r = store_assignments_of_cert(ctx->conn, id, &ids, &k, err);
		if (!r)
			r = add_dependents(ids, k, "assignments", &items, &n);
	} else if (!strcmp(object_type, "dcim.device") || !strcmp(object_type, "virtualization.virtualmachine")) {
		r = store_services_of(ctx->conn, !strcmp(object_type, "dcim.device") ? "device" : "vm", id, &ids, &k, err);
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
