/*
 * api/cert_import — the decoded form of a certificate import body, shared by import/,
 * bulk-import/ (api/actions_cert.c) and {id}/renew/ (api/actions_lifecycle.c), so that every
 * path builds the certificate record the same way.
 */
#ifndef CK_API_CERT_IMPORT_H
#define CK_API_CERT_IMPORT_H

#include <stddef.h>

#include "api/api.h"
#include "domain/certificate.h"
#include "domain/record.h"

/* One decoded import item: the request body fields and the parsed PEM. */
struct import_item {
	const char *pem;
	size_t pem_len;
	const char *key_location; /* NULL if absent */
	json_t *tenant;		  /* borrowed; NULL if absent */
	const char *status;
	struct x509_bundle *bundle;
};

/* Decodes {pem_content, private_key_location?, tenant?, status?, dry_run? (allow_dry_run)}
 * and parses the PEM (cap: cfg.max_pem_bytes). On success `it` owns a bundle with at least
 * one certificate (free with api_import_item_release). Strings borrow from obj. */
int api_import_decode(struct api_req *ar, json_t *obj, int allow_dry_run, struct import_item *it,
		      struct ck_error *err);

/* Builds the certificate record of an item (leaf + chain + request options); the caller
 * releases rec. */
int api_import_record(const struct import_item *it, struct dom_record *rec);

/* Frees the bundle; NULL-safe on the bundle, may repeat. */
void api_import_item_release(struct import_item *it);

#endif
