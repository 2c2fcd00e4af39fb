/*
 * domain/certificate — the business rules of certificates: normalisation of identity fields,
 * duplicate detection (by normalised serial + issuer, and by fingerprint) with messages that
 * name the existing certificate, CA auto-detection (reference §3.5), ACME detection (§3.6),
 * expiry arithmetic (§1.2 computed fields), lifecycle events, and PEM import.
 *
 * Every function that writes must run inside the caller's write transaction.
 */
#ifndef CK_DOMAIN_CERTIFICATE_H
#define CK_DOMAIN_CERTIFICATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "domain/context.h"
#include "domain/record.h"
#include "x509/x509.h"

extern const char
    *const dom_cert_statuses[]; /* active, expired, replaced, revoked, pending, archived */
extern const char *const dom_cert_algorithms[]; /* rsa, ecdsa, ed25519, unknown */
extern const char *const dom_chain_statuses[];
extern const char *const dom_acme_providers[];
extern const char *const dom_acme_challenges[];

/* Days from today (UTC date) to the UTC date of valid_to; negative once past. */
int64_t dom_cert_days_remaining(int64_t valid_to, int64_t now);

/* "expired" | "critical" | "warning" | "ok" from the thresholds in cfg. */
const char *dom_cert_expiry_status(int64_t valid_to, int64_t now, const struct ck_config *cfg);

/* The ACME provider whose issuer pattern matches (first wins; staging tested before the
 * Let's Encrypt production rule), or NULL. */
const char *dom_acme_detect(const char *issuer);

/* The id of the first CA (by name) whose issuer_pattern occurs case-insensitively in issuer;
 * 0 when none. */
int dom_ca_detect(const struct dom_ctx *ctx, const char *issuer, int64_t *ret_id,
		  struct ck_error *err);

/* Registry hooks of the certificates resource. */
int dom_cert_before_write(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
			  struct ck_error *err);
int dom_cert_after_write(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			 int64_t old_id, struct ck_error *err);

/* Fills rec (certificate field names) from a parsed leaf and its chain. */
int dom_cert_record_from_x509(struct dom_record *rec, const struct x509_cert_info *leaf,
			      const char *issuer_chain);

/* Parses pasted or uploaded certificate or CSR input (x509_parse_input: PEM with chain, DER,
 * PKCS#7) with x509's default limits except `max_input` bytes. Returns its codes
 * (CK_E_TOOBIG, CK_E_PRIVKEY, CK_E_PARSE with a message); *ret is the caller's, freed with
 * dom_cert_bundle_free(). api/ reaches x509 only through these. */
int dom_cert_parse_input(const void *data, size_t len, size_t max_input, struct x509_bundle **ret,
			 struct ck_error *err);
void dom_cert_bundle_free(struct x509_bundle *b); /* NULL accepted */

/* True when text holds a private-key PEM header anywhere (x509_pem_has_private_key): the
 * guard every imported or pasted text passes before it is stored. */
int dom_cert_has_private_key(const char *text, size_t len);

/* Looks for an existing certificate with the same identity; *ret_id 0 when none. On a hit,
 * err gets "Certificate already exists: <CN> (ID: n, Serial: ...)" on field pem_content. */
int dom_cert_find_duplicate(const struct dom_ctx *ctx, const char *serial, const char *issuer,
			    const char *fingerprint, int64_t exclude_id, int64_t *ret_id,
			    struct ck_error *err);

/* Appends a lifecycle event. related may be 0. */
int dom_lifecycle_add(const struct dom_ctx *ctx, int64_t cert_id, const char *type,
		      const char *description, const char *old_status, const char *new_status,
		      int64_t related, struct ck_error *err);

#endif
