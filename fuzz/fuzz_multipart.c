/*
 * fuzz/fuzz_multipart — libFuzzer target for http/multipart (the import-file body parser).
 * Input: the Content-Type header value, '\n', then the body. Checks properties, not just the
 * absence of crashes:
 *  1. success gives at most MULTIPART_MAX_PARTS parts, each with a non-empty name within
 *     MULTIPART_MAX_NAME, no control characters in names, and data inside the body buffer;
 *  2. re-encoding the parts with the same boundary and parsing again gives the same parts
 *     (names, filenames, content types, data) — the round trip;
 *  3. failure leaves the output untouched and explains itself (err.msg non-empty).
 * The body is copied to an exact-size heap buffer so ASan sees any read past its length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"
#include "core/strbuf.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void add_quoted(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

static void check_part(const struct multipart_part *p, const char *body, size_t len)
{
	CHECK(p->name[0] != '\0');
	CHECK(strlen(p->name) <= MULTIPART_MAX_NAME && strlen(p->filename) <= MULTIPART_MAX_NAME);
	for (const char *c = p->name; *c; c++)
		CHECK((unsigned char)*c >= 0x20 || *c == '\t');
	CHECK(p->data >= body && p->data + p->len <= body + len);
	CHECK(p->has_filename || p->filename[0] == '\0');
}

static void round_trip(const char *ct, const struct multipart *mp)
{
	char boundary[MULTIPART_MAX_BOUNDARY + 1];
	struct strbuf body, ct2;
	struct multipart again;
	struct ck_error err;

	CHECK(multipart_boundary(ct, boundary, sizeof(boundary), &err) == 0);
	strbuf_init(&body, 0);
	strbuf_init(&ct2, 0);
	strbuf_adds(&ct2, "multipart/form-data; boundary=");
	add_quoted(&ct2, boundary);
	for (size_t i = 0; i < mp->nparts; i++) {
		const struct multipart_part *p = &mp->parts[i];
		strbuf_addf(&body, "--%s\r\nContent-Disposition: form-data; name=", boundary);
		add_quoted(&body, p->name);
		if (p->has_filename) {
			strbuf_adds(&body, "; filename=");
			add_quoted(&body, p->filename);
		}
		if (p->content_type[0])
			strbuf_addf(&body, "\r\nContent-Type: %s", p->content_type);
		strbuf_adds(&body, "\r\n\r\n");
		strbuf_add(&body, p->data, p->len);
		strbuf_adds(&body, "\r\n");
	}
	strbuf_addf(&body, "--%s--\r\n", boundary);
	CHECK(!strbuf_result(&body) && !strbuf_result(&ct2));
	CHECK(multipart_parse(strbuf_str(&ct2), strbuf_str(&body), body.len, &again, &err) == 0);
	CHECK(again.nparts == mp->nparts);
	for (size_t i = 0; i < mp->nparts; i++) {
		const struct multipart_part *a = &mp->parts[i], *b = &again.parts[i];
		CHECK(!strcmp(a->name, b->name) && !strcmp(a->filename, b->filename));
		CHECK(a->has_filename == b->has_filename &&
		      !strcmp(a->content_type, b->content_type));
		CHECK(a->len == b->len && !memcmp(a->data, b->data, a->len));
	}
	strbuf_release(&body);
	strbuf_release(&ct2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : size;
	size_t blen = nl ? size - ctlen - 1 : 0;
	char *ct = malloc(ctlen + 1), *body = malloc(blen ? blen : 1);
	struct multipart *mp = malloc(sizeof(*mp));
	struct ck_error err;
	int rc;

	CHECK(ct && body && mp);
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	if (blen)
		memcpy(body, nl + 1, blen);
	mp->nparts = 12345;
	ck_error_clear(&err);
	rc = multipart_parse(ct, body, blen, mp, &err);
	if (rc) {
		CHECK(rc == CK_E_PARSE || rc == CK_E_INVALID || rc == CK_E_TOOBIG);
		CHECK(err.msg[0] != '\0' && mp->nparts == 12345);
	} else {
		CHECK(mp->nparts <= MULTIPART_MAX_PARTS);
		for (size_t i = 0; i < mp->nparts; i++)
			check_part(&mp->parts[i], body, blen);
		if (strlen(ct) == ctlen) /* no NUL inside the header value */
			round_trip(ct, mp);
	}
	free(mp);
	free(body);
	free(ct);
	return 0;
}
