/* Unit tests for api/countcache and api/listcache: hits only under the same generation (and
 * second), misses otherwise, limits at cap and cap + 1, bounded size under many keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/countcache.h"
#include "api/filter.h"
#include "store/queryspec.h"
#include "api/listcache.h"
#include "api/rowcache.h"

static void key_of(struct strbuf *key, const char *s)
{
	strbuf_init(key, 1 << 20);
	strbuf_adds(key, s);
}

static void test_count_hit_and_generation(void **state)
{
	struct strbuf k;
	int64_t n = -1;

	(void)state;
	api_countcache_clear();
	key_of(&k, "SELECT COUNT(*) FROM certificates t");
	assert_false(api_countcache_get(&k, 5, &n));
	api_countcache_put(&k, 5, 1234);
	assert_true(api_countcache_get(&k, 5, &n));
	assert_int_equal(n, 1234);
	assert_false(api_countcache_get(&k, 6, &n)); /* any write since: miss */
	api_countcache_put(&k, 6, 1235);
	assert_true(api_countcache_get(&k, 6, &n));
	assert_int_equal(n, 1235);
	strbuf_release(&k);
}

/* The count key is the spec's COUNT form plus its bound values (store_qs_key): the same
 * text with another bound value is another key. */
static void test_count_key_has_binds(void **state)
{
	struct store *st = NULL;
	struct store_conn *c;
	struct store_qspec *qs = malloc(sizeof(*qs));
	struct strbuf a, b;
	int64_t n = 0;

	(void)state;
	assert_non_null(qs);
	assert_int_equal(store_open("sqlite::memory:", 1, &st, NULL), 0);
	c = store_conn_get(st);
	assert_non_null(c);
	api_countcache_clear();
	strbuf_init(&a, 1 << 20);
	strbuf_init(&b, 1 << 20);
	store_qs_init(qs, "c");
	store_qs_where(qs, "status", 0, STORE_QS_EQ, store_qs_bind_text(qs, "active"));
	assert_int_equal(store_qs_key(c, qs, STORE_QS_COUNT, &a), 0);
	store_qs_release(qs);
	store_qs_init(qs, "c");
	store_qs_where(qs, "status", 0, STORE_QS_EQ, store_qs_bind_text(qs, "expired"));
	assert_int_equal(store_qs_key(c, qs, STORE_QS_COUNT, &b), 0);
	api_countcache_put(&a, 1, 10);
	assert_false(api_countcache_get(&b, 1, &n));
	store_qs_release(qs);
	store_qs_init(qs, "c");
	store_qs_where(qs, "status", 0, STORE_QS_EQ, store_qs_bind_int(qs, 42));
	strbuf_reset(&b);
	assert_int_equal(store_qs_key(c, qs, STORE_QS_COUNT, &b), 0);
	assert_false(api_countcache_get(&b, 1, &n));
	assert_true(api_countcache_get(&a, 1, &n));
	assert_int_equal(n, 10);
	store_qs_release(qs);
	free(qs);
	strbuf_release(&a);
	strbuf_release(&b);
	store_close(st);
}

static void test_count_key_limit(void **state)
{
	struct strbuf k;
	int64_t n = 0;

	(void)state;
	api_countcache_clear();
	strbuf_init(&k, 1 << 20);
	for (int i = 0; i < COUNTCACHE_MAX_KEY; i++)
		strbuf_addch(&k, 'x');
	api_countcache_put(&k, 1, 7); /* at the cap: cached */
	assert_true(api_countcache_get(&k, 1, &n));
	strbuf_addch(&k, 'x'); /* cap + 1: never cached */
	api_countcache_put(&k, 1, 8);
	assert_false(api_countcache_get(&k, 1, &n));
	strbuf_release(&k);
}

static void test_count_bounded(void **state)
{
	struct strbuf k;
	char buf[64];
	int64_t n = 0;
	int found = 0;

	(void)state;
	api_countcache_clear();
	strbuf_init(&k, 1 << 20);
	for (int i = 0; i < 10 * COUNTCACHE_SLOTS; i++) {
		snprintf(buf, sizeof(buf), "q%d", i);
		strbuf_reset(&k);
		strbuf_adds(&k, buf);
		api_countcache_put(&k, 1, i);
	}
	for (int i = 0; i < 10 * COUNTCACHE_SLOTS; i++) {
		snprintf(buf, sizeof(buf), "q%d", i);
		strbuf_reset(&k);
		strbuf_adds(&k, buf);
		if (api_countcache_get(&k, 1, &n)) {
			assert_int_equal(n, i);
			found++;
		}
	}
	assert_true(found > 0 && found <= COUNTCACHE_SLOTS);
	strbuf_release(&k);
	api_countcache_clear();
}

static void test_list_hit_gen_and_second(void **state)
{
	struct strbuf k, body, out;

	(void)state;
	api_listcache_clear();
	key_of(&k, "store\n0\nhttp://h\nGET\n/api/x/");
	key_of(&body, "{\"count\":1}");
	strbuf_init(&out, 1 << 20);
	assert_false(api_listcache_get(&k, 3, 1000, &out));
	api_listcache_put(&k, 3, 1000, &body);
	assert_true(api_listcache_get(&k, 3, 1000, &out));
	assert_string_equal(strbuf_str(&out), "{\"count\":1}");
	strbuf_reset(&out);
	assert_false(api_listcache_get(&k, 4, 1000, &out)); /* data changed */
	assert_false(api_listcache_get(&k, 3, 1001, &out)); /* next second */
	assert_int_equal(out.len, 0);
	strbuf_release(&k);
	strbuf_release(&body);
	strbuf_release(&out);
	api_listcache_clear();
}

static void test_list_limits(void **state)
{
	struct strbuf k, body, out;

	(void)state;
	api_listcache_clear();
	key_of(&k, "k");
	strbuf_init(&body, LISTCACHE_MAX_BODY + 16);
	strbuf_init(&out, LISTCACHE_MAX_BODY + 16);
	for (size_t i = 0; i < LISTCACHE_MAX_BODY; i++)
		strbuf_addch(&body, 'b');
	api_listcache_put(&k, 1, 1, &body); /* at the cap: stored */
	assert_true(api_listcache_get(&k, 1, 1, &out));
	assert_int_equal(out.len, LISTCACHE_MAX_BODY);
	strbuf_addch(&body, 'b'); /* cap + 1: not stored */
	api_listcache_put(&k, 2, 1, &body);
	strbuf_reset(&out);
	assert_false(api_listcache_get(&k, 2, 1, &out));
	strbuf_reset(&body);
	strbuf_adds(&body, "small");
	strbuf_reset(&k);
	for (int i = 0; i < LISTCACHE_MAX_KEY; i++) /* key at the cap: stored */
		strbuf_addch(&k, 'k');
	api_listcache_put(&k, 1, 1, &body);
	strbuf_reset(&out);
	assert_true(api_listcache_get(&k, 1, 1, &out));
	strbuf_addch(&k, 'k'); /* key at cap + 1: not stored */
	api_listcache_put(&k, 1, 1, &body);
	assert_false(api_listcache_get(&k, 1, 1, &out));
	strbuf_release(&k);
	strbuf_release(&body);
	strbuf_release(&out);
	api_listcache_clear();
}

/* api/rowcache: a hit needs the same (resource, brief, id) and the same validation hash. */
static void test_row_hit_and_hash(void **state)
{
	static const int res_a, res_b;
	const uint32_t holes[2] = {3, 5};
	struct rowcache_view v;
	const struct rowcache_entry *e;

	(void)state;
	api_rowcache_set_budget(0);
	api_rowcache_clear();
	api_rowcache_put(&res_a, 0, 7, 111, "abcdefgh", 8, holes, 2);
	e = api_rowcache_get(&res_a, 0, 7, 111, &v);
	assert_non_null(e);
	assert_int_equal(v.len, 8);
	assert_memory_equal(v.text, "abcdefgh", 8);
	assert_int_equal(v.nholes, 2);
	assert_int_equal(v.holes[1], 5);
	api_rowcache_release(e);
	assert_null(api_rowcache_get(&res_a, 0, 7, 112, &v)); /* row content changed */
	assert_null(api_rowcache_get(&res_a, 1, 7, 111, &v)); /* brief is another template */
	assert_null(api_rowcache_get(&res_b, 0, 7, 111, &v)); /* another resource */
	assert_null(api_rowcache_get(&res_a, 0, 8, 111, &v));
	api_rowcache_put(&res_a, 0, 7, 112, "new", 3, NULL, 0); /* replaces */
	assert_null(api_rowcache_get(&res_a, 0, 7, 111, &v));
	e = api_rowcache_get(&res_a, 0, 7, 112, &v);
	assert_non_null(e);
	api_rowcache_release(e);
	assert_int_not_equal(api_rowcache_hash(1, "ab", 2), api_rowcache_hash(1, "ac", 2));
	assert_int_not_equal(api_rowcache_hash(1, "a", 1), api_rowcache_hash(1, "a\0", 2));
	api_rowcache_clear();
}

/* Size limits: a row of ROWCACHE_MAX_ROW bytes is kept, one more is not; so for holes. */
static void test_row_limits(void **state)
{
	static const int res;
	static uint32_t holes[ROWCACHE_MAX_HOLES + 1];
	char *big = calloc(1, ROWCACHE_MAX_ROW + 1);
	struct rowcache_view v;
	const struct rowcache_entry *e;

	(void)state;
	assert_non_null(big);
	api_rowcache_set_budget(0);
	api_rowcache_clear();
	api_rowcache_put(&res, 0, 1, 1, big, ROWCACHE_MAX_ROW, NULL, 0);
	e = api_rowcache_get(&res, 0, 1, 1, &v);
	assert_non_null(e);
	api_rowcache_release(e);
	api_rowcache_put(&res, 0, 2, 1, big, ROWCACHE_MAX_ROW + 1, NULL, 0);
	assert_null(api_rowcache_get(&res, 0, 2, 1, &v));
	api_rowcache_put(&res, 0, 3, 1, "x", 1, holes, ROWCACHE_MAX_HOLES);
	e = api_rowcache_get(&res, 0, 3, 1, &v);
	assert_non_null(e);
	api_rowcache_release(e);
	api_rowcache_put(&res, 0, 4, 1, "x", 1, holes, ROWCACHE_MAX_HOLES + 1);
	assert_null(api_rowcache_get(&res, 0, 4, 1, &v));
	free(big);
	api_rowcache_clear();
}

/* The byte budget: filling it exactly keeps everything; one more entry evicts the least
 * recently used one (not the one just read); a held entry outlives its eviction. */
static void test_row_budget_lru(void **state)
{
	static const int res;
	char text[1000];
	size_t n = 0, bytes = 0, one;
	struct rowcache_view v, hv;
	const struct rowcache_entry *held, *e;

	(void)state;
	memset(text, 'r', sizeof(text));
	api_rowcache_set_budget(0);
	api_rowcache_clear();
	api_rowcache_put(&res, 0, 1, 9, text, sizeof(text), NULL, 0);
	api_rowcache_stats(&n, &one);
	assert_int_equal(n, 1);
	api_rowcache_set_budget(4 * one); /* exactly four entries */
	for (int64_t id = 2; id <= 4; id++)
		api_rowcache_put(&res, 0, id, 9, text, sizeof(text), NULL, 0);
	api_rowcache_stats(&n, &bytes);
	assert_int_equal(n, 4);
	assert_int_equal(bytes, 4 * one);
	held = api_rowcache_get(&res, 0, 1, 9, &hv); /* 1 becomes the most recent; 2 the oldest */
	assert_non_null(held);
	api_rowcache_put(&res, 0, 5, 9, text, sizeof(text), NULL, 0); /* budget + 1 entry */
	api_rowcache_stats(&n, &bytes);
	assert_int_equal(n, 4);
	assert_true(bytes <= 4 * one);
	assert_null(api_rowcache_get(&res, 0, 2, 9, &v));
	for (int64_t id = 3; id <= 5; id++) {
		e = api_rowcache_get(&res, 0, id, 9, &v);
		assert_non_null(e);
		api_rowcache_release(e);
	}
	api_rowcache_clear(); /* evicts 1 too, while held */
	api_rowcache_stats(&n, &bytes);
	assert_int_equal(n, 0);
	assert_int_equal(bytes, 0);
	assert_memory_equal(hv.text, text, sizeof(text)); /* still readable while held */
	api_rowcache_release(held); /* frees it now (ASan: no use after free, no leak) */
	api_rowcache_set_budget(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_count_hit_and_generation),
	    cmocka_unit_test(test_count_key_has_binds),
	    cmocka_unit_test(test_count_key_limit),
	    cmocka_unit_test(test_count_bounded),
	    cmocka_unit_test(test_list_hit_gen_and_second),
	    cmocka_unit_test(test_list_limits),
	    cmocka_unit_test(test_row_hit_and_hash),
	    cmocka_unit_test(test_row_limits),
	    cmocka_unit_test(test_row_budget_lru),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
