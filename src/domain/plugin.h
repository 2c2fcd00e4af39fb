/*
 * domain/plugin — the commands of the plugin's other objects (docs/internals/domain.md
 * "Commands"): CSR import, the default certificate authorities, bulk assignment. Each is ONE
 * unit of work (domain/uow.h) whose writes go through dom_create_step (the model's rules,
 * changelog and outbox rows).
 */
#ifndef CK_DOMAIN_PLUGIN_H
#define CK_DOMAIN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"
#include "domain/record.h"

/* Creates the CSR of rec (fields parsed from the PEM plus the client's requested_by,
 * target_ca, tenant, notes): CK_E_DUPLICATE "CSR already exists: <CN> (ID: n)" on
 * pem_content when a CSR with its fingerprint is stored. *ret_id: the new CSR. */
int dom_csr_import(const struct dom_ctx *ctx, struct dom_record *rec, int64_t *ret_id,
		   struct ck_error *err);

/* The number of default certificate authorities (the common public CAs, each with its issuer
 * pattern). */
size_t dom_ca_default_count(void);

/* Creates each default CA whose name is not stored yet; *ret_created: how many. */
int dom_ca_seed_defaults(const struct dom_ctx *ctx, int *ret_created, struct ck_error *err);

/* Assigns n certificates to one object (bulk-assign/). Unknown certificate ids are collected
 * in not_found (the caller's array of n), existing assignments skipped. The target must
 * exist (CK_E_INVALID otherwise). */
struct dom_bulk_assign {
	const int64_t *cert_ids;
	size_t n;
	const char *type; /* assigned_object_type: "dcim.device", ... */
	int64_t target;
	int primary;
	int created, skipped; /* out */
	int64_t *not_found;   /* out: n slots */
	size_t nnot_found;
};

int dom_bulk_assign(const struct dom_ctx *ctx, struct dom_bulk_assign *a, struct ck_error *err);

#endif
