/* core/strbuf — see strbuf.h for the invariants. */
#include "core/strbuf.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb, size_t cap)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
	sb->cap = cap ? cap : STRBUF_DEFAULT_CAP;
	sb->failed = 0;
}

void strbuf_release(struct strbuf *sb)
{
	if (!sb)
		return;
	free(sb->buf);
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
	sb->failed = 0;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
	sb->failed = 0;
}

static int latch(struct strbuf *sb, int code)
{
	if (!sb->failed)
		sb->failed = code;
	return code;
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need, nalloc;
	char *nbuf;

	if (extra > sb->cap || sb->len > sb->cap - extra)
		return latch(sb, CK_E_TOOBIG);
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return 0;
	nalloc = sb->alloc ? sb->alloc : 64;
	while (nalloc < need)
		nalloc = nalloc < ((size_t)1 << 30) ? nalloc * 2 : need;
	if (nalloc > sb->cap + 1)
		nalloc = sb->cap + 1;
	nbuf = realloc(sb->buf, nalloc);
	if (!nbuf)
		return latch(sb, CK_E_NOMEM);
	if (!sb->buf)
		nbuf[0] = '\0';
	sb->buf = nbuf;
	sb->alloc = nalloc;
	return 0;
}

int strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	int r = strbuf_grow(sb, n);

	if (r)
		return r;
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_adds(struct strbuf *sb, const char *s) { return strbuf_add(sb, s, strlen(s)); }

int strbuf_addch(struct strbuf *sb, char c)
{
	if (sb->len + 1 < sb->alloc && sb->len < sb->cap) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = '\0';
		return 0;
	}
	return strbuf_add(sb, &c, 1);
}

int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n, r;

	va_copy(cp, ap);
	n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, sb->buf ? sb->alloc - sb->len : 0, fmt,
		      cp);
	va_end(cp);
	if (n < 0)
		return latch(sb, CK_E_INVALID);
	if (sb->buf && (size_t)n < sb->alloc - sb->len) {
		if ((size_t)n > sb->cap - sb->len) {
			sb->buf[sb->len] = '\0';
			return latch(sb, CK_E_TOOBIG);
		}
		sb->len += (size_t)n;
		return 0;
	}
	r = strbuf_grow(sb, (size_t)n);
	if (r) {
		if (sb->buf)
			sb->buf[sb->len] = '\0';
		return r;
	}
	vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

int strbuf_add_i64(struct strbuf *sb, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return strbuf_add(sb, p, (size_t)(tmp + sizeof(tmp) - p));
}

void strbuf_truncate(struct strbuf *sb, size_t len)
{
	if (len < sb->len) {
		sb->len = len;
		sb->buf[len] = '\0';
	}
}

const char *strbuf_str(const struct strbuf *sb) { return sb->buf ? sb->buf : ""; }

char *strbuf_take(struct strbuf *sb, size_t *ret_len)
{
	char *out;

	if (!sb->buf && strbuf_grow(sb, 0))
		return NULL;
	out = sb->buf;
	if (ret_len)
		*ret_len = sb->len;
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
	sb->failed = 0;
	return out;
}
