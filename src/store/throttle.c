/* store/throttle — see throttle.h. */
#include "store/throttle.h"

static const char sql_get[] =
    "SELECT failures, window_start FROM auth_failures"
    " WHERE kind = $1 AND key = $2 AND window_start > $3 AND window_start <= $4";

/* $3 now, $4 the oldest window_start still current minus one (now - window_s). The SET
 * expressions see the row as it was, so both CASEs test the same old window. */
static const char sql_add[] =
    "INSERT INTO auth_failures (kind, key, window_start, failures) VALUES ($1, $2, $3, 1)"
    " ON CONFLICT (kind, key) DO UPDATE SET"
    " failures = CASE WHEN auth_failures.window_start > $4 AND auth_failures.window_start <= $3"
    " THEN auth_failures.failures + 1 ELSE 1 END,"
    " window_start = CASE WHEN auth_failures.window_start > $4 AND auth_failures.window_start <= $3"
    " THEN auth_failures.window_start ELSE $3 END";

static const char sql_prune[] = "DELETE FROM auth_failures WHERE window_start <= $1";

int store_auth_failures_get(struct store_conn *c, const char *kind, const char *key, int window_s,
			    int64_t now, int *ret_failures, int64_t *ret_window_start,
			    struct ck_error *err)
{
	struct store_stmt *st = NULL;
	int r = store_query(c, sql_get, &st, err);

	if (r < 0)
		return r;
	store_bind_text(st, 1, kind, (size_t)-1);
	store_bind_text(st, 2, key, (size_t)-1);
	store_bind_i64(st, 3, now - window_s);
	store_bind_i64(st, 4, now);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*ret_failures = (int)store_col_i64(st, 0);
		*ret_window_start = store_col_i64(st, 1);
	} else if (r == STORE_DONE) {
		*ret_failures = 0;
		*ret_window_start = 0;
	}
	store_done(st);
	return r < 0 ? r : 0;
}

int store_auth_failure_add(struct store_conn *c, const char *kind, const char *key, int window_s,
			   int64_t now, struct ck_error *err)
{
	struct store_stmt *st = NULL;
	int r = store_query(c, sql_add, &st, err);

	if (r < 0)
		return r;
	store_bind_text(st, 1, kind, (size_t)-1);
	store_bind_text(st, 2, key, (size_t)-1);
	store_bind_i64(st, 3, now);
	store_bind_i64(st, 4, now - window_s);
	r = store_step(st, err);
	store_done(st);
	if (r < 0)
		return r;
	r = store_query(c, sql_prune, &st, err);
	if (r < 0)
		return r;
	store_bind_i64(st, 1, now - window_s);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}
