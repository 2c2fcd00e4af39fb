/*
 * api/export — output encoding of certificate exports (reference §3.11, seed "Data Export"):
 * CSV (RFC 4180), JSON, YAML (libyaml, block style) and PEM bundles. Pure formatting: the
 * caller (api/actions_export.c) reads rows from the database, computes the derived values and
 * hands one `struct export_cert` per certificate; the writer appends straight into the
 * response body (a strbuf) so nothing is held per row beyond the current one.
 *
 * The columns are data (struct export_column), declared with the resource; the certificate
 * declaration's names, order and lists follow the reference exactly:
 *   default  = id … tenant, sans;
 *   extended = default + is_expired … last_updated.
 * Times are written "YYYY-MM-DDTHH:MM:SS" (UTC, no offset), as in the seed's examples.
 *
 * CSV rules: header row, CRLF line ends, quoting only when a value holds ',', '"', CR or LF
 * (RFC 4180); null is empty; booleans True/False; a text value starting with = + - @ TAB CR
 * gets a leading "'" (spreadsheet formula guard). An EXPORT_CSV_NAMED column (`sans`) is left
 * out of CSV unless the client names it in `fields` (then a list is joined with ";" — the
 * separator bulk-data-import reads); the EXPORT_OBJECT column (`custom_fields`) becomes one
 * `cf_<key>` column per key; EXPORT_REFS (`assignments`) is "type:id:name" joined with ";".
 *
 * Lifecycle: export_writer_init() → export_writer_row() per certificate →
 * export_writer_finish() → export_writer_release() (always; NULL-safe on a failed init).
 * Not thread-safe; one writer per response.
 */
#ifndef CK_API_EXPORT_H
#define CK_API_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/jsonw.h"
#include "core/strbuf.h"

enum export_format { EXPORT_JSON, EXPORT_CSV, EXPORT_YAML, EXPORT_PEM, EXPORT_FORMAT_COUNT };

/* How an export column's value is written (one value per certificate and column). */
enum export_render {
	EXPORT_INT,	  /* integer: a number; CSV digits */
	EXPORT_INT_NULL,  /* integer, or null when the column is NULL (CSV: empty) */
	EXPORT_TEXT,	  /* string ("" when NULL) */
	EXPORT_TEXT_NULL, /* string, or null when the column is NULL */
	EXPORT_TIME,	  /* epoch seconds, written "YYYY-MM-DDTHH:MM:SS" */
	EXPORT_BOOL,	  /* true/false; CSV True/False */
	EXPORT_LIST,	  /* JSON array of strings ([] when NULL or ""); CSV "a;b" */
	EXPORT_REFS, /* JSON array of {type,id,name} ([] when NULL or ""); CSV "type:id:name;..." */
	EXPORT_OBJECT, /* JSON object ({} when NULL or ""); CSV: one cf_<key> column per key */
};

/* Column flags. */
#define EXPORT_EXTENDED 0x1u  /* not in the default list: exported only when named in `fields` */
#define EXPORT_CSV_NAMED 0x2u /* CSV carries it only when the client names it in `fields` */

/* One value read for a column: `i` for the integer kinds (INT*, TIME, BOOL), `s` (borrowed)
 * for the others. */
struct export_value {
	int null;
	int64_t i;
	const char *s;
};

struct ck_config;

/* One exported column, declared with the resource (api/res_certificates.c), e.g.
 *   {.name = "tenant", .source = "@cert_tenant_name", .render = EXPORT_TEXT_NULL},
 * The table's order is the export's column order; the default list is every column without
 * EXPORT_EXTENDED, in that order. At most one EXPORT_OBJECT column (its source names the
 * JSON column whose keys become cf_<key> CSV columns). */
struct export_column {
	const char *name;   /* wire name (JSON/YAML key, CSV header, `fields` entry) */
	const char *source; /* column of the table, or a named store expression "@name"
			       (store/queryspec.h; selected as NULL when the column is not
			       exported) */
	enum export_render render;
	unsigned flags; /* EXPORT_EXTENDED, EXPORT_CSV_NAMED */
	/* Computed columns: the value from the source's value (NULL: the source's value). */
	struct export_value (*derive)(struct export_value src, int64_t now,
				      const struct ck_config *cfg);
};

#define EXPORT_MAX_COLUMNS 64  /* columns of one declaration (checked at compile time) */
#define EXPORT_MAX_CF_KEYS 256 /* custom-field columns of one CSV export */

/* The column named s in cols[0..ncols) (exact match): its index, or CK_E_INVALID. */
int export_column_find(const struct export_column *cols, size_t ncols, const char *s);

/* The format's name ("csv"), MIME type ("text/csv") and file extension ("csv"). */
const char *export_format_name(enum export_format f);
const char *export_format_mime(enum export_format f);

/* Parses a format name (case-insensitive); 0 or CK_E_INVALID. */
int export_format_parse(const char *s, enum export_format *ret);

/* One certificate, every pointer borrowed for the duration of export_writer_row(). */
struct export_cert {
	const struct export_value *values; /* one per declared column, in declaration order */
	/* The PEM bundle's own parts (the column list does not apply to it). */
	const char *common_name, *serial_number;
	int64_t valid_to;
	const char *pem_content, *issuer_chain; /* "" or NULL when absent */
};

struct export_opts {
	enum export_format format;
	const struct export_column *cols; /* the declared columns (borrowed) */
	size_t ncols;			  /* at most EXPORT_MAX_COLUMNS */
	const size_t *fields;		  /* indexes into cols; NULL: the default list */
	size_t nfields;
	int include_pem;   /* json/yaml: add pem_content (+ issuer_chain) */
	int include_chain; /* pem: add the chain */
	const char *const
	    *cf_keys; /* csv: custom-field columns (borrowed), when the object column is selected */
	size_t ncf_keys;
};

struct yaml_emitter_s;

struct export_writer {
	struct export_opts o;
	struct strbuf *out;
	struct jsonw jw;
	struct yaml_emitter_s *yaml;
	const size_t *fields; /* o.fields, or deflt */
	size_t nfields;
	size_t deflt[EXPORT_MAX_COLUMNS];
	size_t rows;
	int failed;
};

/* Starts an export into out (the response body, whose cap bounds the output). Writes the CSV
 * header / JSON "[" / YAML stream start. 0, CK_E_NOMEM, CK_E_TOOBIG. */
int export_writer_init(struct export_writer *w, const struct export_opts *o, struct strbuf *out);

/* Appends one certificate. 0, CK_E_NOMEM, CK_E_TOOBIG (output cap), CK_E_INTERNAL (YAML
 * emitter refused a value). After a failure the writer only accepts release. */
int export_writer_row(struct export_writer *w, const struct export_cert *c);

/* Closes the document ("]" / YAML end). 0 or an error as above. */
int export_writer_finish(struct export_writer *w);

/* Frees the YAML emitter, if any. NULL-safe, may repeat. */
void export_writer_release(struct export_writer *w);

/* Appends one CSV field to sb (RFC 4180 quoting; `guard` adds the formula guard). */
void export_csv_field(struct strbuf *sb, const char *s, size_t len, int guard);

/* The attachment filename of a single-certificate export: CN with every character outside
 * [A-Za-z0-9._-] replaced by '_', cut to 64 characters ("certificate" when empty), then
 * "." and ext. out must hold at least 64 + 1 + strlen(ext) + 1 bytes. */
void export_filename(const char *cn, const char *ext, char *out, size_t outsz);

#endif
