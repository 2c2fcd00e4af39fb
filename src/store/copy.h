/*
 * store/copy — moving a whole database from one engine to another (`certkeeper migrate-data`,
 * issue 12): the list of base tables, scanning a table's rows in a stable order, and copying
 * a table with its ids.
 *
 * Invariants:
 *   1. store_tables[] lists every base table of the schema (no engine-internal, derived or
 *      index tables), parents before children, so copying in that order never meets a foreign
 *      key to a row not yet copied. A unit test compares it with the SQLite catalogue: a
 *      migration that adds a table must add it here. Not copied: schema_migrations and
 *      auth_generation, state that the target's own migrations create.
 *   2. Rows are read ORDER BY the table's key, so two engines holding the same data hand the
 *      same rows in the same order to a row visitor (checksums compare).
 *   3. Every value travels as text (NULL stays NULL); each engine converts it back to the
 *      column's type. Ids are copied as they are; afterwards the target's id generators are
 *      moved past the highest id (store_copy_finish), so no id is ever handed out twice.
 *   4. The target is written in transactions of STORE_COPY_BATCH rows: a failure leaves the
 *      tables copied so far and part of the current one; the caller empties the target
 *      (store_copy_empty) before a retry.
 */
#ifndef CK_STORE_COPY_H
#define CK_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define STORE_COPY_BATCH 1000 /* rows per target transaction */
#define STORE_COPY_COLS_MAX 128

struct store_table_info {
	const char *name;
	const char *order_by; /* the key columns, comma-separated */
	int has_identity;     /* an "id" column whose generator must follow the copied ids */
	const char *self_ref; /* a column referencing a later row of the same table, or NULL */
};

extern const struct store_table_info store_tables[];
extern const size_t store_table_count;

/* Base tables kept by triggers from other tables (certificate_sans from certificates.sans,
 * certificate_counts from certificates.status and tenant_id, certificate_facets from status,
 * tenant_id, algorithm and issuer, tagged_counts from tagged_items, certificate_expiry_days and
 * certificate_summary_counts from certificates, certificates_fts_pending — the target's
 * triggers queue every copied certificate for its own search index):
 * never copied — the target's triggers fill them as their source rows arrive. NULL-ended. */
extern const char *const store_derived_tables[];

/* Called once per row: ncols values (NULL for SQL NULL, else NUL-terminated text of lens[i]
 * bytes) named by names[]. Everything is borrowed for the call only. A negative return stops
 * the scan and is returned by it. */
typedef int (*store_row_fn)(void *ud, int ncols, const char *const *names,
			    const char *const *values, const size_t *lens);

/* Visits every row of table t in key order (invariant 2). */
int store_table_scan(struct store *st, const struct store_table_info *t, store_row_fn fn, void *ud,
		     struct ck_error *err);

/* Rows of table t in *ret. */
int store_table_rows(struct store *st, const struct store_table_info *t, int64_t *ret,
		     struct ck_error *err);

/* Copies every row of t from `from` into `to` (invariants 3, 4); *ret_rows (optional) gets
 * the number of rows copied. The target table should be empty. */
int store_copy_table(struct store *from, struct store *to, const struct store_table_info *t,
		     int64_t *ret_rows, struct ck_error *err);

/* After the last table: moves every id generator of `to` past its table's highest id. */
int store_copy_finish(struct store *to, struct ck_error *err);

/* Deletes every row of every table of store_tables[] in `st`, children first, in one
 * transaction. */
int store_copy_empty(struct store *st, struct ck_error *err);

#endif
