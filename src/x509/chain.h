/*
 * x509/chain — certificate chain validation (reference §3.8, with signatures verified by
 * OpenSSL and an optional look-up of the root in the system trust store).
 *
 * Input: the leaf as PEM text and its stored issuer chain (PEM blocks, leaf's issuer first).
 * The checks run in this order; the first that applies decides the status:
 *   1. leaf does not parse                               → PARSE_ERROR
 *   2. leaf subject == issuer: self-signature verifies   → SELF_SIGNED (depth 1)
 *                              does not                  → INVALID_SIGNATURE
 *   3. chain blank                                       → NO_CHAIN (depth 1)
 *   4. no chain block parses (bad blocks are skipped and listed in errors)  → PARSE_ERROR
 *   5. more than X509_CHAIN_MAX certificates in total    → PARSE_ERROR
 *   6. a certificate's issuer ≠ the next one's subject   → INCOMPLETE
 *   7. a signature does not verify with the next key     → INVALID_SIGNATURE
 *   8. a certificate is not yet valid at `at`            → NOT_YET_VALID
 *   9. a certificate has expired at `at`                 → EXPIRED
 *  10. the last certificate is not self-signed:
 *      - trust store off: VALID ("does not end at self-signed root", as the reference);
 *      - its issuer is in the trust store, the signature verifies and the root is valid at
 *        `at`: VALID (the root is appended to certs[], trusted_root = 1, depth counts it);
 *        a found root whose signature fails: INVALID_SIGNATURE; an expired or not yet valid
 *        root: EXPIRED / NOT_YET_VALID; no such root: INCOMPLETE.
 *  11. the stored root's self-signature fails            → INVALID_SIGNATURE
 *  12. otherwise                                         → VALID
 *
 * Thread-safe. The system trust store (OpenSSL's default paths, /etc/ssl/certs on Debian) is
 * loaded once, on first use, and only read afterwards.
 */
#ifndef CK_X509_CHAIN_H
#define CK_X509_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "x509/x509.h"

#define X509_CHAIN_MAX 10	/* certificates in leaf + chain (reference §3.8) */
#define X509_CHAIN_ERRORS_MAX 8 /* error lines kept in a result */

enum x509_chain_status {
	X509_CHAIN_VALID,
	X509_CHAIN_SELF_SIGNED,
	X509_CHAIN_NO_CHAIN,
	X509_CHAIN_INCOMPLETE,
	X509_CHAIN_INVALID_SIGNATURE,
	X509_CHAIN_EXPIRED,
	X509_CHAIN_NOT_YET_VALID,
	X509_CHAIN_PARSE_ERROR,
};

struct x509_chain_opts {
	int64_t at;	  /* validation time, epoch seconds */
	int system_trust; /* 1: look the missing root up in the system trust store */
};

struct x509_chain_result {
	enum x509_chain_status status;
	char message[256];
	int depth; /* certificates in the validated path */
	/* leaf first, then the parsed chain, then the trust-store root when one was used */
	struct x509_cert_info certs[X509_CHAIN_MAX + 1];
	size_t ncerts;
	int trusted_root; /* certs[ncerts - 1] came from the trust store */
	char errors[X509_CHAIN_ERRORS_MAX][200];
	size_t nerrors;
};

/* Validates. Always fills *ret (release with x509_chain_result_release) and returns 0, or
 * CK_E_NOMEM (then *ret holds nothing to release). */
int x509_chain_validate(const char *leaf_pem, size_t leaf_len, const char *chain_pem,
			size_t chain_len, const struct x509_chain_opts *opts,
			struct x509_chain_result *ret);

/* Frees what a result owns (its parsed certificates). NULL accepted; may repeat. */
void x509_chain_result_release(struct x509_chain_result *r);

/* "valid", "self_signed", "no_chain", "incomplete", "invalid_signature", "expired",
 * "not_yet_valid", "parse_error" (static). */
const char *x509_chain_status_name(enum x509_chain_status s);

/* 1 for VALID and SELF_SIGNED. */
int x509_chain_status_ok(enum x509_chain_status s);

#endif
