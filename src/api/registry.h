/*
 * api/registry — the resource registry (DESIGN.md §2): each REST resource is declared ONCE as
 * data, and generic code provides list / get / create / update (PUT) / partial update (PATCH)
 * / delete, the bulk forms (JSON array to POST, PUT, PATCH, DELETE on the list URL),
 * filtering with NetBox lookups, ordering, limit/offset pagination with absolute next/previous
 * URLs, brief mode, OPTIONS metadata with choices, changelog snapshots and nested rendering
 * of foreign keys. Special actions (import, renew, ...) are explicit handlers (api/actions_*).
 *
 * SQL built here uses only declared table/column names and `$n` bound parameters — never a
 * client string (STYLE.md §8).
 *
 * A declaration is static const data, shared read-only by all threads.
 */
#ifndef CK_API_REGISTRY_H
#define CK_API_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/jsonw.h"
#include "core/strbuf.h"
#include "domain/context.h"
#include "domain/record.h"
#include "store/store.h"

struct api_req;
struct api_resource;

enum api_ftype {
	FT_ID,       /* the primary key; read-only */
	FT_INT,
	FT_BOOL,
	FT_TEXT,
	FT_CHOICE,   /* text limited to `choices` */
	FT_TIME,     /* epoch column, ISO 8601 on the wire (dates accepted on input) */
	FT_STRLIST,  /* JSON array of strings kept in a TEXT column */
	FT_INTLIST,  /* JSON array of integers kept in a TEXT column */
	FT_JSON,     /* any JSON object kept in a TEXT column (custom_fields) */
	FT_FK,       /* integer id on input; nested brief object on output */
	FT_DOUBLE,
	FT_COMPUTED, /* no column: rendered by `render` from other columns */
};

/* Field flags. */
#define F_REQ       0x001u /* required on create */
#define F_RO        0x002u /* read-only for clients */
#define F_NULL      0x004u /* accepts/renders null */
#define F_BRIEF     0x008u /* part of the brief representation */
#define F_HIDDEN    0x010u /* internal column: never rendered nor accepted (hooks set it) */
#define F_ICONTAINS 0x020u /* plain filter `name=v` means icontains (NetBox SSL CN/issuer) */
#define F_NOFILTER  0x040u /* no automatic filter */
#define F_ORDER     0x080u /* usable in ?ordering= */
#define F_SQLEXPR   0x100u /* `column` is an SQL expression over the row (read-only) */
#define F_PLAINID   0x200u /* FK rendered as a bare integer id, not nested */
#define F_WO        0x400u /* write-only, no column: accepted on input for hooks, never rendered */
#define F_OPEN      0x800u /* FT_CHOICE whose choices are suggestions: other text is kept as is */

/* A row being rendered: the current statement row of a list/get query. */
struct api_row {
	const struct api_resource *res;
	struct store_stmt *st;
	const struct api_req *req;
	int64_t id;
};

struct api_field {
	const char *name;        /* JSON name */
	enum api_ftype type;
	const char *column;      /* SQL column (or expression with F_SQLEXPR); NULL for computed */
	unsigned flags;
	int maxlen;              /* text max length in characters; 0 = unlimited */
	const char *const *choices; /* NULL-terminated values for FT_CHOICE */
	const char *fk_target;   /* FT_FK: name of the target resource */
	/* FT_COMPUTED: write the value (one JSON value) for this row. */
	void (*render)(const struct api_row *row, struct jsonw *w);
	const char *help;        /* one line for OPTIONS / OpenAPI */
};

/* An extra, hand-declared filter (e.g. expiring_soon): appends one SQL condition built
 * from `nvals` values (repeats of the same parameter) to `sql`, binding through `bind`. */
struct api_filter_ctx;
struct api_filter {
	const char *name;
	int (*build)(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
		     struct ck_error *err);
	const char *help;
};

/* A value normaliser of one FT_TEXT/FT_CHOICE field (domain/values.h): rewrites the string a
 * client sent into its stored form, or refuses it, before the length and choice checks. */
struct api_normalizer {
	const char *field;
	int (*normalize)(const char *field, const char *in, struct strbuf *out, struct ck_error *err);
};

/* Domain hooks. All run inside the write transaction. */
struct api_hooks {
	/* Validates and completes `rec` before INSERT (old_id 0) or UPDATE (old_id = id).
	 * May set hidden fields, normalise values, refuse with CK_E_INVALID/CK_E_DUPLICATE. */
	int (*before_write)(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
			    struct ck_error *err);
	/* After INSERT/UPDATE: lifecycle events, derived rows. */
	int (*after_write)(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			   int64_t old_id, struct ck_error *err);
	/* Before DELETE: refuse (e.g. protected references) or write events. */
	int (*before_delete)(const struct dom_ctx *ctx, int64_t id, struct ck_error *err);
	/* Renders the display string of the current row into sb. */
	void (*display)(const struct api_row *row, struct strbuf *sb);
};

struct api_resource {
	const char *name;        /* registry key, e.g. "certificates" */
	const char *path;        /* list URL path, e.g. "/api/plugins/netbox-ssl/certificates/" */
	const char *object_type; /* "netbox_ssl.certificate": changelog, tags */
	const char *verbose;     /* "certificate" for messages */
	const char *table;
	const struct api_field *fields;
	size_t nfields;
	const char *default_order; /* e.g. "-valid_to,common_name" (field names) */
	const char *const *q_columns; /* columns `q` searches (icontains), NULL-terminated */
	const struct api_filter *filters; /* extra filters, NULL-name terminated; may be NULL */
	const struct api_normalizer *normalizers; /* NULL-field terminated; may be NULL */
	struct api_hooks hooks;
	int taggable;            /* has `tags` (tagged_items) */
	int has_custom_fields;   /* has `custom_fields` column */
	int read_only;           /* list/get only (plus delete when `deletable`) */
	int deletable;
	int admin_only;          /* superusers only (users, tokens) */
	/* The rows the reader may view (NULL: all): appends one AND-ed condition to fc. Applied
	 * to lists, their counts and detail URLs alike (a hidden row is 404). */
	int (*scope)(struct api_filter_ctx *fc, const struct api_req *ar, struct ck_error *err);
};

/* All resources, and lookup by name or by list path. */
const struct api_resource *api_registry_find(const char *name);
const struct api_resource *api_registry_match_path(const char *path, int64_t *ret_id,
						   const char **ret_rest);
size_t api_registry_count(void);
const struct api_resource *api_registry_at(size_t i);

const struct api_field *api_resource_field(const struct api_resource *res, const char *name);
/* Index of the field's column in registry-built SELECTs (-1 when it has none). */
int api_field_col(const struct api_resource *res, const struct api_field *f);
/* Column index of a field by name (for computed renderers); -1 if none. `name` must have
 * static storage (a literal or a declaration's string): answers are memoised by its address. */
int api_row_col(const struct api_row *row, const char *name);

/* Serves a registry request (list or detail URL) fully. */
void api_registry_serve(struct api_req *ar, const struct api_resource *res, int64_t id);

/* Renders one object (full representation) by id into w; CK_E_NOTFOUND when absent. */
int api_render_object(struct api_req *ar, const struct api_resource *res, int64_t id, int brief,
		      struct jsonw *w, struct ck_error *err);

/* Renders one object to a freshly allocated JSON string (caller frees), or NULL. */
char *api_render_object_json(struct api_req *ar, const struct api_resource *res, int64_t id);

/* Creates an object from a decoded record through the generic path (hooks, INSERT, tags,
 * changelog) inside the caller's transaction; *ret_id receives the id. Used by actions. */
int api_create_record(struct api_req *ar, const struct api_resource *res, struct dom_record *rec,
		      int64_t *ret_id, struct ck_error *err);

/* Changes certain fields of an existing object through the generic path (hooks, UPDATE,
 * changelog) inside the caller's transaction. */
int api_update_record(struct api_req *ar, const struct api_resource *res, int64_t id,
		      struct dom_record *rec, struct ck_error *err);

/* The field names of a resource as a static array for dom_record_init (index-aligned with
 * res->fields). Computed on first use; thread-safe. */
const char *const *api_resource_names(const struct api_resource *res);

#endif
