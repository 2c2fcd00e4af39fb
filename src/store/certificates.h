/*
 * store/certificates — the certificate repository of the domain's rules (domain/certificate,
 * domain/assignment): identity look-ups, the fields the rules compare, CA patterns, lifecycle
 * events, and the objects a delete cascades to. Every function runs on the caller's
 * connection; writes inside the caller's unit of work.
 */
#ifndef CK_STORE_CERTIFICATES_H
#define CK_STORE_CERTIFICATES_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* The stored fields the certificate rules compare against (sizes: the columns' limits). */
struct store_cert_current {
	char serial[300], issuer[2048], fingerprint[100], status[16], common_name[256];
	int64_t valid_from, valid_to, archived_at; /* archived_at 0 = NULL */
};

/* Loads them; CK_E_NOTFOUND when there is no such certificate. */
int store_cert_current(struct store_conn *c, int64_t id, struct store_cert_current *ret,
		       struct ck_error *err);

/* The first certificate other than exclude_id with this normalised identity (serial_key +
 * issuer_key) or fingerprint: *ret_id (0 = none), its common name and serial (truncated). */
int store_cert_find_identity(struct store_conn *c, const char *serial_key, const char *issuer_key,
			     const char *fingerprint, int64_t exclude_id, int64_t *ret_id, char *cn,
			     size_t cnsz, char *serial, size_t serialsz, struct ck_error *err);

/* Calls fn(id, issuer_pattern, arg) for each CA with a non-empty pattern, by name, until fn
 * returns non-zero. */
int store_ca_each_pattern(struct store_conn *c,
			  int (*fn)(int64_t id, const char *pattern, void *arg), void *arg,
			  struct ck_error *err);

struct store_lifecycle_event {
	int64_t cert_id;
	const char *type, *description, *old_status, *new_status, *actor;
	int64_t timestamp;
	int64_t related; /* 0 = NULL */
	int64_t id;	 /* read by store_lifecycle_next(); ignored by store_lifecycle_insert() */
};

/* Appends a lifecycle event. */
int store_lifecycle_insert(struct store_conn *c, const struct store_lifecycle_event *ev,
			   struct ck_error *err);

/* Opens the newest `limit` lifecycle events of a certificate (timestamp, then id, descending)
 * as *ret; read them with store_lifecycle_next(), then store_done(*ret). */
int store_lifecycle_list(struct store_conn *c, int64_t cert_id, int limit, struct store_stmt **ret,
			 struct ck_error *err);

/* The next event of a store_lifecycle_list() statement: 1 with *ev filled (its strings
 * borrowed until the next step; NULL for NULL columns), 0 at the end, or an error. */
int store_lifecycle_next(struct store_stmt *st, struct store_lifecycle_event *ev,
			 struct ck_error *err);

/* ---- look-ups and status writes of one certificate ----
 * Functions returning "1/0" return 1 when the certificate exists, 0 when not (err
 * untouched, ret_ outputs unwritten), or a negative CK_E_* code. */

/* Common name, status and issuer (cut to the buffers). 1/0. */
struct store_cert_brief {
	char common_name[256], status[16], issuer[2048];
};
int store_cert_brief(struct store_conn *c, int64_t id, struct store_cert_brief *ret,
		     struct ck_error *err);

/* Status, common name, tenant (0 = none) and replaced_by (0 = none) for the renewal rules.
 * CK_E_NOTFOUND ("Not found.") when there is no such certificate. */
struct store_cert_state {
	char status[16], common_name[256];
	int64_t tenant_id, replaced_by;
};
int store_cert_state(struct store_conn *c, int64_t id, struct store_cert_state *ret,
		     struct ck_error *err);

/* The tenant of a certificate into *ret (0 when it has none or does not exist). */
int store_cert_tenant(struct store_conn *c, int64_t id, int64_t *ret, struct ck_error *err);

/* pem_content and issuer_chain of a certificate, copied: *ret_pem and *ret_chain (caller
 * frees both; "" for NULL) with their lengths. CK_E_NOTFOUND ("Not found."). */
int store_cert_pem(struct store_conn *c, int64_t id, char **ret_pem, size_t *ret_pem_len,
		   char **ret_chain, size_t *ret_chain_len, struct ck_error *err);

/* The newest (valid_to, then id) active certificate with common name `cn`, a fingerprint
 * other than `fingerprint`, and tenant `tenant_id` (0: any) into *ret_id (0 when none): the
 * renewal candidate of an import (reference §3.1). */
int store_cert_renewal_candidate(struct store_conn *c, const char *cn, const char *fingerprint,
				 int64_t tenant_id, int64_t *ret_id, struct ck_error *err);

/* Sets last_updated = now (an assignment of the certificate changed). */
int store_cert_touch(struct store_conn *c, int64_t id, int64_t now, struct ck_error *err);

/* Sets status and last_updated = now; archived_at = now when status is "archived" and it was
 * not set. With set_replaced_by, replaced_by = replaced_by too (0: NULL). Inside the caller's
 * write transaction; changes nothing when there is no such certificate. */
int store_cert_set_status(struct store_conn *c, int64_t id, const char *status, int set_replaced_by,
			  int64_t replaced_by, int64_t now, struct ck_error *err);

/* One certificate the lifecycle sweep will change. */
struct store_sweep_row {
	int64_t id, valid_to;
	char common_name[256], status[16];
};

/* What a sweep step selects: active certificates past valid_to (< bound); expired, or
 * replaced, certificates not archive_pinned with valid_to < bound. */
enum store_sweep_kind {
	STORE_SWEEP_EXPIRE,
	STORE_SWEEP_ARCHIVE_EXPIRED,
	STORE_SWEEP_ARCHIVE_REPLACED,
};

/* Up to `max` candidates of a sweep step, in valid_to order (an index walk), into
 * rows[0..*ret_n). */
int store_cert_sweep_candidates(struct store_conn *c, enum store_sweep_kind kind, int64_t bound,
				struct store_sweep_row *rows, size_t max, size_t *ret_n,
				struct ck_error *err);

/* Ids of: a certificate's assignments; the assignments to (type, id); the services of a
 * device or VM (parent "device" | "vm"). *ret (caller frees, NULL when none), *ret_n. */
int store_assignments_of_cert(struct store_conn *c, int64_t cert_id, int64_t **ret, size_t *ret_n,
			      struct ck_error *err);
int store_assignments_to(struct store_conn *c, const char *type, int64_t id, int64_t **ret,
			 size_t *ret_n, struct ck_error *err);
int store_services_of(struct store_conn *c, const char *parent, int64_t id, int64_t **ret,
		      size_t *ret_n, struct ck_error *err);

#endif
