/* x509/pem — PEM block scanner, base64, private-key header detection. See pem.h. */
#include "x509/pem.h"
#include "core/error.h"
#include "core/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char dashes[] = "-----";

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Position of `needle` in text[from..len), or len when absent. */
static size_t find(const char *text, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	if (from >= len || len - from < n)
		return len;
	p = memmem(text + from, len - from, needle, n);
	return p ? (size_t)(p - text) : len;
}

/* Reads the label after "-----BEGIN " at text[at]; on success stores it and returns the offset
 * just past the closing "-----", else 0. */
static size_t read_label(const char *text, size_t len, size_t at, char *label)
{
	size_t end = find(text, len, at, dashes);
	size_t n = end - at;

	if (end == len || n == 0 || n > X509_PEM_LABEL_MAX || memchr(text + at, '\n', n))
		return 0;
	memcpy(label, text + at, n);
	label[n] = '\0';
	return end + 5;
}

int x509_pem_next(const char *text, size_t len, size_t *pos, struct x509_pem_block *ret_block)
{
	char label[X509_PEM_LABEL_MAX + 1], endmark[X509_PEM_LABEL_MAX + 16];
	size_t at = *pos;

	for (;;) {
		size_t b = find(text, len, at, "-----BEGIN "), body, e;

		if (b == len)
			return 0;
		at = b + 1;
		body = read_label(text, len, b + 11, label);
		if (!body)
			continue;
		snprintf(endmark, sizeof(endmark), "-----END %s-----", label);
		e = find(text, len, body, endmark);
		if (e == len)
			continue;
		ret_block->begin = text + b;
		ret_block->len = e + strlen(endmark) - b;
		ret_block->body = text + body;
		ret_block->body_len = e - body;
		memcpy(ret_block->label, label, sizeof(label));
		*pos = e + strlen(endmark);
		return 1;
	}
}

/* Matches `\s+(?:\w+\s+)*PRIVATE\s+KEY-----` (case-insensitive) at text[at]. */
static int key_header_at(const char *text, size_t len, size_t at)
{
	const char *prev = NULL, *word;
	size_t prevlen = 0, wlen;

	if (at >= len || !is_space((unsigned char)text[at]))
		return 0;
	for (;;) {
		while (at < len && is_space((unsigned char)text[at]))
			at++;
		word = text + at;
		while (at < len && is_word((unsigned char)text[at]))
			at++;
		wlen = (size_t)(text + at - word);
		if (wlen == 0)
			return 0;
		if (len - at >= 5 && !memcmp(text + at, dashes, 5))
			return wlen == 3 && !strncasecmp(word, "KEY", 3) && prev && prevlen == 7 &&
			       !strncasecmp(prev, "PRIVATE", 7);
		if (at >= len || !is_space((unsigned char)text[at]))
			return 0;
		prev = word;
		prevlen = wlen;
	}
}

int x509_pem_has_private_key(const char *text, size_t len)
{
	for (size_t i = 0; i + 10 <= len; i++) {
		if (text[i] != '-' || strncasecmp(text + i, "-----BEGIN", 10))
			continue;
		if (key_header_at(text, len, i + 10))
			return 1;
	}
	return 0;
}

static const signed char b64val[256] = {
    ['A'] = 1,	['B'] = 2,  ['C'] = 3,	['D'] = 4,  ['E'] = 5,	['F'] = 6,  ['G'] = 7,	['H'] = 8,
    ['I'] = 9,	['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
}; /* value + 1; 0 = not in the alphabet */

/* True when der (the first n bytes of a DER object, n >= X509_KEYSNIFF_BYTES or the whole
 * object) starts like private-key material: PKCS#8 PrivateKeyInfo / OneAsymmetricKey
 * (SEQUENCE { INTEGER 0|1, SEQUENCE }), PKCS#1 RSA / DSA (SEQUENCE { INTEGER 0, INTEGER }),
 * SEC1 EC (SEQUENCE { INTEGER 1, OCTET STRING }), PKCS#12 PFX (SEQUENCE { INTEGER 3,
 * SEQUENCE { OID } }), EncryptedPrivateKeyInfo (SEQUENCE { SEQUENCE { OID pkcs-5 | pkcs-12 PBE }
 * }), or an OpenSSH key ("openssh-key-v1\0"). Certificates (SEQUENCE { SEQUENCE { [0] ... } }),
 * CSRs (SEQUENCE { SEQUENCE { INTEGER 0, ... } }), public keys (SEQUENCE { SEQUENCE { OID
 * pkcs-1/ecPublicKey } }) and PKCS#7 (SEQUENCE { OID }) do not match. */
static int der_is_private_key(const unsigned char *d, size_t n)
{
	static const unsigned char pkcs5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05};
	static const unsigned char pkcs12pbe[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
						  0x0d, 0x01, 0x0c, 0x01};
	size_t i, j;

	if (n >= 15 && !memcmp(d, "openssh-key-v1", 15))
		return 1;
	if (n < 9 || d[0] != 0x30)
		return 0;
	i = d[1] < 0x80 ? 2 : d[1] >= 0x81 && d[1] <= 0x83 ? 2 + (size_t)(d[1] & 0x7f) : 0;
	if (!i || i + 4 > n)
		return 0;
	if (d[i] == 0x02 && d[i + 1] == 0x01) {
		unsigned char v = d[i + 2], next = d[i + 3];
		/* after the version, a SEQUENCE must begin with an OID (PKCS#8's
		 * AlgorithmIdentifier, PFX's ContentInfo): a CSR's CertificationRequestInfo
		 * (INTEGER 0, Name) does not */
		if (next == 0x30) {
			size_t k = i + 4 < n && d[i + 4] < 0x80 ? i + 5
				   : i + 4 < n && d[i + 4] >= 0x81 && d[i + 4] <= 0x83
				       ? i + 5 + (d[i + 4] & 0x7f)
				       : n;
			return (v <= 1 || v == 3) && k < n && d[k] == 0x06;
		}
		return v <= 1 && (next == 0x02 || next == 0x04);
	}
	if (d[i] != 0x30)
		return 0;
	j = d[i + 1] < 0x80			   ? i + 2
	    : d[i + 1] >= 0x81 && d[i + 1] <= 0x83 ? i + 2 + (d[i + 1] & 0x7f)
						   : 0;
	if (!j || j + 2 + sizeof(pkcs12pbe) > n || d[j] != 0x06 || d[j + 1] < sizeof(pkcs5))
		return 0;
	return !memcmp(d + j + 2, pkcs5, sizeof(pkcs5)) ||
	       (d[j + 1] >= sizeof(pkcs12pbe) && !memcmp(d + j + 2, pkcs12pbe, sizeof(pkcs12pbe)));
}

#define KEYSNIFF_CHARS 64 /* base64 characters decoded at a candidate start (48 bytes) */
#define KEYSNIFF_MIN 40	  /* shortest run worth a look: a PKCS#8 Ed25519 key is 64 characters */

/* Decodes up to KEYSNIFF_CHARS base64 characters from text[at] (whitespace skipped, stops at
 * anything else) and sniffs them. */
static int base64_run_is_key(const char *text, size_t len, size_t at)
{
	unsigned char out[KEYSNIFF_CHARS / 4 * 3];
	uint32_t acc = 0;
	size_t chars = 0, n = 0;

	for (size_t i = at; i < len && chars < KEYSNIFF_CHARS; i++) {
		unsigned char c = (unsigned char)text[i];
		if (is_space(c))
			continue;
		if (!b64val[c])
			break;
		acc = acc << 6 | (uint32_t)(b64val[c] - 1);
		if (++chars % 4 == 0) {
			out[n++] = (unsigned char)(acc >> 16);
			out[n++] = (unsigned char)(acc >> 8);
			out[n++] = (unsigned char)acc;
		}
	}
	return chars >= KEYSNIFF_MIN && der_is_private_key(out, n);
}

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* The same for hex ("30 82 04 bd 02 01 00 ..." with optional ':' or whitespace separators). */
static int hex_run_is_key(const char *text, size_t len, size_t at)
{
	unsigned char out[KEYSNIFF_CHARS / 4 * 3];
	size_t n = 0, i = at;

	while (i + 1 < len && n < sizeof(out)) {
		int hi = hexval((unsigned char)text[i]), lo = hexval((unsigned char)text[i + 1]);
		if (hi < 0 || lo < 0)
			break;
		out[n++] = (unsigned char)(hi << 4 | lo);
		i += 2;
		while (i < len && (text[i] == ':' || is_space((unsigned char)text[i])))
			i++;
	}
	return n >= KEYSNIFF_MIN / 2 && der_is_private_key(out, n);
}

int x509_text_has_private_key(const char *text, size_t len)
{
	if (x509_pem_has_private_key(text, len) ||
	    der_is_private_key((const unsigned char *)text, len))
		return 1;
	/* A DER object starts with 0x30 (base64 'M', hex "30"); "openssh-key-v1" encodes as
	 * "b3Bl" (hex "6f 70"). Every such position is tried, aligned or not: the structural test
	 * is strict enough that random base64 (a certificate body) does not pass it. */
	for (size_t i = 0; i + 4 <= len; i++) {
		char c = text[i];
		if ((c == 'M' || (c == 'b' && !memcmp(text + i, "b3Bl", 4))) &&
		    base64_run_is_key(text, len, i))
			return 1;
		if (((c == '3' && text[i + 1] == '0') ||
		     (c == '6' && (text[i + 1] | 0x20) == 'f')) &&
		    hex_run_is_key(text, len, i))
			return 1;
	}
	return 0;
}

int x509_base64_decode(const char *in, size_t len, unsigned char **ret, size_t *ret_len)
{
	unsigned char *out = malloc(len / 4 * 3 + 3);
	uint32_t acc = 0;
	size_t n = 0, pad = 0, chars = 0;
	int rc = CK_E_PARSE;

	if (!out)
		return CK_E_NOMEM;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (is_space(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (!b64val[c] || pad)
			goto free_out;
		acc = acc << 6 | (uint32_t)(b64val[c] - 1);
		if (++chars % 4 == 0) {
			out[n++] = (unsigned char)(acc >> 16);
			out[n++] = (unsigned char)(acc >> 8);
			out[n++] = (unsigned char)acc;
		}
	}
	if (chars % 4 == 1 || pad > 2 || (pad && (chars + pad) % 4))
		goto free_out;
	if (chars % 4 == 2) {
		out[n++] = (unsigned char)(acc >> 4);
	} else if (chars % 4 == 3) {
		out[n++] = (unsigned char)(acc >> 10);
		out[n++] = (unsigned char)(acc >> 2);
	}
	*ret = out;
	*ret_len = n;
	return 0;
free_out:
	free(out);
	return rc;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void encode_group(const unsigned char *p, size_t n, char out[4])
{
	uint32_t v = (uint32_t)p[0] << 16 | (n > 1 ? (uint32_t)p[1] << 8 : 0) | (n > 2 ? p[2] : 0);

	out[0] = b64chars[v >> 18 & 63];
	out[1] = b64chars[v >> 12 & 63];
	out[2] = n > 1 ? b64chars[v >> 6 & 63] : '=';
	out[3] = n > 2 ? b64chars[v & 63] : '=';
}

int x509_pem_encode(const char *label, const unsigned char *der, size_t len, char **ret)
{
	struct strbuf sb;
	char group[4];
	int rc;

	strbuf_init(&sb, 0);
	strbuf_grow(&sb, len / 3 * 4 + len / 48 + 2 * strlen(label) + 48);
	strbuf_addf(&sb, "-----BEGIN %s-----\n", label);
	for (size_t i = 0; i < len; i += 3) {
		encode_group(der + i, len - i < 3 ? len - i : 3, group);
		strbuf_add(&sb, group, 4);
		if ((i / 3 + 1) % 16 == 0 || i + 3 >= len)
			strbuf_addch(&sb, '\n');
	}
	strbuf_addf(&sb, "-----END %s-----", label);
	rc = strbuf_result(&sb);
	if (rc == 0) {
		*ret = strbuf_take(&sb, NULL);
		rc = *ret ? 0 : CK_E_NOMEM;
	}
	strbuf_release(&sb);
	return rc;
}
