/*
 * domain/assignment — where certificates are deployed: the rules of certificate assignments
 * to devices, virtual machines and services (reference §1.3, §3.21): the target must exist,
 * one assignment per (certificate, type, id), and the tenant boundary (a certificate with a
 * tenant may only be assigned to a target of the same tenant or of none; a service's tenant
 * is its parent device's or VM's). Every add/remove writes a lifecycle event and touches the
 * certificate's last_updated, in the caller's transaction.
 */
#ifndef CK_DOMAIN_ASSIGNMENT_H
#define CK_DOMAIN_ASSIGNMENT_H

#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"
#include "domain/record.h"

extern const char
    *const dom_assignment_types[]; /* dcim.device, ipam.service, virtualization.virtualmachine */

struct dom_target {
	int64_t id;
	int64_t tenant_id; /* 0 = none (for services: the parent's tenant) */
	char name[256];
	char model[32];	    /* "Device", "Virtual Machine", "Service" */
	char list_path[64]; /* API list path of the target type */
	int64_t parent_id;  /* services: parent device or VM id; 0 otherwise */
	char parent_name[256];
	char parent_type[40];
};

/* Looks up an assignment target. CK_E_NOTFOUND ("<Model> with ID N does not exist.") or
 * CK_E_INVALID for an unknown type. */
int dom_target_get(const struct dom_ctx *ctx, const char *type, int64_t id, struct dom_target *ret,
		   struct ck_error *err);

/* Registry hooks of the assignments resource. */
int dom_assignment_before_write(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
				struct ck_error *err);
int dom_assignment_after_write(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			       int64_t old_id, struct ck_error *err);
int dom_assignment_before_delete(const struct dom_ctx *ctx, int64_t id, struct ck_error *err);

/* Checks the tenant boundary between a certificate and a target. */
int dom_assignment_check_tenant(const struct dom_ctx *ctx, int64_t cert_id,
				const struct dom_target *t, struct ck_error *err);

/* An object removed together with another one (the cascade of a delete): `resource` is the
 * registry name ("assignments", "services"). */
struct dom_dependent {
	const char *resource;
	int64_t id;
};

/* The objects that depend on (object_type, id) and are deleted first, each as a change of
 * its own (its hooks, its changelog row, its outbox event) — what NetBox does for its own
 * cascades: a certificate's assignments; a device's or VM's services, then its assignments; a
 * service's assignments. Services come before assignments so that their own cascade runs.
 * *ret (caller frees; NULL when none) and *ret_n. */
int dom_dependents(const struct dom_ctx *ctx, const char *object_type, int64_t id,
		   struct dom_dependent **ret, size_t *ret_n, struct ck_error *err);

#endif
