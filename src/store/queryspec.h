/*
 * store/queryspec — a read query described as data, rendered to SQL by the store.
 *
 * The registry's query builder (api/filter.c, api/query.c) says WHAT to read — a table, its
 * declared columns, lookups on declared columns with bound values, an ordering, a page — and
 * this module says HOW, in the dialect of the connection's driver (driver.h: case-insensitive
 * matching, JSON array membership, string aggregation). A second engine renders the same
 * spec through its own driver; api/ never writes SQL text for a list.
 *
 * Invariants:
 *  1. Client values only ever travel as bound values (store_qs_bind_*); the SQL text holds
 *     only declared names (table, columns, expressions, object types) from the caller's
 *     static declarations, placeholders `$n`, and the renderer's own keywords.
 *  2. Conditions form an AND of terms; store_qs_open_any()/open_all() start a parenthesised
 *     group whose terms are OR-ed / AND-ed, closed by store_qs_close() (groups nest up to
 *     STORE_QS_MAX_DEPTH). An empty group renders as nothing — never as "()".
 *  3. Every ordering ends with `t.id ASC`, so pages are stable and disjoint (and a keyset
 *     cursor names a unique position).
 *  4. Bind numbers are 1-based and stable: store_qs_bind_*() returns the `$n` a declared
 *     named filter may reference; the page's limit and offset take the two numbers after the
 *     last bind.
 *
 * Lifecycle: store_qs_init() → add … → render/query … → store_qs_release() (which frees
 * the arrays; init again to reuse). A spec is owned by one thread; rendering does not change
 * it (it may be rendered for several forms: count, page, row).
 */
#ifndef CK_STORE_QUERYSPEC_H
#define CK_STORE_QUERYSPEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "store/store.h"

#define STORE_QS_PREFILTER_SELECTIVE 2000 /* rows: a pre-filter below this drives alone */
#define STORE_QS_MAX_BINDS 512		  /* bound values of one spec (CK_E_TOOBIG beyond) */
#define STORE_QS_MAX_COLS 128		  /* selected columns */
#define STORE_QS_MAX_TERMS 1024		  /* condition terms (leaves, group marks) */
#define STORE_QS_MAX_ORDER 16		  /* ordering keys (before the final t.id) */
#define STORE_QS_MAX_DEPTH 8		  /* nesting of condition groups */
#define STORE_QS_SQL_MAX (1u << 20)	  /* rendered SQL text */
#define STORE_QS_CURSOR_MAX 2048 /* characters of a keyset cursor (a longer one is invalid) */

/* How a column or a lookup's subject is named. */
#define STORE_QS_EXPR 0x1u   /* `col` is a declared SQL expression over the row `t` */
#define STORE_QS_NULLED 0x2u /* selected as NULL (brief rows skip costly expressions) */
#define STORE_QS_NO_TRIGRAM                                                                        \
	0x4u /* store_qs_match(): no trigram pre-filter (the exact test only)                      \
	      */

/* Lookups: the subject compared with one bound value unless said otherwise. */
enum store_qs_lookup {
	STORE_QS_EQ,
	STORE_QS_NE,
	STORE_QS_LT,
	STORE_QS_LTE,
	STORE_QS_GT,
	STORE_QS_GTE,
	STORE_QS_NE_OR_NULL, /* NULL or different */
	STORE_QS_NULL,	     /* no value bound */
	STORE_QS_NOT_NULL,   /* no value bound */
	STORE_QS_BLANK,	     /* NULL or '' (text); no value bound */
	STORE_QS_NOT_BLANK,  /* neither NULL nor ''; no value bound */
	STORE_QS_ICONTAINS,  /* case-insensitive match, the value taken literally */
	STORE_QS_ISTARTSWITH,
	STORE_QS_IENDSWITH,
	STORE_QS_IEXACT,
	STORE_QS_JSON_HAS, /* the JSON array subject has an element equal to the value */
	STORE_QS_NLOOKUPS
};

struct store_qs_value {
	int is_int;
	int64_t i;
	char *s; /* owned; NULL for integers */
};

struct store_qs_col {
	const char *col; /* declared column of `t` or declared expression (STORE_QS_EXPR) */
	unsigned flags;
};

/* Named expressions: a declared expression "@name" (with STORE_QS_EXPR) is one of these,
 * composed by the store in the connection's dialect (the registry's declarations are static
 * and engine-neutral):
 *   @policy_tag_ids          JSON array of the tag ids of compliance policy t.id
 *   @policy_check_count      number of checks of policy t.id
 *   @check_certificate_name  common name of check t's certificate
 *   @check_policy_name       name of check t's policy
 *   @check_severity          severity of check t's policy
 *   @check_is_passing        check t passed (boolean)
 *   @check_is_failing        check t failed (boolean)
 *   @cert_tenant_name        name of certificate t's tenant
 *   @cert_assignment_count   number of assignments of certificate t
 *   @cert_assignments_json   JSON array of {type, id, name} of certificate t's assignments
 *   @cert_serial_hex         certificate t's serial without colons
 *   @tenant_certificate_count     number of certificates of tenant t
 *   @ca_certificate_count         number of certificates issued by certificate authority t
 *   @tag_tagged_items             number of objects carrying tag t
 *   @device_certificate_count     number of assignments to device t
 *   @vm_certificate_count         number of assignments to virtual machine t
 *   @service_certificate_count    number of assignments to service t
 *   @assignment_certificate_name  common name of assignment t's certificate
 * An unknown name renders as NULL. The SQL lives in queryspec_named.c. */

enum store_qs_term_kind {
	QS_T_LEAF,     /* lookup on a subject */
	QS_T_OPEN_ANY, /* "(" … OR … */
	QS_T_OPEN_ALL, /* "(" … AND … */
	QS_T_CLOSE,    /* ")" */
	QS_T_TAGGED,   /* the row carries a tag (by id or slug) */
	QS_T_IN_NAMED, /* FK column in the ids of another table's rows named by binds */
	QS_T_IN_JSON,  /* t.id among the ids of a bound JSON array */
	QS_T_IN_MATCH, /* FK column in the ids of another table's rows matching a lookup */
	QS_T_CONTAINS, /* index pre-filter: the row's col may contain the bound text */
	QS_T_IN_IDS,   /* FK column in nbinds integer binds (an IN_NAMED resolved) */
	QS_T_FILTER,   /* a named filter (col: its name; negate) */
};

struct store_qs_term {
	enum store_qs_term_kind kind;
	enum store_qs_lookup lk; /* QS_T_LEAF */
	unsigned flags;		 /* STORE_QS_EXPR for the subject */
	int negate;		 /* case-insensitive lookups, QS_T_TAGGED, QS_T_FILTER */
	const char *col;	 /* subject; the FK column (IN_NAMED); the filter name (FILTER) */
	const char *aux;	 /* IN_NAMED, IN_MATCH: target table; TAGGED: "id" or "slug" */
	const char *aux2;	 /* IN_MATCH: the target's column */
	int aux_flag;		 /* IN_NAMED: the target has a slug column */
	int bind;		 /* first bind number (0: none) */
	int nbinds;		 /* IN_NAMED, FILTER: consecutive binds */
};

struct store_qs_order {
	const char *col; /* "id", a declared column, or a declared expression */
	unsigned flags;
	int desc;
};

/* The arrays grow on demand (a list request's spec holds a few dozen entries; a fixed
 * worst-case layout of ~70 KiB per spec cost page faults on every nested object render). */
struct store_qspec {
	const char *table;	   /* declared table, aliased `t` */
	const char *tags_type;	   /* non-NULL: select the tags aggregate of this object type */
	int tags_nulled;	   /* the tags column is selected as NULL */
	struct store_qs_col *cols; /* owned */
	size_t ncols, acols;
	struct store_qs_term *terms; /* owned */
	size_t nterms, aterms;
	int depth;		      /* open groups */
	struct store_qs_value *binds; /* owned */
	int nbinds, abinds;
	struct store_qs_order order[STORE_QS_MAX_ORDER];
	size_t norder;
	int64_t limit, offset; /* STORE_QS_PAGE */
	int plan;	       /* STORE_QS_PAGE: 0 default, >0 walk the ordering, <0 find the
				* matches first (store_qs_plan) */
	int walk_unindexed;    /* plan > 0: the conditions on plain columns are marked so that no
				* index of theirs is used (driver.h no_index_mark) */
	int after_bind;	       /* >0: keyset continuation, norder + 1 binds from this one
				* (store_qs_cursor_apply) */
	int failed;	       /* first error of an add (latched, like strbuf) */
	int prefilter_sampled; /* memo of store_qs_query: 0 not yet, 1 pre-filters broad, 2
				* selective (fewer than STORE_QS_PREFILTER_SELECTIVE rows); a
				* new term resets it */
};

/* What to render. */
enum store_qs_form {
	STORE_QS_COUNT, /* SELECT COUNT(*) FROM t WHERE … */
	STORE_QS_PAGE,	/* the selected columns of the page: t.id, cols…[, tags][, ordering
			 * keys when store_qs_keyset_ok()] of the rows of ordered ids
			 * LIMIT/OFFSET (late row lookup), in the same order; after the row of
			 * a cursor when one was applied */
	STORE_QS_ROWS,	/* t.id, cols…[, tags] WHERE … ORDER BY …, no limit */
	STORE_QS_ROW,	/* t.id, cols…[, tags] of the row whose id is the last bind */
};

void store_qs_init(struct store_qspec *qs, const char *table);
void store_qs_release(struct store_qspec *qs); /* NULL accepted */

/* Selected columns after t.id, in order (column k+1 of a result is cols[k]). */
int store_qs_select(struct store_qspec *qs, const char *col, unsigned flags);
/* Appends the tags column: per row, "id\x1fname\x1fslug\x1fcolor" joined by \x1e. */
void store_qs_select_tags(struct store_qspec *qs, const char *object_type, int nulled);

/* Bound values: return the bind number ($n, > 0) or a negative error (CK_E_TOOBIG past
 * STORE_QS_MAX_BINDS, CK_E_NOMEM). Text is copied. */
int store_qs_bind_text(struct store_qspec *qs, const char *s);
int store_qs_bind_int(struct store_qspec *qs, int64_t v);

/* Condition terms (invariant 2). Errors latch in qs->failed and are returned by render. */
void store_qs_open_any(struct store_qspec *qs);
void store_qs_open_all(struct store_qspec *qs);
void store_qs_close(struct store_qspec *qs);
/* A lookup on `col` with bind number `bind` (0 for lookups without a value). For the
 * case-insensitive lookups the value is bound by store_qs_match() instead. */
void store_qs_where(struct store_qspec *qs, const char *col, unsigned flags,
		    enum store_qs_lookup lk, int bind);
/* A case-insensitive lookup (STORE_QS_ICONTAINS..IEXACT) of client text `v`, taken
 * literally (wildcards escaped), bound. */
int store_qs_match(struct store_qspec *qs, const char *col, unsigned flags, enum store_qs_lookup lk,
		   const char *v, int negate);
/* The row has (negate: has not) a tag whose `by` ("id" or "slug") is bind `bind`. */
void store_qs_tagged(struct store_qspec *qs, const char *object_type, const char *by, int bind,
		     int negate);
/* FK column `col` of t names a row of `table` whose name (or slug) is one of the
 * `nbinds` consecutive binds from `bind`. */
void store_qs_in_named(struct store_qspec *qs, const char *col, const char *table, int has_slug,
		       int bind, int nbinds);
/* FK column `col` of t names a row of `table` whose `target_col` matches client text `v`
 * by case-insensitive lookup `lk` (STORE_QS_ICONTAINS..IEXACT; bound, taken literally). */
int store_qs_in_match(struct store_qspec *qs, const char *col, const char *table,
		      const char *target_col, enum store_qs_lookup lk, const char *v);
/* Trigram-indexed substring search. store_qs_contains_indexed() says whether `col` (a declared
 * column of the spec's table, or "t.<col>") has a trigram index (certificates: common_name,
 * issuer, serial_key). store_qs_contains_prefilter() adds a pre-filter term that is true for
 * (at least) every row whose `col` contains `v` ASCII-case-insensitively, served by that
 * index; the caller keeps its exact condition beside it (the index folds Unicode case too,
 * so it may let more rows through, never fewer). Nothing is added (returns 0) when the column
 * has no such index, or `v` has fewer than STORE_QS_TRIGRAM_MIN characters or is not UTF-8
 * (a trigram index cannot answer those). Returns 1 when added, or a negative error.
 * store_qs_match() adds it by itself for ICONTAINS, ISTARTSWITH, IENDSWITH and IEXACT (not
 * negated) on an indexed column (each implies "contains").
 * The pre-filter must be AND-ed with an exact condition that implies it: where the index
 * cannot help (a count from a counts table, a page walked in its ordering) the store leaves
 * it out.
 * Rendered: SQLite `t.id IN (SELECT rowid FROM <table>_fts WHERE <table>_fts MATCH
 * '<col> : "' || REPLACE($n, '"', '""') || '"')`; PostgreSQL `t.col ILIKE '%' || <$n
 * escaped> || '%'` (a pg_trgm GIN index serves it). */
#define STORE_QS_TRIGRAM_MIN 3
int store_qs_contains_indexed(const struct store_qspec *qs, const char *col);
int store_qs_contains_prefilter(struct store_qspec *qs, const char *col, const char *v);

/* Turns every store_qs_in_named() term into its ids, looked up now (one small query per
 * term): the FK column is then compared with bound integers — `= $n` for one id, which the
 * column's composite indexes serve with the ordering, where `IN (SELECT …)` sorted every row
 * of the tenant. Call once the conditions are complete, before counting or rendering. 0 or
 * a negative error. */
int store_qs_resolve_named(struct store_conn *c, struct store_qspec *qs, struct ck_error *err);

/* t.id is among the integers of the bound JSON array text `bind`. */
void store_qs_in_json(struct store_qspec *qs, int bind);

/* Named filters: a condition the store declares by name (queryspec_named.c), on bound
 * values the caller binds first, in this order (consecutive binds from `bind`; 0 when the
 * filter takes none). The registry's filters name them; the SQL and its dialect stay here.
 *   none                              no row (a value that cannot match)
 *   certificate_san (text)            certificate t has this SAN element, exactly
 *   certificate_serial (text)         t's serial contains these hex digits (upper case, no
 *                                     colons), or is them but for leading zeros
 *   certificate_serial_key (text)     t's serial is this client text, whatever its colons,
 *                                     case and leading zeros
 *   certificate_has_assignments       t is assigned to anything
 *   certificate_renewal_not_acme, certificate_renewal_manual
 *   certificate_renewal_expired (now)
 *   certificate_renewal_due, certificate_renewal_ok (now, today: days since the epoch)
 *                                     t's acme_renewal_status (reference §1.2)
 *   certificate_on_device, certificate_on_virtual_machine (id)
 *   assignment_on_device, assignment_on_virtual_machine (id)
 *                                     certificate / assignment t is assigned to the object
 *                                     or to one of its services
 *   certificate_on_service, assignment_on_service (id)
 * `negate`: the rows the filter does not select. An unknown name, or binds that are not the
 * spec's, latch CK_E_INTERNAL. */
void store_qs_filter(struct store_qspec *qs, const char *name, int bind, int negate);

/* Ordering keys (invariant 3 adds t.id ASC). "id" names the row id. */
int store_qs_order_by(struct store_qspec *qs, const char *col, unsigned flags, int desc);

/* Renders `form` for the driver of `c` into `sql`. 0 or a negative error. */
int store_qs_render(struct store_conn *c, const struct store_qspec *qs, enum store_qs_form form,
		    struct strbuf *sql);

/* Binds every value of qs (and, for STORE_QS_PAGE, limit and offset) to `st`. */
void store_qs_apply(const struct store_qspec *qs, enum store_qs_form form, struct store_stmt *st);

/* Renders, prepares (statement cache) and binds: *ret is ready to step; store_done() it. */
int store_qs_query(struct store_conn *c, const struct store_qspec *qs, enum store_qs_form form,
		   struct store_stmt **ret, struct ck_error *err);

/* The distinct keys of JSON object column `col` (declared) over the rows of the spec's
 * conditions, sorted, at most `limit` (bound): one text column. store_done() it. */
int store_qs_json_keys_query(struct store_conn *c, const struct store_qspec *qs, const char *col,
			     int64_t limit, struct store_stmt **ret, struct ck_error *err);

/* Runs the COUNT form. */
int store_qs_count(struct store_conn *c, const struct store_qspec *qs, int64_t *ret,
		   struct ck_error *err);

/* The page plan (issue 11). `matches` is the exact number of rows the conditions select (the
 * list's count); with the table's total (its counts table) and the page's limit and offset
 * already set, the store chooses how the PAGE form finds the page: when matches are many, by
 * walking the ordering's index and testing each row (trigram pre-filters left out, tags
 * probed), which stops after about (limit + offset) * total / matches rows; when they are
 * few, from the filter's own index (pre-filters, a tag's items) and sorting them (on SQLite
 * the ordering is marked so that no index walks it: a filter matching 0 of 1M rows ordered
 * by -id walked the whole id index, 0.8 s). Specs without conditions are not affected. 0 or
 * a negative error. */
int store_qs_plan(struct store_conn *c, struct store_qspec *qs, int64_t matches,
		  struct ck_error *err);

/* Keyset continuation behind NetBox's offset (docs/api.md "Paging"). A cursor names the row
 * before a page: the list's identity (a hash of its conditions, their values and ordering),
 * the offset it stands for, and that row's ordering-key values and id. Only orderings whose
 * keys are all NOT NULL plain columns (keyset_cols in queryspec.c, and id) have cursors:
 * store_qs_keyset_ok(). Call after the ordering is complete. */
int store_qs_keyset_ok(const struct store_qspec *qs);

/* Appends to `out` the cursor for the page that starts after the current row of `st` (a
 * PAGE statement of qs), standing for offset `offset`. 1 when appended; 0 when the ordering
 * has none or it would exceed STORE_QS_CURSOR_MAX (nothing appended); negative error. */
int store_qs_cursor_make(struct store_conn *c, const struct store_qspec *qs, struct store_stmt *st,
			 int64_t offset, struct strbuf *out);

/* Applies client text `cursor` to qs for the page at `offset`: 1 when applied (the PAGE form
 * then starts after the cursor's row, OFFSET 0); 0 when it was made for another offset or
 * another list (the offset decides, the cursor is ignored); CK_E_INVALID (field "cursor")
 * when it is malformed, longer than STORE_QS_CURSOR_MAX, or its values do not fit the
 * ordering. The cursor's values are bound, never written into SQL. */
int store_qs_cursor_apply(struct store_conn *c, struct store_qspec *qs, const char *cursor,
			  int64_t offset, struct ck_error *err);

/* Appends a cache key for the spec's result in `form` (rendered SQL + NUL-separated binds). */
int store_qs_key(struct store_conn *c, const struct store_qspec *qs, enum store_qs_form form,
		 struct strbuf *key);

#endif
