/*
 * domain/cert_actions — the commands of the certificate actions that change stored
 * certificates in place (docs/internals/domain.md "Commands"): chain validation (one and
 * bulk), ACME detection (one and bulk) and the bulk status update. Each is ONE unit of work
 * (domain/uow.h); every certificate it changes goes through dom_update_step (the
 * certificate rules, lifecycle events, changelog and outbox rows).
 *
 * The bulk commands report every certificate they look at to a visitor, in the order of the
 * ids, while the unit of work runs: the caller (api/) writes its response from these reports
 * and may fail the command (non-zero return: everything rolls back), e.g. when its response
 * grows past its cap. Unknown ids are reported with found = 0.
 */
#ifndef CK_DOMAIN_CERT_ACTIONS_H
#define CK_DOMAIN_CERT_ACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"
#include "x509/chain.h"

/* One certificate as a bulk command saw it. Valid during the visit only. */
struct dom_cert_report {
	int64_t id;
	int found; /* 0: no such certificate (nothing else is set) */
	const char *common_name;
	/* chain validation: res NULL when the certificate has no PEM to validate */
	const struct x509_chain_result *res;
	/* ACME detection: the provider found, NULL on a miss (a miss changes nothing) */
	const char *provider;
	/* status update: the status before; changed = 0 when it already had the new one */
	const char *old_status;
	int changed;
};

typedef int (*dom_cert_visit_fn)(void *arg, const struct dom_cert_report *rep);

/* Stores the chain fields of a validation result on certificate id (dom_chain_record). */
int dom_chain_store(const struct dom_ctx *ctx, int64_t id, const struct x509_chain_result *res,
		    struct ck_error *err);

/* Validates (dom_chain_validate at `at`) and stores the chain of each certificate. */
int dom_chain_bulk(const struct dom_ctx *ctx, const int64_t *ids, size_t n, int64_t at,
		   dom_cert_visit_fn visit, void *arg, struct ck_error *err);

/* Detects the ACME provider of certificate id from its issuer and stores a hit (is_acme,
 * acme_provider; is_acme is never cleared). *ret_provider: NULL on a miss. CK_E_NOTFOUND. */
int dom_acme_detect_cert(const struct dom_ctx *ctx, int64_t id, const char **ret_provider,
			 struct ck_error *err);

/* dom_acme_detect_cert for each id. */
int dom_acme_bulk(const struct dom_ctx *ctx, const int64_t *ids, size_t n, dom_cert_visit_fn visit,
		  void *arg, struct ck_error *err);

/* Sets `status` (one of dom_cert_statuses) on each certificate that has another one (the
 * certificate rules write the lifecycle event and archived_at). */
int dom_status_bulk(const struct dom_ctx *ctx, const int64_t *ids, size_t n, const char *status,
		    dom_cert_visit_fn visit, void *arg, struct ck_error *err);

#endif
