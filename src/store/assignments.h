/*
 * store/assignments — the assignment repository of the domain's rules (domain/assignment,
 * domain/renewal) and of certificates/bulk-assign/: assignment look-ups, the assignment
 * targets (devices, virtual machines, services with their parent's tenant), and the move of
 * a certificate's assignments to its successor.
 *
 * Every function runs on the caller's connection; the write (store_assignments_move) runs
 * inside the caller's unit of work. Look-ups return 1 when the row exists, 0 when it does not
 * (err untouched), or a negative CK_E_* code; `ret_` outputs are written only when found.
 */
#ifndef CK_STORE_ASSIGNMENTS_H
#define CK_STORE_ASSIGNMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* The id of the assignment of certificate cert_id to (type, obj_id) other than exclude_id
 * (0: none excluded) into *ret_id. */
int store_assignment_find(struct store_conn *c, int64_t cert_id, const char *type, int64_t obj_id,
			  int64_t exclude_id, int64_t *ret_id, struct ck_error *err);

/* Certificate, target type (cut to tsz - 1 bytes) and target id of assignment `id`. */
int store_assignment_get(struct store_conn *c, int64_t id, int64_t *ret_cert, char *type,
			 size_t tsz, int64_t *ret_obj, struct ck_error *err);

/* One assignment target as stored. Services carry their parent device's or VM's id, name and
 * type, and the parent's tenant; devices and VMs their own tenant and no parent. */
struct store_target {
	int64_t id;
	int64_t tenant_id; /* 0 = none */
	char name[256];
	int64_t parent_id; /* 0 = none */
	char parent_name[256];
	char parent_type[40]; /* "dcim.device" | "virtualization.virtualmachine" | "" */
};

/* Loads target (type, id); type is one of dcim.device, virtualization.virtualmachine,
 * ipam.service (CK_E_INTERNAL for another: the caller validates types). */
int store_target_get(struct store_conn *c, const char *type, int64_t id, struct store_target *ret,
		     struct ck_error *err);

/* Moves every assignment of certificate `from` whose target still exists to `to` (and sets
 * last_updated = now); *ret_n receives the number moved. CK_E_DUPLICATE when `to` already
 * has an assignment to one of the same targets. Inside the caller's write transaction. */
int store_assignments_move(struct store_conn *c, int64_t from, int64_t to, int64_t now,
			   int64_t *ret_n, struct ck_error *err);

#endif
