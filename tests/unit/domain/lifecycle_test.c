/* Unit tests for domain/lifecycle (sweep, status events) and domain/renewal (apply, revert,
 * tenant block, conflict), including rollback of a renewal when a trigger fails its last
 * write mid-transaction. Each test runs on a fresh in-memory database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "domain/lifecycle.h"
#include "domain/renewal.h"
#include "store/store.h"

#include "fixture_helper.h"

#define NOW 1800000000LL /* 2027-01-15 */
#define DAY 86400LL

static int setup(void **state) { return dom_fx_setup(state, NOW); }

static int teardown(void **state) { return dom_fx_teardown(state); }

/* Inserts a certificate; returns its id. */
static int64_t cert(struct dom_fx *f, const char *status, int64_t valid_to, int pinned,
		    int64_t tenant)
{
	static int n;
	char sql[768];

	n++;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO certificates (common_name, serial_number, serial_key, "
		 "fingerprint_sha256, issuer,"
		 " issuer_key, valid_from, valid_to, status, archive_pinned, tenant_id, created, "
		 "last_updated)"
		 " VALUES ('c%d.example.com', '%02X', '%X', 'FP%d', 'CN=CA', 'cn=ca', %lld, %lld, "
		 "'%s', %d, %s, 1, 1)",
		 n, n, n, n, (long long)(valid_to - 90 * DAY), (long long)valid_to, status, pinned,
		 tenant ? "1" : "NULL");
	dom_fx_exec(f, sql);
	return dom_fx_scalar(f, "SELECT MAX(id) FROM certificates WHERE id > $1", 0);
}

static int64_t device(struct dom_fx *f, const char *name, int64_t tenant)
{
	char sql[256];

	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO devices (name, tenant_id, created, last_updated) VALUES ('%s', %s, 1, 1)",
	    name, tenant ? (tenant == 1 ? "1" : "2") : "NULL");
	dom_fx_exec(f, sql);
	return dom_fx_scalar(f, "SELECT MAX(id) FROM devices WHERE id > $1", 0);
}

static void assign(struct dom_fx *f, int64_t cert_id, int64_t dev)
{
	char sql[256];

	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO assignments (certificate_id, assigned_object_type, assigned_object_id,"
	    " created, last_updated) VALUES (%lld, 'dcim.device', %lld, 1, 1)",
	    (long long)cert_id, (long long)dev);
	dom_fx_exec(f, sql);
}

static void tenants(struct dom_fx *f)
{
	dom_fx_exec(
	    f, "INSERT INTO tenants (id, name, slug, created, last_updated) VALUES (1, 'A', 'a', "
	       "1, 1), (2, 'B', 'b', 1, 1)");
}

static int64_t count_events(struct dom_fx *f, int64_t id, const char *type)
{
	struct store_stmt *st;
	int64_t n = 0;

	assert_int_equal(
	    store_query(f->ctx.conn,
			"SELECT COUNT(*) FROM lifecycle_events WHERE certificate_id = $1"
			" AND event_type = $2",
			&st, NULL),
	    0);
	store_bind_i64(st, 1, id);
	store_bind_text(st, 2, type, (size_t)-1);
	assert_int_equal(store_step(st, NULL), STORE_ROW);
	n = store_col_i64(st, 0);
	store_done(st);
	return n;
}

static void status_is(struct dom_fx *f, int64_t id, const char *want)
{
	struct store_stmt *st;

	assert_int_equal(
	    store_query(f->ctx.conn, "SELECT status FROM certificates WHERE id = $1", &st, NULL),
	    0);
	store_bind_i64(st, 1, id);
	assert_int_equal(store_step(st, NULL), STORE_ROW);
	assert_string_equal(store_col_text(st, 0, NULL), want);
	store_done(st);
}

/* ---- lifecycle ---- */

static void test_event_types(void **state)
{
	(void)state;
	assert_string_equal(dom_lifecycle_status_event_type("revoked"), "revoked");
	assert_string_equal(dom_lifecycle_status_event_type("archived"), "archived");
	assert_string_equal(dom_lifecycle_status_event_type("expired"), "status_changed");
	assert_string_equal(dom_lifecycle_status_event_type("active"), "status_changed");
}

static void test_sweep(void **state)
{
	struct dom_fx *f = *state;
	int64_t past = cert(f, "active", NOW - 1, 0, 0), fresh = cert(f, "active", NOW + DAY, 0, 0);
	int64_t old_exp = cert(f, "expired", NOW - 91 * DAY, 0, 0),
		pinned = cert(f, "expired", NOW - 200 * DAY, 1, 0);
	int64_t old_rep = cert(f, "replaced", NOW - 91 * DAY, 0, 0),
		young = cert(f, "expired", NOW - 89 * DAY, 0, 0);
	int64_t revoked = cert(f, "revoked", NOW - 400 * DAY, 0, 0),
		very_old_active = cert(f, "active", NOW - 400 * DAY, 0, 0);
	int expired = -1, archived = -1;

	assert_int_equal(dom_lifecycle_sweep(&f->ctx, &expired, &archived, NULL), 0);
	assert_int_equal(expired, 2);
	assert_int_equal(
	    archived, 3); /* old_exp, old_rep and very_old_active (expired first, then archived) */
	status_is(f, past, "expired");
	status_is(f, fresh, "active");
	status_is(f, old_exp, "archived");
	status_is(f, pinned, "expired");
	status_is(f, old_rep, "archived");
	status_is(f, young, "expired");
	status_is(f, revoked, "revoked");
	status_is(f, very_old_active, "archived");
	assert_int_equal(count_events(f, past, "status_changed"), 1);
	assert_int_equal(count_events(f, old_rep, "archived"), 1);
	assert_int_equal(count_events(f, very_old_active, "status_changed") +
			     count_events(f, very_old_active, "archived"),
			 2);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT archived_at FROM certificates WHERE id = $1", old_exp), NOW);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM object_changes WHERE changed_object_id = $1",
			  past),
	    1);
	assert_int_equal(
	    dom_fx_scalar(
		f, "SELECT COUNT(*) FROM lifecycle_events WHERE actor = 'tester' AND id > $1", 0),
	    5);
	/* idempotent */
	assert_int_equal(dom_lifecycle_sweep(&f->ctx, &expired, &archived, NULL), 0);
	assert_int_equal(expired + archived, 0);
}

static void test_sweep_batches(void **state)
{
	struct dom_fx *f = *state;
	int expired = 0;

	dom_fx_exec(f, "BEGIN");
	for (int i = 0; i < DOM_SWEEP_BATCH + 1; i++)
		cert(f, "active", NOW - DAY, 0, 0);
	dom_fx_exec(f, "COMMIT");
	assert_int_equal(dom_lifecycle_sweep(&f->ctx, &expired, NULL, NULL), 0);
	assert_int_equal(expired, DOM_SWEEP_BATCH + 1);
	assert_int_equal(
	    dom_fx_scalar(
		f, "SELECT COUNT(*) FROM certificates WHERE status = 'active' AND id > $1", 0),
	    0);
}

static void test_sweep_failure_rolls_back_batch(void **state)
{
	struct dom_fx *f = *state;
	int64_t a = cert(f, "active", NOW - DAY, 0, 0), b = cert(f, "active", NOW - DAY, 0, 0);
	struct ck_error e;
	int expired = -7;

	dom_fx_exec(
	    f, "CREATE TRIGGER inject BEFORE INSERT ON object_changes WHEN NEW.changed_object_id = "
	       "(SELECT MAX(id) FROM certificates) BEGIN SELECT RAISE(ABORT, 'injected'); END");
	ck_error_clear(&e);
	assert_true(dom_lifecycle_sweep(&f->ctx, &expired, NULL, &e) < 0);
	assert_int_equal(expired, -7); /* ret_ untouched on failure */
	status_is(f, a, "active");
	status_is(f, b, "active");
	assert_int_equal(count_events(f, a, "status_changed"), 0);
	assert_false(store_in_tx(f->ctx.conn));
}

/* ---- renewal ---- */

struct renewal_fx {
	int64_t old_id, new_id, d1, d2;
};

static void renewal_setup(struct dom_fx *f, struct renewal_fx *r)
{
	r->old_id = cert(f, "active", NOW + 10 * DAY, 0, 0);
	r->new_id = cert(f, "active", NOW + 100 * DAY, 0, 0);
	r->d1 = device(f, "web1", 0);
	r->d2 = device(f, "web2", 0);
	assign(f, r->old_id, r->d1);
	assign(f, r->old_id, r->d2);
}

static void test_renewal_apply(void **state)
{
	struct dom_fx *f = *state;
	struct renewal_fx r;
	int64_t n = -1;

	renewal_setup(f, &r);
	dom_fx_exec(f, "BEGIN");
	assert_int_equal(dom_renewal_apply(&f->ctx, r.old_id, r.new_id, &n, NULL), 0);
	dom_fx_exec(f, "COMMIT");
	assert_int_equal(n, 2);
	status_is(f, r.old_id, "replaced");
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT replaced_by FROM certificates WHERE id = $1", r.old_id),
	    r.new_id);
	assert_int_equal(dom_fx_scalar(f,
				       "SELECT COUNT(*) FROM assignments WHERE certificate_id = $1",
				       r.old_id),
			 0);
	assert_int_equal(dom_fx_scalar(f,
				       "SELECT COUNT(*) FROM assignments WHERE certificate_id = $1",
				       r.new_id),
			 2);
	assert_int_equal(count_events(f, r.old_id, "renewed"), 1);
	assert_int_equal(count_events(f, r.new_id, "activated"), 1);
	assert_int_equal(
	    dom_fx_scalar(
		f,
		"SELECT related_certificate_id FROM lifecycle_events WHERE event_type = 'activated'"
		" AND certificate_id = $1",
		r.new_id),
	    r.old_id);
	/* a second renewal of the same certificate loses: conflict */
	dom_fx_exec(f, "BEGIN");
	assert_int_equal(dom_renewal_apply(&f->ctx, r.old_id, r.new_id, &n, NULL), CK_E_CONFLICT);
	dom_fx_exec(f, "ROLLBACK");
}

static void test_renewal_rollback_on_injected_failure(void **state)
{
	struct dom_fx *f = *state;
	struct renewal_fx r;
	struct ck_error e;
	int64_t n = -1;
	int rc;

	renewal_setup(f, &r);
	/* the last write of the renewal fails */
	dom_fx_exec(f,
		    "CREATE TRIGGER inject BEFORE INSERT ON lifecycle_events WHEN NEW.event_type = "
		    "'activated'"
		    " BEGIN SELECT RAISE(ABORT, 'injected'); END");
	ck_error_clear(&e);
	assert_int_equal(store_tx_begin(f->ctx.conn, NULL), 0);
	rc = dom_renewal_apply(&f->ctx, r.old_id, r.new_id, &n, &e);
	assert_true(rc < 0);
	store_tx_rollback(f->ctx.conn);
	assert_int_equal(n, -1);
	status_is(f, r.old_id, "active");
	assert_int_equal(dom_fx_scalar(f,
				       "SELECT COUNT(*) FROM assignments WHERE certificate_id = $1",
				       r.old_id),
			 2);
	assert_int_equal(count_events(f, r.old_id, "renewed"), 0);
	assert_int_equal(
	    dom_fx_scalar(
		f, "SELECT COUNT(*) FROM certificates WHERE replaced_by IS NOT NULL AND id > $1",
		0),
	    0);
}

static void test_renewal_refusals(void **state)
{
	struct dom_fx *f = *state;
	struct dom_renewal_old old;
	struct ck_error e;
	int64_t pending = cert(f, "pending", NOW + DAY, 0, 0);

	ck_error_clear(&e);
	assert_int_equal(dom_renewal_begin(&f->ctx, pending, &old, &e), CK_E_CONFLICT);
	assert_non_null(strstr(e.msg, "pending"));
	assert_int_equal(dom_renewal_begin(&f->ctx, 999999, &old, NULL), CK_E_NOTFOUND);
	assert_int_equal(dom_renewal_apply(&f->ctx, pending, pending, NULL, NULL), CK_E_CONFLICT);
}

static void test_cross_tenant(void **state)
{
	struct dom_fx *f = *state;
	int64_t c;
	char name[16];
	struct ck_error e;

	tenants(f);
	c = cert(f, "active", NOW + DAY, 0, 1);
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		assign(f, c, device(f, name, 1));
	}
	assign(f, c, device(f, "free", 0));
	ck_error_clear(&e);
	assert_int_equal(dom_renewal_check_tenant(&f->ctx, c, 1, &e), 0);
	assert_int_equal(dom_renewal_check_tenant(&f->ctx, c, 0, &e), 0);
	assert_int_equal(dom_renewal_check_tenant(&f->ctx, c, 2, &e), CK_E_INVALID);
	assert_string_equal(
	    e.msg, "Renewal blocked due to cross-tenant assignments: b0, b1, b2, b3, b4, ...");
}

static void test_revert(void **state)
{
	struct dom_fx *f = *state;
	struct renewal_fx r;
	int64_t new_id = 0, moved = 0;

	renewal_setup(f, &r);
	dom_fx_exec(f, "BEGIN");
	assert_int_equal(dom_renewal_revert(&f->ctx, r.old_id, &new_id, &moved, NULL),
			 CK_E_CONFLICT); /* not replaced */
	assert_int_equal(dom_renewal_apply(&f->ctx, r.old_id, r.new_id, NULL, NULL), 0);
	assert_int_equal(dom_renewal_revert(&f->ctx, r.old_id, &new_id, &moved, NULL), 0);
	dom_fx_exec(f, "COMMIT");
	assert_int_equal(new_id, r.new_id);
	assert_int_equal(moved, 2);
	status_is(f, r.old_id, "active");
	status_is(f, r.new_id, "archived");
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT archived_at FROM certificates WHERE id = $1", r.new_id), NOW);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COALESCE(replaced_by, 0) FROM certificates WHERE id = $1",
			  r.old_id),
	    0);
	assert_int_equal(dom_fx_scalar(f,
				       "SELECT COUNT(*) FROM assignments WHERE certificate_id = $1",
				       r.old_id),
			 2);
	assert_int_equal(count_events(f, r.old_id, "renewal_reverted"), 1);
	assert_int_equal(count_events(f, r.new_id, "renewal_reverted"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_types),
	    cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sweep_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sweep_failure_rolls_back_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_renewal_apply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_renewal_rollback_on_injected_failure, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_renewal_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cross_tenant, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_revert, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
