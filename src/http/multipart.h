/*
 * http/multipart — a small, pure parser of multipart/form-data request bodies (RFC 7578 over
 * RFC 2046), for certificates/import-file/. libmicrohttpd hands the application the raw body;
 * this module splits it into named parts without copying: every part's data points into the
 * caller's body buffer.
 *
 * Accepted shape: Content-Type "multipart/form-data; boundary=B" (B a token or a quoted string,
 * 1..MULTIPART_MAX_BOUNDARY characters); body = optional preamble, "--B" CRLF, then parts
 * separated by CRLF "--B" CRLF and closed by CRLF "--B--" (anything after is the epilogue); a
 * CRLF "--B" followed by anything but "--" or [SP/TAB]* CRLF is data, not a delimiter.
 * Each part has header lines (CRLF-terminated, ending with an empty line) of which
 * Content-Disposition must be `form-data; name="..."` with an optional filename="...".
 * Header lines with control characters other than TAB are refused.
 *
 * Limits (each refused with CK_E_TOOBIG): MULTIPART_MAX_PARTS parts,
 * MULTIPART_MAX_HEADER_BYTES bytes of one part's header block, MULTIPART_MAX_NAME bytes of a
 * name or filename. Malformed input gives CK_E_PARSE, a non-multipart Content-Type
 * CK_E_INVALID; err->msg says why.
 *
 * Thread-safe (no state). The result borrows from `body`: valid as long as the body is.
 */
#ifndef CK_HTTP_MULTIPART_H
#define CK_HTTP_MULTIPART_H

#include <stddef.h>

#include "core/error.h"

#define MULTIPART_MAX_PARTS 16
#define MULTIPART_MAX_HEADER_BYTES 2048
#define MULTIPART_MAX_NAME 255
#define MULTIPART_MAX_BOUNDARY 70 /* RFC 2046 §5.1.1 */

struct multipart_part {
	char name[MULTIPART_MAX_NAME + 1];
	char filename[MULTIPART_MAX_NAME + 1];
	int has_filename;
	char content_type[128]; /* "" when the part has none */
	const char *data;	/* borrowed from the body */
	size_t len;
};

struct multipart {
	struct multipart_part parts[MULTIPART_MAX_PARTS];
	size_t nparts;
};

/* Extracts the boundary of a multipart/form-data Content-Type into out (NUL-terminated,
 * outsz >= MULTIPART_MAX_BOUNDARY + 1). 0, CK_E_INVALID (not multipart/form-data, or no or a
 * bad boundary). */
int multipart_boundary(const char *content_type, char *out, size_t outsz, struct ck_error *err);

/* Parses body (len bytes, need not be NUL-terminated) into *ret (written only on success). */
int multipart_parse(const char *content_type, const char *body, size_t len, struct multipart *ret,
		    struct ck_error *err);

/* The first part named `name`, or NULL. */
const struct multipart_part *multipart_find(const struct multipart *mp, const char *name);

#endif
