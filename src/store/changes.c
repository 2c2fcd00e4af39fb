/* store/changes — see changes.h. */
#include "store/changes.h"

static void bind_opt_i64(struct store_stmt *st, int n, int64_t v)
{
	if (v)
		store_bind_i64(st, n, v);
	else
		store_bind_null(st, n);
}

static void bind_opt_text(struct store_stmt *st, int n, const char *s)
{
	if (s)
		store_bind_text(st, n, s, (size_t)-1);
	else
		store_bind_null(st, n);
}

/* Steps an INSERT ... RETURNING id. */
static int insert_returning(struct store_stmt *st, int64_t *ret_id, struct ck_error *err)
{
	int r = store_step(st, err);

	if (r == STORE_ROW) {
		if (ret_id)
			*ret_id = store_col_i64(st, 0);
		r = 0;
	} else if (r == STORE_DONE) {
		r = CK_E_DB;
	}
	store_done(st);
	return r;
}

int store_change_insert(struct store_conn *c, const struct store_change_row *row, int64_t *ret_id,
			struct ck_error *err)
{
	static const char sql[] =
	    "INSERT INTO object_changes (time, user_id, user_name, request_id, action,"
	    " changed_object_type, changed_object_id, object_repr, prechange_data, postchange_data,"
	    " prechange_pem_blob, prechange_chain_blob, postchange_pem_blob, postchange_chain_blob)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id";
	struct store_stmt *st;
	int r = store_query(c, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, row->time);
	bind_opt_i64(st, 2, row->user_id);
	store_bind_text(st, 3, row->user_name ? row->user_name : "", (size_t)-1);
	store_bind_text(st, 4, row->request_id ? row->request_id : "", (size_t)-1);
	store_bind_text(st, 5, row->action, (size_t)-1);
	store_bind_text(st, 6, row->object_type, (size_t)-1);
	store_bind_i64(st, 7, row->object_id);
	store_bind_text(st, 8, row->object_repr ? row->object_repr : "", (size_t)-1);
	bind_opt_text(st, 9, row->prechange_json);
	bind_opt_text(st, 10, row->postchange_json);
	bind_opt_text(st, 11, row->pre_pem_blob);
	bind_opt_text(st, 12, row->pre_chain_blob);
	bind_opt_text(st, 13, row->post_pem_blob);
	bind_opt_text(st, 14, row->post_chain_blob);
	return insert_returning(st, ret_id, err);
}

/* Steps a bound statement to its end; *ret_n (optional) receives the rows it changed. */
static int step_changes(struct store_conn *c, struct store_stmt *st, int64_t *ret_n,
			struct ck_error *err)
{
	int r = store_step(st, err);

	store_done(st);
	if (r < 0)
		return r;
	if (ret_n)
		*ret_n = store_changes(c);
	return 0;
}

int store_change_blob_put(struct store_conn *c, const char *sha256, const char *literal,
			  size_t literal_len, int64_t certificate_id, const char *raw,
			  size_t raw_len, struct ck_error *err)
{
	/* the WHERE before ON CONFLICT also keeps SQLite's parser from reading it as a join */
	static const char pointer_sql[] =
	    "INSERT INTO changelog_blobs (sha256, body, certificate_id)"
	    " SELECT CAST($1 AS TEXT), NULL, id FROM certificates WHERE id = $2 AND pem_content = "
	    "$3"
	    " ON CONFLICT (sha256) DO NOTHING";
	static const char body_sql[] = "INSERT INTO changelog_blobs (sha256, body, certificate_id)"
				       " VALUES ($1, $2, NULL) ON CONFLICT (sha256) DO NOTHING";
	struct store_stmt *st;
	int64_t n = 0;
	int r;

	if (certificate_id && raw) {
		r = store_query(c, pointer_sql, &st, err);
		if (r)
			return r;
		store_bind_text(st, 1, sha256, (size_t)-1);
		store_bind_i64(st, 2, certificate_id);
		store_bind_text(st, 3, raw, raw_len);
		r = step_changes(c, st, &n, err);
		if (r || n)
			return r;
	}
	r = store_query(c, body_sql, &st, err);
	if (r)
		return r;
	store_bind_text(st, 1, sha256, (size_t)-1);
	store_bind_text(st, 2, literal, literal_len);
	return step_changes(c, st, NULL, err);
}

int store_change_blob_count(struct store_conn *c, int64_t *ret_bodies, int64_t *ret_pointers,
			    struct ck_error *err)
{
	int r = store_scalar_i64(c, "SELECT COUNT(*) FROM changelog_blobs WHERE body IS NOT NULL",
				 NULL, 0, ret_bodies, err);

	if (!r)
		r = store_scalar_i64(
		    c, "SELECT COUNT(*) FROM changelog_blobs WHERE certificate_id IS NOT NULL",
		    NULL, 0, ret_pointers, err);
	return r;
}

int store_outbox_insert(struct store_conn *c, const struct store_outbox_row *row, int64_t *ret_id,
			struct ck_error *err)
{
	static const char sql[] = "INSERT INTO outbox (object_type, object_id, event, user_id, "
				  "request_id, change_id, created)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
	struct store_stmt *st;
	int r = store_query(c, sql, &st, err);

	if (r)
		return r;
	store_bind_text(st, 1, row->object_type, (size_t)-1);
	store_bind_i64(st, 2, row->object_id);
	store_bind_text(st, 3, row->event, (size_t)-1);
	bind_opt_i64(st, 4, row->user_id);
	store_bind_text(st, 5, row->request_id ? row->request_id : "", (size_t)-1);
	bind_opt_i64(st, 6, row->change_id);
	store_bind_i64(st, 7, row->created);
	return insert_returning(st, ret_id, err);
}

int store_outbox_mark_consumed(struct store_conn *c, int64_t id, int64_t when, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, "UPDATE outbox SET consumed = $1 WHERE id = $2 AND consumed IS NULL",
			    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, when);
	store_bind_i64(st, 2, id);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_outbox_prune(struct store_conn *c, int64_t before, int64_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, "DELETE FROM outbox WHERE consumed IS NOT NULL AND consumed < $1",
			    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, before);
	r = store_step(st, err);
	store_done(st);
	if (r < 0)
		return r;
	if (ret_n)
		*ret_n = store_changes(c);
	return 0;
}

int store_outbox_count(struct store_conn *c, int pending_only, int64_t *ret, struct ck_error *err)
{
	return store_scalar_i64(c,
				pending_only ? "SELECT COUNT(*) FROM outbox WHERE consumed IS NULL"
					     : "SELECT COUNT(*) FROM outbox",
				NULL, 0, ret, err);
}

int store_change_count(struct store_conn *c, int64_t *ret, struct ck_error *err)
{
	return store_scalar_i64(c, "SELECT COUNT(*) FROM object_changes", NULL, 0, ret, err);
}
