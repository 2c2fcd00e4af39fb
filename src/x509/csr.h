/*
 * x509/csr — field extraction from one DER PKCS#10 certificate signing request. Used by
 * x509/parse.c; the domain layer calls x509/x509.h. Thread-safe.
 */
#ifndef CK_X509_CSR_H
#define CK_X509_CSR_H

#include <stddef.h>

#include "core/error.h"
#include "x509/x509.h"

/* Extracts every field of struct x509_csr_info except `pem` from one DER CSR (exactly `len`
 * bytes): CN, O, OU, L, ST, C (first value in DER order, else ""), the RFC 4514 subject,
 * SANs of the extensionRequest attribute, algorithm/key size, SHA-256 of the DER.
 * Returns 0 and fills *ret (release with x509_csr_info_release), or CK_E_PARSE
 * "Failed to parse CSR: <reason>", CK_E_TOOBIG (SANs), CK_E_NOMEM. */
int x509_csr_info_from_der(const unsigned char *der, size_t len, const struct x509_limits *lim,
			   struct x509_csr_info *ret, struct ck_error *err);

#endif
