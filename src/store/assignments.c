/* store/assignments — see assignments.h. */
#include "store/assignments.h"

#include <stdio.h>
#include <string.h>

int store_assignment_find(struct store_conn *c, int64_t cert_id, const char *type, int64_t obj_id,
			  int64_t exclude_id, int64_t *ret_id, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "SELECT id FROM assignments WHERE certificate_id = $1 AND assigned_object_type = $2"
	    " AND assigned_object_id = $3 AND id <> $4",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, cert_id);
	store_bind_text(st, 2, type, (size_t)-1);
	store_bind_i64(st, 3, obj_id);
	store_bind_i64(st, 4, exclude_id);
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret_id = store_col_i64(st, 0);
	store_done(st);
	return r < 0 ? r : r == STORE_ROW;
}

int store_assignment_get(struct store_conn *c, int64_t id, int64_t *ret_cert, char *type,
			 size_t tsz, int64_t *ret_obj, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "SELECT certificate_id, assigned_object_type, assigned_object_id FROM assignments"
	    " WHERE id = $1",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*ret_cert = store_col_i64(st, 0);
		snprintf(type, tsz, "%s", store_col_text(st, 1, NULL));
		*ret_obj = store_col_i64(st, 2);
	}
	store_done(st);
	return r < 0 ? r : r == STORE_ROW;
}

/* One statement per target type; the columns are those of struct store_target. */
static const struct {
	const char *type, *sql;
} target_sql[] = {
    {"dcim.device",
     "SELECT id, COALESCE(tenant_id, 0), name, 0, '', '' FROM devices WHERE id = $1"},
    {"virtualization.virtualmachine",
     "SELECT id, COALESCE(tenant_id, 0), name, 0, '', '' FROM virtual_machines WHERE id = $1"},
    {"ipam.service",
     "SELECT s.id, COALESCE(d.tenant_id, v.tenant_id, 0), s.name, COALESCE(s.device_id, "
     "s.virtual_machine_id, 0),"
     " COALESCE(d.name, v.name, ''), CASE WHEN s.device_id IS NOT NULL THEN 'dcim.device'"
     " ELSE 'virtualization.virtualmachine' END"
     " FROM services s LEFT JOIN devices d ON d.id = s.device_id"
     " LEFT JOIN virtual_machines v ON v.id = s.virtual_machine_id WHERE s.id = $1"},
};

int store_target_get(struct store_conn *c, const char *type, int64_t id, struct store_target *ret,
		     struct ck_error *err)
{
	struct store_stmt *st;
	int r;

	for (size_t i = 0; i < sizeof(target_sql) / sizeof(target_sql[0]); i++) {
		if (strcmp(type, target_sql[i].type))
			continue;
		if ((r = store_query(c, target_sql[i].sql, &st, err)))
			return r;
		store_bind_i64(st, 1, id);
		r = store_step(st, err);
		if (r == STORE_ROW) {
			memset(ret, 0, sizeof(*ret));
			ret->id = store_col_i64(st, 0);
			ret->tenant_id = store_col_i64(st, 1);
			snprintf(ret->name, sizeof(ret->name), "%s", store_col_text(st, 2, NULL));
			ret->parent_id = store_col_i64(st, 3);
			snprintf(ret->parent_name, sizeof(ret->parent_name), "%s",
				 store_col_text(st, 4, NULL));
			snprintf(ret->parent_type, sizeof(ret->parent_type), "%s",
				 store_col_text(st, 5, NULL));
		}
		store_done(st);
		return r < 0 ? r : r == STORE_ROW;
	}
	return ck_error_set(err, CK_E_INTERNAL, NULL, "unknown assignment target type");
}

int store_assignments_move(struct store_conn *c, int64_t from, int64_t to, int64_t now,
			   int64_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c,
			    "UPDATE assignments SET certificate_id = $1, last_updated = $2"
			    " WHERE certificate_id = $3 AND ("
			    "(assigned_object_type = 'dcim.device' AND assigned_object_id IN "
			    "(SELECT id FROM devices))"
			    " OR (assigned_object_type = 'virtualization.virtualmachine'"
			    " AND assigned_object_id IN (SELECT id FROM virtual_machines))"
			    " OR (assigned_object_type = 'ipam.service' AND assigned_object_id IN "
			    "(SELECT id FROM services)))",
			    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, to);
	store_bind_i64(st, 2, now);
	store_bind_i64(st, 3, from);
	r = store_step(st, err);
	store_done(st);
	if (r < 0)
		return r;
	*ret_n = store_changes(c);
	return 0;
}
