/*
 * core/strbuf — the one growable, size-capped string builder (STYLE.md §6; after git's
 * strbuf and curl's dynbuf).
 *
 * Invariants:
 *  1. `buf` is always NUL-terminated once anything was added; `len` excludes the NUL.
 *  2. `len + 1 <= alloc <= cap + 1`: a builder never holds more than `cap` bytes of content.
 *  3. After a failed append (CK_E_NOMEM or CK_E_TOOBIG) the content is unchanged and the
 *     builder stays usable; the failure is also latched in `failed`, so a long sequence of
 *     appends can be checked once at the end with strbuf_result().
 *
 * Lifecycle: strbuf_init() (embedded) → appends → strbuf_release() frees, or
 * strbuf_take() hands the buffer to the caller (who frees it with free()) and resets.
 * strbuf_reset() empties it keeping the allocation. Not thread-safe; one owner at a time.
 */
#ifndef CK_CORE_STRBUF_H
#define CK_CORE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define STRBUF_DEFAULT_CAP ((size_t)64 << 20) /* 64 MiB unless the owner says otherwise */

struct strbuf {
	char *buf;    /* NULL until the first append */
	size_t len;   /* bytes of content */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum content length */
	int failed;   /* first error code hit by an append, 0 if none */
};

/* Prepares an empty builder that will refuse to grow past `cap` bytes (0 = default cap). */
void strbuf_init(struct strbuf *sb, size_t cap);

/* Frees the buffer; the builder is empty and may be reused. NULL accepted. */
void strbuf_release(struct strbuf *sb);

/* Empties the content, keeps the allocation and clears the latched error. */
void strbuf_reset(struct strbuf *sb);

/* Returns the content (caller frees with free()) and resets the builder. Returns an
 * allocated empty string when nothing was appended; NULL only on out-of-memory. */
char *strbuf_take(struct strbuf *sb, size_t *ret_len);

/* Content as a C string; "" when empty. Borrowed: invalid after the next append. */
const char *strbuf_str(const struct strbuf *sb);

/* Appenders: return 0, CK_E_NOMEM, or CK_E_TOOBIG (would exceed cap). */
int strbuf_add(struct strbuf *sb, const void *data, size_t n);
int strbuf_adds(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, char c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
int strbuf_add_i64(struct strbuf *sb, int64_t v);

/* Makes room for at least `extra` more bytes; 0 or an error as above. */
int strbuf_grow(struct strbuf *sb, size_t extra);

/* Shortens the content to `len` bytes (no-op when len >= current length). */
void strbuf_truncate(struct strbuf *sb, size_t len);

/* The first error latched since init/reset, or 0. */
static inline int strbuf_result(const struct strbuf *sb) { return sb->failed; }

#endif
