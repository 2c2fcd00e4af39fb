/*
 * domain/renewal — the Janus renewal (seed Tutorial 2, reference §3.4) and its revert.
 *
 * The commands (each its own unit of work, domain/uow.h): dom_renew() and dom_revert_renewal().
 * They journal every changed object (the old certificate, the new one, each moved assignment)
 * with pre/post snapshots, plus the outbox events certificate_renewed /
 * certificate_renewal_reverted. The step functions below are what they are made of.
 *
 * A renewal replaces an ACTIVE certificate ("old") by a newly created one ("new"):
 *   1. dom_renewal_begin()   — inside the write transaction, before anything is written:
 *                              old exists (CK_E_NOTFOUND) and is active (CK_E_CONFLICT: a
 *                              concurrent renewal won, or it was never active);
 *   2. dom_renewal_check_tenant() — the cross-tenant block for the new cert's tenant;
 *   3. the new certificate is created (domain/write.h dom_create_step: CA and ACME
 *      detection, `imported` event, changelog);
 *   4. dom_renewal_apply()   — moves every assignment old → new (UPDATE, not copy: old ends
 *                              with 0), old := replaced with replaced_by = new, events
 *                              `renewed` (old) and `activated` (new) linked by
 *                              related_certificate.
 * All of it runs in ONE transaction; any failure rolls everything back.
 *
 * A revert (dom_renewal_revert) undoes it for a `replaced` certificate: its successor's
 * assignments move back, old is active again (replaced_by cleared), the successor is kept for
 * audit as `archived` (archived_at set) — not `revoked`, which would claim a CA revocation
 * that never happened — and both get a `renewal_reverted` event.
 *
 * Every step function must run inside a running command's write transaction.
 */
#ifndef CK_DOMAIN_RENEWAL_H
#define CK_DOMAIN_RENEWAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"
#include "domain/record.h"

#define DOM_RENEWAL_TENANT_NAMES 5 /* target names listed in the cross-tenant message */

struct dom_renewal_old {
	int64_t id;
	int64_t tenant_id; /* 0 = none */
	char common_name[256];
};

/* The renewal command: renews old_id by a new certificate built from rec (the decoded import:
 * certificate fields from the PEM, optional tenant and private_key_location). rec's status,
 * when present, must be "active" (CK_E_INVALID on "status" otherwise); without a tenant the
 * new certificate inherits old's. The domain sets status active and may add the tenant to
 * rec. *ret_new_id / *ret_transferred (optional): the new certificate and how many
 * assignments moved to it. */
int dom_renew(const struct dom_ctx *ctx, int64_t old_id, struct dom_record *rec,
	      int64_t *ret_new_id, int64_t *ret_transferred, struct ck_error *err);

/* The revert command: dom_renewal_revert() with the changelog of every changed object.
 * *ret_new_id / *ret_moved (optional): the successor and how many assignments moved back. */
int dom_revert_renewal(const struct dom_ctx *ctx, int64_t old_id, int64_t *ret_new_id,
		       int64_t *ret_moved, struct ck_error *err);

/* ---- steps ---- */

/* Step 1: loads old and requires status active. */
int dom_renewal_begin(const struct dom_ctx *ctx, int64_t old_id, struct dom_renewal_old *ret,
		      struct ck_error *err);

/* Step 2: CK_E_INVALID "Renewal blocked due to cross-tenant assignments: <≤5 names>" when an
 * assignment target of old belongs to a tenant other than `tenant_id` (0: no check). */
int dom_renewal_check_tenant(const struct dom_ctx *ctx, int64_t old_id, int64_t tenant_id,
			     struct ck_error *err);

/* Step 4. *ret_transferred (optional) receives the number of assignments moved. Re-checks
 * that old is still active (CK_E_CONFLICT). */
int dom_renewal_apply(const struct dom_ctx *ctx, int64_t old_id, int64_t new_id,
		      int64_t *ret_transferred, struct ck_error *err);

/* The successor of a replaced certificate (for snapshots before a revert): CK_E_NOTFOUND,
 * CK_E_CONFLICT when old is not `replaced` or has no replaced_by. */
int dom_renewal_successor(const struct dom_ctx *ctx, int64_t old_id, int64_t *ret_new_id,
			  struct ck_error *err);

/* Reverts the renewal of `old_id` (see header comment); the successor must still be active
 * (CK_E_CONFLICT otherwise: a chain of renewals is undone newest first). *ret_new_id / *ret_moved
 * (optional) receive the successor's id and the number of assignments moved back. */
int dom_renewal_revert(const struct dom_ctx *ctx, int64_t old_id, int64_t *ret_new_id,
		       int64_t *ret_moved, struct ck_error *err);

/* The ids of the assignments of a certificate, ascending. *ret is malloc'ed (caller frees;
 * NULL when none). */
int dom_cert_assignment_ids(const struct dom_ctx *ctx, int64_t cert_id, int64_t **ret,
			    size_t *ret_n, struct ck_error *err);

#endif
