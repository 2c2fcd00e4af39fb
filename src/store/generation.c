/* store/generation — see generation.h. */
#include "store/generation.h"
#include "store/driver.h"
#include "core/hash.h"

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
	rc = sqlite3_create_function_v2(store_conn_handle(c), GEN_FUNCTION, 1,
					SQLITE_UTF8 | SQLITE_DIRECTONLY, s, gen_function, NULL,
					NULL, free);
	if (rc != SQLITE_OK)
		return ck_error_set(err, CK_E_DB, NULL, "cannot register " GEN_FUNCTION);
	return 0;
}

/* PostgreSQL: the current snapshot ("xmin:xmax:in-progress xids") changes whenever any
 * transaction of the cluster takes a transaction id (its first write) or ends, on any node;
 * read-only transactions leave it alone. A change of its hash, per connection, bumps the
 * same process-wide counter as on SQLite. Spurious bumps (writes to other databases of the
 * cluster) are allowed by the contract. */
static const char pg_gen_sql[] = "SELECT pg_current_snapshot()::text";

#define PG_SEEN_SLOTS 8 /* connections of one thread remembered (one per store in practice) */

static _Thread_local struct pg_seen {
	const struct store_conn *conn;
	uint64_t hash;
} pg_seen[PG_SEEN_SLOTS];

static struct pg_seen *pg_slot(const struct store_conn *c)
{
	struct pg_seen *free_slot = NULL;

	for (int i = 0; i < PG_SEEN_SLOTS; i++) {
		if (pg_seen[i].conn == c)
			return &pg_seen[i];
		if (!pg_seen[i].conn && !free_slot)
			free_slot = &pg_seen[i];
	}
	if (!free_slot) { /* forget the oldest; it only costs one spurious bump */
		free_slot = &pg_seen[0];
	}
	free_slot->conn = c;
	free_slot->hash = 0;
	return free_slot;
}

static int pg_generation(struct store_conn *c, uint64_t *ret, struct ck_error *err)
{
	struct store_stmt *st = NULL;
	struct pg_seen *seen;
	const char *snap;
	size_t len = 0;
	uint64_t h;
	int r = store_query(c, pg_gen_sql, &st, err);

	if (r < 0)
		return r;
	r = store_step(st, err);
	if (r != STORE_ROW) {
		store_done(st);
		return r < 0 ? r : ck_error_set(err, CK_E_DB, NULL, "no snapshot returned");
	}
	snap = store_col_text(st, 0, &len);
	h = ck_fnv1a(snap ? snap : "", len) | 1; /* never 0: 0 marks a fresh slot */
	store_done(st);
	seen = pg_slot(c);
	if (seen->hash != h) {
		seen->hash = h;
		*ret = atomic_fetch_add(&generation, 1) + 1;
	} else {
		*ret = atomic_load(&generation);
	}
	return 0;
}

int store_data_generation(struct store_conn *c, uint64_t *ret, struct ck_error *err)
{
	struct store_stmt *st;
	int r;

	if (store_conn_driver(c) == &store_postgres_driver)
		return pg_generation(c, ret, err);
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
