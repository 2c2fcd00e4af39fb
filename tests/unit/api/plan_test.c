/* The certificate list's query plans (issue 11): for every filter and ordering users send,
 * the SQL the registry really generates (api/filter.c + the resource's declarations, the
 * store's COUNT and PAGE forms) is run through EXPLAIN QUERY PLAN on a migrated database,
 * and the test fails when the certificates table is SCANned without an index (the few rows of
 * certificate_counts, which answers status/tenant counts, may be read whole), or when a list
 * whose filter is not selective sorts its rows in a temporary B-tree (at 1M rows both cost
 * hundreds of milliseconds to seconds). No statistics (ANALYZE) are involved: the server runs
 * without them too, so these are the plans it uses.
 *
 * Beyond "an index is used" (issue 11, migration 8), each case also checks:
 *  - the COUNT form reads the table that answers it without walking certificates (count_from:
 *    certificate_counts, certificate_facets, tagged_counts) when one can;
 *  - no page sorts the "right part" of its ordering (runs of equal leading keys) in a
 *    temporary B-tree: the descending indexes serve the orderings as they are;
 *  - both page plans (store_qs_plan): walking the ordering's index (many matches) never reads
 *    the trigram index nor sorts; finding few matches first drives a tag from its items, and
 *    every filter from its own index (the ordering is sorted, never walked);
 *  - the keyset continuation (a cursor) of every keyset-able ordering seeks in the
 *    ordering's index: a range on its leading key, no sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/filter.h"
#include "api/resources.h"
#include "core/config.h"
#include "store/queryspec.h"

struct plan_case {
	const char *name;
	struct http_param params[3];
	size_t nparams;
	const char *ordering; /* NULL: the resource's default (-valid_to,common_name) */
	int64_t offset;
	int may_sort;		/* a selective filter: sorting its few rows is fine */
	const char *count_from; /* the counts table the COUNT form must read (NULL: certificates) */
	int runs_sorted; /* ordering=[-]valid_to alone: the (valid_to DESC, common_name) indexes
			  * hold each run of one valid_to by common_name, so its rows are re-sorted
			  * by id (a run is the certificates expiring in one second: few) */
	int count_days;	 /* valid_to ranges: counted from certificate_expiry_days (whole days)
			  * plus an index range of certificates inside the boundary days only */
	int walks;	 /* no index serves filter and ordering together: the default plan sorts
			  * every match, so with many matches the plan must walk the ordering */
	int max_fts;	 /* >0: trigram index look-ups at most (one per searched text: q's
			  * columns searched for one text are one look-up) */
};

static const struct plan_case cases[] = {
    {.name = "unfiltered", .params = {{0}}, .nparams = 0, .count_from = "certificate_counts"},
    {.name = "deep offset",
     .params = {{0}},
     .nparams = 0,
     .offset = 900000,
     .count_from = "certificate_counts"},
    {.name = "status",
     .params = {{"status", "active"}},
     .nparams = 1,
     .count_from = "certificate_counts"},
    {.name = "status revoked -created",
     .params = {{"status", "revoked"}},
     .nparams = 1,
     .ordering = "-created",
     .count_from = "certificate_counts"},
    {.name = "status -created",
     .params = {{"status", "active"}},
     .nparams = 1,
     .ordering = "-created",
     .count_from = "certificate_counts"},
    {.name = "status common_name",
     .params = {{"status", "active"}},
     .nparams = 1,
     .ordering = "common_name"},
    {.name = "valid_to__lt",
     .params = {{"valid_to__lt", "2030-01-01"}},
     .nparams = 1,
     .count_days = 1},
    /* ordered by id, few matches (a date in the past): found from valid_to, not by walking
     * the whole id index (0.8 s at 1M before the drive plan sorted them) */
    {.name = "valid_to__lt -id",
     .params = {{"valid_to__lt", "2025-04-08"}},
     .nparams = 1,
     .ordering = "-id",
     .may_sort = 1},
    /* no (tenant_id, created) index: 166k matches sorted took 1.1 s at 1M */
    {.name = "tenant_id -created",
     .params = {{"tenant_id", "1"}},
     .nparams = 1,
     .ordering = "-created",
     .may_sort = 1,
     .walks = 1},
    {.name = "status+valid_to__lt created",
     .params = {{"status", "active"}, {"valid_to__lt", "2027-06-10"}},
     .nparams = 2,
     .ordering = "created",
     .may_sort = 1,
     .walks = 1},
    {.name = "status+valid_to__lt",
     .params = {{"status", "active"}, {"valid_to__lt", "2027-03-05"}},
     .nparams = 2,
     .count_days = 1},
    {.name = "tenant_id+valid_to__lt",
     .params = {{"tenant_id", "1"}, {"valid_to__lt", "2026-06-01"}},
     .nparams = 2,
     .count_days = 1},
    {.name = "status+tenant_id+valid_to__lt",
     .params = {{"status", "revoked"}, {"tenant_id", "1"}, {"valid_to__lt", "2028-01-01"}},
     .nparams = 3,
     .count_days = 1},
    {.name = "valid_to__gte+valid_to__lte",
     .params = {{"valid_to__gte", "2026-01-01T12:00:00Z"}, {"valid_to__lte", "2026-02-01"}},
     .nparams = 2,
     .count_days = 1},
    /* the page merges two index ranges by sorting them (may_sort): the count is the point */
    {.name = "two statuses+valid_to__lt",
     .params = {{"status", "active"}, {"status", "expired"}, {"valid_to__lt", "2026-06-01"}},
     .nparams = 3,
     .may_sort = 1,
     .count_days = 1},
    {.name = "tenant slug+valid_to__gt",
     .params = {{"tenant", "t"}, {"valid_to__gt", "2026-01-01"}},
     .nparams = 2,
     .count_days = 1},
    {.name = "tenant_id",
     .params = {{"tenant_id", "1"}},
     .nparams = 1,
     .count_from = "certificate_counts"},
    {.name = "tenant_id common_name",
     .params = {{"tenant_id", "1"}},
     .nparams = 1,
     .ordering = "common_name"},
    {.name = "tenant_id -valid_to",
     .params = {{"tenant_id", "1"}},
     .nparams = 1,
     .ordering = "-valid_to",
     .runs_sorted = 1},
    {.name = "ordering -valid_to",
     .params = {{0}},
     .nparams = 0,
     .ordering = "-valid_to",
     .runs_sorted = 1},
    {.name = "ordering valid_to",
     .params = {{0}},
     .nparams = 0,
     .ordering = "valid_to",
     .runs_sorted = 1},
    {.name = "ordering common_name", .params = {{0}}, .nparams = 0, .ordering = "common_name"},
    {.name = "ordering -created", .params = {{0}}, .nparams = 0, .ordering = "-created"},
    {.name = "ordering created", .params = {{0}}, .nparams = 0, .ordering = "created"},
    {.name = "ordering -id", .params = {{0}}, .nparams = 0, .ordering = "-id"},
    {.name = "expiring_soon", .params = {{"expiring_soon", "true"}}, .nparams = 1},
    {.name = "expired", .params = {{"expired", "true"}}, .nparams = 1},
    {.name = "algorithm",
     .params = {{"algorithm", "rsa"}},
     .nparams = 1,
     .count_from = "certificate_facets"},
    {.name = "algorithm+status",
     .params = {{"algorithm", "ecdsa"}, {"status", "active"}},
     .nparams = 2,
     .count_from = "certificate_facets"},
    {.name = "algorithm+issuer__ie",
     .params = {{"algorithm", "rsa"}, {"issuer__ie", "CN=X"}},
     .nparams = 2,
     .may_sort = 1,
     .count_from = "certificate_facets"},
    {.name = "status+tenant_id+issuer__ic",
     .params = {{"status", "active"}, {"tenant_id", "1"}, {"issuer__ic", "bench"}},
     .nparams = 3,
     .may_sort = 1,
     .count_from = "certificate_facets"},
    {.name = "tenant_id+status",
     .params = {{"tenant_id", "1"}, {"status", "active"}},
     .nparams = 2,
     .count_from = "certificate_counts"},
    {.name = "tenant_id+status valid_to",
     .params = {{"tenant_id", "1"}, {"status", "revoked"}},
     .nparams = 2,
     .ordering = "valid_to",
     .runs_sorted = 1,
     .count_from = "certificate_counts"},
    {.name = "common_name__ic",
     .params = {{"common_name__ic", "host1"}},
     .nparams = 1,
     .may_sort = 1},
    {.name = "common_name__ic unicode",
     .params = {{"common_name__ic", "Éxämple"}},
     .nparams = 1,
     .may_sort = 1},
    {.name = "common_name__ie",
     .params = {{"common_name__ie", "Host1.Example"}},
     .nparams = 1,
     .may_sort = 1},
    {.name = "common_name__isw",
     .params = {{"common_name__isw", "host1"}},
     .nparams = 1,
     .may_sort = 1},
    {.name = "issuer__iew",
     .params = {{"issuer__iew", "O=Bench"}},
     .nparams = 1,
     .may_sort = 1,
     .count_from = "certificate_facets"},
    {.name = "tenant by slug",
     .params = {{"tenant", "t"}},
     .nparams = 1,
     .count_from = "certificate_counts"},
    {.name = "issuer__ic",
     .params = {{"issuer__ic", "bench"}},
     .nparams = 1,
     .may_sort = 1,
     .count_from = "certificate_facets"},
    /* name and issuer searched for the text: one look-up (two before) */
    {.name = "q name",
     .params = {{"q", "svc0001.bench"}},
     .nparams = 1,
     .may_sort = 1,
     .max_fts = 1},
    /* the text in name, issuer, fingerprint; its hex digits in the serial: two (four before) */
    {.name = "q hex", .params = {{"q", "0F:42:43"}}, .nparams = 1, .may_sort = 1, .max_fts = 2},
    {.name = "san", .params = {{"san", "DNS:www.example.com"}}, .nparams = 1, .may_sort = 1},
    {.name = "serial_number",
     .params = {{"serial_number", "0F:42:43:44"}},
     .nparams = 1,
     .may_sort = 1},
    {.name = "serial_number no colons",
     .params = {{"serial_number", "0f424344"}},
     .nparams = 1,
     .may_sort = 1},
    {.name = "fingerprint",
     .params = {{"fingerprint_sha256", "ab:cd"}},
     .nparams = 1,
     .may_sort = 1},
    {.name = "tag",
     .params = {{"tag", "prod"}},
     .nparams = 1,
     .may_sort = 1,
     .count_from = "tagged_counts"},
};

static struct store *st;
static struct ck_config cfg;

static int setup(void **state)
{
	(void)state;
	ck_config_defaults(&cfg);
	if (store_open("sqlite::memory:", 0, &st, NULL))
		return -1;
	return store_exec(store_conn_get(st),
			  "INSERT INTO tenants (id, name, slug, created, last_updated)"
			  " VALUES (1, 'T', 't', 0, 0);"
			  "INSERT INTO tags (id, name, slug, created, last_updated)"
			  " VALUES (1, 'prod', 'prod', 0, 0);"
			  /* the table's total as store_qs_plan() reads it: a million rows */
			  "INSERT INTO certificate_counts (status, tenant_key, n)"
			  " VALUES ('active', 0, 1000000);",
			  NULL);
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	return 0;
}

/* The ordering keys of `ordering` (declared plain columns of certificates, or id). */
static void order(struct store_qspec *qs, const char *ordering)
{
	static char buf[64];
	const char *p = ordering ? ordering : "-valid_to,common_name";

	snprintf(buf, sizeof(buf), "%s", p);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","))
		store_qs_order_by(qs, tok + (*tok == '-'), 0, *tok == '-');
}

/* What a page plan must show besides "an index is used". */
#define P_WALK 0x1u   /* store_qs_plan chose the ordering's index: no trigram, no sort */
#define P_DRIVE 0x2u  /* store_qs_plan chose the matches first */
#define P_KEYSET 0x4u /* after a cursor: a range seek on the leading key, no sort */

static const char *form_name(enum store_qs_form form, unsigned what)
{
	if (form == STORE_QS_COUNT)
		return "count";
	return what & P_WALK	 ? "walk"
	       : what & P_DRIVE	 ? "drive"
	       : what & P_KEYSET ? "keyset"
				 : "page";
}

/* The plan's details joined by " | "; fails on a bad step. */
static void check_plan(struct store_conn *c, const struct plan_case *pc, struct store_qspec *qs,
		       enum store_qs_form form, unsigned what)
{
	struct strbuf sql, plan;
	struct store_stmt *s;
	struct ck_error err = {0};
	int64_t sub[16];
	int r, nsub = 0, inner_sorts = 0, inner_fts = 0, seek = 0, day_range = 0, cert_walk = 0,
	       row_drive = 0;
	const char *fn = form_name(form, what);

	strbuf_init(&sql, STORE_QS_SQL_MAX);
	strbuf_init(&plan, 1 << 16);
	strbuf_adds(&sql, "EXPLAIN QUERY PLAN ");
	assert_int_equal(store_qs_render(c, qs, form, &sql), 0);
	assert_int_equal(store_query(c, strbuf_str(&sql), &s, &err), 0);
	store_qs_apply(qs, form, s);
	while ((r = store_step(s, &err)) == STORE_ROW) {
		int64_t id = store_col_i64(s, 0), parent = store_col_i64(s, 1);
		const char *d = store_col_text(s, 3, NULL);
		int inner;

		/* the PAGE form's inner query (the ordered ids) is the subquery; the outer ORDER BY
		 * only re-orders the page's rows */
		if (d && strstr(d, "SUBQUERY") && nsub < 16)
			sub[nsub++] = id;
		inner = form == STORE_QS_COUNT;
		for (int k = 0; k < nsub; k++)
			inner |= parent == sub[k];
		if (inner && nsub < 16)
			sub[nsub++] = id;
		strbuf_addf(&plan, "%s | ", d ? d : "");
		/* "SCAN t" in row id order is the primary key's own B-tree walked in order */
		if (d && !strcmp(d, "SCAN t") && strstr(strbuf_str(&sql), "FROM certificates t") &&
		    (!(pc->ordering && strstr(pc->ordering, "id") == pc->ordering + 1) ||
		     (what & P_DRIVE)))
			fail_msg("%s (%s): certificates scanned without an index:\n%s\nplan: %s",
				 pc->name, fn, strbuf_str(&sql), strbuf_str(&plan));
		/* the drive plan is for few matches: sorting them is its point */
		if (d && inner && !pc->may_sort && !(what & P_DRIVE) &&
		    !strcmp(d, "USE TEMP B-TREE FOR ORDER BY"))
			fail_msg("%s (%s): a non-selective list sorted in a temporary "
				 "B-tree:\n%s\nplan: %s",
				 pc->name, fn, strbuf_str(&sql), strbuf_str(&plan));
		if (d && strstr(d, "RIGHT PART OF ORDER BY") && !pc->runs_sorted)
			fail_msg(
			    "%s (%s): runs of equal leading keys sorted (no index in the ordering's"
			    " directions):\n%s\nplan: %s",
			    pc->name, fn, strbuf_str(&sql), strbuf_str(&plan));
		/* the boundary days of a range count: an index range of certificates bounded on
		 * both sides by valid_to; anything else reading certificates walks its matches */
		if (d && strstr(d, "INDEX certificates_")) {
			if (strstr(d, "valid_to>") && strstr(d, "valid_to<"))
				day_range++;
			else
				cert_walk++;
		}
		inner_sorts += d && inner && !strcmp(d, "USE TEMP B-TREE FOR ORDER BY");
		row_drive += d && inner && strstr(d, "SEARCH t USING INDEX certificates_") != NULL;
		inner_fts += d && strstr(d, "certificates_fts") != NULL;
		seek += d && inner && strstr(d, "SEARCH t USING") &&
			(strstr(d, "<?") || strstr(d, ">?"));
		if (d && (what & P_DRIVE) && pc->count_from &&
		    !strcmp(pc->count_from, "tagged_counts") && strstr(d, "tagged_items_tag"))
			seek = 1;
	}
	assert_int_equal(r, STORE_DONE);
	store_done(s);
	if (getenv("CK_PLAN_PRINT"))
		printf("%-28s %-6s %s\n      %s\n", pc->name, fn, strbuf_str(&plan),
		       strbuf_str(&sql));
	if (form == STORE_QS_COUNT && pc->count_from &&
	    (!strstr(strbuf_str(&sql), pc->count_from) ||
	     strstr(strbuf_str(&sql), "FROM certificates")))
		fail_msg("%s (count): not counted from %s:\n%s\nplan: %s", pc->name, pc->count_from,
			 strbuf_str(&sql), strbuf_str(&plan));
	if (form == STORE_QS_COUNT && pc->count_days &&
	    (!strstr(strbuf_str(&sql), "FROM certificate_expiry_days") || !day_range || cert_walk))
		fail_msg("%s (count): not counted from certificate_expiry_days and boundary "
			 "days:\n%s\nplan: %s",
			 pc->name, strbuf_str(&sql), strbuf_str(&plan));
	if ((what & P_WALK) && (inner_sorts || inner_fts))
		fail_msg("%s (walk): the ordering's index does not drive the page:\n%s\nplan: %s",
			 pc->name, strbuf_str(&sql), strbuf_str(&plan));
	if (pc->max_fts && inner_fts > pc->max_fts)
		fail_msg("%s (%s): %d trigram index look-ups, at most %d expected:\n%s\nplan: %s",
			 pc->name, fn, inner_fts, pc->max_fts, strbuf_str(&sql), strbuf_str(&plan));
	/* a drive sorts its matches: their ordering keys come from the filter's index, not from
	 * a certificate row each (migration 13; 16,690 row reads took 0.4 s at 1M). A trigram
	 * pre-filter reads each candidate's row anyway, for its exact check. */
	if ((what & P_DRIVE) && row_drive && !inner_fts)
		fail_msg("%s (drive): the matches' ordering keys read from certificate rows (no "
			 "covering index):\n%s\nplan: %s",
			 pc->name, strbuf_str(&sql), strbuf_str(&plan));
	if ((what & P_KEYSET) && (inner_sorts || !seek))
		fail_msg(
		    "%s (keyset): no seek to the cursor in the ordering's index:\n%s\nplan: %s",
		    pc->name, strbuf_str(&sql), strbuf_str(&plan));
	if ((what & P_DRIVE) && pc->count_from && !strcmp(pc->count_from, "tagged_counts") && !seek)
		fail_msg("%s (drive): a few rows of a tag not found from its items:\n%s\nplan: %s",
			 pc->name, strbuf_str(&sql), strbuf_str(&plan));
	strbuf_release(&sql);
	strbuf_release(&plan);
}

/* A keyset continuation on qs as store_qs_cursor_apply() leaves it: the ordering keys'
 * values and the id bound after the conditions. */
static void add_keyset(struct store_qspec *qs)
{
	qs->after_bind = qs->nbinds + 1;
	for (size_t i = 0; i < qs->norder; i++) {
		const char *col = qs->order[i].col;
		if (!strcmp(col, "valid_to") || !strcmp(col, "created") || !strcmp(col, "id"))
			store_qs_bind_int(qs, 1760000000);
		else
			store_qs_bind_text(qs, "m");
	}
	store_qs_bind_int(qs, 5);
	qs->offset = 0;
}

static void test_certificate_list_plans(void **state)
{
	struct store_conn *c = store_conn_get(st);
	struct dom_ctx ctx = {.conn = c, .cfg = &cfg, .now = 1760000000};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct plan_case *pc = &cases[i];
		struct http_request req = {
		    .method = "GET", .path = "/", .params = pc->params, .nparams = pc->nparams};
		struct api_filter_ctx fc;
		struct ck_error err;
		struct store_qspec *qs;

		ck_error_clear(&err);
		api_fc_init(&fc, &res_certificates, &ctx);
		assert_int_equal(api_filter_build(&fc, &req, &err), 0);
		qs = api_fc_spec(&fc);
		assert_int_equal(store_qs_resolve_named(c, qs, &err), 0);
		check_plan(c, pc, qs, STORE_QS_COUNT, 0);
		order(qs, pc->ordering);
		qs->limit = 50;
		qs->offset = pc->offset;
		check_plan(c, pc, qs, STORE_QS_PAGE, 0);
		/* many matches: walk the ordering (when the spec has a term the plan changes) */
		assert_int_equal(store_qs_plan(c, qs, 1000000, &err), 0);
		/* the default plan may walk the ordering's index by itself (its filter columns
		 * are payload of that index, migration 13): then it must not sort either */
		if (pc->walks && qs->plan <= 0)
			check_plan(c, pc, qs, STORE_QS_PAGE, P_WALK);
		if (qs->plan > 0)
			check_plan(c, pc, qs, STORE_QS_PAGE, P_WALK);
		/* few matches: every filtered list finds them first and sorts them */
		assert_int_equal(store_qs_plan(c, qs, 3, &err), 0);
		assert_true(pc->nparams == 0 || qs->plan < 0);
		if (qs->plan < 0)
			check_plan(c, pc, qs, STORE_QS_PAGE, P_DRIVE);
		qs->plan = 0;
		if (!pc->may_sort && store_qs_keyset_ok(qs)) {
			add_keyset(qs);
			check_plan(c, pc, qs, STORE_QS_PAGE, P_KEYSET);
		}
		api_fc_release(&fc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_certificate_list_plans, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
