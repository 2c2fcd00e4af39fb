/* x509/crypto — see crypto.h. Thin wrappers: OpenSSL does the work, this file keeps its
 * types and int-sized lengths away from callers. */
#include "x509/crypto.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/error.h"

int x509_random_bytes(void *buf, size_t n)
{
	if (n > X509_RANDOM_MAX || RAND_bytes(buf, (int)n) != 1)
		return CK_E_INTERNAL;
	return 0;
}

void x509_hex_encode(const void *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void x509_sha256_hex(const void *data, size_t n, char out[X509_SHA256_HEX_LEN + 1])
{
	unsigned char md[X509_SHA256_LEN];
	unsigned int mdlen = 0;

	EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL);
	x509_hex_encode(md, sizeof(md), out);
}

int x509_pbkdf2_sha256(const char *password, size_t plen, const void *salt, size_t slen,
		       int iterations, unsigned char *out, size_t outlen)
{
	if (plen > INT_MAX || slen > INT_MAX || outlen > INT_MAX || iterations < 1)
		return CK_E_INVALID;
	if (PKCS5_PBKDF2_HMAC(password, (int)plen, salt, (int)slen, iterations, EVP_sha256(),
			      (int)outlen, out) != 1)
		return CK_E_INTERNAL;
	return 0;
}

size_t x509_base64_encode(const void *in, size_t n, char *out)
{
	/* EVP_EncodeBlock takes an int length; certkeeper encodes salts and digests only */
	if (n > (size_t)INT_MAX / 4 * 3) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int x509_secure_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void x509_cleanse(void *p, size_t n)
{
	if (p)
		OPENSSL_cleanse(p, n);
}
