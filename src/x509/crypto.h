/*
 * x509/crypto — the cryptographic primitives certkeeper uses outside certificate parsing:
 * random bytes, SHA-256, PBKDF2-HMAC-SHA256, base64 and hex encoding, constant-time
 * comparison and wiping of secrets. It is the one place besides the rest of x509/ that
 * includes OpenSSL (issue 10 item 5); callers (domain/auth) see no OpenSSL type.
 *
 * All functions are thread-safe and allocate nothing. Sizes are in bytes; output buffers
 * are the caller's and must have the documented size.
 */
#ifndef CK_X509_CRYPTO_H
#define CK_X509_CRYPTO_H

#include <stddef.h>

#define X509_SHA256_LEN 32		       /* bytes of a SHA-256 digest */
#define X509_SHA256_HEX_LEN 64		       /* hex digits of a SHA-256 digest */
#define X509_RANDOM_MAX 4096		       /* most bytes one x509_random_bytes() call returns */
#define X509_BASE64_LEN(n) (((n) + 2) / 3 * 4) /* base64 characters of n bytes (no NUL) */

/* Fills buf with n (≤ X509_RANDOM_MAX) bytes from OpenSSL's CSPRNG. 0, or CK_E_INTERNAL
 * (n too large, or the generator failed: never use the buffer then). */
int x509_random_bytes(void *buf, size_t n);

/* SHA-256 of data[0..n) as 64 lower-case hex digits + NUL in out. */
void x509_sha256_hex(const void *data, size_t n, char out[X509_SHA256_HEX_LEN + 1]);

/* PBKDF2-HMAC-SHA256 of password[0..plen) with salt[0..slen) and `iterations` (≥ 1) rounds:
 * outlen bytes into out. 0, or CK_E_INVALID (a length or count out of int range) /
 * CK_E_INTERNAL. Costs CPU in proportion to `iterations` (600,000: ~0.1 s). */
int x509_pbkdf2_sha256(const char *password, size_t plen, const void *salt, size_t slen,
		       int iterations, unsigned char *out, size_t outlen);

/* Standard base64 (with padding) of in[0..n) into out, NUL-terminated; out must hold
 * X509_BASE64_LEN(n) + 1 bytes. Returns the characters written (without the NUL). */
size_t x509_base64_encode(const void *in, size_t n, char *out);

/* in[0..n) as 2n lower-case hex digits + NUL in out (2n + 1 bytes). */
void x509_hex_encode(const void *in, size_t n, char *out);

/* 1 when a[0..n) equals b[0..n), else 0, in time that depends only on n. */
int x509_secure_equal(const void *a, const void *b, size_t n);

/* Overwrites p[0..n) with zeros in a way the compiler cannot remove. NULL accepted. */
void x509_cleanse(void *p, size_t n);

#endif
