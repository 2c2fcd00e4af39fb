/* Unit tests for domain/uow: a committed command writes exactly one changelog row and one
 * outbox row per change (the outbox row pointing at its changelog row, not copying it); a
 * rolled-back command leaves neither; journalling outside a unit of work is refused; domain
 * events; pruning keeps pending rows and recently consumed ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/uow.h"
#include "store/changes.h"
#include "store/store.h"

#include "fixture_helper.h"

#define NOW 1800000000LL

static int setup(void **state) { return dom_fx_setup(state, NOW); }

static int teardown(void **state) { return dom_fx_teardown(state); }

struct job {
	struct dom_fx *f;
	int changes; /* how many changes the command journals */
	int fail;    /* return this after journalling (0 = commit) */
};

/* A command that inserts one tenant per change and journals it, as the generic create does. */
static int cmd(void *arg, struct ck_error *err)
{
	struct job *j = arg;
	char sql[160];

	for (int i = 0; i < j->changes; i++) {
		int64_t id;
		int r;
		snprintf(sql, sizeof(sql),
			 "INSERT INTO tenants (name, slug, created, last_updated) VALUES ('t%d', "
			 "'t%d', 1, 1)",
			 i, i);
		dom_fx_exec(j->f, sql);
		id = dom_fx_scalar(j->f, "SELECT MAX(id) FROM tenants WHERE id > $1", 0);
		r = dom_uow_change(&j->f->ctx, "create", "tenancy.tenant", id, "t", NULL,
				   "{\"id\":1}", NULL, err);
		if (r)
			return r;
	}
	return j->fail;
}

static int64_t count(struct dom_fx *f, const char *sql) { return dom_fx_scalar(f, sql, 0); }

static void test_commit_one_outbox_row_per_change(void **state)
{
	struct dom_fx *f = *state;
	struct job j = {f, 3, 0};
	struct ck_error err;

	ck_error_clear(&err);
	assert_int_equal(dom_uow_run(&f->ctx, cmd, &j, &err), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM object_changes WHERE id > $1"), 3);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE id > $1"), 3);
	/* each outbox row points at its own changelog row, with the change's object and who/when */
	assert_int_equal(
	    count(
		f,
		"SELECT COUNT(*) FROM outbox o JOIN object_changes c ON c.id = o.change_id"
		" WHERE o.object_type = c.changed_object_type AND o.object_id = c.changed_object_id"
		" AND o.event = 'created' AND c.action = 'create' AND o.user_id = 1"
		" AND o.request_id = 'test' AND o.created = 1800000000 AND o.consumed IS NULL"
		" AND o.id > $1"),
	    3);
	assert_int_equal(count(f, "SELECT COUNT(DISTINCT change_id) FROM outbox WHERE id > $1"), 3);
	assert_false(store_in_tx(f->ctx.conn));
}

static void test_rollback_leaves_no_row(void **state)
{
	struct dom_fx *f = *state;
	struct job j = {f, 2, CK_E_INVALID};
	struct ck_error err;

	ck_error_clear(&err);
	assert_int_equal(dom_uow_run(&f->ctx, cmd, &j, &err), CK_E_INVALID);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM object_changes WHERE id > $1"), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE id > $1"), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM tenants WHERE id > $1"), 0);
	assert_false(store_in_tx(f->ctx.conn));
	/* a command that changes nothing journals nothing */
	j = (struct job){f, 0, 0};
	assert_int_equal(dom_uow_run(&f->ctx, cmd, &j, &err), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE id > $1"), 0);
}

static void test_change_outside_uow_refused(void **state)
{
	struct dom_fx *f = *state;
	struct ck_error err;

	ck_error_clear(&err);
	assert_int_equal(
	    dom_uow_change(&f->ctx, "update", "tenancy.tenant", 1, "t", "{}", "{}", NULL, &err),
	    CK_E_INTERNAL);
	assert_int_equal(
	    dom_uow_event(&f->ctx, "netbox_ssl.certificate", 1, "certificate_renewed", 0, &err),
	    CK_E_INTERNAL);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE id > $1"), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM object_changes WHERE id > $1"), 0);
}

struct ev_job {
	struct dom_fx *f;
	int64_t change_id;
};

static int ev_cmd(void *arg, struct ck_error *err)
{
	struct ev_job *j = arg;
	int r = dom_uow_change(&j->f->ctx, "update", "netbox_ssl.certificate", 7, "c", "{}", "{}",
			       &j->change_id, err);

	return r ? r
		 : dom_uow_event(&j->f->ctx, "netbox_ssl.certificate", 7, "certificate_renewed",
				 j->change_id, err);
}

static void test_domain_event_and_prune(void **state)
{
	struct dom_fx *f = *state;
	struct ev_job j = {f, 0};
	struct ck_error err;
	int64_t n = -1, first;

	ck_error_clear(&err);
	assert_int_equal(dom_uow_run(&f->ctx, ev_cmd, &j, &err), 0);
	assert_true(j.change_id > 0);
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM outbox WHERE change_id = $1", j.change_id), 2);
	assert_int_equal(
	    dom_fx_scalar(f,
			  "SELECT COUNT(*) FROM outbox WHERE change_id = $1 AND event IN"
			  " ('updated', 'certificate_renewed')",
			  j.change_id),
	    2);
	first = count(f, "SELECT MIN(id) FROM outbox WHERE id > $1");
	/* one consumed long ago (pruned), one consumed just now (kept), none pending pruned */
	assert_int_equal(
	    store_outbox_mark_consumed(f->ctx.conn, first, NOW - DOM_OUTBOX_KEEP_S - 1, &err), 0);
	assert_int_equal(store_outbox_mark_consumed(f->ctx.conn, first + 1, NOW - 10, &err), 0);
	assert_int_equal(dom_outbox_prune(&f->ctx, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(dom_fx_scalar(f, "SELECT COUNT(*) FROM outbox WHERE id = $1", first), 0);
	assert_int_equal(dom_fx_scalar(f, "SELECT COUNT(*) FROM outbox WHERE id = $1", first + 1),
			 1);
	/* the changelog row is not the outbox's to prune */
	assert_int_equal(
	    dom_fx_scalar(f, "SELECT COUNT(*) FROM object_changes WHERE id = $1", j.change_id), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_commit_one_outbox_row_per_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rollback_leaves_no_row, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_change_outside_uow_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_domain_event_and_prune, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
