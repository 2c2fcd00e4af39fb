/* store/generation — see generation.h. */
#include "store/generation.h"
#include "store/driver.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define GEN_FUNCTION "ck_data_generation"

static const char gen_sql[] = "SELECT " GEN_FUNCTION "(data_version) FROM pragma_data_version()";

static _Atomic uint64_t generation = 1;

/* What one connection saw at its previous call. */
struct seen {
	int valid;
	int64_t data_version;
	int64_t total_changes;
};

static void gen_function(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct seen *s = sqlite3_user_data(ctx);
	int64_t dv = sqlite3_value_int64(argv[0]);
	int64_t tc = sqlite3_total_changes64(sqlite3_context_db_handle(ctx));
	uint64_t g;

	(void)argc;
	if (!s->valid || s->data_version != dv || s->total_changes != tc) {
		s->valid = 1;
		s->data_version = dv;
		s->total_changes = tc;
		g = atomic_fetch_add(&generation, 1) + 1;
	} else {
		g = atomic_load(&generation);
	}
	sqlite3_result_int64(ctx, (sqlite3_int64)g);
}

static int register_function(struct store_conn *c, struct ck_error *err)
{
	struct seen *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return CK_E_NOMEM;
	/* sqlite3 frees `s` with the function (on failure too, v2 semantics). */
	rc = sqlite3_create_function_v2(store_conn_handle(c), GEN_FUNCTION, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
					s, gen_function, NULL, NULL, free);
	if (rc != SQLITE_OK)
		return ck_error_set(err, CK_E_DB, NULL, "cannot register " GEN_FUNCTION);
	return 0;
}

int store_data_generation(struct store_conn *c, uint64_t *ret, struct ck_error *err)
{
	struct store_stmt *st;
	int r;

	if (store_conn_driver(c) != &store_sqlite_driver)
		return ck_error_set(err, CK_E_INTERNAL, NULL, "no data generation for this engine");
	if (store_query(c, gen_sql, &st, NULL)) {
		/* first use on this connection: the function does not exist yet */
		r = register_function(c, err);
		if (!r)
			r = store_query(c, gen_sql, &st, err);
		if (r)
			return r;
	}
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*ret = (uint64_t)store_col_i64(st, 0);
		r = 0;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_DB, NULL, "data_version returned no row");
	}
	store_done(st);
	return r;
}
