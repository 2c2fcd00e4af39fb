/* store/lookup — existence look-ups by id or by a declared text column (see store.h). */
#include "store/store.h"

#include <stdio.h>

#define LOOKUP_SQL_MAX 256 /* declared table and column names keep the text short */

static int exists(struct store_conn *c, const char *sql, int64_t id, const char *v,
		  struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, sql, &st, err);

	if (r)
		return r;
	if (v)
		store_bind_text(st, 1, v, (size_t)-1);
	else
		store_bind_i64(st, 1, id);
	r = store_step(st, err);
	store_done(st);
	if (r < 0)
		return r;
	return r == STORE_ROW;
}

int store_id_exists(struct store_conn *c, const char *table, int64_t id, struct ck_error *err)
{
	char sql[LOOKUP_SQL_MAX];

	if (snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE id = $1", table) >=
	    (int)sizeof(sql))
		return CK_E_INTERNAL;
	return exists(c, sql, id, NULL, err);
}

int store_text_exists(struct store_conn *c, const char *table, const char *col, const char *col2,
		      const char *v, struct ck_error *err)
{
	char sql[LOOKUP_SQL_MAX];
	int n;

	if (col2)
		n = snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = $1 OR %s = $1", table,
			     col, col2);
	else
		n = snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = $1", table, col);
	if (n >= (int)sizeof(sql))
		return CK_E_INTERNAL;
	return exists(c, sql, 0, v, err);
}

int store_id_by_text(struct store_conn *c, const char *table, const char *col, const char *v,
		     int64_t *ret_id, struct ck_error *err)
{
	char sql[LOOKUP_SQL_MAX];
	struct store_stmt *st;
	int r;

	if (snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = $1", table, col) >=
	    (int)sizeof(sql))
		return CK_E_INTERNAL;
	r = store_query(c, sql, &st, err);
	if (r)
		return r;
	store_bind_text(st, 1, v, (size_t)-1);
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret_id = store_col_i64(st, 0);
	store_done(st);
	return r < 0 ? r : r == STORE_ROW;
}

int store_text_of(struct store_conn *c, const char *table, const char *col, int64_t id, char *out,
		  size_t size, struct ck_error *err)
{
	char sql[LOOKUP_SQL_MAX];
	struct store_stmt *st;
	int r;

	if (snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = $1", col, table) >=
	    (int)sizeof(sql))
		return CK_E_INTERNAL;
	r = store_query(c, sql, &st, err);
	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW && size) {
		const char *s = store_col_text(st, 0, NULL);
		snprintf(out, size, "%s", s ? s : "");
	}
	store_done(st);
	return r < 0 ? r : r == STORE_ROW;
}
