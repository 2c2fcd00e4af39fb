/* store/records — see records.h. */
#include "store/records.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <string.h>

static void bind_value(struct store_stmt *st, int n, const struct store_value *v)
{
	switch (v->type) {
	case STORE_V_INT:
		store_bind_i64(st, n, v->i);
		break;
	case STORE_V_DOUBLE:
		store_bind_double(st, n, v->d);
		break;
	case STORE_V_TEXT:
		store_bind_text(st, n, v->s, v->len);
		break;
	default:
		store_bind_null(st, n);
		break;
	}
}

int store_record_insert(struct store_conn *c, const char *table, const struct store_value *vals,
			size_t n, int64_t now, int64_t *ret_id, struct ck_error *err)
{
	struct strbuf sql, params;
	struct store_stmt *st;
	int r;

	strbuf_init(&sql, STORE_RECORD_MAX_SQL);
	strbuf_init(&params, STORE_RECORD_MAX_SQL);
	strbuf_addf(&sql, "INSERT INTO %s (created, last_updated", table);
	strbuf_adds(&params, "$1, $1");
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(&sql, ", %s", vals[i].column);
		strbuf_addf(&params, ", $%zu", i + 2);
	}
	strbuf_addf(&sql, ") VALUES (%s) RETURNING id", strbuf_str(&params));
	r = strbuf_result(&sql);
	if (!r)
		r = store_query(c, strbuf_str(&sql), &st, err);
	if (r)
		goto out;
	store_bind_i64(st, 1, now);
	for (size_t i = 0; i < n; i++)
		bind_value(st, (int)i + 2, &vals[i]);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*ret_id = store_col_i64(st, 0);
		r = 0;
	} else if (r == STORE_DONE) {
		r = CK_E_DB;
	}
	store_done(st);
out:
	strbuf_release(&sql);
	strbuf_release(&params);
	return r;
}

int store_record_update(struct store_conn *c, const char *table, int64_t id,
			const struct store_value *vals, size_t n, int64_t now, struct ck_error *err)
{
	struct strbuf sql;
	struct store_stmt *st;
	int r;

	strbuf_init(&sql, STORE_RECORD_MAX_SQL);
	strbuf_addf(&sql, "UPDATE %s SET last_updated = $1", table);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sql, ", %s = $%zu", vals[i].column, i + 3);
	strbuf_adds(&sql, " WHERE id = $2");
	r = strbuf_result(&sql);
	if (!r)
		r = store_query(c, strbuf_str(&sql), &st, err);
	if (r)
		goto out;
	store_bind_i64(st, 1, now);
	store_bind_i64(st, 2, id);
	for (size_t i = 0; i < n; i++)
		bind_value(st, (int)i + 3, &vals[i]);
	r = store_step(st, err);
	store_done(st);
	r = r < 0 ? r : 0;
out:
	strbuf_release(&sql);
	return r;
}

int store_record_delete(struct store_conn *c, const char *table, int64_t id, struct ck_error *err)
{
	char sql[160];
	struct store_stmt *st;
	int r;

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = $1", table);
	r = store_query(c, sql, &st, err);
	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_record_exists(struct store_conn *c, const char *table, int64_t id, int *ret_found,
			struct ck_error *err)
{
	char sql[160];
	int64_t found = 0;
	int r;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE id = $1", table);
	r = store_scalar_i64(c, sql, &id, 1, &found, err);
	if (!r)
		*ret_found = found != 0;
	return r;
}

int store_tags_clear(struct store_conn *c, const char *object_type, int64_t id,
		     struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, "DELETE FROM tagged_items WHERE object_type = $1 AND object_id = $2",
			    &st, err);

	if (r)
		return r;
	store_bind_text(st, 1, object_type, (size_t)-1);
	store_bind_i64(st, 2, id);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_tags_attach(struct store_conn *c, int64_t tag_id, const char *object_type, int64_t id,
		      struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "INSERT INTO tagged_items (tag_id, object_type, object_id) VALUES ($1, $2, $3)"
	    " ON CONFLICT DO NOTHING",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, tag_id);
	store_bind_text(st, 2, object_type, (size_t)-1);
	store_bind_i64(st, 3, id);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_tag_find(struct store_conn *c, const char *by, int64_t id_value, const char *text,
		   int64_t *ret_id, struct ck_error *err)
{
	struct store_stmt *st;
	int r;

	*ret_id = 0;
	if (!strcmp(by, "id"))
		return store_scalar_i64(c, "SELECT id FROM tags WHERE id = $1", &id_value, 1,
					ret_id, err);
	r = store_query(c,
			!strcmp(by, "slug") ? "SELECT id FROM tags WHERE slug = $1"
					    : "SELECT id FROM tags WHERE name = $1",
			&st, err);
	if (r)
		return r;
	store_bind_text(st, 1, text, (size_t)-1);
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret_id = store_col_i64(st, 0);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_service_parents(struct store_conn *c, int64_t service_id, int64_t *ret_device,
			  int64_t *ret_vm, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, "SELECT device_id, virtual_machine_id FROM services WHERE id = $1",
			    &st, err);

	*ret_device = *ret_vm = 0;
	if (r)
		return r;
	store_bind_i64(st, 1, service_id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*ret_device = store_col_i64(st, 0);
		*ret_vm = store_col_i64(st, 1);
	}
	store_done(st);
	return r < 0 ? r : 0;
}
