/*
 * fuzz/fuzz_http_query — libFuzzer target for the pure parsers of http/query: query strings,
 * and percent-decoding. Checks properties, not just absence of crashes:
 *  1. a parsed query has at most MAXP params; failure codes match the input (PARSE needs a
 *     '%', TOOBIG needs more than MAXP non-empty segments);
 *  2. re-encoding the parsed params and parsing again gives the same params (round trip);
 *  3. decoding never grows the text, and without '%' (and '+') it is the identity;
 * Inputs are copied to exact-size heap buffers so ASan sees any read past the length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "http/query.h"

#define MAXP 16

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static size_t count_segments(const char *s, size_t n)
{
	size_t i, segs = 0, len = 0;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '&') {
			segs += len > 0;
			len = 0;
		} else {
			len++;
		}
	}
	return segs;
}

static void encode(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			strbuf_addch(sb, (char)c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

static void check_round_trip(const struct http_query *q)
{
	struct http_query q2 = {0};
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb, 0);
	for (i = 0; i < q->n; i++) {
		if (i)
			strbuf_addch(&sb, '&');
		encode(&sb, q->params[i].key);
		strbuf_addch(&sb, '=');
		encode(&sb, q->params[i].value);
	}
	CHECK(strbuf_result(&sb) == 0);
	CHECK(http_query_parse(strbuf_str(&sb), sb.len, MAXP, &q2, NULL) == 0);
	/* "=" alone (empty key and value) is a segment, so the count is preserved */
	CHECK(q2.n == q->n);
	for (i = 0; i < q->n; i++) {
		CHECK(strcmp(q2.params[i].key, q->params[i].key) == 0);
		CHECK(strcmp(q2.params[i].value, q->params[i].value) == 0);
	}
	http_query_release(&q2);
	strbuf_release(&sb);
}

static void fuzz_query(const char *raw, size_t n)
{
	struct http_query q = {0};
	struct ck_error err;
	int rc = http_query_parse(raw, n, MAXP, &q, &err);

	if (rc == CK_E_PARSE) {
		CHECK(memchr(raw, '%', n) != NULL);
		return;
	}
	if (rc == CK_E_TOOBIG) {
		CHECK(count_segments(raw, n) > MAXP);
		return;
	}
	CHECK(rc == 0);
	CHECK(q.n == count_segments(raw, n));
	CHECK(q.n <= MAXP);
	check_round_trip(&q);
	http_query_release(&q);
}

static void fuzz_decode(const char *raw, size_t n)
{
	char *out = malloc(n + 1);
	size_t len;

	if (!out)
		return;
	if (http_url_decode(raw, n, 0, out, &len) == 0) {
		CHECK(len <= n);
		CHECK(out[len] == '\0');
		if (!memchr(raw, '%', n))
			CHECK(len == n && memcmp(out, raw, n) == 0);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = malloc(size ? size : 1);

	if (!raw)
		return 0;
	memcpy(raw, data, size);
	fuzz_query(raw, size);
	fuzz_decode(raw, size);
	free(raw);
	return 0;
}
