/* store/copy: the table list covers the schema; a copy keeps ids, NULLs, a self-reference
 * (certificates.replaced_by → a later row) and the id generator; empty clears everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/copy.h"
#include "store/store.h"

static struct store *open_mem(void)
{
	struct store *st = NULL;
	struct ck_error err = {0};

	assert_int_equal(store_open("sqlite::memory:", 0, &st, &err), 0);
	return st;
}

static int listed(const char *name)
{
	for (size_t i = 0; i < store_table_count; i++)
		if (!strcmp(store_tables[i].name, name))
			return 1;
	return 0;
}

/* Invariant 1: every base table of the migrated schema is in store_tables[], and back. */
static void test_table_list_matches_schema(void **state)
{
	struct store *st = open_mem();
	struct store_conn *c = store_conn_get(st);
	struct store_stmt *s = NULL;
	struct ck_error err = {0};
	size_t n = 0;

	(void)state;
	assert_int_equal(
	    store_query(c,
			"SELECT name FROM sqlite_master WHERE type = 'table'"
			" AND name NOT LIKE 'sqlite_%' AND name NOT IN ('schema_migrations', "
			"'auth_generation')"
			" AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
			" AND name NOT IN (SELECT name || suffix FROM sqlite_master,"
			"   (SELECT '_data' AS suffix UNION ALL SELECT '_idx' UNION ALL"
			"    SELECT '_content' UNION ALL SELECT '_docsize' UNION ALL"
			"    SELECT '_config') WHERE sql LIKE 'CREATE VIRTUAL TABLE%')",
			&s, &err),
	    0);
	while (store_step(s, &err) == STORE_ROW) {
		const char *name = store_col_text(s, 0, NULL);
		int derived = 0;

		for (int i = 0; store_derived_tables[i]; i++)
			derived |= !strcmp(store_derived_tables[i], name);
		if (derived)
			continue;
		if (!listed(name))
			fail_msg("table %s is not in store_tables[] (store/copy.c)", name);
		n++;
	}
	store_done(s);
	assert_int_equal(n, store_table_count);
	store_close(st);
}

static void seed(struct store *st)
{
	struct ck_error err = {0};

	assert_int_equal(
	    store_exec(
		store_conn_get(st),
		"INSERT INTO tenants (id, name, slug, created, last_updated)"
		" VALUES (7, 'T', 't', 1, 2);"
		"INSERT INTO certificates (id, common_name, serial_number, serial_key,"
		" fingerprint_sha256, issuer, issuer_key, valid_from, valid_to, tenant_id,"
		" created, last_updated, custom_fields)"
		" VALUES (3, 'old', '01', '1', 'AA', 'CN=x', 'x', 0, 10, 7, 1, 1, '{\"b\":1}'),"
		"        (9, 'new', '02', '2', 'BB', 'CN=x', 'x', 0, 20, NULL, 1, 1, '{}');"
		"UPDATE certificates SET replaced_by = 9, status = 'replaced' WHERE id = 3;"
		"DELETE FROM certificates WHERE id > 100;",
		&err),
	    0);
}

static int64_t scalar(struct store *st, const char *sql)
{
	int64_t v = -1;
	struct ck_error err = {0};

	assert_int_equal(store_scalar_i64(store_conn_get(st), sql, NULL, 0, &v, &err), 0);
	return v;
}

static void copy_everything(struct store *from, struct store *to)
{
	struct ck_error err = {0};

	for (size_t i = 0; i < store_table_count; i++)
		assert_int_equal(store_copy_table(from, to, &store_tables[i], NULL, &err), 0);
	assert_int_equal(store_copy_finish(to, &err), 0);
}

static void check_copy(struct store *to)
{
	struct ck_error err = {0};
	struct store_stmt *s = NULL;

	assert_int_equal(scalar(to, "SELECT replaced_by FROM certificates WHERE id = 3"), 9);
	assert_int_equal(scalar(to, "SELECT COUNT(*) FROM certificates WHERE tenant_id IS NULL"),
			 1);
	assert_int_equal(scalar(to, "SELECT tenant_id FROM certificates WHERE id = 3"), 7);
	/* the next id continues after the highest copied one, never reusing one */
	assert_int_equal(store_exec(store_conn_get(to),
				    "INSERT INTO tenants (name, slug, created, last_updated)"
				    " VALUES ('U', 'u', 0, 0)",
				    &err),
			 0);
	assert_int_equal(scalar(to, "SELECT MAX(id) FROM tenants"), 8);
	assert_int_equal(store_query(store_conn_get(to),
				     "SELECT status FROM certificates WHERE id = 3", &s, &err),
			 0);
	assert_int_equal(store_step(s, &err), STORE_ROW);
	assert_string_equal(store_col_text(s, 0, NULL), "replaced");
	store_done(s);
}

static void test_copy_sqlite_to_sqlite(void **state)
{
	struct store *from = open_mem(), *to = open_mem();
	struct ck_error err = {0};
	int64_t rows = 0;

	(void)state;
	seed(from);
	copy_everything(from, to);
	check_copy(to);
	assert_int_equal(store_table_rows(to, &store_tables[7], &rows, &err), 0);
	assert_int_equal(rows, 2);
	assert_int_equal(store_copy_empty(to, &err), 0);
	assert_int_equal(scalar(to, "SELECT COUNT(*) FROM certificates"), 0);
	assert_int_equal(scalar(to, "SELECT COUNT(*) FROM tenants"), 0);
	store_close(from);
	store_close(to);
}

/* The same into a fresh PostgreSQL database when the test server is there. */
static void test_copy_sqlite_to_postgres(void **state)
{
	const char *base = getenv("CK_TEST_PG_URL");
	char url[512], sql[160], name[64];
	struct store *admin = NULL, *from, *to = NULL;
	struct ck_error err = {0};
	const char *q;

	(void)state;
	if (!base || !*base)
		skip();
	q = strchr(base, '?');
	snprintf(name, sizeof(name), "ck_copy_%d", (int)getpid());
	assert_int_equal(store_open(base, 1, &admin, &err), 0);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	assert_int_equal(store_exec(store_conn_get(admin), sql, &err), 0);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	assert_int_equal(store_exec(store_conn_get(admin), sql, &err), 0);
	store_close(admin);
	snprintf(url, sizeof(url), "postgresql:///%s%s", name, q ? q : "");
	from = open_mem();
	seed(from);
	assert_int_equal(store_open(url, 0, &to, &err), 0);
	copy_everything(from, to);
	check_copy(to);
	store_close(from);
	store_close(to);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_list_matches_schema),
	    cmocka_unit_test(test_copy_sqlite_to_sqlite),
	    cmocka_unit_test(test_copy_sqlite_to_postgres),
	};
	return cmocka_run_group_tests_name("store_copy", tests, NULL, NULL);
}
