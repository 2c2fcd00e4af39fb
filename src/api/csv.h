/*
 * api/csv — a small RFC 4180 CSV reader for bulk-data-import (the writer side of CSV lives in
 * api/encode_export.c). Lenient the way Python's csv module is: CRLF, LF or CR end a record;
 * a quoted field may hold commas, line breaks and doubled quotes; characters after a closing
 * quote are kept; blank lines are skipped; a leading UTF-8 BOM is dropped.
 *
 * Limits: CSV_MAX_FIELDS fields per record (more: CK_E_TOOBIG); a quoted field that never
 * closes is CK_E_PARSE. Field text is copied into the reader's buffer (capped by the input
 * size), so fields stay valid until the next csv_read() or csv_reader_release().
 *
 * Lifecycle: csv_reader_init() → csv_read()... → csv_reader_release(). Not thread-safe.
 */
#ifndef CK_API_CSV_H
#define CK_API_CSV_H

#include <stddef.h>

#include "core/error.h"
#include "core/strbuf.h"

#define CSV_MAX_FIELDS 64

struct csv_reader {
	const char *s;
	size_t len, pos;
	struct strbuf buf;
	size_t offs[CSV_MAX_FIELDS];
};

/* Prepares a reader over s (len bytes, borrowed for the reader's life). */
void csv_reader_init(struct csv_reader *r, const char *s, size_t len);
void csv_reader_release(struct csv_reader *r);

/* Reads the next non-blank record: 1 with *ret_n fields in fields[0..n) (NUL-terminated,
 * borrowed until the next call), 0 at the end, or CK_E_PARSE / CK_E_TOOBIG / CK_E_NOMEM. */
int csv_read(struct csv_reader *r, const char *fields[CSV_MAX_FIELDS], size_t *ret_n,
	     struct ck_error *err);

#endif
