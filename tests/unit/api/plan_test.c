/* The certificate list's query plans (issue 11): for every filter and ordering users send,
 * the SQL the registry really generates (api/filter.c + the resource's declarations, the
 * store's COUNT and PAGE forms) is run through EXPLAIN QUERY PLAN on a migrated database,
 * and the test fails when the certificates table is SCANned without an index (the few rows of
 * certificate_counts, which answers status/tenant counts, may be read whole), or when a list
 * whose filter is not selective sorts its rows in a temporary B-tree (at 1M rows both cost
 * hundreds of milliseconds to seconds). No statistics (ANALYZE) are involved: the server runs
 * without them too, so these are the plans it uses. */
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
	int may_sort; /* a selective filter: sorting its few rows is fine */
};

static const struct plan_case cases[] = {
    {"unfiltered", {{0}}, 0, NULL, 0, 0},
    {"deep offset", {{0}}, 0, NULL, 900000, 0},
    {"status", {{"status", "active"}}, 1, NULL, 0, 0},
    {"status revoked -created", {{"status", "revoked"}}, 1, "-created", 0, 0},
    {"status common_name", {{"status", "active"}}, 1, "common_name", 0, 0},
    {"valid_to__lt", {{"valid_to__lt", "2030-01-01"}}, 1, NULL, 0, 0},
    {"tenant_id", {{"tenant_id", "1"}}, 1, NULL, 0, 0},
    {"tenant_id common_name", {{"tenant_id", "1"}}, 1, "common_name", 0, 0},
    {"tenant_id -valid_to", {{"tenant_id", "1"}}, 1, "-valid_to", 0, 0},
    {"ordering -valid_to", {{0}}, 0, "-valid_to", 0, 0},
    {"ordering common_name", {{0}}, 0, "common_name", 0, 0},
    {"ordering -created", {{0}}, 0, "-created", 0, 0},
    {"ordering -id", {{0}}, 0, "-id", 0, 0},
    {"expiring_soon", {{"expiring_soon", "true"}}, 1, NULL, 0, 0},
    {"expired", {{"expired", "true"}}, 1, NULL, 0, 0},
    {"algorithm+status", {{"algorithm", "ecdsa"}, {"status", "active"}}, 2, NULL, 0, 1},
    {"common_name__ic", {{"common_name__ic", "host1"}}, 1, NULL, 0, 1},
    {"common_name__ic unicode", {{"common_name__ic", "Éxämple"}}, 1, NULL, 0, 1},
    {"issuer__ic", {{"issuer__ic", "bench"}}, 1, NULL, 0, 1},
    {"q name", {{"q", "svc0001.bench"}}, 1, NULL, 0, 1},
    {"q hex", {{"q", "0F:42:43"}}, 1, NULL, 0, 1},
    {"san", {{"san", "DNS:www.example.com"}}, 1, NULL, 0, 1},
    {"serial_number", {{"serial_number", "0F:42:43:44"}}, 1, NULL, 0, 1},
    {"serial_number no colons", {{"serial_number", "0f424344"}}, 1, NULL, 0, 1},
    {"fingerprint", {{"fingerprint_sha256", "ab:cd"}}, 1, NULL, 0, 1},
    {"tag", {{"tag", "prod"}}, 1, NULL, 0, 1},
    {"tenant_id+status", {{"tenant_id", "1"}, {"status", "active"}}, 2, NULL, 0, 1},
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
			  " VALUES (1, 'prod', 'prod', 0, 0);",
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

/* The plan's details joined by " | "; fails on a bad step. */
static void check_plan(struct store_conn *c, const struct plan_case *pc, struct store_qspec *qs,
		       enum store_qs_form form)
{
	struct strbuf sql, plan;
	struct store_stmt *s;
	struct ck_error err = {0};
	int64_t sub[16];
	int r, nsub = 0;

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
		    !(pc->ordering && strstr(pc->ordering, "id") == pc->ordering + 1))
			fail_msg("%s (%s): certificates scanned without an index:\n%s\nplan: %s", pc->name,
				 form == STORE_QS_COUNT ? "count" : "page", strbuf_str(&sql),
				 strbuf_str(&plan));
		if (d && inner && !pc->may_sort && !strcmp(d, "USE TEMP B-TREE FOR ORDER BY"))
			fail_msg("%s: a non-selective list sorted in a temporary B-tree:\n%s\nplan: %s",
				 pc->name, strbuf_str(&sql), strbuf_str(&plan));
	}
	assert_int_equal(r, STORE_DONE);
	store_done(s);
	if (getenv("CK_PLAN_PRINT"))
		printf("%-28s %-5s %s\n      %s\n", pc->name, form == STORE_QS_COUNT ? "count" : "page",
		       strbuf_str(&plan), strbuf_str(&sql));
	strbuf_release(&sql);
	strbuf_release(&plan);
}

static void test_certificate_list_plans(void **state)
{
	struct store_conn *c = store_conn_get(st);
	struct dom_ctx ctx = {.conn = c, .cfg = &cfg, .now = 1760000000};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct plan_case *pc = &cases[i];
		struct http_request req = {.method = "GET", .path = "/", .params = pc->params,
					   .nparams = pc->nparams};
		struct api_filter_ctx fc;
		struct ck_error err;
		struct store_qspec *qs;

		ck_error_clear(&err);
		api_fc_init(&fc, &res_certificates, &ctx);
		assert_int_equal(api_filter_build(&fc, &req, &err), 0);
		qs = api_fc_spec(&fc);
		check_plan(c, pc, qs, STORE_QS_COUNT);
		order(qs, pc->ordering);
		qs->limit = 50;
		qs->offset = pc->offset;
		check_plan(c, pc, qs, STORE_QS_PAGE);
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
