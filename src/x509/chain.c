/* x509/chain — see chain.h. */
#include "x509/chain.h"
#include "x509/internal.h"
#include "x509/pem.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
    "valid",   "self_signed",	"no_chain",    "incomplete", "invalid_signature",
    "expired", "not_yet_valid", "parse_error",
};

const char *x509_chain_status_name(enum x509_chain_status s)
{
	return (size_t)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s]
									  : "parse_error";
}

int x509_chain_status_ok(enum x509_chain_status s)
{
	return s == X509_CHAIN_VALID || s == X509_CHAIN_SELF_SIGNED;
}

void x509_chain_result_release(struct x509_chain_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncerts; i++)
		x509_cert_info_release(&r->certs[i]);
	r->ncerts = 0;
}

static void add_error(struct x509_chain_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_error(struct x509_chain_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nerrors >= X509_CHAIN_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(r->errors[r->nerrors++], sizeof(r->errors[0]), fmt, ap);
	va_end(ap);
}

static int finish(struct x509_chain_result *r, enum x509_chain_status s, int depth, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
static int finish(struct x509_chain_result *r, enum x509_chain_status s, int depth, const char *fmt,
		  ...)
{
	va_list ap;

	r->status = s;
	r->depth = depth;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	if (!x509_chain_status_ok(s) && s != X509_CHAIN_NO_CHAIN)
		add_error(r, "%s", r->message);
	return 0;
}

/* Decodes one CERTIFICATE block into info. */
static int block_info(const struct x509_pem_block *b, struct x509_cert_info *info,
		      struct ck_error *err)
{
	struct x509_limits lim;
	unsigned char *der = NULL;
	size_t len = 0;
	int r;

	x509_limits_default(&lim);
	if (x509_base64_decode(b->body, b->body_len, &der, &len))
		return ck_error_set(err, CK_E_PARSE, NULL, "invalid base64");
	r = x509_cert_info_from_der(der, len, &lim, info, err);
	free(der);
	return r;
}

/* Number of CERTIFICATE blocks in text. */
static size_t count_blocks(const char *text, size_t len)
{
	struct x509_pem_block b;
	size_t pos = 0, n = 0;

	while (x509_pem_next(text, len, &pos, &b))
		n += !strcmp(b.label, "CERTIFICATE");
	return n;
}

/* Parses the chain's blocks into r->certs[1..]; bad blocks are skipped with an error line. */
static int parse_chain(const char *text, size_t len, struct x509_chain_result *r)
{
	struct x509_pem_block b;
	size_t pos = 0, k = 0;

	while (x509_pem_next(text, len, &pos, &b) && r->ncerts <= X509_CHAIN_MAX) {
		struct ck_error e;
		int rc;
		if (strcmp(b.label, "CERTIFICATE"))
			continue;
		k++;
		ck_error_clear(&e);
		rc = block_info(&b, &r->certs[r->ncerts], &e);
		if (rc == CK_E_NOMEM)
			return rc;
		if (rc)
			add_error(r, "Chain certificate block %zu skipped: %s", k,
				  e.msg[0] ? e.msg : "unparseable");
		else
			r->ncerts++;
	}
	return 0;
}

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

static pthread_once_t trust_once = PTHREAD_ONCE_INIT;
static X509_STORE *trust_store;

static void trust_init(void)
{
	X509_STORE *s = X509_STORE_new();

	if (s && X509_STORE_set_default_paths(s) != 1) {
		X509_STORE_free(s);
		s = NULL;
	}
	trust_store = s;
}

/* Looks up the issuer of `child` in the system trust store: 1 found (*ret_info filled, and
 * *ret_sig_ok whether child's signature verifies with it), 0 not found, or CK_E_* code. */
static int trust_lookup(const struct x509_cert_info *child, struct x509_cert_info *ret_info,
			int *ret_sig_ok)
{
	const unsigned char *p = child->der;
	struct x509_limits lim;
	X509_STORE_CTX *sctx = NULL;
	X509 *x = NULL, *issuer = NULL;
	unsigned char *der = NULL;
	int len, rc = 0;

	pthread_once(&trust_once, trust_init);
	if (!trust_store)
		return 0;
	ERR_set_mark();
	x = d2i_X509(NULL, &p, (long)child->der_len);
	sctx = X509_STORE_CTX_new();
	if (!x || !sctx || X509_STORE_CTX_init(sctx, trust_store, x, NULL) != 1)
		goto free_all;
	if (X509_STORE_CTX_get1_issuer(&issuer, sctx, x) != 1 || !issuer)
		goto free_all;
	len = i2d_X509(issuer, &der);
	if (len <= 0) {
		rc = CK_E_NOMEM;
		goto free_all;
	}
	x509_limits_default(&lim);
	rc = x509_cert_info_from_der(der, (size_t)len, &lim, ret_info, NULL);
	if (!rc) {
		*ret_sig_ok = X509_verify(x, X509_get0_pubkey(issuer)) == 1;
		rc = 1;
	}
free_all:
	OPENSSL_free(der);
	X509_free(issuer);
	X509_STORE_CTX_free(sctx);
	X509_free(x);
	ERR_pop_to_mark();
	return rc;
}

/* Rows 6-9: names, signatures, validity times over certs[0..n). Returns 1 when one of them
 * decided the result, 0 when all passed. */
static int check_links(struct x509_chain_result *r, int64_t at)
{
	size_t n = r->ncerts;
	int decided = 1;

	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(r->certs[i].issuer, r->certs[i + 1].subject))
			return finish(r, X509_CHAIN_INCOMPLETE, (int)n,
				      "Chain is incomplete - issuer mismatch: certificate #%zu "
				      "(%.60s) is issued by"
				      " \"%.60s\" but the next certificate is \"%.60s\"",
				      i + 1, r->certs[i].common_name, r->certs[i].issuer,
				      r->certs[i + 1].subject) +
			       decided;
	for (size_t i = 0; i + 1 < n; i++)
		if (x509_verify_signed_by(&r->certs[i], &r->certs[i + 1]) != 1)
			return finish(r, X509_CHAIN_INVALID_SIGNATURE, (int)n,
				      "Signature of certificate #%zu (%.60s) does not verify with "
				      "the key of %.60s",
				      i + 1, r->certs[i].common_name, r->certs[i + 1].common_name) +
			       decided;
	for (size_t i = 0; i < n; i++)
		if (r->certs[i].valid_from > at)
			return finish(r, X509_CHAIN_NOT_YET_VALID, (int)n,
				      "Certificate #%zu in chain is not yet valid (%.60s)", i + 1,
				      r->certs[i].common_name) +
			       decided;
	for (size_t i = 0; i < n; i++)
		if (r->certs[i].valid_to < at)
			return finish(r, X509_CHAIN_EXPIRED, (int)n,
				      "Certificate #%zu in chain has expired (%.60s)", i + 1,
				      r->certs[i].common_name) +
			       decided;
	return 0;
}

/* Row 10 with the trust store: the chain ends below a root that is not stored. */
static int check_trusted_root(struct x509_chain_result *r, int64_t at)
{
	struct x509_cert_info *last = &r->certs[r->ncerts - 1], *root = &r->certs[r->ncerts];
	int sig_ok = 0, n = (int)r->ncerts;
	int found = trust_lookup(last, root, &sig_ok);

	if (found < 0)
		return found;
	if (!found)
		return finish(r, X509_CHAIN_INCOMPLETE, n,
			      "Chain is incomplete - the issuer of %.60s (\"%.80s\") is neither in "
			      "the chain nor in"
			      " the system trust store",
			      last->common_name, last->issuer);
	r->ncerts++;
	r->trusted_root = 1;
	if (!sig_ok)
		return finish(r, X509_CHAIN_INVALID_SIGNATURE, n + 1,
			      "Signature of %.60s does not verify with the trusted root %.60s",
			      last->common_name, root->common_name);
	if (root->valid_from > at)
		return finish(r, X509_CHAIN_NOT_YET_VALID, n + 1,
			      "Trusted root %.60s is not yet valid", root->common_name);
	if (root->valid_to < at)
		return finish(r, X509_CHAIN_EXPIRED, n + 1, "Trusted root %.60s has expired",
			      root->common_name);
	return finish(
	    r, X509_CHAIN_VALID, n + 1,
	    "Certificate chain is complete and valid (root %.60s from the system trust store)",
	    root->common_name);
}

static int check_chain(struct x509_chain_result *r, const char *chain, size_t chain_len,
		       const struct x509_chain_opts *o)
{
	struct x509_cert_info *last;
	size_t total;
	int rc;

	if (blank(chain, chain_len))
		return finish(r, X509_CHAIN_NO_CHAIN, 1,
			      "Certificate requires a chain but none provided");
	total = 1 + count_blocks(chain, chain_len);
	if (total > X509_CHAIN_MAX)
		return finish(r, X509_CHAIN_PARSE_ERROR, 0,
			      "Chain too long (%zu certificates). Maximum is %d.", total,
			      X509_CHAIN_MAX);
	if ((rc = parse_chain(chain, chain_len, r)))
		return rc;
	if (r->ncerts == 1)
		return finish(r, X509_CHAIN_PARSE_ERROR, 0,
			      "Failed to parse any certificate of the chain");
	if (check_links(r, o->at))
		return 0;
	last = &r->certs[r->ncerts - 1];
	if (strcmp(last->subject, last->issuer))
		return o->system_trust
			   ? check_trusted_root(r, o->at)
			   : finish(r, X509_CHAIN_VALID, (int)r->ncerts,
				    "Chain is valid (does not end at self-signed root)");
	if (x509_verify_signed_by(last, last) != 1)
		return finish(r, X509_CHAIN_INVALID_SIGNATURE, (int)r->ncerts,
			      "Self-signature of the root %.60s does not verify",
			      last->common_name);
	return finish(r, X509_CHAIN_VALID, (int)r->ncerts,
		      "Certificate chain is complete and valid");
}

int x509_chain_validate(const char *leaf_pem, size_t leaf_len, const char *chain_pem,
			size_t chain_len, const struct x509_chain_opts *opts,
			struct x509_chain_result *ret)
{
	struct x509_pem_block b;
	struct ck_error e;
	size_t pos = 0;
	int rc = 0, found = 0;

	memset(ret, 0, sizeof(*ret));
	ck_error_clear(&e);
	while (!found && x509_pem_next(leaf_pem, leaf_len, &pos, &b))
		found = !strcmp(b.label, "CERTIFICATE");
	rc = found ? block_info(&b, &ret->certs[0], &e) : CK_E_PARSE;
	if (rc == CK_E_NOMEM)
		return rc;
	if (rc)
		return finish(ret, X509_CHAIN_PARSE_ERROR, 0, "Failed to parse certificate: %.200s",
			      e.msg[0] ? e.msg : "no certificate block");
	ret->ncerts = 1;
	if (!strcmp(ret->certs[0].subject, ret->certs[0].issuer))
		rc = ret->certs[0].is_self_signed
			 ? finish(ret, X509_CHAIN_SELF_SIGNED, 1,
				  "Certificate is self-signed (no chain required)")
			 : finish(ret, X509_CHAIN_INVALID_SIGNATURE, 1,
				  "Certificate names itself as issuer but its self-signature does "
				  "not verify");
	else
		rc = check_chain(ret, chain_pem ? chain_pem : "", chain_pem ? chain_len : 0, opts);
	if (rc)
		x509_chain_result_release(ret);
	return rc;
}
