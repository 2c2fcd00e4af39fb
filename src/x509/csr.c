/* x509/csr — CSR field extraction (see csr.h); decoded in the null-provider context like
 * certificates (x509/cert.c), so the public key stays raw. */
#include "x509/csr.h"
#include "x509/internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

static int csr_fail(struct ck_error *err, const char *reason)
{
	return ck_error_set(err, CK_E_PARSE, "pem_content", "Failed to parse CSR: %s", reason);
}

/* The first value of `nid`, or "" when absent. */
static int first_or_empty(const X509_NAME *name, int nid, char **ret)
{
	int rc = x509_name_first(name, nid, ret);

	if (rc == CK_E_NOTFOUND) {
		*ret = strdup("");
		rc = *ret ? 0 : CK_E_NOMEM;
	}
	return rc;
}

static int fill_subject(X509_REQ *req, struct x509_csr_info *info)
{
	const X509_NAME *name = X509_REQ_get_subject_name(req);
	int rc = x509_name_format(name, &info->subject);

	if (rc == 0)
		rc = first_or_empty(name, NID_commonName, &info->common_name);
	if (rc == 0)
		rc = first_or_empty(name, NID_organizationName, &info->organization);
	if (rc == 0)
		rc = first_or_empty(name, NID_organizationalUnitName, &info->organizational_unit);
	if (rc == 0)
		rc = first_or_empty(name, NID_localityName, &info->locality);
	if (rc == 0)
		rc = first_or_empty(name, NID_stateOrProvinceName, &info->state);
	if (rc == 0)
		rc = first_or_empty(name, NID_countryName, &info->country);
	return rc;
}

static int fill_sans(X509_REQ *req, const struct x509_limits *lim, struct x509_csr_info *info,
		     struct ck_error *err)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	int crit = -1, rc;
	GENERAL_NAMES *gens = exts ? X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL) : NULL;

	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	if (!gens && crit != -1)
		return csr_fail(err, "invalid subjectAltName extension");
	rc = x509_sans_format(gens, lim, &info->sans, &info->nsans, err);
	GENERAL_NAMES_free(gens);
	return rc;
}

static int fill_all(X509_REQ *req, const unsigned char *der, size_t len,
		    const struct x509_limits *lim, struct x509_csr_info *info, struct ck_error *err)
{
	int rc = fill_subject(req, info);

	if (rc == CK_E_PARSE)
		return csr_fail(err, "invalid subject name");
	if (rc == 0)
		rc = fill_sans(req, lim, info, err);
	if (rc)
		return rc;
	info->fingerprint_sha256 = malloc(X509_FINGERPRINT_LEN + 1);
	if (!info->fingerprint_sha256)
		return CK_E_NOMEM;
	rc = x509_fingerprint_sha256(der, len, info->fingerprint_sha256);
	x509_key_info(X509_REQ_get_X509_PUBKEY(req), &info->algorithm, &info->key_size);
	return rc;
}

void x509_csr_info_release(struct x509_csr_info *info)
{
	if (!info)
		return;
	free(info->common_name);
	free(info->organization);
	free(info->organizational_unit);
	free(info->locality);
	free(info->state);
	free(info->country);
	free(info->subject);
	free(info->fingerprint_sha256);
	free(info->pem);
	x509_sans_free(info->sans, info->nsans);
	memset(info, 0, sizeof(*info));
}

int x509_csr_info_from_der(const unsigned char *der, size_t len, const struct x509_limits *lim,
			   struct x509_csr_info *ret, struct ck_error *err)
{
	struct x509_csr_info info = {0};
	OSSL_LIB_CTX *ctx = x509_parse_libctx();
	const unsigned char *p = der;
	X509_REQ *req = NULL;
	int rc;

	if (!ctx)
		return CK_E_NOMEM;
	ERR_set_mark();
	req =
	    (X509_REQ *)ASN1_item_d2i_ex(NULL, &p, (long)len, ASN1_ITEM_rptr(X509_REQ), ctx, NULL);
	if (!req || p != der + len) {
		rc = csr_fail(err, req ? "trailing data after the CSR"
				       : x509_ossl_reason("invalid DER"));
		goto free_req;
	}
	rc = fill_all(req, der, len, lim, &info, err);
	if (rc) {
		x509_csr_info_release(&info);
		goto free_req;
	}
	*ret = info;
free_req:
	X509_REQ_free(req);
	ERR_pop_to_mark();
	return rc;
}
