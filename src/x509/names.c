/* x509/names — serial, fingerprint and DN text forms and their normalisation. See names.h. */
#include "x509/names.h"
#include "x509/internal.h"
#include "core/error.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define SERIAL_HEX_MAX 128 /* longest serial compared by x509_serial_equal (RFC 5280: 40) */

static const char hexdig[] = "0123456789ABCDEF";

void x509_hex_colon(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		*out++ = hexdig[p[i] >> 4];
		*out++ = hexdig[p[i] & 15];
		if (i + 1 < n)
			*out++ = ':';
	}
	*out = '\0';
}

int x509_serial_format(const ASN1_INTEGER *serial, char **ret)
{
	static const unsigned char zero = 0;
	const unsigned char *p = ASN1_STRING_get0_data(serial);
	size_t n = (size_t)ASN1_STRING_length(serial);
	int neg = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER;
	char *out;

	while (n > 1 && p[0] == 0) { /* c2i output is minimal already; be defensive */
		p++;
		n--;
	}
	if (n == 0) {
		p = &zero;
		n = 1;
	}
	out = malloc(3 * n + 1);
	if (!out)
		return CK_E_NOMEM;
	out[0] = '-';
	x509_hex_colon(p, n, out + (neg && !(n == 1 && p[0] == 0)));
	*ret = out;
	return 0;
}

/* Appends `s` escaped as an RFC 4514 attribute value (see names.h). */
static void add_escaped(struct strbuf *sb, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f) {
			strbuf_addf(sb, "\\%02X", c);
			continue;
		}
		if (strchr(",+\"\\<>;", c) || (i == 0 && (c == '#' || c == ' ')) ||
		    (i + 1 == n && c == ' '))
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, (char)c);
	}
}

/* "#" + upper-case hex of the DER encoding of the value. */
static int add_dump(struct strbuf *sb, const ASN1_STRING *v)
{
	ASN1_TYPE t = {.type = ASN1_STRING_type(v)};
	unsigned char *der = NULL;
	int n;

	t.value.asn1_string = (ASN1_STRING *)v;
	n = i2d_ASN1_TYPE(&t, &der);
	if (n < 0)
		return CK_E_PARSE;
	strbuf_addch(sb, '#');
	for (int i = 0; i < n; i++) {
		strbuf_addch(sb, hexdig[der[i] >> 4]);
		strbuf_addch(sb, hexdig[der[i] & 15]);
	}
	OPENSSL_free(der);
	return 0;
}

static int is_ascii(const unsigned char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (p[i] & 0x80)
			return 0;
	return 1;
}

static int add_value(struct strbuf *sb, const ASN1_STRING *v, int known_attr)
{
	const unsigned char *p = ASN1_STRING_get0_data(v);
	int type = ASN1_STRING_type(v), n = ASN1_STRING_length(v);
	unsigned char *utf8 = NULL;

	if (!known_attr)
		return add_dump(sb, v);
	if ((type == V_ASN1_PRINTABLESTRING || type == V_ASN1_UTF8STRING ||
	     type == V_ASN1_IA5STRING) &&
	    is_ascii(p, n)) {
		add_escaped(sb, p, (size_t)n); /* fast path: the bytes are the UTF-8 */
		return 0;
	}
	n = ASN1_STRING_to_UTF8(&utf8, v);
	if (n < 0)
		return add_dump(sb, v);
	add_escaped(sb, utf8, (size_t)n);
	OPENSSL_free(utf8);
	return 0;
}

static int add_entry(struct strbuf *sb, const X509_NAME_ENTRY *ent)
{
	const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(ent);
	int nid = OBJ_obj2nid(obj);
	char oid[128];

	if (nid != NID_undef) {
		strbuf_adds(sb, OBJ_nid2sn(nid));
	} else {
		OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		strbuf_adds(sb, oid);
	}
	strbuf_addch(sb, '=');
	return add_value(sb, X509_NAME_ENTRY_get_data(ent), nid != NID_undef);
}

int x509_name_format(const X509_NAME *name, char **ret)
{
	int n = X509_NAME_entry_count(name), prev_set = -1, rc = 0;
	struct strbuf sb;

	strbuf_init(&sb, 0);
	strbuf_grow(&sb, 128);
	for (int i = n - 1; i >= 0 && rc == 0; i--) {
		const X509_NAME_ENTRY *ent = X509_NAME_get_entry(name, i);
		int set = X509_NAME_ENTRY_set(ent);

		if (i != n - 1)
			strbuf_adds(&sb, set == prev_set ? "+" : ", ");
		prev_set = set;
		rc = add_entry(&sb, ent);
	}
	if (rc == 0)
		rc = strbuf_result(&sb);
	if (rc == 0) {
		*ret = strbuf_take(&sb, NULL);
		rc = *ret ? 0 : CK_E_NOMEM;
	}
	strbuf_release(&sb);
	return rc;
}

int x509_name_first(const X509_NAME *name, int nid, char **ret)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1), n;
	unsigned char *utf8 = NULL;
	char *out;

	if (i < 0)
		return CK_E_NOTFOUND;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n < 0)
		return CK_E_NOTFOUND;
	out = strndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	if (!out)
		return CK_E_NOMEM;
	*ret = out;
	return 0;
}

int x509_serial_normalize(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	int neg = 0, prev_colon = 1, digits = 0;

	if (!in)
		return CK_E_INVALID;
	if (*in == '-') {
		neg = 1;
		in++;
	}
	for (const char *p = in; *p; p++) {
		if (*p == ':') {
			if (prev_colon)
				return CK_E_INVALID;
			prev_colon = 1;
			continue;
		}
		if (!isxdigit((unsigned char)*p))
			return CK_E_INVALID;
		prev_colon = 0;
		digits++;
		if (o == 0 && *p == '0')
			continue; /* leading zero */
		if (o == 0 && neg) {
			if (outsz < 2)
				return CK_E_TOOBIG;
			out[o++] = '-';
		}
		if (o + 1 >= outsz)
			return CK_E_TOOBIG;
		out[o++] = (char)toupper((unsigned char)*p);
	}
	if (!digits || (prev_colon && *in))
		return CK_E_INVALID;
	if (o == 0) {
		if (outsz < 2)
			return CK_E_TOOBIG;
		out[o++] = '0';
	}
	out[o] = '\0';
	return 0;
}

int x509_serial_equal(const char *a, const char *b)
{
	char na[SERIAL_HEX_MAX + 2], nb[SERIAL_HEX_MAX + 2];

	if (x509_serial_normalize(a, na, sizeof(na)) || x509_serial_normalize(b, nb, sizeof(nb)))
		return 0;
	return !strcmp(na, nb);
}

/* Appends c to out (outsz bytes, keeping room for the NUL); counts what did not fit. */
static void put(char *out, size_t outsz, size_t *o, size_t *lost, int c)
{
	if (*o + 1 < outsz)
		out[(*o)++] = (char)c;
	else
		(*lost)++;
}

int x509_dn_normalize(const char *dn, char *out, size_t outsz)
{
	size_t o = 0, lost = 0;
	int pending_space = 0, after_sep = 1;

	if (outsz == 0)
		return CK_E_TOOBIG;
	for (const char *p = dn; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (isspace(c)) {
			pending_space = 1;
			continue;
		}
		if (c == ',' || c == '+' || c == '=') {
			pending_space = 0;
			after_sep = 1;
			put(out, outsz, &o, &lost, c);
			continue;
		}
		if (pending_space && !after_sep)
			put(out, outsz, &o, &lost, ' ');
		pending_space = 0;
		after_sep = 0;
		put(out, outsz, &o, &lost, tolower(c));
		if (c == '\\' && p[1])
			put(out, outsz, &o, &lost, tolower((unsigned char)*++p));
	}
	out[o] = '\0';
	return lost ? CK_E_TOOBIG : 0;
}
