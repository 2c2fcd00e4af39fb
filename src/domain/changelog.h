/*
 * domain/changelog — object change records (NetBox's core.ObjectChange): every create,
 * update and delete through the API or the CLI writes one row, in the same transaction as
 * the change, with pre- and post-change snapshots (JSON text, already serialised).
 */
#ifndef CK_DOMAIN_CHANGELOG_H
#define CK_DOMAIN_CHANGELOG_H

#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"

/* action: "create", "update" or "delete". Snapshots may be NULL (create has no pre, delete
 * no post). Returns 0 or a negative CK_E_* code. Must run inside a unit of work: it is
 * dom_uow_change() (domain/uow.h), so the change's outbox row is written with it. */
int dom_changelog_write(const struct dom_ctx *ctx, const char *action, const char *object_type,
			int64_t object_id, const char *object_repr, const char *prechange_json,
			const char *postchange_json, struct ck_error *err);

#endif
