/*
 * x509/parse — x509_parse_input(): format detection, private-key refusal, limits, and the
 * bundle (see x509.h). Steps, in order:
 *  1. size limit; 2. private-key PEM headers anywhere; 3. PEM blocks (CERTIFICATE,
 *  X509 CERTIFICATE, CERTIFICATE REQUEST, NEW CERTIFICATE REQUEST, PKCS7, CMS);
 *  4. when no PEM block was found and the input starts with a SEQUENCE: PKCS#7 DER, a DER
 *  certificate, a DER CSR, else PKCS#12 / PKCS#8 / traditional key DER (refused);
 *  5. nothing found: "No valid certificate found...".
 */
#include "core/strbuf.h"
#include "x509/internal.h"
#include "x509/csr.h"
#include "x509/pem.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>

#define MSG_PRIVKEY "Private key detected. For security reasons, private keys cannot be stored."
#define MSG_NOCERT                                                                                 \
	"No valid certificate found in input. Please provide a certificate in PEM format."

struct parser {
	const struct x509_limits *lim;
	struct x509_bundle *b;
	size_t cap_certs, cap_csrs;
	struct ck_error *err;
};

void x509_limits_default(struct x509_limits *lim)
{
	lim->max_input = X509_DEFAULT_MAX_INPUT;
	lim->max_certs = X509_DEFAULT_MAX_CERTS;
	lim->max_sans = X509_DEFAULT_MAX_SANS;
}

void x509_bundle_free(struct x509_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->ncerts; i++)
		x509_cert_info_release(&b->certs[i]);
	for (size_t i = 0; i < b->ncsrs; i++)
		x509_csr_info_release(&b->csrs[i]);
	free(b->certs);
	free(b->csrs);
	free(b->issuer_chain);
	free(b);
}

/* Room for one more certificate or CSR, within max_certs. */
static int make_room(struct parser *ps, void **arr, size_t n, size_t *cap, size_t elsize)
{
	void *grown;

	if (ps->b->ncerts + ps->b->ncsrs >= ps->lim->max_certs)
		return ck_error_set(ps->err, CK_E_TOOBIG, "pem_content",
				    "Too many certificates in input. Maximum is %zu.",
				    ps->lim->max_certs);
	if (n < *cap)
		return 0;
	grown = realloc(*arr, (*cap ? *cap * 2 : 4) * elsize);
	if (!grown)
		return CK_E_NOMEM;
	*arr = grown;
	*cap = *cap ? *cap * 2 : 4;
	return 0;
}

/* Sets *ret_pem to a copy of the verbatim block, or a fresh encoding when pem is NULL. */
static int own_pem(const char *label, const char *pem, size_t pem_len, const unsigned char *der,
		   size_t len, char **ret_pem)
{
	if (!pem)
		return x509_pem_encode(label, der, len, ret_pem);
	*ret_pem = strndup(pem, pem_len);
	return *ret_pem ? 0 : CK_E_NOMEM;
}

static int add_cert(struct parser *ps, const unsigned char *der, size_t len, const char *pem,
		    size_t pem_len)
{
	struct x509_cert_info info;
	int rc = make_room(ps, (void **)&ps->b->certs, ps->b->ncerts, &ps->cap_certs, sizeof(info));

	if (rc == 0)
		rc = x509_cert_info_from_der(der, len, ps->lim, &info, ps->err);
	if (rc)
		return rc;
	rc = own_pem("CERTIFICATE", pem, pem_len, der, len, &info.pem);
	if (rc) {
		x509_cert_info_release(&info);
		return rc;
	}
	ps->b->certs[ps->b->ncerts++] = info;
	return 0;
}

static int add_csr(struct parser *ps, const unsigned char *der, size_t len, const char *pem,
		   size_t pem_len)
{
	struct x509_csr_info info;
	int rc = make_room(ps, (void **)&ps->b->csrs, ps->b->ncsrs, &ps->cap_csrs, sizeof(info));

	if (rc == 0)
		rc = x509_csr_info_from_der(der, len, ps->lim, &info, ps->err);
	if (rc)
		return rc;
	rc = own_pem("CERTIFICATE REQUEST", pem, pem_len, der, len, &info.pem);
	if (rc) {
		x509_csr_info_release(&info);
		return rc;
	}
	ps->b->csrs[ps->b->ncsrs++] = info;
	return 0;
}

/* Decodes PKCS#7 (exactly len bytes) in the parsing context; NULL if it is not one. */
static PKCS7 *decode_pkcs7(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	PKCS7 *p7 = (PKCS7 *)ASN1_item_d2i_ex(NULL, &p, (long)len, ASN1_ITEM_rptr(PKCS7),
					      x509_parse_libctx(), NULL);

	if (p7 && p != der + len) {
		PKCS7_free(p7);
		p7 = NULL;
	}
	return p7;
}

/* Adds every certificate of a signed PKCS#7; CK_E_PARSE when it is not one or holds none. */
static int add_pkcs7(struct parser *ps, const unsigned char *der, size_t len)
{
	PKCS7 *p7 = decode_pkcs7(der, len);
	STACK_OF(X509) *certs =
	    p7 && PKCS7_type_is_signed(p7) && p7->d.sign ? p7->d.sign->cert : NULL;
	int n = certs ? sk_X509_num(certs) : 0, rc = 0;

	if (n == 0)
		rc = ck_error_set(ps->err, CK_E_PARSE, "pem_content",
				  p7 ? MSG_NOCERT : "Failed to parse certificate: invalid PKCS#7");
	for (int i = 0; i < n && rc == 0; i++) {
		unsigned char *cder = NULL;
		int clen = i2d_X509(sk_X509_value(certs, i), &cder);

		rc = clen > 0 ? add_cert(ps, cder, (size_t)clen, NULL, 0) : CK_E_NOMEM;
		OPENSSL_free(cder);
	}
	PKCS7_free(p7);
	return rc;
}

enum block_kind { BLOCK_OTHER, BLOCK_CERT, BLOCK_CSR, BLOCK_PKCS7 };

static enum block_kind block_kind(const char *label)
{
	if (!strcmp(label, "CERTIFICATE") || !strcmp(label, "X509 CERTIFICATE"))
		return BLOCK_CERT;
	if (!strcmp(label, "CERTIFICATE REQUEST") || !strcmp(label, "NEW CERTIFICATE REQUEST"))
		return BLOCK_CSR;
	if (!strcmp(label, "PKCS7") || !strcmp(label, "CMS"))
		return BLOCK_PKCS7;
	return BLOCK_OTHER;
}

static int add_block(struct parser *ps, const struct x509_pem_block *blk, enum block_kind kind)
{
	unsigned char *der = NULL;
	size_t len = 0;
	int rc = x509_base64_decode(blk->body, blk->body_len, &der, &len);

	if (rc == CK_E_PARSE)
		rc = ck_error_set(ps->err, CK_E_PARSE, "pem_content", "Failed to parse %s: %s",
				  kind == BLOCK_CSR ? "CSR" : "certificate", "invalid base64");
	else if (rc == 0 && kind == BLOCK_CERT)
		rc = add_cert(ps, der, len, blk->begin, blk->len);
	else if (rc == 0 && kind == BLOCK_CSR)
		rc = add_csr(ps, der, len, blk->begin, blk->len);
	else if (rc == 0)
		rc = add_pkcs7(ps, der, len);
	free(der);
	return rc;
}

/* Parses every known PEM block; *found counts them. */
static int parse_pem(struct parser *ps, const char *text, size_t len, int *found)
{
	struct x509_pem_block blk;
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && x509_pem_next(text, len, &pos, &blk)) {
		enum block_kind kind = block_kind(blk.label);

		if (kind == BLOCK_OTHER)
			continue;
		(*found)++;
		rc = add_block(ps, &blk, kind);
	}
	return rc;
}

/* True when DER (exactly len bytes) is a PKCS#12 file or a private key in any DER form. */
static int is_private_der(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
	int found = p12 && p == der + len;
	EVP_PKEY *key;

	PKCS12_free(p12);
	p = der;
	X509_SIG *enc = found ? NULL : d2i_X509_SIG(NULL, &p, (long)len);
	found = found || (enc && p == der + len);
	X509_SIG_free(enc);
	p = der;
	key = found ? NULL : d2i_AutoPrivateKey(NULL, &p, (long)len);
	found = found || key;
	EVP_PKEY_free(key);
	return found;
}

static int is_csr_der(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509_REQ *req = (X509_REQ *)ASN1_item_d2i_ex(NULL, &p, (long)len, ASN1_ITEM_rptr(X509_REQ),
						     x509_parse_libctx(), NULL);
	int ok = req && p == der + len;

	X509_REQ_free(req);
	return ok;
}

/* One DER object: PKCS#7, certificate, CSR; private keys refused. */
static int parse_der(struct parser *ps, const unsigned char *der, size_t len)
{
	PKCS7 *p7;
	int rc;

	ERR_set_mark();
	p7 = decode_pkcs7(der, len);
	if (p7) {
		PKCS7_free(p7);
		rc = add_pkcs7(ps, der, len);
	} else if (is_csr_der(der, len)) {
		rc = add_csr(ps, der, len, NULL, 0);
	} else if (is_private_der(der, len)) {
		rc = ck_error_set(ps->err, CK_E_PRIVKEY, "pem_content", MSG_PRIVKEY);
	} else {
		rc = add_cert(ps, der, len, NULL, 0);
	}
	ERR_pop_to_mark();
	return rc;
}

static int make_chain(struct x509_bundle *b)
{
	struct strbuf sb;

	strbuf_init(&sb, 0);
	for (size_t i = 1; i < b->ncerts; i++) {
		if (i > 1)
			strbuf_addch(&sb, '\n');
		strbuf_adds(&sb, b->certs[i].pem);
	}
	if (strbuf_result(&sb) == 0)
		b->issuer_chain = strbuf_take(&sb, NULL);
	strbuf_release(&sb);
	return b->issuer_chain ? 0 : CK_E_NOMEM;
}

static int parse_all(struct parser *ps, const char *text, size_t len)
{
	int found = 0, rc = parse_pem(ps, text, len, &found);

	if (rc == 0 && !found && len > 0 && (unsigned char)text[0] == 0x30)
		rc = parse_der(ps, (const unsigned char *)text, len);
	else if (rc == 0 && !found)
		rc = ck_error_set(ps->err, CK_E_PARSE, "pem_content", MSG_NOCERT);
	if (rc == 0 && ps->b->ncerts + ps->b->ncsrs == 0)
		rc = ck_error_set(ps->err, CK_E_PARSE, "pem_content", MSG_NOCERT);
	if (rc == 0)
		rc = make_chain(ps->b);
	return rc;
}

int x509_parse_input(const void *data, size_t len, const struct x509_limits *lim,
		     struct x509_bundle **ret, struct ck_error *err)
{
	struct x509_limits deflim;
	struct parser ps = {.lim = lim, .err = err};
	int rc;

	if (!lim) {
		x509_limits_default(&deflim);
		ps.lim = &deflim;
	}
	if (len > ps.lim->max_input)
		return ck_error_set(err, CK_E_TOOBIG, "pem_content",
				    "Input too large (%zu bytes). Maximum is %zu bytes.", len,
				    ps.lim->max_input);
	if (x509_text_has_private_key(data, len))
		return ck_error_set(err, CK_E_PRIVKEY, "pem_content", MSG_PRIVKEY);
	ps.b = calloc(1, sizeof(*ps.b));
	if (!ps.b)
		return CK_E_NOMEM;
	rc = parse_all(&ps, data, len);
	if (rc) {
		x509_bundle_free(ps.b);
		return rc;
	}
	*ret = ps.b;
	return 0;
}
