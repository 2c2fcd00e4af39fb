/*
 * domain/uow — the unit of work: the one place a change to certkeeper's data happens
 * (docs/internals/domain.md).
 *
 * A domain command is a function run by dom_uow_run(): it opens the write transaction on the
 * context's connection, runs the command (which applies the rules and writes through store/
 * repositories), and commits — or rolls back everything when the command fails. Every change
 * the command makes is journalled with dom_uow_change(): ONE changelog row (with the pre- and
 * post-change snapshots) and ONE outbox event row pointing at it, in the same transaction.
 * Domain events that are not a single object's create/update/delete (certificate_renewed)
 * add an outbox row with dom_uow_event(). Nothing is journalled for a rolled-back command.
 *
 * Callers: api/ handlers (REST writes, actions), the CLI (import), the sweeper, and later
 * jobs and GraphQL. None of them opens a transaction itself.
 *
 * Not re-entrant: a command must not call dom_uow_run() (nesting is CK_E_INTERNAL).
 */
#ifndef CK_DOMAIN_UOW_H
#define CK_DOMAIN_UOW_H

#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"

#define DOM_OUTBOX_KEEP_S (7 * 86400) /* consumed outbox rows are kept this long, then pruned */

/* A command: 0 to commit, a negative CK_E_* code to roll back. */
typedef int (*dom_command_fn)(void *arg, struct ck_error *err);

/* Runs cmd inside one write transaction on ctx->conn: commits when it returns 0, rolls back
 * otherwise (returning its code); a failed commit is rolled back and returned. */
int dom_uow_run(const struct dom_ctx *ctx, dom_command_fn cmd, void *arg, struct ck_error *err);

/* Journals one change of the running command: a changelog row (action "create" | "update" |
 * "delete", snapshots as serialised JSON, NULL where none) and its outbox row (event
 * "created" | "updated" | "deleted"). *ret_change_id (optional) receives the changelog id. */
int dom_uow_change(const struct dom_ctx *ctx, const char *action, const char *object_type,
		   int64_t object_id, const char *object_repr, const char *prechange_json,
		   const char *postchange_json, int64_t *ret_change_id, struct ck_error *err);

/* Adds a domain event to the outbox (e.g. "certificate_renewed" for the old certificate),
 * pointing at change_id (0: none). */
int dom_uow_event(const struct dom_ctx *ctx, const char *object_type, int64_t object_id,
		  const char *event, int64_t change_id, struct ck_error *err);

/* Prunes outbox rows consumed more than DOM_OUTBOX_KEEP_S before ctx->now (the sweeper's
 * job); *ret_n (optional) receives how many. */
int dom_outbox_prune(const struct dom_ctx *ctx, int64_t *ret_n, struct ck_error *err);

#endif
