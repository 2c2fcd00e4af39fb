/*
 * x509/internal — the declarations private to src/x509/: everything that names an OpenSSL
 * type. Field extraction from one DER certificate (x509/cert.c) and the pieces shared with
 * CSRs (key algorithm/size from a raw SubjectPublicKeyInfo, SAN formatting, SHA-256
 * fingerprints), and the OpenSSL-typed half of x509/names (serial and DN formatting).
 *
 * Invariant: no header outside this file includes <openssl/...>, so the public x509 headers
 * (x509.h, names.h, chain.h, csr.h, pem.h) expose no OpenSSL type and a caller outside
 * src/x509/ cannot reach OpenSSL through them (DESIGN.md §2). The ck_x509 target defines
 * CK_X509_INTERNAL; any other target that includes this file fails to compile (the x509 unit
 * tests, which test these functions, define it too). scripts/check-layers also refuses the
 * include outside src/x509/ and tests/unit/x509/.
 *
 * Thread-safe: the parsing library context and the SHA-256 method are created once
 * (pthread_once) and only read afterwards.
 */
#ifndef CK_X509_INTERNAL_H
#define CK_X509_INTERNAL_H

#ifndef CK_X509_INTERNAL
#error "x509/internal.h is private to src/x509/: include x509/x509.h or x509/names.h instead"
#endif

#include <stddef.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/error.h"
#include "x509/names.h"
#include "x509/x509.h"

/* -- from x509/names.c: the text forms of OpenSSL's serial and name structures (formats in
 * x509/names.h) -- */

/* Formats a certificate serial as described in x509/names.h. Returns 0 and *ret (caller
 * frees), or CK_E_NOMEM. */
int x509_serial_format(const ASN1_INTEGER *serial, char **ret);

/* Formats a DN as described in x509/names.h. Returns 0 and *ret (caller frees), CK_E_NOMEM,
 * or CK_E_PARSE when an attribute value cannot be converted. */
int x509_name_format(const X509_NAME *name, char **ret);

/* The first value of attribute `nid` in DER order, as UTF-8 without escaping. Returns 0 and
 * *ret (caller frees), CK_E_NOTFOUND when absent or not convertible, CK_E_NOMEM. */
int x509_name_first(const X509_NAME *name, int nid, char **ret);

/* -- from x509/cert.c -- */

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
