/* domain/changelog — see changelog.h. */
#include "domain/changelog.h"
#include "domain/uow.h"

int dom_changelog_write(const struct dom_ctx *ctx, const char *action, const char *object_type,
			int64_t object_id, const char *object_repr, const char *prechange_json,
			const char *postchange_json, struct ck_error *err)
{
	return dom_uow_change(ctx, action, object_type, object_id, object_repr, prechange_json, postchange_json,
			      NULL, err);
}
