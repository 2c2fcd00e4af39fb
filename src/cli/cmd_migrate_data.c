/*
 * cli/cmd_migrate_data — `certkeeper migrate-data --from URL --to URL [--replace]`: copies an
 * installation from one database to another (SQLite → PostgreSQL, or back), every table with
 * its ids, then proves the copy: the row count and a checksum of every table must be equal on
 * both sides, or the command fails.
 *
 * The checksum (64-bit FNV-1a over the rows in key order) is computed over canonical values,
 * because the engines spell the same data differently: JSON documents are compared parsed
 * and re-serialised with sorted keys (PostgreSQL's JSONB reorders keys and adds spaces), and
 * numbers with a fraction or exponent as %.17g (SQLite prints 100.0 where PostgreSQL prints
 * 100). Everything else must be equal byte for byte.
 *
 * A target that holds any row is refused unless --replace, which empties it first (one
 * transaction). Both databases are migrated to the current schema first.
 */
#include "cli/commands.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/clock.h"
#include "store/copy.h"
#include "store/store.h"

static const char usage[] =
    "usage: certkeeper migrate-data --from URL --to URL [--replace]\n\n"
    "Copies every table, ids included, from one database to another (e.g. sqlite:PATH to\n"
    "postgresql://...), then verifies row counts and a checksum per table.\n\n"
    "  --from URL   the source database (migrated to the current schema first)\n"
    "  --to URL     the target database (created tables via migrations; must be empty)\n"
    "  --replace    empty a non-empty target first instead of refusing\n";

#define MIGRATE_DATA_INDEX_BATCH 5000 /* certificates indexed for search per transaction */

struct digest {
	uint64_t h;
	int64_t rows;
};

static void fnv(struct digest *d, const void *data, size_t n)
{
	d->h = ck_fnv1a_add(d->h, data, n);
}

/* JSON text (object or array) re-serialised compact with sorted keys; NULL if it is not. */
static char *canonical_json(const char *v, size_t len)
{
	json_t *j;
	char *out;
	size_t i = 0;

	while (i < len && (v[i] == ' ' || v[i] == '\n' || v[i] == '\t' || v[i] == '\r'))
		i++;
	if (i == len || (v[i] != '{' && v[i] != '['))
		return NULL;
	j = json_loadb(v, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!j)
		return NULL;
	out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(j);
	return out;
}

static int digest_row(void *ud, int n, const char *const *names, const char *const *values,
		      const size_t *lens)
{
	struct digest *d = ud;

	(void)names;
	d->rows++;
	for (int i = 0; i < n; i++) {
		char num[40], *json = NULL, *end = NULL;
		const char *v = values[i];
		size_t len = lens[i];

		if (!v) {
			fnv(d, "\x01N", 2);
		} else if ((json = canonical_json(v, len))) {
			fnv(d, json, strlen(json));
			free(json);
		} else {
			double x = len && len < 40 && strpbrk(v, ".eE") ? strtod(v, &end) : 0;

			if (end && end == v + len && isfinite(x)) {
				int k = snprintf(num, sizeof(num), "%.17g", x);

				fnv(d, num, (size_t)k);
			} else {
				fnv(d, v, len);
			}
		}
		fnv(d, "\x1f", 1); /* value separator */
	}
	fnv(d, "\x1e", 1); /* row separator */
	return 0;
}

static int table_digest(struct store *st, const struct store_table_info *t, struct digest *d,
			struct ck_error *err)
{
	d->h = CK_FNV1A_INIT;
	d->rows = 0;
	return store_table_scan(st, t, digest_row, d, err);
}

static int fail(const char *what, const struct ck_error *err, int rc)
{
	fprintf(stderr, "certkeeper migrate-data: %s: %s\n", what,
		err && err->msg[0] ? err->msg : ck_strerror(rc));
	return 1;
}

static int target_rows(struct store *to, int64_t *ret, struct ck_error *err)
{
	int64_t total = 0;

	for (size_t i = 0; i < store_table_count; i++) {
		int64_t n = 0;
		int rc = store_table_rows(to, &store_tables[i], &n, err);

		if (rc < 0)
			return rc;
		total += n;
	}
	*ret = total;
	return 0;
}

static int copy_all(struct store *from, struct store *to)
{
	struct ck_error err;
	int rc = 0;

	ck_error_clear(&err);
	for (size_t i = 0; i < store_table_count; i++) {
		int64_t rows = 0;

		rc = store_copy_table(from, to, &store_tables[i], &rows, &err);
		if (rc < 0)
			return fail(store_tables[i].name, &err, rc);
		printf("copied %-28s %10" PRId64 " rows\n", store_tables[i].name, rows);
		fflush(stdout);
	}
	rc = store_copy_finish(to, &err);
	return rc < 0 ? fail("id generators", &err, rc) : 0;
}

/* The target's triggers queued every copied certificate for its search index (a SQLite
 * target; PostgreSQL indexes as it writes): index them now, so that the copy is complete
 * without a server's background job. */
static int index_target(struct store *to)
{
	struct store_conn *c = store_conn_get(to);
	struct ck_error err;
	int64_t total = 0;
	int rc;

	if (!c)
		return 1;
	ck_error_clear(&err);
	rc = store_deferred_index_drain_all(c, MIGRATE_DATA_INDEX_BATCH, &total, &err);
	if (rc < 0)
		return fail("indexing the target for search", &err, rc);
	if (total)
		printf("indexed %" PRId64 " certificate(s) for search\n", total);
	return 0;
}

/* Statistics and visibility for the target's planner (store_after_bulk_load). */
static int prepare_target(struct store *to)
{
	struct store_conn *c = store_conn_get(to);
	struct ck_error err;
	int64_t t0 = ck_mono_ms();
	int rc;

	if (!c)
		return 1;
	ck_error_clear(&err);
	rc = store_after_bulk_load(c, &err);
	if (rc < 0)
		return fail("preparing the target for reads", &err, rc);
	if (rc > 0)
		printf("prepared the target for reads in %.1f s\n",
		       (double)(ck_mono_ms() - t0) / 1000);
	return 0;
}

static int verify_all(struct store *from, struct store *to)
{
	struct ck_error err;
	int bad = 0;

	ck_error_clear(&err);
	for (size_t i = 0; i < store_table_count; i++) {
		struct digest a, b;
		int rc = table_digest(from, &store_tables[i], &a, &err);

		if (rc >= 0)
			rc = table_digest(to, &store_tables[i], &b, &err);
		if (rc < 0)
			return fail(store_tables[i].name, &err, rc);
		printf("verify %-28s rows %10" PRId64 " / %-10" PRId64 " checksum %016" PRIx64
		       " / %016" PRIx64 " %s\n",
		       store_tables[i].name, a.rows, b.rows, a.h, b.h,
		       a.rows == b.rows && a.h == b.h ? "ok" : "DIFFERENT");
		bad += a.rows != b.rows || a.h != b.h;
	}
	if (bad) {
		fprintf(stderr, "certkeeper migrate-data: %d table(s) differ after the copy\n",
			bad);
		return 1;
	}
	return 0;
}

static int open_both(const char *from_url, const char *to_url, struct store **from,
		     struct store **to)
{
	struct ck_error err;
	int rc;

	ck_error_clear(&err);
	rc = store_open(from_url, 0, from, &err);
	if (rc < 0)
		return fail("--from", &err, rc);
	rc = store_open(to_url, 0, to, &err);
	if (rc < 0) {
		store_close(*from);
		return fail("--to", &err, rc);
	}
	if (store_schema_version(*from) != store_schema_version(*to)) {
		fprintf(stderr, "certkeeper migrate-data: schema versions differ (%d vs %d)\n",
			store_schema_version(*from), store_schema_version(*to));
		store_close(*from);
		store_close(*to);
		return 1;
	}
	return 0;
}

static int run(const char *from_url, const char *to_url, int replace)
{
	struct store *from = NULL, *to = NULL;
	struct ck_error err;
	int64_t existing = 0;
	int rc;

	if (open_both(from_url, to_url, &from, &to))
		return 1;
	ck_error_clear(&err);
	rc = target_rows(to, &existing, &err);
	if (rc < 0) {
		rc = fail("--to", &err, rc);
		goto close;
	}
	if (existing && !replace) {
		fprintf(stderr,
			"certkeeper migrate-data: the target holds %" PRId64
			" rows; refusing (use --replace to empty it first)\n",
			existing);
		rc = 1;
		goto close;
	}
	if (existing && (rc = store_copy_empty(to, &err)) < 0) {
		rc = fail("emptying the target", &err, rc);
		goto close;
	}
	rc = copy_all(from, to);
	if (!rc)
		rc = verify_all(from, to);
	if (!rc)
		rc = index_target(to);
	if (!rc)
		rc = prepare_target(to);
	if (!rc)
		printf("migrate-data: done; every table has equal rows and checksums\n");
close:
	store_close(from);
	store_close(to);
	return rc;
}

int cmd_migrate_data(int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	int replace = 0;

	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--replace")) {
			replace = 1;
		} else if ((!strcmp(argv[i], "--from") || !strcmp(argv[i], "--to")) &&
			   i + 1 < argc) {
			*(argv[i][2] == 'f' ? &from : &to) = argv[i + 1];
			i++;
		} else {
			fprintf(stderr, "certkeeper migrate-data: unexpected argument '%s'\n\n%s",
				argv[i], usage);
			return 2;
		}
	}
	if (!from || !to) {
		fprintf(stderr, "certkeeper migrate-data: --from and --to are required\n\n%s",
			usage);
		return 2;
	}
	if (!strcmp(from, to)) {
		fprintf(stderr,
			"certkeeper migrate-data: --from and --to name the same database\n");
		return 2;
	}
	return run(from, to, replace);
}
