/*
 * domain/values — normalisers for the values users paste into certificate fields: each takes
 * what a client sent and either writes the stored form or refuses it with a field message.
 * They make the API as lenient as the seeds are (issue 13): a SHA-256 fingerprint with or
 * without colons in any case, "DNS-01", "Let's Encrypt"; and as strict as the reference's
 * model validators for URLs and e-mail addresses.
 *
 * Shape of every normaliser: `in` is NUL-terminated text; on success the stored form is
 * appended to `out` (which the caller owns and passes empty) and 0 is returned; on refusal
 * CK_E_INVALID with err->field = `field` and a DRF-style message, and `out` is undefined.
 * An empty `in` means "unset" and is kept as "" by all of them. Pure functions: thread-safe.
 */
#ifndef CK_DOMAIN_VALUES_H
#define CK_DOMAIN_VALUES_H

#include "core/error.h"
#include "core/strbuf.h"

/* SHA-256 fingerprint: 64 hex digits, optionally as colon-separated pairs, any case →
 * upper-case colon hex ("AB:CD:...", 95 characters). */
int dom_value_fingerprint(const char *field, const char *in, struct strbuf *out,
			  struct ck_error *err);

/* ASCII lower case (for choices spelled upper case by users, e.g. "DNS-01" → "dns-01"). */
int dom_value_lower(const char *field, const char *in, struct strbuf *out, struct ck_error *err);

/* ACME provider: a known provider's name in any spelling ("Let's Encrypt", "ZeroSSL",
 * "Google Trust Services", "letsencrypt_staging") → its enum value (dom_acme_providers);
 * any other text is kept as written (trimmed), as seed 004's free-text field. */
int dom_value_acme_provider(const char *field, const char *in, struct strbuf *out,
			    struct ck_error *err);

/* An http:// or https:// URL with a host and no whitespace or control characters; kept as
 * written (the scheme lower-cased). */
int dom_value_http_url(const char *field, const char *in, struct strbuf *out, struct ck_error *err);

/* An e-mail address: one '@', a local part without whitespace, a domain of dot-separated
 * letter/digit/hyphen labels (at least two labels, or "localhost"); kept as written. */
int dom_value_email(const char *field, const char *in, struct strbuf *out, struct ck_error *err);

#endif
