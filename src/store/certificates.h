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
int store_cert_current(struct store_conn *c, int64_t id, struct store_cert_current *ret, struct ck_error *err);

/* The first certificate other than exclude_id with this normalised identity (serial_key +
 * issuer_key) or fingerprint: *ret_id (0 = none), its common name and serial (truncated). */
int store_cert_find_identity(struct store_conn *c, const char *serial_key, const char *issuer_key,
			     const char *fingerprint, int64_t exclude_id, int64_t *ret_id, char *cn, size_t cnsz,
			     char *serial, size_t serialsz, struct ck_error *err);

/* Calls fn(id, issuer_pattern, arg) for each CA with a non-empty pattern, by name, until fn
 * returns non-zero. */
int store_ca_each_pattern(struct store_conn *c, int (*fn)(int64_t id, const char *pattern, void *arg), void *arg,
			  struct ck_error *err);

struct store_lifecycle_event {
	int64_t cert_id;
	const char *type, *description, *old_status, *new_status, *actor;
	int64_t timestamp;
	int64_t related; /* 0 = NULL */
};

/* Appends a lifecycle event. */
int store_lifecycle_insert(struct store_conn *c, const struct store_lifecycle_event *ev, struct ck_error *err);

/* Ids of: a certificate's assignments; the assignments to (type, id); the services of a
 * device or VM (parent "device" | "vm"). *ret (caller frees, NULL when none), *ret_n. */
int store_assignments_of_cert(struct store_conn *c, int64_t cert_id, int64_t **ret, size_t *ret_n,
			      struct ck_error *err);
int store_assignments_to(struct store_conn *c, const char *type, int64_t id, int64_t **ret, size_t *ret_n,
			 struct ck_error *err);
int store_services_of(struct store_conn *c, const char *parent, int64_t id, int64_t **ret, size_t *ret_n,
		      struct ck_error *err);

#endif
