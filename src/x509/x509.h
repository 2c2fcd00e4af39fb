/*
 * x509/x509 — the X.509 core the domain layer calls: turn one pasted input (PEM text with
 * anything around it, DER, PKCS#7 in PEM or DER) into certificate and CSR records with the
 * fields certkeeper stores, refusing private keys.
 *
 * Pure functions over memory buffers (no files, no network, no database). Thread-safe: the
 * only shared state is the OpenSSL parsing context, created once (pthread_once).
 *
 * Invariants of a parsed bundle:
 *  1. ncerts + ncsrs >= 1 and <= limits.max_certs; certificates and CSRs keep input order;
 *     certs[0] is the leaf.
 *  2. Every string is a heap copy owned by the bundle (x509_bundle_free frees all), except
 *     `algorithm`, which points to a static string.
 *  3. serial_number and fingerprint_sha256 have the formats of x509/names.h; fingerprints
 *     are X509_FINGERPRINT_LEN characters.
 *  4. No private-key material is ever copied into a bundle or an error message.
 *
 * Parsing strategy (performance): certificates are decoded in an OSSL_LIB_CTX that loads
 * only the "null" provider, so OpenSSL keeps the SubjectPublicKeyInfo raw instead of building
 * an EVP_PKEY through the provider machinery (about 5x faster); algorithm and key size are
 * read from the SPKI directly. Signature verification uses the default context.
 */
#ifndef CK_X509_X509_H
#define CK_X509_X509_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "x509/names.h" /* serial/DN formats and comparisons */

#define X509_DEFAULT_MAX_INPUT 65536 /* bytes of one pasted input / uploaded file */
#define X509_DEFAULT_MAX_CERTS 100   /* certificates + CSRs in one input */
#define X509_DEFAULT_MAX_SANS 1000   /* subjectAltName entries of one certificate/CSR */

struct x509_limits {
	size_t max_input; /* inputs longer than this are refused: CK_E_TOOBIG */
	size_t max_certs; /* more certificates + CSRs than this: CK_E_TOOBIG */
	size_t max_sans;  /* a certificate or CSR with more SANs than this: CK_E_TOOBIG */
};

/* Fills *lim with the defaults above. */
void x509_limits_default(struct x509_limits *lim);

struct x509_cert_info {		      /* every string heap-owned by the info */
	char *common_name;	      /* subject CN; else the first DNS SAN; else "Unknown" */
	char *subject, *issuer;	      /* RFC 4514 strings (x509/names.h) */
	char *serial_number;	      /* "01:23:AB" */
	char *fingerprint_sha256;     /* SHA-256 of the DER, 95 characters */
	int64_t valid_from, valid_to; /* epoch seconds UTC */
	char **sans; /* "DNS:x", "IP:x", "Email:x", "URI:x", in certificate order */
	size_t nsans;
	const char *algorithm; /* static: "rsa" | "ecdsa" | "ed25519" | "unknown" */
	int key_size;	       /* RSA modulus bits, EC curve bits; -1 = null */
	int is_self_signed;    /* subject == issuer AND the signature verifies with its key */
	int is_ca;	       /* basicConstraints cA = TRUE */
	char *pem;	       /* this certificate as one PEM block: verbatim for PEM input (from
				* "-----BEGIN" through "-----END CERTIFICATE-----", line ends as given),
				* re-encoded (LF, 64 columns, no final newline) for DER/PKCS#7 */
	unsigned char *der;
	size_t der_len;
};

struct x509_csr_info { /* every string heap-owned; absent attributes are "" */
	char *common_name, *organization, *organizational_unit, *locality, *state, *country;
	char *subject;		  /* RFC 4514 */
	char *fingerprint_sha256; /* SHA-256 of the DER */
	char *pem;		  /* verbatim block, or re-encoded for DER input */
	char **sans;		  /* from the extensionRequest attribute */
	size_t nsans;
	const char *algorithm; /* as for certificates */
	int key_size;
};

struct x509_bundle {		      /* result of parsing one pasted input */
	struct x509_cert_info *certs; /* in input order; certs[0] is the leaf */
	size_t ncerts;
	struct x509_csr_info *csrs;
	size_t ncsrs;
	char *issuer_chain; /* PEM of certs[1..] joined with "\n"; "" if none */
};

/*
 * Parses one input. `lim` may be NULL (defaults). Returns 0 and *ret (caller frees with
 * x509_bundle_free), or:
 *  - CK_E_TOOBIG  "Input too large (N bytes). Maximum is 65536 bytes." (or too many
 *                 certificates / SANs, with the limit in the message);
 *  - CK_E_PRIVKEY field "pem_content", "Private key detected. For security reasons, private
 *                 keys cannot be stored." — any "-----BEGIN ... PRIVATE KEY-----" header, or
 *                 DER that is a PKCS#12 file or a (possibly encrypted) PKCS#8 key;
 *  - CK_E_PARSE   "No valid certificate found in input. Please provide a certificate in PEM
 *                 format." or "Failed to parse certificate: <reason>" (any CERTIFICATE block
 *                 that does not parse) / "Failed to parse CSR: <reason>";
 *  - CK_E_NOMEM.
 * PEM blocks with other labels (PUBLIC KEY, X509 CRL, ...) are ignored.
 */
int x509_parse_input(const void *data, size_t len, const struct x509_limits *lim,
		     struct x509_bundle **ret, struct ck_error *err);

/* Frees a bundle and everything it owns. NULL accepted. */
void x509_bundle_free(struct x509_bundle *b);

/* Releases what one info owns and zeroes it (so the call may repeat). NULL accepted. */
void x509_cert_info_release(struct x509_cert_info *info);
void x509_csr_info_release(struct x509_csr_info *info);

/* Returns 1 when `child`'s signature verifies with `issuer`'s public key (and child's
 * issuer name equals issuer's subject), 0 when it does not, CK_E_PARSE when either DER does
 * not decode. Uses OpenSSL's default library context. Thread-safe. */
int x509_verify_signed_by(const struct x509_cert_info *child, const struct x509_cert_info *issuer);

#endif
