/* domain/uow — see uow.h. */
#include "domain/uow.h"
#include "domain/changelog.h"
#include "store/changes.h"

#include <string.h>

int dom_uow_run(const struct dom_ctx *ctx, dom_command_fn cmd, void *arg, struct ck_error *err)
{
	int r = store_tx_begin(ctx->conn, err);

	if (r)
		return r;
	r = cmd(arg, err);
	if (r) {
		store_tx_rollback(ctx->conn);
		return r;
	}
	r = store_tx_commit(ctx->conn, err);
	if (r)
		store_tx_rollback(ctx->conn);
	return r;
}

static const char *event_of(const char *action)
{
	if (!strcmp(action, "create"))
		return "created";
	if (!strcmp(action, "delete"))
		return "deleted";
	return "updated";
}

int dom_uow_event(const struct dom_ctx *ctx, const char *object_type, int64_t object_id,
		  const char *event, int64_t change_id, struct ck_error *err)
{
	struct store_outbox_row row = {
	    .object_type = object_type,
	    .object_id = object_id,
	    .event = event,
	    .user_id = ctx->user_id,
	    .request_id = ctx->request_id,
	    .change_id = change_id,
	    .created = ctx->now,
	};

	if (!store_in_tx(ctx->conn))
		return ck_error_set(err, CK_E_INTERNAL, NULL,
				    "outbox event outside a unit of work");
	return store_outbox_insert(ctx->conn, &row, NULL, err);
}

int dom_uow_change(const struct dom_ctx *ctx, const char *action, const char *object_type,
		   int64_t object_id, const char *object_repr, const char *prechange_json,
		   const char *postchange_json, int64_t *ret_change_id, struct ck_error *err)
{
	struct store_change_row row = {
	    .time = ctx->now,
	    .user_id = ctx->user_id,
	    .user_name = ctx->username,
	    .request_id = ctx->request_id,
	    .action = action,
	    .object_type = object_type,
	    .object_id = object_id,
	    .object_repr = object_repr,
	    .prechange_json = prechange_json,
	    .postchange_json = postchange_json,
	};
	int64_t id = 0;
	int r;

	if (!store_in_tx(ctx->conn))
		return ck_error_set(err, CK_E_INTERNAL, NULL, "change outside a unit of work");
	r = dom_changelog_store(ctx, &row, &id, err);
	if (!r)
		r = dom_uow_event(ctx, object_type, object_id, event_of(action), id, err);
	if (!r && ret_change_id)
		*ret_change_id = id;
	return r;
}

int dom_outbox_prune(const struct dom_ctx *ctx, int64_t *ret_n, struct ck_error *err)
{
	return store_outbox_prune(ctx->conn, ctx->now - DOM_OUTBOX_KEEP_S, ret_n, err);
}
