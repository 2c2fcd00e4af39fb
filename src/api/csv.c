/* api/csv — see api/csv.h. */
#include "api/csv.h"

#include <string.h>

void csv_reader_init(struct csv_reader *r, const char *s, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->len = len;
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		r->pos = 3;
	strbuf_init(&r->buf, len + CSV_MAX_FIELDS + 1);
}

void csv_reader_release(struct csv_reader *r) { strbuf_release(&r->buf); }

static int at_eol(const struct csv_reader *r)
{
	return r->pos >= r->len || r->s[r->pos] == '\n' || r->s[r->pos] == '\r';
}

static void skip_eol(struct csv_reader *r)
{
	if (r->pos < r->len && r->s[r->pos] == '\r')
		r->pos++;
	if (r->pos < r->len && r->s[r->pos] == '\n')
		r->pos++;
}

/* One field at r->pos into the buffer (NUL-terminated); stops before ',' or the line end.
 * A '"' opens a quoted section only as the field's first character. */
static int read_field(struct csv_reader *r, struct ck_error *err)
{
	int quoted = 0;

	if (r->pos < r->len && r->s[r->pos] == '"') {
		quoted = 1;
		r->pos++;
	}
	while (r->pos < r->len) {
		char c = r->s[r->pos];
		if (quoted) {
			r->pos++;
			if (c == '"' && r->pos < r->len && r->s[r->pos] == '"')
				r->pos++;
			else if (c == '"') {
				quoted = 0;
				continue;
			}
			strbuf_addch(&r->buf, c);
			continue;
		}
		if (c == ',' || c == '\n' || c == '\r')
			break;
		r->pos++;
		strbuf_addch(&r->buf, c);
	}
	if (quoted)
		return ck_error_set(
		    err, CK_E_PARSE, NULL,
		    "Cannot parse CSV: unexpected end of data inside a quoted field");
	strbuf_addch(&r->buf, '\0');
	return strbuf_result(&r->buf);
}

int csv_read(struct csv_reader *r, const char *fields[CSV_MAX_FIELDS], size_t *ret_n,
	     struct ck_error *err)
{
	size_t n = 0;
	int rc;

	while (r->pos < r->len && (r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
		skip_eol(r); /* blank lines */
	if (r->pos >= r->len)
		return 0;
	strbuf_reset(&r->buf);
	for (;;) {
		if (n == CSV_MAX_FIELDS)
			return ck_error_set(err, CK_E_TOOBIG, NULL,
					    "Cannot parse CSV: more than %d fields in a row",
					    CSV_MAX_FIELDS);
		r->offs[n++] = r->buf.len;
		rc = read_field(r, err);
		if (rc)
			return rc;
		if (at_eol(r))
			break;
		r->pos++; /* ',' */
	}
	skip_eol(r);
	for (size_t i = 0; i < n; i++)
		fields[i] = r->buf.buf + r->offs[i];
	*ret_n = n;
	return 1;
}
