/*
 * domain/lifecycle — certificate status automation and status-transition events.
 *
 * Statuses: active, expired, replaced, revoked, pending, archived. Transitions made here:
 *
 *     active ──(valid_to < now)──────────────────────────────► expired
 *     expired, replaced ──(valid_to < now − auto_archive_after_days,
 *                          archive_pinned = 0)──────────────────► archived (archived_at = now)
 *
 * Every transition writes a lifecycle event (status_changed / revoked / archived, with old
 * and new status and the actor) and a changelog row, in the transaction of the change.
 * Transitions made by clients (PATCH/PUT, bulk-status-update) get the same event from the
 * certificates hook (dom_cert_before_write calls dom_lifecycle_status_event).
 */
#ifndef CK_DOMAIN_LIFECYCLE_H
#define CK_DOMAIN_LIFECYCLE_H

#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"
#include "domain/record.h"
#include "x509/chain.h"

#define DOM_SWEEP_BATCH 500 /* most certificates changed per sweep transaction */
/* A sweep transaction stops taking rows once this long has passed since it began (the last
 * row and the commit follow), so it holds the write lock well under 50 ms (issue 11). */
#define DOM_SWEEP_BUDGET_US 20000
/* Between two batches the sweep sleeps as long as the last one took, at least this long, so
 * that writers waiting for the lock get it (a sweep uses at most about half the write time). */
#define DOM_SWEEP_PAUSE_US 25000

/* What one sweep did (dom_lifecycle_sweep_stats). */
struct dom_sweep_stats {
	int expired, archived;
	int batches;		  /* write transactions of the status steps */
	int64_t longest_batch_us; /* the longest of them (or of the outbox prune), from BEGIN to the
				   * return of COMMIT (with a WAL checkpoint that COMMIT ran after
				   * releasing the lock) */
	int64_t longest_work_us;  /* the longest from BEGIN to COMMIT (the rows' work) */
};

/* The event type of a transition to `new_status`: "revoked", "archived", else "status_changed". */
const char *dom_lifecycle_status_event_type(const char *new_status);

/* Writes the event of a status transition old → new of certificate `id` ("Status changed from
 * <old> to <new>"). Inside the caller's write transaction. */
int dom_lifecycle_status_event(const struct dom_ctx *ctx, int64_t id, const char *old_status,
			       const char *new_status, struct ck_error *err);

/*
 * One sweep: marks active certificates past valid_to as expired, then archives expired and
 * replaced certificates whose valid_to is older than cfg->auto_archive_after_days (unless
 * archive_pinned). Runs its own write transactions of at most DOM_SWEEP_BATCH certificates
 * and about DOM_SWEEP_BUDGET_US each (one unit of work per batch), so it must NOT be called
 * inside a transaction; then
 * prunes consumed outbox rows (dom_outbox_prune). ctx->now is the reference time.
 * *ret_expired / *ret_archived (optional) receive the counts. Thread-safe with respect to
 * other writers (each batch is one BEGIN IMMEDIATE transaction).
 */
int dom_lifecycle_sweep(const struct dom_ctx *ctx, int *ret_expired, int *ret_archived,
			struct ck_error *err);

/* The same sweep; *ret (written on success) says how many batches it took and how long the
 * longest held the write lock (logged by jobs/sweeper, printed by `certkeeper sweep --stats`). */
int dom_lifecycle_sweep_stats(const struct dom_ctx *ctx, struct dom_sweep_stats *ret,
			      struct ck_error *err);

/*
 * Chain validation of a stored certificate (x509/chain.h): loads pem_content and issuer_chain
 * of `id` and validates them at `at` with the system trust store. CK_E_NOTFOUND; CK_E_INVALID
 * "Certificate has no PEM content for validation" when pem_content is empty. *ret is filled
 * on success (release with dom_chain_result_release). Read-only.
 */
int dom_chain_validate(const struct dom_ctx *ctx, int64_t id, int64_t at,
		       struct x509_chain_result *ret, struct ck_error *err);

/* x509/chain's status name ("valid", "self_signed", ..., static), "is valid" (VALID and
 * SELF_SIGNED) and result release, for api/, which reaches x509 only through domain/. */
const char *dom_chain_status_name(enum x509_chain_status s);
int dom_chain_status_ok(enum x509_chain_status s);
void dom_chain_result_release(struct x509_chain_result *r); /* NULL accepted; may repeat */

/* The stored chain status of a result (reference §3.8): valid, self_signed and no_chain as
 * they are, everything else "invalid". */
const char *dom_chain_stored_status(enum x509_chain_status s);

/* Sets chain_status, chain_validation_message, chain_validated_at (ctx->now) and chain_depth
 * of a certificate record from a result. 0 or CK_E_NOMEM. */
int dom_chain_record(const struct dom_ctx *ctx, const struct x509_chain_result *res,
		     struct dom_record *rec);

#endif
