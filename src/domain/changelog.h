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
#include "store/changes.h"

/* A snapshot's pem_content or issuer_chain literal at least this long (bytes, quotes
 * included) is stored once in changelog_blobs instead of inline (see changelog.c). */
#define DOM_CHANGELOG_BLOB_MIN 256

/* action: "create", "update" or "delete". Snapshots may be NULL (create has no pre, delete
 * no post). Returns 0 or a negative CK_E_* code. Must run inside a unit of work: it is
 * dom_uow_change() (domain/uow.h), so the change's outbox row is written with it. */
int dom_changelog_write(const struct dom_ctx *ctx, const char *action, const char *object_type,
			int64_t object_id, const char *object_repr, const char *prechange_json,
			const char *postchange_json, struct ck_error *err);

/* Inserts a changelog row (dom_uow_change's writer): moves the snapshots' large immutable
 * members to changelog_blobs, fills row's blob keys and snapshot texts for the insert (they
 * are only valid during the call), then store_change_insert(). Inside the unit of work. */
int dom_changelog_store(const struct dom_ctx *ctx, struct store_change_row *row, int64_t *ret_id,
			struct ck_error *err);

#endif
