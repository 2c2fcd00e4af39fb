/*
 * http/query — percent-decoding, query-string and Cookie-header parsing (see query.h for the
 * rules). Pure functions; the only allocation is the one block per parsed query.
 */
#include "http/query.h"

#include <stdlib.h>
#include <string.h>

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int http_url_decode(const char *in, size_t n, int plus_is_space, char *out, size_t *ret_len)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '+' && plus_is_space) {
			out[o++] = ' ';
			continue;
		}
		if (c != '%') {
			out[o++] = (char)c;
			continue;
		}
		if (n - i < 3)
			return CK_E_PARSE;
		hi = hexval((unsigned char)in[i + 1]);
		lo = hexval((unsigned char)in[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return CK_E_PARSE;
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	if (ret_len)
		*ret_len = o;
	return 0;
}

/* Number of non-empty '&'-separated segments in raw[0..len). */
static size_t count_segments(const char *raw, size_t len)
{
	size_t i, n = 0, seglen = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || raw[i] == '&') {
			n += seglen > 0;
			seglen = 0;
		} else {
			seglen++;
		}
	}
	return n;
}

/* Decodes one segment "key[=value]" into the store at *pos and appends it to q->params. */
static int decode_segment(const char *seg, size_t seglen, struct http_query *q, size_t *pos)
{
	const char *eq = memchr(seg, '=', seglen);
	size_t klen = eq ? (size_t)(eq - seg) : seglen;
	struct http_param *p = &q->params[q->n];
	size_t outlen;
	int rc;

	p->key = q->store + *pos;
	rc = http_url_decode(seg, klen, 1, q->store + *pos, &outlen);
	if (rc < 0)
		return rc;
	*pos += outlen + 1;
	p->value = q->store + *pos;
	if (eq)
		rc = http_url_decode(eq + 1, seglen - klen - 1, 1, q->store + *pos, &outlen);
	else
		q->store[*pos] = '\0', outlen = 0;
	if (rc < 0)
		return rc;
	*pos += outlen + 1;
	q->n++;
	return 0;
}

static int parse_segments(const char *raw, size_t len, struct http_query *q)
{
	size_t i, start = 0, pos = 0;
	int rc;

	for (i = 0; i <= len; i++) {
		if (i < len && raw[i] != '&')
			continue;
		if (i > start) {
			rc = decode_segment(raw + start, i - start, q, &pos);
			if (rc < 0)
				return rc;
		}
		start = i + 1;
	}
	return 0;
}

int http_query_parse(const char *raw, size_t len, size_t max_params, struct http_query *ret,
		     struct ck_error *err)
{
	struct http_query q = {0};
	size_t nseg = count_segments(raw, len);
	int rc;

	if (nseg > max_params) {
		rc = ck_error_set(err, CK_E_TOOBIG, NULL, "Too many query parameters.");
		goto out;
	}
	/* each segment decodes to at most its own length plus two NULs */
	q.params = calloc(nseg ? nseg : 1, sizeof(*q.params));
	q.store = malloc(len + 2 * nseg + 1);
	if (!q.params || !q.store) {
		rc = ck_error_set(err, CK_E_NOMEM, NULL, "Out of memory.");
		goto free_query;
	}
	rc = parse_segments(raw, len, &q);
	if (rc < 0) {
		ck_error_set(err, rc, NULL, "Malformed percent-encoding in the query string.");
		goto free_query;
	}
	*ret = q;
	return 0;

free_query:
	http_query_release(&q);
out:
	return rc;
}

void http_query_release(struct http_query *q)
{
	if (!q)
		return;
	free(q->params);
	free(q->store);
	memset(q, 0, sizeof(*q));
}
