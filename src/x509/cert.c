/*
 * x509/cert — field extraction from one DER certificate (see internal.h and x509.h).
 *
 * Certificates are decoded in a library context with only the "null" provider, so the
 * public key stays a raw SubjectPublicKeyInfo (OpenSSL 3.0 otherwise decodes it through the
 * provider machinery: ~11k certs/s instead of ~50k on one core). Algorithm and key size are
 * read from the SPKI bytes here; signatures are verified by re-decoding in the default
 * context, which only happens for certificates whose subject equals their issuer.
 */
#include "x509/internal.h"
#include "core/parse.h"
#include "core/strbuf.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/provider.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX *parse_ctx;
static EVP_MD *sha256;

static void init_globals(void)
{
	OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();

	if (ctx && !OSSL_PROVIDER_load(ctx, "null")) {
		OSSL_LIB_CTX_free(ctx);
		ctx = NULL;
	}
	parse_ctx = ctx;
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

OSSL_LIB_CTX *x509_parse_libctx(void)
{
	pthread_once(&init_once, init_globals);
	return parse_ctx;
}

int x509_fingerprint_sha256(const unsigned char *der, size_t len,
			    char out[X509_FINGERPRINT_LEN + 1])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	pthread_once(&init_once, init_globals);
	if (!sha256 || !EVP_Digest(der, len, md, &mdlen, sha256, NULL) || mdlen != 32)
		return CK_E_INTERNAL;
	x509_hex_colon(md, 32, out);
	return 0;
}

const char *x509_ossl_reason(const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	return r ? r : fallback;
}

/* Reads a DER tag + length at *p (within end); returns the content length or -1. */
static long der_header(const unsigned char **p, const unsigned char *end, unsigned char tag)
{
	const unsigned char *q = *p;
	long n;

	if (end - q < 2 || q[0] != tag)
		return -1;
	n = q[1];
	q += 2;
	if (n & 0x80) {
		int k = (int)(n & 0x7f);

		if (k == 0 || k > 3 || end - q < k)
			return -1;
		for (n = 0; k > 0; k--)
			n = n << 8 | *q++;
	}
	if (n > end - q)
		return -1;
	*p = q;
	return n;
}

/* Bits of the modulus of an RSAPublicKey ::= SEQUENCE { modulus INTEGER, ... }. */
static int rsa_bits(const unsigned char *pk, int pklen)
{
	const unsigned char *p = pk, *end = pk + pklen;
	long n;
	int bits;

	if (der_header(&p, end, 0x30) < 0 || (n = der_header(&p, end, 0x02)) <= 0)
		return -1;
	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	if (n == 0 || n > 4096)
		return -1;
	bits = (int)(n - 1) * 8;
	for (unsigned char c = *p; c; c >>= 1)
		bits++;
	return bits;
}

static const struct {
	int nid, bits;
} curves[] = {
    {NID_X9_62_prime256v1, 256}, {NID_secp384r1, 384},	      {NID_secp521r1, 521},
    {NID_secp224r1, 224},	 {NID_X9_62_prime192v1, 192}, {NID_secp256k1, 256},
    {NID_brainpoolP256r1, 256},	 {NID_brainpoolP384r1, 384},  {NID_brainpoolP512r1, 512},
};

static int curve_bits(int nid)
{
	EC_GROUP *g;
	int bits;

	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].nid == nid)
			return curves[i].bits;
	g = EC_GROUP_new_by_curve_name(nid);
	bits = g ? EC_GROUP_get_degree(g) : -1;
	EC_GROUP_free(g);
	ERR_clear_error();
	return bits > 0 ? bits : -1;
}

/* Curve bits from the named-curve parameter, else estimated from the public point. */
static int ec_bits(const X509_ALGOR *alg, int pklen)
{
	const ASN1_OBJECT *aobj;
	const void *pval;
	int ptype;

	X509_ALGOR_get0(&aobj, &ptype, &pval, alg);
	if (ptype == V_ASN1_OBJECT)
		return curve_bits(OBJ_obj2nid(pval));
	return pklen > 1 ? (pklen - 1) / 2 * 8 : -1; /* explicit parameters: uncompressed point */
}

void x509_key_info(const X509_PUBKEY *pub, const char **ret_alg, int *ret_bits)
{
	ASN1_OBJECT *obj = NULL;
	const unsigned char *pk = NULL;
	X509_ALGOR *alg = NULL;
	int pklen = 0, nid;

	*ret_alg = "unknown";
	*ret_bits = -1;
	if (!pub || !X509_PUBKEY_get0_param(&obj, &pk, &pklen, &alg, pub))
		return;
	nid = OBJ_obj2nid(obj);
	if (nid == NID_rsaEncryption || nid == NID_rsassaPss) {
		*ret_alg = "rsa";
		*ret_bits = rsa_bits(pk, pklen);
	} else if (nid == NID_X9_62_id_ecPublicKey) {
		*ret_alg = "ecdsa";
		*ret_bits = ec_bits(alg, pklen);
	} else if (nid == NID_ED25519) {
		*ret_alg = "ed25519";
	}
}

/* Appends bytes, turning control bytes into "\xHH" so stored strings stay printable. */
static void add_clean(struct strbuf *sb, const unsigned char *p, int n)
{
	for (int i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			strbuf_addf(sb, "\\x%02X", p[i]);
		else
			strbuf_addch(sb, (char)p[i]);
	}
}

static void add_ip(struct strbuf *sb, const ASN1_OCTET_STRING *ip)
{
	const unsigned char *p = ASN1_STRING_get0_data(ip);
	int n = ASN1_STRING_length(ip);
	char buf[INET6_ADDRSTRLEN], hex[3 * 32 + 1];

	if ((n == 4 && inet_ntop(AF_INET, p, buf, sizeof(buf))) ||
	    (n == 16 && inet_ntop(AF_INET6, p, buf, sizeof(buf)))) {
		strbuf_adds(sb, buf);
	} else { /* not an address (e.g. a name-constraint range): raw hex */
		x509_hex_colon(p, n > 32 ? 32 : (size_t)n, hex);
		strbuf_adds(sb, hex);
	}
}

static int add_general_name(struct strbuf *sb, const GENERAL_NAME *g)
{
	char oid[128], *dn = NULL;
	int type, rc = 0;
	void *v = GENERAL_NAME_get0_value(g, &type);
	const ASN1_STRING *s = v;

	switch (type) {
	case GEN_DNS:
	case GEN_EMAIL:
	case GEN_URI:
		strbuf_adds(sb, type == GEN_DNS ? "DNS:" : type == GEN_EMAIL ? "Email:" : "URI:");
		add_clean(sb, ASN1_STRING_get0_data(s), ASN1_STRING_length(s));
		break;
	case GEN_IPADD:
		strbuf_adds(sb, "IP:");
		add_ip(sb, s);
		break;
	case GEN_DIRNAME:
		rc = x509_name_format(v, &dn);
		if (rc == 0)
			strbuf_addf(sb, "DirName:%s", dn);
		free(dn);
		break;
	case GEN_RID:
	case GEN_OTHERNAME:
		OBJ_obj2txt(oid, sizeof(oid), type == GEN_RID ? v : ((const OTHERNAME *)v)->type_id,
			    1);
		strbuf_addf(sb, "%s:%s", type == GEN_RID ? "RID" : "othername", oid);
		break;
	default:
		strbuf_addf(sb, "Unsupported:%d", type);
	}
	return rc;
}

void x509_sans_free(char **sans, size_t n)
{
	for (size_t i = 0; sans && i < n; i++)
		free(sans[i]);
	free(sans);
}

int x509_sans_format(const GENERAL_NAMES *gens, const struct x509_limits *lim, char ***ret,
		     size_t *ret_n, struct ck_error *err)
{
	int count = gens ? sk_GENERAL_NAME_num(gens) : 0, rc = 0;
	char **sans = NULL;
	size_t n = 0;
	struct strbuf sb;

	if (count > 0 && (size_t)count > lim->max_sans)
		return ck_error_set(err, CK_E_TOOBIG, "pem_content",
				    "Too many subject alternative names (%d). Maximum is %zu.",
				    count, lim->max_sans);
	if (count > 0 && !(sans = calloc((size_t)count, sizeof(*sans))))
		return CK_E_NOMEM;
	strbuf_init(&sb, 0);
	for (; rc == 0 && n < (size_t)count; n++) {
		strbuf_reset(&sb);
		rc = add_general_name(&sb, sk_GENERAL_NAME_value(gens, (int)n));
		if (rc == 0 && !(rc = strbuf_result(&sb)) && !(sans[n] = strdup(strbuf_str(&sb))))
			rc = CK_E_NOMEM;
	}
	strbuf_release(&sb);
	if (rc) {
		x509_sans_free(sans, n);
		return rc == CK_E_NOMEM
			   ? rc
			   : ck_error_set(err, rc, "pem_content", "Failed to parse certificate: %s",
					  "invalid directory name");
	}
	*ret = sans;
	*ret_n = n;
	return 0;
}

void x509_cert_info_release(struct x509_cert_info *info)
{
	if (!info)
		return;
	free(info->common_name);
	free(info->subject);
	free(info->issuer);
	free(info->serial_number);
	free(info->fingerprint_sha256);
	x509_sans_free(info->sans, info->nsans);
	free(info->pem);
	free(info->der);
	memset(info, 0, sizeof(*info));
}

static int parse_fail(struct ck_error *err, const char *reason)
{
	return ck_error_set(err, CK_E_PARSE, "pem_content", "Failed to parse certificate: %s",
			    reason);
}

static int to_epoch(const ASN1_TIME *t, int64_t *ret)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return CK_E_PARSE;
	*ret =
	    ck_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) *
		86400 +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

static int fill_names(X509 *x, struct x509_cert_info *info, struct ck_error *err)
{
	int rc = x509_name_format(X509_get_subject_name(x), &info->subject);

	if (rc == 0)
		rc = x509_name_format(X509_get_issuer_name(x), &info->issuer);
	if (rc == 0)
		rc = x509_serial_format(X509_get0_serialNumber(x), &info->serial_number);
	if (rc == CK_E_PARSE)
		return parse_fail(err, "invalid name");
	if (rc == 0 && to_epoch(X509_get0_notBefore(x), &info->valid_from))
		return parse_fail(err, "invalid notBefore time");
	if (rc == 0 && to_epoch(X509_get0_notAfter(x), &info->valid_to))
		return parse_fail(err, "invalid notAfter time");
	return rc;
}

/* SANs, then the common name (subject CN, else first non-empty DNS SAN, else "Unknown"). */
static int fill_sans_cn(X509 *x, const struct x509_limits *lim, struct x509_cert_info *info,
			struct ck_error *err)
{
	int crit = -1, rc;
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);

	if (!gens && crit != -1)
		return parse_fail(err, crit == -2 ? "duplicate subjectAltName extension"
						  : "invalid subjectAltName extension");
	rc = x509_sans_format(gens, lim, &info->sans, &info->nsans, err);
	GENERAL_NAMES_free(gens);
	if (rc)
		return rc;
	rc = x509_name_first(X509_get_subject_name(x), NID_commonName, &info->common_name);
	if (rc == 0 && info->common_name[0])
		return 0;
	free(info->common_name);
	info->common_name = NULL;
	if (rc != 0 && rc != CK_E_NOTFOUND)
		return rc;
	for (size_t i = 0; i < info->nsans && !info->common_name; i++)
		if (!strncmp(info->sans[i], "DNS:", 4) && info->sans[i][4])
			info->common_name = strdup(info->sans[i] + 4);
	if (!info->common_name)
		info->common_name = strdup("Unknown");
	return info->common_name ? 0 : CK_E_NOMEM;
}

static int fill_der(const unsigned char *der, size_t len, struct x509_cert_info *info)
{
	int rc;

	info->fingerprint_sha256 = malloc(X509_FINGERPRINT_LEN + 1);
	info->der = malloc(len);
	if (!info->fingerprint_sha256 || !info->der)
		return CK_E_NOMEM;
	memcpy(info->der, der, len);
	info->der_len = len;
	rc = x509_fingerprint_sha256(der, len, info->fingerprint_sha256);
	return rc;
}

static int is_ca(X509 *x)
{
	int crit = -1;
	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	int ca = bc && bc->ca;

	BASIC_CONSTRAINTS_free(bc);
	return ca;
}

/* Decodes DER in the default library context (public key usable). NULL if invalid. */
static X509 *decode_default(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;

	return d2i_X509(NULL, &p, (long)len);
}

int x509_verify_signed_by(const struct x509_cert_info *child, const struct x509_cert_info *issuer)
{
	X509 *c, *i = NULL;
	EVP_PKEY *key;
	int rc = CK_E_PARSE;

	ERR_set_mark();
	c = decode_default(child->der, child->der_len);
	if (!c)
		goto free_certs;
	i = child == issuer ? c : decode_default(issuer->der, issuer->der_len);
	key = i ? X509_get0_pubkey(i) : NULL;
	if (!i)
		goto free_certs;
	rc = key && !X509_NAME_cmp(X509_get_issuer_name(c), X509_get_subject_name(i)) &&
	     X509_verify(c, key) == 1;
free_certs:
	if (i != c)
		X509_free(i);
	X509_free(c);
	ERR_pop_to_mark();
	return rc;
}

static int fill_all(X509 *x, const unsigned char *der, size_t len, const struct x509_limits *lim,
		    struct x509_cert_info *info, struct ck_error *err)
{
	int rc = fill_names(x, info, err);

	if (rc == 0)
		rc = fill_sans_cn(x, lim, info, err);
	if (rc == 0)
		rc = fill_der(der, len, info);
	if (rc)
		return rc;
	x509_key_info(X509_get_X509_PUBKEY(x), &info->algorithm, &info->key_size);
	info->is_ca = is_ca(x);
	if (!X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)))
		info->is_self_signed = x509_verify_signed_by(info, info) == 1;
	return 0;
}

int x509_cert_info_from_der(const unsigned char *der, size_t len, const struct x509_limits *lim,
			    struct x509_cert_info *ret, struct ck_error *err)
{
	struct x509_cert_info info = {0};
	OSSL_LIB_CTX *ctx = x509_parse_libctx();
	const unsigned char *p = der;
	X509 *x = NULL;
	int rc;

	if (!ctx)
		return CK_E_NOMEM;
	ERR_set_mark();
	x = (X509 *)ASN1_item_d2i_ex(NULL, &p, (long)len, ASN1_ITEM_rptr(X509), ctx, NULL);
	if (!x || p != der + len) {
		rc = parse_fail(err, x ? "trailing data after the certificate"
				       : x509_ossl_reason("invalid DER"));
		goto free_x;
	}
	rc = fill_all(x, der, len, lim, &info, err);
	if (rc) {
		x509_cert_info_release(&info);
		goto free_x;
	}
	*ret = info;
free_x:
	X509_free(x);
	ERR_pop_to_mark();
	return rc;
}
