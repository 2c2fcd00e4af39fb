/* domain/changelog — see changelog.h. */
#include "domain/changelog.h"

#include <string.h>

int dom_changelog_write(const struct dom_ctx *ctx, const char *action, const char *object_type,
			int64_t object_id, const char *object_repr, const char *prechange_json,
			const char *postchange_json, struct ck_error *err)
{
	static const char sql[] =
		"INSERT INTO object_changes (time, user_id, user_name, request_id, action,"
		" changed_object_type, changed_object_id, object_repr, prechange_data, postchange_data)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
	struct store_stmt *st;
	int r = store_query(ctx->conn, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, ctx->now);
	if (ctx->user_id)
		store_bind_i64(st, 2, ctx->user_id);
	else
		store_bind_null(st, 2);
	store_bind_text(st, 3, ctx->username ? ctx->username : "", (size_t)-1);
	store_bind_text(st, 4, ctx->request_id ? ctx->request_id : "", (size_t)-1);
	store_bind_text(st, 5, action, (size_t)-1);
	store_bind_text(st, 6, object_type, (size_t)-1);
	store_bind_i64(st, 7, object_id);
	store_bind_text(st, 8, object_repr ? object_repr : "", (size_t)-1);
	if (prechange_json)
		store_bind_text(st, 9, prechange_json, (size_t)-1);
	else
		store_bind_null(st, 9);
	if (postchange_json)
		store_bind_text(st, 10, postchange_json, (size_t)-1);
	else
		store_bind_null(st, 10);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}
