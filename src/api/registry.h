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
#include "domain/model.h"
#include "domain/record.h"
#include "store/store.h"

struct api_req;
struct api_resource;

/* Wire flags. The model flags (F_REQ, F_RO, F_NULL, F_HIDDEN, F_SQLEXPR, F_WO, F_OPEN) are
 * declared by the model half (domain/model.h) and use other bits of the same word. */
#define F_BRIEF 0x008u	   /* part of the brief representation */
#define F_ICONTAINS 0x020u /* plain filter `name=v` means icontains (NetBox SSL CN/issuer) */
#define F_NOFILTER 0x040u  /* no automatic filter */
#define F_ORDER 0x080u	   /* usable in ?ordering= */
#define F_PLAINID 0x200u   /* FK rendered as a bare integer id, not nested */
#define F_WIRE_FLAGS (F_BRIEF | F_ICONTAINS | F_NOFILTER | F_ORDER | F_PLAINID)

/* A row being rendered: the current statement row of a list/get query. */
struct api_row {
	const struct api_resource *res;
	struct store_stmt *st;
	const struct api_req *req;
	int64_t id;
};

/*
 * One field on the wire, in rendering order. A declaration names a model field
 * ({.name = "common_name", .flags = F_BRIEF | F_ORDER, .help = "subject CN"}) and adds only
 * wire attributes (wire flags, help, render); the registry copies the model's attributes
 * (type, column, model flags, maxlen, choices, fk_target) into it once, before main()
 * (api/registry.c), so generic code reads one merged view. A wire-only field (FT_COMPUTED,
 * or a read-only F_SQLEXPR store expression) declares type/column/flags itself. Every model
 * field must be named (the declaration fixes the JSON order); a mistake aborts at start.
 */
struct api_field {
	const char *name;	    /* JSON name = the model field's name */
	enum dom_ftype type;	    /* from the model, or declared for wire-only fields */
	const char *column;	    /* SQL column / "@expression"; NULL for computed */
	unsigned flags;		    /* wire flags | the model's flags */
	int maxlen;		    /* from the model */
	const char *const *choices; /* from the model (or declared for wire-only) */
	const char *fk_target;	    /* FT_FK: name of the target resource (= model name) */
	/* FT_COMPUTED: write the value (one JSON value) for this row. */
	void (*render)(const struct api_row *row, struct jsonw *w);
	const char *help;	       /* one line for OPTIONS / OpenAPI */
	const struct dom_field *model; /* set by the registry; NULL for wire-only fields */
};

/* An extra, hand-declared filter (e.g. expiring_soon): adds one condition, built from the
 * `nvals` values (repeats of the same parameter), to the query spec (fc->spec, api/filter.h)
 * — `build`, or else store named filter `store_filter` (store/queryspec.h) per value bound as
 * text, the values OR-ed. Neither writes SQL: conditions are lookups on declared columns and
 * the store's named filters. */
struct api_filter_ctx;
struct api_filter {
	const char *name;
	int (*build)(struct api_filter_ctx *fc, const char *const *vals, size_t nvals,
		     struct ck_error *err);
	const char *store_filter;
	const char *help;
};

struct export_column;

/* The wire half of a resource: its model (domain/model.h: table, object type, fields' types
 * and rules, hooks, tags, custom fields) plus how it is addressed, filtered and rendered. */
struct api_resource {
	const char *name; /* registry key = model name, e.g. "certificates" */
	const char *path; /* list URL path, e.g. "/api/plugins/netbox-ssl/certificates/" */
	const struct dom_model *model;
	const struct api_field *fields; /* a non-const static array the registry completes */
	size_t nfields;
	const char *default_order;	  /* e.g. "-valid_to,common_name" (field names) */
	const char *const *q_columns;	  /* columns `q` searches (icontains), NULL-terminated */
	const struct api_filter *filters; /* extra filters, NULL-name terminated; may be NULL */
	/* Renders the display string of the current row into sb. */
	void (*display)(const struct api_row *row, struct strbuf *sb);
	/* The columns of its export action (api/export.h), in export order; NULL: none. */
	const struct export_column *exports;
	size_t nexports;
	int read_only; /* list/get only (plus delete when `deletable`) */
	int deletable;
	int admin_only; /* superusers only (users, tokens) */
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

/* The resource whose model is m (NULL when none). */
const struct api_resource *api_registry_for_model(const struct dom_model *m);

/* Completes every declaration from its model (called once before main(); idempotent).
 * 0, or -1 with a description of the first declaration error in why. */
int api_registry_init(char *why, size_t why_len);

#endif
