/*
 * domain/model — the model half of the resource registry (docs/internals/registry.md): what
 * an object type IS, independent of any wire format. One `struct dom_model` per table:
 * table and columns, value types, the rules a value must satisfy (required, read-only,
 * nullable, maximum length, choices, foreign-key target), the value normalisers and the
 * validation hooks, tags and custom fields. The domain's generic write commands
 * (domain/write.h) run on it; api/registry.h's `struct api_resource` points at its model and
 * adds only the wire half (paths, brief, filters, ordering, OPTIONS/OpenAPI help, renderers).
 *
 * Declarations are static const data with designated initialisers, shared read-only by all
 * threads; a new attribute is one line:
 *
 *     static const struct dom_field tenant_fields[] = {
 *         {.name = "name", .type = FT_TEXT, .column = "name", .flags = F_REQ, .maxlen = 100},
 *         ...
 *     };
 *
 * The field name is the record key (domain/record.h) and the JSON name on the wire.
 */
#ifndef CK_DOMAIN_MODEL_H
#define CK_DOMAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "domain/context.h"
#include "domain/record.h"

enum dom_ftype {
	FT_ID, /* the primary key; read-only */
	FT_INT,
	FT_BOOL,
	FT_TEXT,
	FT_CHOICE,  /* text limited to `choices` */
	FT_TIME,    /* epoch column, ISO 8601 on the wire (dates accepted on input) */
	FT_STRLIST, /* JSON array of strings kept in a TEXT column */
	FT_INTLIST, /* JSON array of integers kept in a TEXT column */
	FT_JSON,    /* any JSON object kept in a TEXT column (custom_fields) */
	FT_FK,	    /* integer id on input; nested brief object on output */
	FT_DOUBLE,
	FT_COMPUTED, /* no column: rendered by the wire half from other columns (api/ only) */
};

/* Model flags. The wire half's flags (api/registry.h) use other bits of the same word. */
#define F_REQ 0x001u	 /* required on create */
#define F_RO 0x002u	 /* read-only for clients (set by the domain or the database) */
#define F_NULL 0x004u	 /* accepts null */
#define F_HIDDEN 0x010u	 /* internal column: never rendered nor accepted (hooks set it) */
#define F_SQLEXPR 0x100u /* `column` names a store named expression ("@name"), not a column */
#define F_WO 0x400u	 /* write-only, no column: accepted on input for the hooks only */
#define F_OPEN 0x800u	 /* FT_CHOICE whose choices are suggestions: other text is kept as is */
#define F_MODEL_FLAGS (F_REQ | F_RO | F_NULL | F_HIDDEN | F_SQLEXPR | F_WO | F_OPEN)

struct dom_field {
	const char *name; /* record key and JSON name */
	enum dom_ftype type;
	const char *column;	    /* SQL column; NULL for F_WO */
	unsigned flags;		    /* F_* above */
	int maxlen;		    /* text max length in characters; 0 = unlimited */
	const char *const *choices; /* NULL-terminated values for FT_CHOICE */
	const char *fk_target;	    /* FT_FK: the target model's name */
};

/* A value normaliser of one FT_TEXT/FT_CHOICE field (domain/values.h): rewrites the string a
 * client sent into its stored form, or refuses it, before the length and choice checks. */
struct dom_normalizer {
	const char *field;
	int (*normalize)(const char *field, const char *in, struct strbuf *out,
			 struct ck_error *err);
};

/* Validation hooks. All run inside the write's unit of work. */
struct dom_hooks {
	/* Validates and completes `rec` before INSERT (old_id 0) or UPDATE (old_id = id).
	 * May set hidden fields, normalise values, refuse with CK_E_INVALID/CK_E_DUPLICATE. */
	int (*before_write)(const struct dom_ctx *ctx, struct dom_record *rec, int64_t old_id,
			    struct ck_error *err);
	/* After INSERT/UPDATE: lifecycle events, derived rows. */
	int (*after_write)(const struct dom_ctx *ctx, const struct dom_record *rec, int64_t id,
			   int64_t old_id, struct ck_error *err);
	/* Before DELETE: refuse (e.g. protected references) or write events. */
	int (*before_delete)(const struct dom_ctx *ctx, int64_t id, struct ck_error *err);
};

struct dom_model {
	const char *name;	 /* model key = the registry name, e.g. "certificates" */
	const char *object_type; /* "netbox_ssl.certificate": changelog, outbox, tags */
	const char *verbose;	 /* "certificate" for messages */
	const char *table;
	const struct dom_field *fields;
	size_t nfields;
	const struct dom_normalizer *normalizers; /* NULL-field terminated; may be NULL */
	struct dom_hooks hooks;
	int taggable;	       /* has `tags` (tagged_items) */
	int has_custom_fields; /* has `custom_fields` column */
};

#define DOM_NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Every model, and lookup by name (NULL when unknown). */
const struct dom_model *dom_model_find(const char *name);
size_t dom_model_count(void);
const struct dom_model *dom_model_at(size_t i);

const struct dom_field *dom_model_field(const struct dom_model *m, const char *name);

/* The field names of a model (index-aligned with m->fields), for dom_record_init. */
const char *const *dom_model_names(const struct dom_model *m);

/* Prepares an empty record over the model's fields. 0 or CK_E_NOMEM. */
int dom_model_record_init(const struct dom_model *m, struct dom_record *rec);

/* True when the field is a stored column a write sets (not the id, an expression,
 * write-only, or a timestamp the store maintains). */
int dom_field_writable(const struct dom_field *f);

/* The declared models (domain/models_*.c). */
extern const struct dom_model dom_model_certificates;
extern const struct dom_model dom_model_cas;
extern const struct dom_model dom_model_assignments;
extern const struct dom_model dom_model_csrs;
extern const struct dom_model dom_model_tenants;
extern const struct dom_model dom_model_tags;
extern const struct dom_model dom_model_devices;
extern const struct dom_model dom_model_virtual_machines;
extern const struct dom_model dom_model_services;
extern const struct dom_model dom_model_object_changes;
extern const struct dom_model dom_model_users;
extern const struct dom_model dom_model_tokens;
extern const struct dom_model dom_model_compliance_policies;
extern const struct dom_model dom_model_compliance_checks;

#endif
