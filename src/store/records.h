/*
 * store/records — the generic row statements of the resource registry's write path: insert,
 * update and delete one row of a declared table, look a row up by id, and the tag attachments
 * (tagged_items) of any object. Table and column names come from the resource declarations
 * (constants of the program, never client text); values are always bound.
 *
 * Every function runs on the caller's connection; the writes inside the caller's unit of work.
 */
#ifndef CK_STORE_RECORDS_H
#define CK_STORE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define STORE_RECORD_MAX_SQL 65536 /* longest generated statement (columns of one table) */

enum store_vtype { STORE_V_NULL = 0, STORE_V_INT, STORE_V_DOUBLE, STORE_V_TEXT };

/* One column value to write. Text is borrowed for the call. */
struct store_value {
	const char *column;
	enum store_vtype type;
	int64_t i;
	double d;
	const char *s;
	size_t len;
};

/* INSERT INTO table (created, last_updated, columns...) with created = last_updated = now;
 * *ret_id receives the new id. Store errors as in store.h (CK_E_DUPLICATE names the
 * constraint's columns in err->field). */
int store_record_insert(struct store_conn *c, const char *table, const struct store_value *vals,
			size_t n, int64_t now, int64_t *ret_id, struct ck_error *err);

/* UPDATE table SET last_updated = now, columns... WHERE id = id. */
int store_record_update(struct store_conn *c, const char *table, int64_t id,
			const struct store_value *vals, size_t n, int64_t now,
			struct ck_error *err);

/* DELETE FROM table WHERE id = id. A foreign key that restricts the delete: CK_E_INVALID. */
int store_record_delete(struct store_conn *c, const char *table, int64_t id, struct ck_error *err);

/* *ret_found = 1 when table has a row with this id. */
int store_record_exists(struct store_conn *c, const char *table, int64_t id, int *ret_found,
			struct ck_error *err);

/* Removes every tag of (object_type, id). */
int store_tags_clear(struct store_conn *c, const char *object_type, int64_t id,
		     struct ck_error *err);

/* Attaches tag_id to (object_type, id); attaching twice is a no-op. */
int store_tags_attach(struct store_conn *c, int64_t tag_id, const char *object_type, int64_t id,
		      struct ck_error *err);

/* The id of the tag with this id / slug / name (by = "id" uses `id_value`, "slug" and "name"
 * use `text`); *ret_id 0 when none. */
int store_tag_find(struct store_conn *c, const char *by, int64_t id_value, const char *text,
		   int64_t *ret_id, struct ck_error *err);

/* The parents of a service: *ret_device / *ret_vm (0 when none, or when no such service). */
int store_service_parents(struct store_conn *c, int64_t service_id, int64_t *ret_device,
			  int64_t *ret_vm, struct ck_error *err);

#endif
