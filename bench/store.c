/* bench/store — figures for store/ and domain/auth: cached point SELECTs, single-row INSERTs
 * in one transaction, and token authentication from the cache and from the database.
 * Usage: bench_store [DB-URL]  (default: a temporary file database). Prints; never fails on
 * time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/auth.h"
#include "store/store.h"

#define ROWS 20000
#define AUTHS 20000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, int n, double secs)
{
	printf("%-34s %8d ops %9.3f ms %10.0f ops/s %7.2f us/op\n", what, n, secs * 1e3, n / secs,
	       secs * 1e6 / n);
}

static int bench_rows(struct store_conn *c)
{
	struct store_stmt *s = NULL;
	double t0;
	int64_t sum = 0;

	if (store_exec(c, "CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, v TEXT)",
		       NULL) < 0 ||
	    store_exec(c, "DELETE FROM bench", NULL) < 0)
		return 1;
	t0 = now();
	if (store_tx_begin(c, NULL) < 0)
		return 1;
	for (int i = 0; i < ROWS; i++) {
		if (store_query(c, "INSERT INTO bench (id, v) VALUES ($1, $2)", &s, NULL) < 0)
			return 1;
		store_bind_i64(s, 1, i + 1);
		store_bind_text(s, 2, "some value of a row", (size_t)-1);
		store_step(s, NULL);
		store_done(s);
	}
	if (store_tx_commit(c, NULL) < 0)
		return 1;
	report("insert (one transaction)", ROWS, now() - t0);
	t0 = now();
	for (int i = 0; i < ROWS; i++) {
		if (store_query(c, "SELECT id, v FROM bench WHERE id = $1", &s, NULL) < 0)
			return 1;
		store_bind_i64(s, 1, (i * 7919) % ROWS + 1);
		if (store_step(s, NULL) == STORE_ROW)
			sum += store_col_i64(s, 0);
		store_done(s);
	}
	report("point select (cached statement)", ROWS, now() - t0);
	return sum > 0 ? 0 : 1;
}

static int bench_auth(struct store_conn *c)
{
	char *key = NULL, header[128];
	int64_t uid = 0;
	double t0;
	int rc = 1;

	struct auth_user u;

	if (auth_user_create(c, "bench", 0, &uid, NULL) < 0) { /* a reused database */
		if (auth_user_find(c, "bench", &u, NULL) < 0)
			return 1;
		uid = u.id;
	}
	if (auth_token_create(c, uid, 1, "bench", 0, &key, NULL, NULL) < 0)
		return 1;
	snprintf(header, sizeof(header), "Token %s", key);
	t0 = now();
	for (int i = 0; i < AUTHS; i++)
		if (auth_authenticate_header(c, header, NULL, NULL, NULL) < 0)
			goto out;
	report("authenticate (cache hit)", AUTHS, now() - t0);
	t0 = now();
	for (int i = 0; i < AUTHS / 10; i++) {
		auth_cache_clear();
		if (auth_authenticate_header(c, header, NULL, NULL, NULL) < 0)
			goto out;
	}
	report("authenticate (database look-up)", AUTHS / 10, now() - t0);
	rc = 0;
out:
	free(key);
	return rc;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/ck-bench-XXXXXX", url[128], path[96];
	struct store *st = NULL;
	struct ck_error err;
	int rc;

	if (argc > 1) {
		snprintf(url, sizeof(url), "%s", argv[1]);
	} else {
		if (!mkdtemp(dir))
			return 1;
		snprintf(path, sizeof(path), "%s/bench.db", dir);
		snprintf(url, sizeof(url), "sqlite:%s", path);
	}
	ck_error_clear(&err);
	if (store_open(url, 0, &st, &err) < 0) {
		fprintf(stderr, "bench_store: %s\n", err.msg);
		return 1;
	}
	rc = bench_rows(store_conn_get(st)) || bench_auth(store_conn_get(st));
	store_close(st);
	if (argc <= 1) {
		char p[128];

		unlink(path);
		snprintf(p, sizeof(p), "%s-wal", path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", path);
		unlink(p);
		rmdir(dir);
	}
	return rc;
}
