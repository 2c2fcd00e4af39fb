/*
 * core/jsonw — a small streaming JSON writer that appends straight into a strbuf
 * (DESIGN.md §3: jansson trees are 10× too slow for list responses).
 *
 * The writer tracks nesting so it inserts commas and colons itself; the caller only says what
 * comes next. Strings are escaped per RFC 8259 (", \, control chars; "/" is not escaped;
 * invalid UTF-8 bytes are replaced by U+FFFD so the output is always valid JSON).
 *
 * Invariants: depth <= JSONW_MAX_DEPTH; a key is written only directly inside an object and
 * every value inside an object follows a key. Misuse is a programmer error (assert); output
 * overflow (strbuf cap) or OOM is latched in the strbuf and reported by jsonw_result().
 *
 * Lifecycle: jsonw_init(w, sb) over a caller-owned strbuf → writes → jsonw_result(w).
 * Not thread-safe; one writer per response.
 */
#ifndef CK_CORE_JSONW_H
#define CK_CORE_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct strbuf *sb;
	int depth;
	/* per level: 1 once the first member/element was written */
	unsigned char has_item[JSONW_MAX_DEPTH];
	unsigned char in_object[JSONW_MAX_DEPTH];
	int after_key; /* a key was just written; the next value needs no comma */
};

void jsonw_init(struct jsonw *w, struct strbuf *sb);

void jsonw_obj_open(struct jsonw *w);
void jsonw_obj_close(struct jsonw *w);
void jsonw_arr_open(struct jsonw *w);
void jsonw_arr_close(struct jsonw *w);

/* Writes an object key (escaped). */
void jsonw_key(struct jsonw *w, const char *key);

/* Writes an object key known to need no escaping (an identifier from a declaration: letters,
 * digits, '_' and '-'), skipping the escape pass — the hot path of list rendering. Checked by
 * assert in debug builds. */
void jsonw_key_ident(struct jsonw *w, const char *key);

/* Values. jsonw_str(NULL) writes null. jsonw_strn writes exactly n bytes (escaped). */
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_double(struct jsonw *w, double v); /* shortest round-trip; NaN/Inf → null */
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);
/* Inserts already-serialised JSON text verbatim (caller guarantees it is valid JSON). */
void jsonw_raw(struct jsonw *w, const char *json, size_t n);
/* Writes epoch seconds as an ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" string. */
void jsonw_time(struct jsonw *w, int64_t t);

/* Key + value shorthands. */
void jsonw_kstr(struct jsonw *w, const char *key, const char *s);
void jsonw_kint(struct jsonw *w, const char *key, int64_t v);
void jsonw_kbool(struct jsonw *w, const char *key, int v);
void jsonw_knull(struct jsonw *w, const char *key);

/* Appends `s` JSON-escaped (without quotes) to sb; used by the writer and by tests. */
void jsonw_escape_into(struct strbuf *sb, const char *s, size_t n);

/* 0, or the error latched in the strbuf (CK_E_NOMEM / CK_E_TOOBIG). */
int jsonw_result(const struct jsonw *w);

#endif
