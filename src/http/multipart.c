/*
 * http/multipart — multipart/form-data parser. See http/multipart.h for the accepted grammar
 * and limits.
 */
#include "http/multipart.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A read cursor over one header value. */
struct cur {
	const char *p, *end;
};

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static int is_tchar(char ch) { return ch > ' ' && ch < 127 && !strchr("()<>@,;:\\\"/[]?={}", ch); }

/* A token or quoted-string (backslash escapes) into out; CK_E_PARSE / CK_E_TOOBIG. */
static int read_value(struct cur *c, char *out, size_t outsz, struct ck_error *err)
{
	size_t n = 0;

	if (c->p < c->end && *c->p == '"') {
		for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
			if (*c->p == '\\' && c->p + 1 < c->end)
				c->p++;
			if (n + 1 >= outsz)
				return ck_error_set(err, CK_E_TOOBIG, NULL,
						    "Multipart parameter longer than %zu bytes.",
						    outsz - 1);
			out[n++] = *c->p;
		}
		if (c->p >= c->end)
			return ck_error_set(err, CK_E_PARSE, NULL,
					    "Unterminated quoted string in a multipart header.");
		c->p++;
	} else {
		for (; c->p < c->end && *c->p != ';' && *c->p != ' ' && *c->p != '\t'; c->p++) {
			if (n + 1 >= outsz)
				return ck_error_set(err, CK_E_TOOBIG, NULL,
						    "Multipart parameter longer than %zu bytes.",
						    outsz - 1);
			out[n++] = *c->p;
		}
	}
	out[n] = '\0';
	return 0;
}

/* Reads "; name=value" into name/value; 1 when a parameter was read, 0 at the end. */
static int next_param(struct cur *c, char name[32], char *value, size_t valsz, struct ck_error *err)
{
	size_t n = 0;
	int r;

	skip_ws(c);
	if (c->p >= c->end)
		return 0;
	if (*c->p != ';')
		return ck_error_set(err, CK_E_PARSE, NULL,
				    "Malformed parameters in a multipart header.");
	c->p++;
	skip_ws(c);
	while (c->p < c->end && is_tchar(*c->p) && n < 31)
		name[n++] = *c->p++;
	name[n] = '\0';
	skip_ws(c);
	if (!n || c->p >= c->end || *c->p != '=')
		return ck_error_set(err, CK_E_PARSE, NULL,
				    "Malformed parameters in a multipart header.");
	c->p++;
	skip_ws(c);
	r = read_value(c, value, valsz, err);
	return r ? r : 1;
}

/* Matches a leading case-insensitive word (the media type) and moves past it. */
static int take_word(struct cur *c, const char *word)
{
	size_t n = strlen(word);

	skip_ws(c);
	if ((size_t)(c->end - c->p) < n || strncasecmp(c->p, word, n))
		return 0;
	c->p += n;
	return c->p == c->end || *c->p == ';' || *c->p == ' ' || *c->p == '\t';
}

int multipart_boundary(const char *content_type, char *out, size_t outsz, struct ck_error *err)
{
	struct cur c = {content_type ? content_type : "", NULL};
	char name[32], value[MULTIPART_MAX_BOUNDARY + 2];
	int r;

	c.end = c.p + strlen(c.p);
	if (!take_word(&c, "multipart/form-data"))
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "Expected a multipart/form-data body.");
	while ((r = next_param(&c, name, value, sizeof(value), err)) == 1) {
		size_t n = strlen(value);
		if (strcasecmp(name, "boundary"))
			continue;
		if (!n || n > MULTIPART_MAX_BOUNDARY || n + 1 > outsz || value[n - 1] == ' ')
			return ck_error_set(err, CK_E_INVALID, NULL, "Invalid multipart boundary.");
		memcpy(out, value, n + 1);
		return 0;
	}
	if (r == CK_E_TOOBIG)
		return ck_error_set(err, CK_E_INVALID, NULL, "Invalid multipart boundary.");
	return r ? CK_E_INVALID
		 : ck_error_set(err, CK_E_INVALID, NULL,
				"Multipart Content-Type without a boundary.");
}

static int copy_field(char *dst, size_t dstsz, const char *src, size_t n, struct ck_error *err)
{
	if (n >= dstsz)
		return ck_error_set(err, CK_E_TOOBIG, NULL,
				    "Multipart header value longer than %zu bytes.", dstsz - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

static int disposition(struct cur *c, struct multipart_part *part, int *ret_named,
		       struct ck_error *err)
{
	char name[32], value[MULTIPART_MAX_NAME + 1];
	int r;

	if (!take_word(c, "form-data"))
		return ck_error_set(err, CK_E_PARSE, NULL, "Multipart part is not form-data.");
	while ((r = next_param(c, name, value, sizeof(value), err)) == 1) {
		if (!strcasecmp(name, "name")) {
			memcpy(part->name, value, sizeof(value));
			*ret_named = 1;
		} else if (!strcasecmp(name, "filename")) {
			memcpy(part->filename, value, sizeof(value));
			part->has_filename = 1;
		}
	}
	return r;
}

/* One header line (without CRLF). */
static int header_line(const char *line, size_t n, struct multipart_part *part, int *named,
		       struct ck_error *err)
{
	const char *colon = memchr(line, ':', n);
	struct cur c;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
			return ck_error_set(err, CK_E_PARSE, NULL,
					    "Control character in a multipart header.");
	if (!colon || colon == line)
		return ck_error_set(err, CK_E_PARSE, NULL, "Malformed multipart header line.");
	c.p = colon + 1;
	c.end = line + n;
	skip_ws(&c);
	while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t'))
		c.end--;
	if ((size_t)(colon - line) == 19 && !strncasecmp(line, "Content-Disposition", 19))
		return disposition(&c, part, named, err);
	if ((size_t)(colon - line) == 12 && !strncasecmp(line, "Content-Type", 12))
		return copy_field(part->content_type, sizeof(part->content_type), c.p,
				  (size_t)(c.end - c.p), err);
	return 0;
}

/* Parses the header block at *pos up to and including its empty line. */
static int part_headers(const char *body, size_t len, size_t *pos, struct multipart_part *part,
			struct ck_error *err)
{
	size_t start = *pos;
	int named = 0, r = 0;

	for (;;) {
		const char *eol = memmem(body + *pos, len - *pos, "\r\n", 2);
		size_t n;
		if (!eol)
			return ck_error_set(err, CK_E_PARSE, NULL,
					    "Multipart headers are not terminated.");
		n = (size_t)(eol - (body + *pos));
		if ((size_t)(eol - body) + 2 - start > MULTIPART_MAX_HEADER_BYTES)
			return ck_error_set(err, CK_E_TOOBIG, NULL,
					    "Multipart part headers exceed %d bytes.",
					    MULTIPART_MAX_HEADER_BYTES);
		if (!n) {
			*pos += 2;
			break;
		}
		r = header_line(body + *pos, n, part, &named, err);
		if (r)
			return r;
		*pos += n + 2;
	}
	if (!named || !part->name[0])
		return ck_error_set(err, CK_E_PARSE, NULL,
				    "Multipart part without a form-data name.");
	return 0;
}

/* Position just after the first delimiter line "--B", or CK_E_PARSE. */
static int first_delimiter(const char *body, size_t len, const char *delim, size_t dl, size_t *ret,
			   struct ck_error *err)
{
	const char *p;

	if (len >= dl && !memcmp(body, delim, dl)) {
		*ret = dl;
		return 0;
	}
	for (p = body; (p = memmem(p, len - (size_t)(p - body), "\r\n", 2)); p += 2) {
		if ((size_t)(body + len - p) >= dl + 2 && !memcmp(p + 2, delim, dl)) {
			*ret = (size_t)(p - body) + 2 + dl;
			return 0;
		}
	}
	return ck_error_set(err, CK_E_PARSE, NULL, "Multipart body without its boundary.");
}

/* After a delimiter: "--" closes (1), transport padding + CRLF opens a part (0). */
static int after_delimiter(const char *body, size_t len, size_t *pos, struct ck_error *err)
{
	if (len - *pos >= 2 && body[*pos] == '-' && body[*pos + 1] == '-')
		return 1;
	while (*pos < len && (body[*pos] == ' ' || body[*pos] == '\t'))
		(*pos)++;
	if (len - *pos < 2 || body[*pos] != '\r' || body[*pos + 1] != '\n')
		return ck_error_set(err, CK_E_PARSE, NULL, "Malformed multipart boundary line.");
	*pos += 2;
	return 0;
}

/* The next CRLF "--B" at or after pos that really is a delimiter line: followed by "--" or by
 * optional transport padding and CRLF (so data may contain "--B" followed by other text). */
static const char *find_delimiter(const char *body, size_t len, size_t pos, const char *delim,
				  size_t dl)
{
	for (const char *p = body + pos; (p = memmem(p, len - (size_t)(p - body), "\r\n", 2));
	     p += 2) {
		const char *q = p + 2 + dl, *end = body + len;
		if ((size_t)(end - p) < dl + 2 || memcmp(p + 2, delim, dl))
			continue;
		if (end - q >= 2 && q[0] == '-' && q[1] == '-')
			return p;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (end - q >= 2 && q[0] == '\r' && q[1] == '\n')
			return p;
	}
	return NULL;
}

static int parse_parts(const char *body, size_t len, const char *delim, size_t dl,
		       struct multipart *mp, struct ck_error *err)
{
	size_t pos = 0;
	int r = first_delimiter(body, len, delim, dl, &pos, err);

	while (!r && !(r = after_delimiter(body, len, &pos, err))) {
		struct multipart_part *part;
		const char *end;
		if (mp->nparts == MULTIPART_MAX_PARTS)
			return ck_error_set(err, CK_E_TOOBIG, NULL, "More than %d multipart parts.",
					    MULTIPART_MAX_PARTS);
		part = &mp->parts[mp->nparts];
		memset(part, 0, sizeof(*part));
		r = part_headers(body, len, &pos, part, err);
		if (r)
			return r;
		end = find_delimiter(body, len, pos, delim, dl);
		if (!end)
			return ck_error_set(err, CK_E_PARSE, NULL,
					    "Multipart body without its closing boundary.");
		part->data = body + pos;
		part->len = (size_t)(end - (body + pos));
		mp->nparts++;
		pos = (size_t)(end - body) + 2 + dl;
	}
	return r < 0 ? r : 0;
}

int multipart_parse(const char *content_type, const char *body, size_t len, struct multipart *ret,
		    struct ck_error *err)
{
	char boundary[MULTIPART_MAX_BOUNDARY + 1], delim[MULTIPART_MAX_BOUNDARY + 3];
	struct multipart tmp; /* ret is written only on success */
	int r = multipart_boundary(content_type, boundary, sizeof(boundary), err);

	if (r)
		return r;
	snprintf(delim, sizeof(delim), "--%s", boundary);
	tmp.nparts = 0;
	r = parse_parts(body ? body : "", body ? len : 0, delim, strlen(delim), &tmp, err);
	if (!r)
		*ret = tmp;
	return r;
}

const struct multipart_part *multipart_find(const struct multipart *mp, const char *name)
{
	for (size_t i = 0; i < mp->nparts; i++)
		if (!strcmp(mp->parts[i].name, name))
			return &mp->parts[i];
	return NULL;
}
