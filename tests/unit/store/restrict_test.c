/* Regression test: deleting a row still referenced through ON DELETE RESTRICT must map to
 * CK_E_INVALID (a client error the API turns into 409), not to a generic database error —
 * SQLite reports RESTRICT with SQLITE_CONSTRAINT_TRIGGER, not ..._FOREIGNKEY. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"

static void test_restrict_delete_is_invalid(void **state)
{
	struct store *st;
	struct store_conn *c;
	struct store_stmt *s;
	struct ck_error err;

	(void)state;
	assert_int_equal(store_open("sqlite::memory:", 0, &st, NULL), 0);
	c = store_conn_get(st);
	assert_int_equal(
	    store_exec(
		c,
		"INSERT INTO tenants (name, slug, created, last_updated) VALUES ('a', 'a', 0, 0);"
		"INSERT INTO devices (name, tenant_id, created, last_updated) VALUES ('d', 1, 0, "
		"0);",
		NULL),
	    0);
	assert_int_equal(store_query(c, "DELETE FROM tenants WHERE id = $1", &s, NULL), 0);
	store_bind_i64(s, 1, 1);
	ck_error_clear(&err);
	assert_int_equal(store_step(s, &err), CK_E_INVALID);
	store_done(s);
	/* an unreferenced row deletes fine */
	assert_int_equal(store_exec(c, "DELETE FROM devices; DELETE FROM tenants;", NULL), 0);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_restrict_delete_is_invalid)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
