/*
 * api/export — output encoding of certificate exports (reference §3.11, seed "Data Export"):
 * CSV (RFC 4180), JSON, YAML (libyaml, block style) and PEM bundles. Pure formatting: the
 * caller (api/actions_export.c) reads rows from the database, computes the derived values and
 * hands one `struct export_cert` per certificate; the writer appends straight into the
 * response body (a strbuf) so nothing is held per row beyond the current one.
 *
 * Field names, order and lists follow the reference exactly:
 *   default  = id … tenant, sans (EXPORT_NDEFAULT fields, in enum order);
 *   extended = default + is_expired … last_updated.
 * Times are written "YYYY-MM-DDTHH:MM:SS" (UTC, no offset), as in the seed's examples.
 *
 * CSV rules: header row, CRLF line ends, quoting only when a value holds ',', '"', CR or LF
 * (RFC 4180); null is empty; booleans True/False; a text value starting with = + - @ TAB CR
 * gets a leading "'" (spreadsheet formula guard). `sans` is left out of CSV unless the client
 * names it in `fields` (then SANs are joined with ";" — the separator bulk-data-import reads);
 * `custom_fields` becomes one `cf_<key>` column per key; `assignments` is "type:id:name"
 * joined with ";".
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

enum export_field {
	EF_ID,
	EF_COMMON_NAME,
	EF_SERIAL_NUMBER,
	EF_FINGERPRINT,
	EF_ISSUER,
	EF_VALID_FROM,
	EF_VALID_TO,
	EF_DAYS_REMAINING,
	EF_ALGORITHM,
	EF_KEY_SIZE,
	EF_STATUS,
	EF_TENANT,
	EF_SANS,
	/* extended only */
	EF_IS_EXPIRED,
	EF_IS_EXPIRING_SOON,
	EF_EXPIRY_STATUS,
	EF_PRIVATE_KEY_LOCATION,
	EF_ASSIGNMENT_COUNT,
	EF_CUSTOM_FIELDS,
	EF_ASSIGNMENTS,
	EF_CREATED,
	EF_LAST_UPDATED,
	EF_COUNT
};

#define EXPORT_NDEFAULT 13     /* EF_ID .. EF_SANS */
#define EXPORT_MAX_CF_KEYS 256 /* custom-field columns of one CSV export */

/* Wire names, indexed by enum export_field. */
extern const char *const export_field_names[EF_COUNT];

/* The format's name ("csv"), MIME type ("text/csv") and file extension ("csv"). */
const char *export_format_name(enum export_format f);
const char *export_format_mime(enum export_format f);

/* Parses a format name (case-insensitive); 0 or CK_E_INVALID. */
int export_format_parse(const char *s, enum export_format *ret);

/* Looks a field name up; 0 or CK_E_INVALID. */
int export_field_parse(const char *s, enum export_field *ret);

/* One certificate, every pointer borrowed for the duration of export_writer_row(). */
struct export_cert {
	int64_t id, valid_from, valid_to, days_remaining, assignment_count, created, last_updated;
	const char *common_name, *serial_number, *fingerprint_sha256, *issuer, *algorithm, *status;
	const char *expiry_status, *private_key_location;
	const char *tenant; /* tenant name, NULL when none */
	int has_key_size;
	int64_t key_size;
	int is_expired, is_expiring_soon;
	const char *sans_json;			/* JSON array of strings ("[]" / NULL: none) */
	const char *custom_fields_json;		/* JSON object (NULL: {}) */
	const char *assignments_json;		/* JSON array of {type,id,name} (NULL: []) */
	const char *pem_content, *issuer_chain; /* "" or NULL when absent */
};

struct export_opts {
	enum export_format format;
	const enum export_field *fields; /* NULL: the default list */
	size_t nfields;
	int include_pem;   /* json/yaml: add pem_content (+ issuer_chain) */
	int include_chain; /* pem: add the chain */
	int csv_sans;	   /* csv: `sans` was named explicitly, so it gets a column */
	const char *const
	    *cf_keys; /* csv: custom-field columns (borrowed), when custom_fields selected */
	size_t ncf_keys;
};

struct yaml_emitter_s;

struct export_writer {
	struct export_opts o;
	struct strbuf *out;
	struct jsonw jw;
	struct yaml_emitter_s *yaml;
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
