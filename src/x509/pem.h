/*
 * x509/pem — splitting pasted text into PEM blocks, base64, and private-key detection.
 *
 * Pure functions over memory buffers: no OpenSSL, no allocation except where a function says
 * "caller frees". Thread-safe (no globals).
 *
 * A PEM block is "-----BEGIN <label>-----" ... "-----END <label>-----". The scanner is
 * lenient about what surrounds blocks (any text, CRLF or LF line ends, blank lines) and strict
 * about the block itself: the END label must equal the BEGIN label and the body must be
 * valid base64 (whitespace ignored). Encapsulated headers ("Proc-Type: ...") make a body
 * invalid; such blocks only occur for legacy encrypted keys, which are refused earlier.
 */
#ifndef CK_X509_PEM_H
#define CK_X509_PEM_H

#include <stddef.h>

#define X509_PEM_LABEL_MAX 64 /* longest label kept; longer labels are skipped as non-blocks */

/* One block found in a text. All pointers borrow from the scanned text. */
struct x509_pem_block {
	const char *begin; /* first byte of "-----BEGIN" */
	size_t len;	   /* through the last '-' of the END line (no trailing newline) */
	const char *body;  /* first byte after the BEGIN line */
	size_t body_len;   /* bytes up to the "-----END" line */
	char label[X509_PEM_LABEL_MAX + 1];
};

/* Finds the next complete block at or after text + *pos (len bytes of text, no NUL needed).
 * Returns 1 and fills *ret_block and advances *pos past it, or 0 when there is none (a
 * BEGIN without a matching END is not a block). */
int x509_pem_next(const char *text, size_t len, size_t *pos, struct x509_pem_block *ret_block);

/* True when `text` contains a private-key header anywhere: "-----BEGIN", whitespace, any
 * words separated by whitespace, then "PRIVATE KEY-----", case-insensitive (the reference's
 * `-----BEGIN\s+(?:\w+\s+)*PRIVATE\s+KEY-----`). Covers PRIVATE, RSA, EC, DSA, ENCRYPTED and
 * OPENSSH PRIVATE KEY. */
int x509_pem_has_private_key(const char *text, size_t len);

/* The storage guard: x509_pem_has_private_key, or private-key DER anywhere in the text as
 * base64 (any line breaks, CRLF, indentation) or hex (optionally ':'/space separated) without
 * its PEM armour: PKCS#8 (plain and encrypted), PKCS#1, SEC1, PKCS#12 and OpenSSH keys,
 * recognised by their ASN.1 structure (see der_is_private_key in pem.c). Run on every text
 * value before it is stored. */
int x509_text_has_private_key(const char *text, size_t len);

/* Decodes base64 (RFC 4648 alphabet, whitespace anywhere ignored, '=' padding only at the
 * end). Returns 0 and a malloc'ed buffer in *ret (caller frees) with its length, or
 * CK_E_PARSE for invalid input, CK_E_NOMEM. */
int x509_base64_decode(const char *in, size_t len, unsigned char **ret, size_t *ret_len);

/* Encodes DER as a PEM block with 64-column lines and no trailing newline:
 * "-----BEGIN <label>-----\n...\n-----END <label>-----". Returns 0 and *ret (caller frees),
 * or CK_E_NOMEM. */
int x509_pem_encode(const char *label, const unsigned char *der, size_t len, char **ret);

#endif
