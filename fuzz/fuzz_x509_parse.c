/*
 * libFuzzer target for x509_parse_input(). Properties checked on every input:
 *  - success means at least one certificate or CSR, and issuer_chain is set;
 *  - fingerprints are 95 characters of "XX:" groups; serials are "[-]XX(:XX)*" upper hex
 *    and normalise; strings are non-NULL; algorithm is one of the four names;
 *  - failure leaves *ret untouched and sets a message; a private-key refusal never echoes
 *    input bytes (the message is the fixed one).
 * Crashes, leaks (ASan) and UB (UBSan) are found by the sanitizers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x509/x509.h"

static void require(int cond)
{
	if (!cond)
		abort();
}

static int is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

static void check_colon_hex(const char *s)
{
	size_t n = strlen(s);

	require(n >= 2 && n % 3 == 2);
	for (size_t i = 0; i < n; i++)
		require(i % 3 == 2 ? s[i] == ':' : is_upper_hex(s[i]));
}

static void check_alg(const char *alg, int bits)
{
	require(!strcmp(alg, "rsa") || !strcmp(alg, "ecdsa") || !strcmp(alg, "ed25519") ||
		!strcmp(alg, "unknown"));
	require(bits == -1 || bits > 0);
}

static void check_cert(const struct x509_cert_info *c)
{
	char norm[256];

	require(c->common_name && c->common_name[0] && c->subject && c->issuer && c->pem);
	require(strlen(c->fingerprint_sha256) == X509_FINGERPRINT_LEN);
	check_colon_hex(c->fingerprint_sha256);
	check_colon_hex(c->serial_number + (c->serial_number[0] == '-'));
	require(x509_serial_normalize(c->serial_number, norm, sizeof(norm)) == 0);
	require(x509_serial_equal(c->serial_number, c->serial_number));
	check_alg(c->algorithm, c->key_size);
	require(c->der && c->der_len > 0);
	for (size_t i = 0; i < c->nsans; i++)
		require(c->sans[i] != NULL);
}

static void check_csr(const struct x509_csr_info *c)
{
	require(c->common_name && c->organization && c->country && c->subject && c->pem);
	require(strlen(c->fingerprint_sha256) == X509_FINGERPRINT_LEN);
	check_colon_hex(c->fingerprint_sha256);
	check_alg(c->algorithm, c->key_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_bundle *b = (struct x509_bundle *)(uintptr_t)1; /* sentinel */
	struct ck_error err;
	int rc;

	ck_error_clear(&err);
	rc = x509_parse_input(data, size, NULL, &b, &err);
	if (rc) {
		require(b == (struct x509_bundle *)(uintptr_t)1 && err.code == rc && err.msg[0]);
		if (rc == CK_E_PRIVKEY)
			require(!strcmp(err.msg, "Private key detected. For security reasons, "
						 "private keys cannot be stored."));
		return 0;
	}
	require(b->ncerts + b->ncsrs >= 1 && b->issuer_chain);
	require(b->ncerts > 1 || b->issuer_chain[0] == '\0');
	for (size_t i = 0; i < b->ncerts; i++)
		check_cert(&b->certs[i]);
	for (size_t i = 0; i < b->ncsrs; i++)
		check_csr(&b->csrs[i]);
	x509_bundle_free(b);
	return 0;
}
