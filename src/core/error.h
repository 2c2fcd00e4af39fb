/*
 * core/error — the one error convention of certkeeper (STYLE.md §3).
 *
 * Functions return int: 0 on success, a negative CK_E_* code on failure. Details meant for
 * the user (which field, which index, why) travel in an optional `struct ck_error *` that the
 * caller owns; a callee writes it only when it fails, and only if the pointer is non-NULL.
 * The api/ layer maps codes to HTTP statuses in one table; lower layers never choose statuses.
 *
 * Messages are plain text, never contain secrets, key material or whole PEM blocks.
 * Thread-safety: none needed (no globals); each struct belongs to one thread.
 */
#ifndef CK_CORE_ERROR_H
#define CK_CORE_ERROR_H

#include <stddef.h>

enum ck_errcode {
	CK_OK = 0,
	CK_E_NOMEM = -1,      /* allocation failed */
	CK_E_INVALID = -2,    /* bad input: validation failed (HTTP 400) */
	CK_E_NOTFOUND = -3,   /* object does not exist (404) */
	CK_E_CONFLICT = -4,   /* concurrent change lost a race, state conflict (409) */
	CK_E_DUPLICATE = -5,  /* unique constraint would be violated (400) */
	CK_E_TOOBIG = -6,     /* an input exceeded its named limit (400/413) */
	CK_E_PRIVKEY = -7,    /* private key material refused (400) */
	CK_E_PARSE = -8,      /* input could not be parsed (400) */
	CK_E_IO = -9,	      /* file or network I/O failed (500) */
	CK_E_DB = -10,	      /* database failure; never echoed to clients (500) */
	CK_E_AUTH = -11,      /* not authenticated (401/403) */
	CK_E_FORBIDDEN = -12, /* authenticated, not permitted (403) */
	CK_E_INTERNAL = -13,  /* programmer/unknown error (500) */
	CK_E_BUSY = -14,      /* resource busy, retry later (503) */
	CK_E_METHOD = -15,    /* the resource exists but not for this method (405) */
	CK_E_THROTTLED = -16, /* too many attempts from this client (429) */
	CK_E_MEDIATYPE = -17, /* request body in a media type the endpoint refuses (415) */
	CK_E_TIMEOUT = -18,   /* a read exceeded the statement time limit (503) */
};

#define CK_ERROR_FIELD_MAX 64
#define CK_ERROR_MSG_MAX 512

/* User-facing detail of a failure. `field` is empty when the error is not about one field
 * (rendered as {"detail": msg}); otherwise rendered as {"<field>": [msg]}. `index` is the
 * position in a batch, or -1. */
struct ck_error {
	int code;
	long index;
	char field[CK_ERROR_FIELD_MAX];
	char msg[CK_ERROR_MSG_MAX];
};

/* Resets `err` to "no error" (code 0, empty strings, index -1). NULL is accepted. */
void ck_error_clear(struct ck_error *err);

/* Records a failure in `err` (if non-NULL) and returns `code`, so callers can write
 * `return ck_error_set(err, CK_E_INVALID, "status", "bad choice %s", s);`.
 * `field` may be NULL. The message is truncated to CK_ERROR_MSG_MAX-1 bytes. */
int ck_error_set(struct ck_error *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A short constant name for a code ("invalid", "not found", ...); never NULL. */
const char *ck_strerror(int code);

#endif
