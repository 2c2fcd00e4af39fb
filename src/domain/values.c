/* domain/values — see values.h. */
#include "domain/values.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define FP_SHA256_BYTES 32
#define PROVIDER_FOLD_MAX 64 /* longer names are no known provider's: kept as free text */

int dom_value_fingerprint(const char *field, const char *in, struct strbuf *out,
			  struct ck_error *err)
{
	size_t digits = 0;

	for (const char *p = in; *p; p++) {
		/* a colon only between two whole bytes: "AB:CD" and "ABCD", never "A:BCD" or
		 * "AB::CD" */
		if (*p == ':' && digits && digits % 2 == 0 && isxdigit((unsigned char)p[1]) &&
		    p[-1] != ':')
			continue;
		if (!isxdigit((unsigned char)*p) || digits == 2 * FP_SHA256_BYTES)
			goto refuse;
		if (digits && digits % 2 == 0)
			strbuf_addch(out, ':');
		strbuf_addch(out, (char)toupper((unsigned char)*p));
		digits++;
	}
	if (!digits || digits == 2 * FP_SHA256_BYTES)
		return strbuf_result(out);
refuse:
	return ck_error_set(
	    err, CK_E_INVALID, field,
	    "Enter the SHA-256 fingerprint as 32 hex bytes, with or without colons.");
}

int dom_value_lower(const char *field, const char *in, struct strbuf *out, struct ck_error *err)
{
	(void)field;
	(void)err;
	for (const char *p = in; *p; p++)
		strbuf_addch(out, (char)tolower((unsigned char)*p));
	return strbuf_result(out);
}

/* Lower-case letters and digits only: "Let's Encrypt (Staging)" → "letsencryptstaging".
 * 0 when the name is too long to be a known one. */
static int fold_name(const char *in, char *out, size_t outsz)
{
	size_t o = 0;

	for (const char *p = in; *p; p++) {
		if (!isalnum((unsigned char)*p))
			continue;
		if (o + 1 >= outsz)
			return 0;
		out[o++] = (char)tolower((unsigned char)*p);
	}
	out[o] = '\0';
	return 1;
}

int dom_value_acme_provider(const char *field, const char *in, struct strbuf *out,
			    struct ck_error *err)
{
	/* folded spellings → the ACMEProvider enum value (reference §1.1) */
	static const struct {
		const char *folded, *value;
	} names[] = {
	    {"letsencrypt", "letsencrypt"},
	    {"letsencryptstaging", "letsencrypt_staging"},
	    {"zerossl", "zerossl"},
	    {"buypass", "buypass"},
	    {"google", "google"},
	    {"googletrustservices", "google"},
	    {"gts", "google"},
	    {"digicert", "digicert"},
	    {"sectigo", "sectigo"},
	    {"other", "other"},
	};
	char folded[PROVIDER_FOLD_MAX];
	const char *end;

	(void)field;
	(void)err;
	if (fold_name(in, folded, sizeof(folded)))
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(folded, names[i].folded))
				return strbuf_adds(out, names[i].value);
	while (isspace((unsigned char)*in))
		in++;
	for (end = in + strlen(in); end > in && isspace((unsigned char)end[-1]); end--)
		;
	return strbuf_add(out, in, (size_t)(end - in));
}

static int url_authority_char(unsigned char c)
{
	return isalnum(c) || strchr(".-:[]_@%~!$&'()*+,;=", c) || c >= 0x80;
}

int dom_value_http_url(const char *field, const char *in, struct strbuf *out, struct ck_error *err)
{
	size_t scheme = !strncasecmp(in, "https://", 8)	 ? 8
			: !strncasecmp(in, "http://", 7) ? 7
							 : 0;
	const char *host, *p;

	if (!*in)
		return 0;
	if (!scheme)
		goto refuse;
	for (p = in; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			goto refuse;
	host = in + scheme;
	for (p = host; *p && !strchr("/?#", *p); p++) {
		if (!url_authority_char((unsigned char)*p))
			goto refuse;
		if (*p == '@')
			host = p + 1; /* after user:password@ */
	}
	if (p == host || *host == ':')
		goto refuse;
	for (size_t i = 0; i < scheme; i++)
		strbuf_addch(out, (char)tolower((unsigned char)in[i]));
	strbuf_adds(out, in + scheme);
	return strbuf_result(out);
refuse:
	return ck_error_set(err, CK_E_INVALID, field, "Enter a valid URL.");
}

/* Dot-separated labels of letters, digits (or UTF-8 bytes) and inner hyphens. */
static int valid_domain(const char *d)
{
	size_t labels = 0, len = 0;

	for (const char *p = d;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.' || !c) {
			if (!len || p[-1] == '-')
				return 0;
			labels++;
			len = 0;
			if (!c)
				break;
			continue;
		}
		if (!(isalnum(c) || c >= 0x80 || (c == '-' && len)))
			return 0;
		len++;
	}
	return labels >= 2 || !strcasecmp(d, "localhost");
}

int dom_value_email(const char *field, const char *in, struct strbuf *out, struct ck_error *err)
{
	const char *at = strchr(in, '@');

	if (!*in)
		return 0;
	if (!at || at == in || strchr(at + 1, '@') || !valid_domain(at + 1))
		goto refuse;
	for (const char *p = in; p < at; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			goto refuse;
	strbuf_adds(out, in);
	return strbuf_result(out);
refuse:
	return ck_error_set(err, CK_E_INVALID, field, "Enter a valid email address.");
}
