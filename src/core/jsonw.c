/* core/jsonw — see jsonw.h for the contract. */
#include "core/jsonw.h"
#include "core/parse.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonw_init(struct jsonw *w, struct strbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
}

/* Emits the separator a new value or key needs at the current level. */
static void before_item(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		assert(!w->in_object[w->depth - 1] && "object members need a key");
		if (w->has_item[w->depth - 1])
			strbuf_addch(w->sb, ',');
		w->has_item[w->depth - 1] = 1;
	}
}

static void open_level(struct jsonw *w, char c, int is_object)
{
	before_item(w);
	assert(w->depth < JSONW_MAX_DEPTH);
	strbuf_addch(w->sb, c);
	w->has_item[w->depth] = 0;
	w->in_object[w->depth] = (unsigned char)is_object;
	w->depth++;
}

static void close_level(struct jsonw *w, char c)
{
	assert(w->depth > 0 && !w->after_key);
	w->depth--;
	strbuf_addch(w->sb, c);
}

void jsonw_obj_open(struct jsonw *w) { open_level(w, '{', 1); }
void jsonw_obj_close(struct jsonw *w) { close_level(w, '}'); }
void jsonw_arr_open(struct jsonw *w) { open_level(w, '[', 0); }
void jsonw_arr_close(struct jsonw *w) { close_level(w, ']'); }

/* Length of a valid UTF-8 sequence starting at s (max n bytes), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 0;
	len = s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	cp = len == 2 ? (s[0] & 0x1Fu) : len == 3 ? (s[0] & 0x0Fu) : (s[0] & 0x07u);
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3Fu);
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/* Bytes that end a plain run: control characters, '"', '\\' and every non-ASCII byte
 * (validated as UTF-8 one sequence at a time). */
#define SPECIAL(c) ((c) < 0x20 || (c) == '"' || (c) == '\\' || (c) >= 0x80)

void jsonw_escape_into(struct strbuf *sb, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = s[i];
		if (!SPECIAL(c)) {
			/* plain ASCII: scan the whole run before copying it once */
			size_t j = i + 1;
			while (j < n && !SPECIAL(s[j]))
				j++;
			run += j - i;
			i = j;
			continue;
		}
		strbuf_add(sb, s + i - run, run);
		run = 0;
		if (c >= 0x80) {
			size_t len = utf8_seq_len(s + i, n - i);
			if (len) {
				strbuf_add(sb, s + i, len);
				i += len;
			} else {
				strbuf_add(sb, "\xEF\xBF\xBD", 3);
				i++;
			}
			continue;
		}
		switch (c) {
		case '"':
			strbuf_add(sb, "\\\"", 2);
			break;
		case '\\':
			strbuf_add(sb, "\\\\", 2);
			break;
		case '\n':
			strbuf_add(sb, "\\n", 2);
			break;
		case '\r':
			strbuf_add(sb, "\\r", 2);
			break;
		case '\t':
			strbuf_add(sb, "\\t", 2);
			break;
		case '\b':
			strbuf_add(sb, "\\b", 2);
			break;
		case '\f':
			strbuf_add(sb, "\\f", 2);
			break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			strbuf_add(sb, u, 6);
		}
		}
		i++;
	}
	strbuf_add(sb, s + i - run, run);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	assert(w->depth > 0 && w->in_object[w->depth - 1] && !w->after_key);
	if (w->has_item[w->depth - 1])
		strbuf_addch(w->sb, ',');
	w->has_item[w->depth - 1] = 1;
	strbuf_addch(w->sb, '"');
	jsonw_escape_into(w->sb, key, strlen(key));
	strbuf_add(w->sb, "\":", 2);
	w->after_key = 1;
}

static int is_ident(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

void jsonw_key_ident(struct jsonw *w, const char *key)
{
	size_t n = strlen(key);

	assert(w->depth > 0 && w->in_object[w->depth - 1] && !w->after_key && is_ident(key));
	(void)is_ident;
	if (w->has_item[w->depth - 1])
		strbuf_addch(w->sb, ',');
	w->has_item[w->depth - 1] = 1;
	if (!strbuf_grow(w->sb, n + 3)) {
		char *p = w->sb->buf + w->sb->len;
		p[0] = '"';
		memcpy(p + 1, key, n);
		p[n + 1] = '"';
		p[n + 2] = ':';
		p[n + 3] = '\0';
		w->sb->len += n + 3;
	}
	w->after_key = 1;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
	before_item(w);
	strbuf_addch(w->sb, '"');
	jsonw_escape_into(w->sb, s, n);
	strbuf_addch(w->sb, '"');
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s)
		jsonw_null(w);
	else
		jsonw_strn(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	before_item(w);
	strbuf_add_i64(w->sb, v);
}

void jsonw_double(struct jsonw *w, double v)
{
	char tmp[32];

	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	before_item(w);
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	strbuf_adds(w->sb, tmp);
	if (!strpbrk(tmp, ".eEn"))
		strbuf_add(w->sb, ".0", 2);
}

void jsonw_bool(struct jsonw *w, int v)
{
	before_item(w);
	if (v)
		strbuf_add(w->sb, "true", 4);
	else
		strbuf_add(w->sb, "false", 5);
}

void jsonw_null(struct jsonw *w)
{
	before_item(w);
	strbuf_add(w->sb, "null", 4);
}

void jsonw_raw(struct jsonw *w, const char *json, size_t n)
{
	before_item(w);
	strbuf_add(w->sb, json, n);
}

void jsonw_time(struct jsonw *w, int64_t t)
{
	char out[21];

	ck_format_time(t, out);
	before_item(w);
	strbuf_addch(w->sb, '"');
	strbuf_add(w->sb, out, 20);
	strbuf_addch(w->sb, '"');
}

void jsonw_kstr(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_str(w, s);
}

void jsonw_kint(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void jsonw_kbool(struct jsonw *w, const char *key, int v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}

void jsonw_knull(struct jsonw *w, const char *key)
{
	jsonw_key(w, key);
	jsonw_null(w);
}

int jsonw_result(const struct jsonw *w) { return strbuf_result(w->sb); }
