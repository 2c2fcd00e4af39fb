/* Shared helpers of the x509 unit tests (x509_helper.c): temp dirs, files, the openssl CLI. */
#ifndef CK_TEST_X509_HELPER_H
#define CK_TEST_X509_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "x509/x509.h"

/* Creates a fresh temporary directory; returns its path (static buffer per call site owner
 * must copy) or aborts the test run. Caller frees. */
char *th_tmpdir(void);
/* Removes a directory tree made by th_tmpdir. */
void th_rmtree(const char *dir);
/* Runs a shell command (printf-style); returns its exit status. */
int th_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads a whole file; caller frees. NULL if unreadable. Adds a NUL after the content. */
char *th_read(const char *path, size_t *ret_len);
/* Writes a buffer to a file; 0 or -1. */
int th_write(const char *path, const void *data, size_t len);
/* Parses a file with default limits; NULL when parsing fails (err filled if non-NULL). */
struct x509_bundle *th_parse_file(const char *path, struct ck_error *err);

/* Fields as `openssl x509` reports them for a PEM/DER file. */
struct th_openssl_fields {
	char serial[160];   /* "0123AB" as printed, no colons */
	char fp[100];	    /* "AA:BB:..." */
	char subject[2048]; /* RFC 2253 (',' separators, UTF-8 kept) */
	char issuer[2048];
	int64_t not_before, not_after;
};
/* Runs openssl x509 on `path` (informat PEM or DER) and fills *f. 0 or -1. */
int th_openssl_fields(const char *path, const char *informat, struct th_openssl_fields *f);

/* Our ", "-joined DN turned into OpenSSL's ","-joined form (separators only). Caller frees. */
char *th_dn_commas(const char *dn);
/* Our colon-separated serial without colons. Caller frees. */
char *th_strip_colons(const char *s);
/* Asserts (cmocka) that `c` matches `openssl x509` on the file: serial, SHA-256 fingerprint,
 * subject, issuer, validity. */
void th_check_against_openssl(const char *path, const char *informat,
			      const struct x509_cert_info *c);

#endif
