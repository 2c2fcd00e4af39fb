/*
 * http/query — pure parsers for the parts of a request line and headers that this layer
 * decodes itself: percent-decoding, the query string (order and repeats preserved), and the
 * Cookie header. No libmicrohttpd, no globals: every function is thread-safe and fuzzable
 * (fuzz/fuzz_http_query.c).
 *
 * Query-string rules (application/x-www-form-urlencoded, as Django/NetBox read it):
 *  1. Parameters are separated by '&'; empty segments ("a=1&&b=2", a trailing '&') are skipped.
 *  2. A segment splits at its FIRST '='; a segment without '=' is a key with value "".
 *     An empty key ("=x") is kept as key "".
 *  3. '+' decodes to a space; "%XX" (hex, either case) to that byte. A '%' not followed by two
 *     hex digits, or "%00" (which a C string cannot carry), is an error (CK_E_PARSE).
 *  4. At most `max_params` parameters; one more is CK_E_TOOBIG.
 *
 * Lifecycle of a parsed query: http_query_parse() fills a caller-owned `struct http_query`;
 * http_query_release() frees what it holds (accepts a zeroed or released struct).
 */
#ifndef CK_HTTP_QUERY_H
#define CK_HTTP_QUERY_H

#include <stddef.h>

#include "core/error.h"
#include "http/http.h"

struct http_query {
	struct http_param *params; /* n entries; keys/values point into `store` */
	size_t n;
	char *store; /* one allocation holding every decoded key and value */
};

/* Percent-decodes `n` bytes of `in` into `out` (room for at least n + 1 bytes; the result is
 * NUL-terminated and never longer than the input). When `plus_is_space`, '+' becomes ' '
 * (query strings); otherwise '+' is kept (paths). On success writes *ret_len (may be NULL)
 * and returns 0; CK_E_PARSE on a malformed escape or "%00" (out is then unspecified). */
int http_url_decode(const char *in, size_t n, int plus_is_space, char *out, size_t *ret_len);

/* Parses the raw query string `raw` (`len` bytes, without the '?') by the rules above.
 * On success fills *ret (caller releases with http_query_release()) and returns 0.
 * Errors: CK_E_PARSE (bad percent-encoding), CK_E_TOOBIG (more than max_params),
 * CK_E_NOMEM; `err` (optional) gets a message fit for a {"detail"} body. */
int http_query_parse(const char *raw, size_t len, size_t max_params, struct http_query *ret,
		     struct ck_error *err);

/* Frees the parameters and their storage; the struct is left zeroed. NULL accepted. */
void http_query_release(struct http_query *q);

#endif
