/*
 * x509/cert — field extraction from one DER certificate, and the pieces shared with CSRs
 * (key algorithm/size from a raw SubjectPublicKeyInfo, SAN formatting, SHA-256
 * fingerprints). Used by x509/parse.c; the domain layer calls x509/x509.h instead.
 *
 * Thread-safe: the parsing library context and the SHA-256 method are created once
 * (pthread_once) and only read afterwards.
 */
#ifndef CK_X509_CERT_H
#define CK_X509_CERT_H

#include <stddef.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/error.h"
#include "x509/x509.h"

/* The OSSL_LIB_CTX that loads only the "null" provider: structures decoded in it keep their
 * public key raw. Never NULL after the first successful call; NULL only if OpenSSL could
 * not create it (out of memory). Borrowed; lives until exit. */
OSSL_LIB_CTX *x509_parse_libctx(void);

/* Writes the SHA-256 of `der` as 32 colon-separated upper-case hex bytes into out.
 * Returns 0 or CK_E_INTERNAL (digest unavailable). */
int x509_fingerprint_sha256(const unsigned char *der, size_t len,
			    char out[X509_FINGERPRINT_LEN + 1]);

/* Algorithm ("rsa", "ecdsa", "ed25519", "unknown"; static) and key size (RSA modulus bits,
 * EC curve bits, -1 for Ed25519, unknown algorithms or undecodable keys) read from the raw
 * SPKI, without building an EVP_PKEY. Never fails. */
void x509_key_info(const X509_PUBKEY *pub, const char **ret_alg, int *ret_bits);

/* Formats SANs as "DNS:x", "IP:x" (inet_ntop form), "Email:x", "URI:x", "DirName:<DN>",
 * "RID:<oid>", "othername:<oid>" ("Unsupported:<type>" for the rest), in order; control
 * bytes inside values become "\xHH". `gens` may be NULL (no SANs). Returns 0 and a
 * malloc'ed array of malloc'ed strings (*ret_n entries; NULL when 0), CK_E_TOOBIG (more
 * than lim->max_sans; message set), CK_E_NOMEM. */
int x509_sans_format(const GENERAL_NAMES *gens, const struct x509_limits *lim, char ***ret,
		     size_t *ret_n, struct ck_error *err);

/* Frees an array made by x509_sans_format. */
void x509_sans_free(char **sans, size_t n);

/* Extracts every field of struct x509_cert_info except `pem` from one DER certificate
 * (exactly `len` bytes). Returns 0 and fills *ret (release with x509_cert_info_release), or
 * CK_E_PARSE "Failed to parse certificate: <reason>", CK_E_TOOBIG (SANs), CK_E_NOMEM. */
int x509_cert_info_from_der(const unsigned char *der, size_t len, const struct x509_limits *lim,
			    struct x509_cert_info *ret, struct ck_error *err);

/* The reason of the last OpenSSL error on this thread's queue ("wrong tag", ...), or
 * `fallback`. Static strings. */
const char *x509_ossl_reason(const char *fallback);

#endif
