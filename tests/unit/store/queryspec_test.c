/* Unit tests for store/queryspec: the SQL each lookup, group and ordering renders to (SQLite
 * driver), that client values only ever travel as binds, what each lookup selects from a real
 * table, and the limits at limit + 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/queryspec.h"
#include "store/store.h"

struct fixture {
	struct store *st;
	struct store_conn *c;
	struct store_qspec *qs;
};

/* things: 5 rows with text, a nullable number, a JSON list; tags on rows 1 and 2; rows 1 and
 * 2 have an element in certificate_sans (the table named filter certificate_san reads). */
static const char schema[] =
    "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, sans TEXT,"
    " owner_id INTEGER);"
    "CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT, slug TEXT);"
    "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT, slug TEXT, color TEXT);"
    "CREATE TABLE tagged_items (tag_id INTEGER, object_type TEXT, object_id INTEGER);"
    "CREATE TABLE certificate_sans (certificate_id INTEGER, value TEXT);"
    "INSERT INTO certificate_sans VALUES (1, 'DNS:a.example'), (2, 'DNS:b.example');"
    "INSERT INTO owners VALUES (1, 'Alice', 'alice'), (2, 'Bob', 'bob');"
    "INSERT INTO things VALUES (1, 'Alpha', 1, '[\"a.example\",\"b.example\"]', 1),"
    " (2, 'beta', 2, '[\"c.example\"]', 2), (3, '50%_off', NULL, '[]', 1),"
    " (4, '', 4, NULL, NULL), (5, NULL, 5, '[]', 2);"
    "INSERT INTO tags VALUES (1, 'Prod', 'prod', 'ff0000'), (2, 'Edge', 'edge', '00ff00');"
    "INSERT INTO tagged_items VALUES (1, 'x.thing', 1), (2, 'x.thing', 1), (1, 'x.thing', 2);";

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || !(f->qs = malloc(sizeof(*f->qs))))
		return -1;
	if (store_open("sqlite::memory:", 1, &f->st, NULL) || !(f->c = store_conn_get(f->st)) ||
	    store_exec(f->c, schema, NULL))
		return -1;
	store_qs_init(f->qs, "things");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_qs_release(f->qs);
	free(f->qs);
	store_close(f->st);
	free(f);
	return 0;
}

/* Renders `form` and compares with `want`. */
static void assert_sql(struct fixture *f, enum store_qs_form form, const char *want)
{
	struct strbuf sql;

	strbuf_init(&sql, STORE_QS_SQL_MAX);
	assert_int_equal(store_qs_render(f->c, f->qs, form, &sql), 0);
	assert_string_equal(strbuf_str(&sql), want);
	strbuf_release(&sql);
}

static int64_t count(struct fixture *f)
{
	int64_t n = -1;

	assert_int_equal(store_qs_count(f->c, f->qs, &n, NULL), 0);
	return n;
}

#define COUNT_SQL "SELECT COUNT(*) FROM things t WHERE "

struct lookup_case {
	enum store_qs_lookup lk;
	const char *col;
	int is_int;
	int64_t i;
	const char *s;
	int negate;
	const char *sql; /* after COUNT_SQL */
	int64_t rows;	 /* rows of the fixture table it selects */
};

/* Every lookup: its SQL and what it selects. */
static const struct lookup_case lookups[] = {
    {STORE_QS_EQ, "n", 1, 2, NULL, 0, "t.n = $1", 1},
    {STORE_QS_NE, "n", 1, 2, NULL, 0, "t.n <> $1", 3}, /* NULL is neither */
    {STORE_QS_LT, "n", 1, 4, NULL, 0, "t.n < $1", 2},
    {STORE_QS_LTE, "n", 1, 4, NULL, 0, "t.n <= $1", 3},
    {STORE_QS_GT, "n", 1, 4, NULL, 0, "t.n > $1", 1},
    {STORE_QS_GTE, "n", 1, 4, NULL, 0, "t.n >= $1", 2},
    {STORE_QS_NE_OR_NULL, "n", 1, 2, NULL, 0, "(t.n IS NULL OR t.n <> $1)", 4},
    {STORE_QS_NULL, "n", 0, 0, NULL, 0, "t.n IS NULL", 1},
    {STORE_QS_NOT_NULL, "n", 0, 0, NULL, 0, "t.n IS NOT NULL", 4},
    {STORE_QS_BLANK, "name", 0, 0, NULL, 0, "(t.name IS NULL OR t.name = '')", 2},
    {STORE_QS_NOT_BLANK, "name", 0, 0, NULL, 0, "(t.name IS NOT NULL AND t.name <> '')", 3},
    {STORE_QS_ICONTAINS, "name", 0, 0, "LPH", 0,
     "t.name LIKE '%' || CAST($1 AS TEXT) || '%' ESCAPE '\\'", 1},
    {STORE_QS_ICONTAINS, "name", 0, 0, "a", 1,
     "NOT t.name LIKE '%' || CAST($1 AS TEXT) || '%' ESCAPE '\\'",
     2}, /* '' and "50%_off"; NULL never matches */
    {STORE_QS_ISTARTSWITH, "name", 0, 0, "AL", 0, "t.name LIKE CAST($1 AS TEXT) || '%' ESCAPE '\\'",
     1},
    {STORE_QS_IENDSWITH, "name", 0, 0, "TA", 0, "t.name LIKE '%' || CAST($1 AS TEXT) ESCAPE '\\'",
     1},
    {STORE_QS_IEXACT, "name", 0, 0, "BETA", 0, "t.name LIKE CAST($1 AS TEXT) ESCAPE '\\'", 1},
    {STORE_QS_ICONTAINS, "name", 0, 0, "%_", 0,
     "t.name LIKE '%' || CAST($1 AS TEXT) || '%' ESCAPE '\\'",
     1}, /* wildcards are literal: only "50%_off" */
    {STORE_QS_JSON_HAS, "sans", 0, 0, "c.example", 0,
     "EXISTS (SELECT 1 FROM json_each(t.sans) WHERE json_each.value = $1)", 1},
};

static void test_each_lookup(void **state)
{
	struct fixture *f = *state;
	char want[512];

	for (size_t k = 0; k < sizeof(lookups) / sizeof(lookups[0]); k++) {
		const struct lookup_case *c = &lookups[k];
		store_qs_release(f->qs);
		store_qs_init(f->qs, "things");
		if (c->lk >= STORE_QS_ICONTAINS && c->lk <= STORE_QS_IEXACT) {
			assert_int_equal(store_qs_match(f->qs, c->col, 0, c->lk, c->s, c->negate),
					 0);
		} else {
			int n = 0;
			if (c->is_int)
				n = store_qs_bind_int(f->qs, c->i);
			else if (c->s)
				n = store_qs_bind_text(f->qs, c->s);
			store_qs_where(f->qs, c->col, 0, c->lk, n);
		}
		snprintf(want, sizeof(want), COUNT_SQL "%s", c->sql);
		assert_sql(f, STORE_QS_COUNT, want);
		assert_int_equal(count(f), c->rows);
	}
}

/* A declared expression subject, tags, named FKs, a matched FK, a JSON id list. */
static void test_other_terms(void **state)
{
	struct fixture *f = *state;
	int n;

	store_qs_where(f->qs, "t.n * 2", STORE_QS_EXPR, STORE_QS_GT, store_qs_bind_int(f->qs, 4));
	assert_sql(f, STORE_QS_COUNT, COUNT_SQL "(t.n * 2) > $1");
	assert_int_equal(count(f), 2);

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_tagged(f->qs, "x.thing", "slug", store_qs_bind_text(f->qs, "edge"), 0);
	/* a count is driven by the tag's items; a page probes each row it walks (a scalar
	 * subquery, which PostgreSQL does not flatten into a semi-join) */
	assert_sql(f, STORE_QS_COUNT,
		   COUNT_SQL
		   "t.id IN (SELECT ti.object_id FROM tags tg JOIN tagged_items ti ON"
		   " ti.tag_id = tg.id WHERE tg.slug = $1 AND ti.object_type = 'x.thing')");
	assert_sql(
	    f, STORE_QS_ROWS,
	    "SELECT t.id FROM things t WHERE (SELECT EXISTS (SELECT 1 FROM tagged_items ti JOIN"
	    " tags tg ON tg.id = ti.tag_id WHERE ti.object_type = 'x.thing' AND ti.object_id = t.id"
	    " AND tg.slug = $1)) ORDER BY t.id ASC");
	assert_int_equal(count(f), 1);
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_tagged(f->qs, "x.thing", "id", store_qs_bind_int(f->qs, 1), 1);
	assert_int_equal(count(f), 3);

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	n = store_qs_bind_text(f->qs, "alice");
	store_qs_bind_text(f->qs, "Bob");
	store_qs_in_named(f->qs, "owner_id", "owners", 1, n, 2);
	assert_sql(f, STORE_QS_COUNT,
		   COUNT_SQL "t.owner_id IN (SELECT id FROM owners WHERE name = $1 OR slug = $1"
			     " OR name = $2 OR slug = $2)");
	assert_int_equal(count(f), 4);

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	assert_int_equal(
	    store_qs_in_match(f->qs, "owner_id", "owners", "name", STORE_QS_ICONTAINS, "LIC"), 0);
	assert_sql(
	    f, STORE_QS_COUNT,
	    COUNT_SQL
	    "t.owner_id IN (SELECT m.id FROM owners m WHERE m.name LIKE '%' || CAST($1 AS TEXT) ||"
	    " '%' ESCAPE '\\')");
	assert_int_equal(count(f), 2);

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_in_json(f->qs, store_qs_bind_text(f->qs, "[2,5,9]"));
	assert_sql(f, STORE_QS_COUNT,
		   COUNT_SQL "t.id IN (SELECT CAST(je.value AS BIGINT) FROM json_each($1) je)");
	assert_int_equal(count(f), 2);
}

/* Groups: OR inside any, AND inside all, nesting, empty groups vanish, AND at the top. */
static void test_groups(void **state)
{
	struct fixture *f = *state;

	store_qs_open_any(f->qs);
	store_qs_where(f->qs, "n", 0, STORE_QS_EQ, store_qs_bind_int(f->qs, 1));
	store_qs_where(f->qs, "n", 0, STORE_QS_EQ, store_qs_bind_int(f->qs, 2));
	store_qs_open_all(f->qs);
	store_qs_where(f->qs, "n", 0, STORE_QS_GT, store_qs_bind_int(f->qs, 3));
	store_qs_where(f->qs, "name", 0, STORE_QS_NULL, 0);
	store_qs_close(f->qs);
	store_qs_close(f->qs);
	store_qs_open_any(f->qs); /* empty: renders as nothing */
	store_qs_close(f->qs);
	store_qs_where(f->qs, "id", 0, STORE_QS_NE, store_qs_bind_int(f->qs, 2));
	assert_sql(f, STORE_QS_COUNT,
		   COUNT_SQL
		   "(t.n = $1 OR t.n = $2 OR (t.n > $3 AND t.name IS NULL)) AND t.id <> $4");
	assert_int_equal(count(f), 2); /* rows 1 and 5 */

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_open_any(f->qs);
	store_qs_close(f->qs);
	assert_sql(f, STORE_QS_COUNT, "SELECT COUNT(*) FROM things t");
	assert_int_equal(count(f), 5);
}

/* Named filters (store_qs_filter): the store's text with its $1..$k renumbered to the
 * caller's binds, parenthesised, negated as a whole; unknown names and binds the spec does not
 * hold latch CK_E_INTERNAL. */
static void test_named_filters(void **state)
{
	struct fixture *f = *state;
	struct strbuf sql;
	int n;

	store_qs_where(f->qs, "n", 0, STORE_QS_GT, store_qs_bind_int(f->qs, 1));
	n = store_qs_bind_text(f->qs, "DNS:a.example");
	store_qs_filter(f->qs, "certificate_san", n, 0);
	store_qs_filter(f->qs, "certificate_has_assignments", 0, 1);
	assert_sql(f, STORE_QS_COUNT,
		   COUNT_SQL
		   "t.n > $1 AND (t.id IN (SELECT certificate_id FROM certificate_sans WHERE"
		   " value = $2)) AND NOT (EXISTS (SELECT 1 FROM assignments a WHERE"
		   " a.certificate_id = t.id))");

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_filter(f->qs, "certificate_san", store_qs_bind_text(f->qs, "DNS:b.example"), 0);
	assert_int_equal(count(f), 1);
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_filter(f->qs, "certificate_san", store_qs_bind_text(f->qs, "DNS:b.example"), 1);
	assert_int_equal(count(f), 4);

	/* several binds, each placeholder renumbered (due: $1 now, $2 today) */
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_bind_int(f->qs, 7);
	n = store_qs_bind_int(f->qs, 100);
	store_qs_bind_int(f->qs, 1);
	store_qs_filter(f->qs, "certificate_renewal_due", n, 0);
	assert_sql(f, STORE_QS_COUNT,
		   COUNT_SQL
		   "(t.is_acme = 1 AND t.acme_auto_renewal = 1 AND t.valid_to >= $2 AND"
		   " (t.valid_to / 86400 - $3) <= COALESCE(NULLIF(t.acme_renewal_days, 0), 30))");

	/* "none" selects nothing, on a real table */
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_open_any(f->qs);
	store_qs_filter(f->qs, "none", 0, 0);
	store_qs_where(f->qs, "n", 0, STORE_QS_EQ, store_qs_bind_int(f->qs, 2));
	store_qs_close(f->qs);
	assert_sql(f, STORE_QS_COUNT, COUNT_SQL "((0 = 1) OR t.n = $1)");
	assert_int_equal(count(f), 1);

	/* an unknown name; a filter's binds past the spec's (certificate_renewal_ok takes 2) */
	strbuf_init(&sql, STORE_QS_SQL_MAX);
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_filter(f->qs, "no_such_filter", 0, 0);
	assert_int_equal(store_qs_render(f->c, f->qs, STORE_QS_COUNT, &sql), CK_E_INTERNAL);
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_filter(f->qs, "certificate_renewal_ok", store_qs_bind_int(f->qs, 1), 0);
	assert_int_equal(store_qs_render(f->c, f->qs, STORE_QS_COUNT, &sql), CK_E_INTERNAL);
	strbuf_release(&sql);
}

/* Named expressions: the store's text in parentheses; an unknown name selects NULL. */
static void test_named_exprs(void **state)
{
	struct fixture *f = *state;

	store_qs_select(f->qs, "@cert_serial_hex", STORE_QS_EXPR);
	store_qs_select(f->qs, "@no_such_expression", STORE_QS_EXPR);
	assert_sql(f, STORE_QS_ROWS,
		   "SELECT t.id, (REPLACE(t.serial_number, ':', '')), NULL FROM things t ORDER BY "
		   "t.id ASC");
}

/* Ordering: asc, desc, expression, id; always ending with t.id ASC; the page's limit and
 * offset are the two binds after the spec's. */
static void test_ordering_and_forms(void **state)
{
	struct fixture *f = *state;
	struct store_stmt *st;
	int64_t ids[8];
	size_t n = 0;
	int r;

	store_qs_select(f->qs, "name", 0);
	store_qs_select(f->qs, "t.n * 10", STORE_QS_EXPR);
	store_qs_select(f->qs, "sans", STORE_QS_NULLED);
	store_qs_select_tags(f->qs, "x.thing", 0);
	store_qs_where(f->qs, "n", 0, STORE_QS_NOT_NULL, 0);
	store_qs_order_by(f->qs, "owner_id", 0, 1);
	store_qs_order_by(f->qs, "t.n % 2", STORE_QS_EXPR, 0);
	store_qs_order_by(f->qs, "id", 0, 1);
	f->qs->limit = 3;
	f->qs->offset = 1;
	assert_sql(
	    f, STORE_QS_PAGE,
	    "SELECT t.id, t.name, (t.n * 10), NULL, (SELECT group_concat(tg.id || char(31) ||"
	    " tg.name || char(31) || tg.slug || char(31) || tg.color, char(30)) FROM"
	    " tagged_items ti JOIN tags tg ON tg.id = ti.tag_id WHERE ti.object_type ="
	    " 'x.thing' AND ti.object_id = t.id) FROM things t WHERE t.id IN (SELECT t.id FROM"
	    " things t WHERE t.n IS NOT NULL ORDER BY t.owner_id DESC, (t.n % 2) ASC, t.id DESC,"
	    " t.id ASC LIMIT $1 OFFSET $2) ORDER BY t.owner_id DESC, (t.n % 2) ASC, t.id DESC,"
	    " t.id ASC");
	/* rows with n: 1 (owner 1), 2 (owner 2), 4 (no owner), 5 (owner 2); by owner desc,
	 * n%2, id desc: 2, 5, 1, 4 → offset 1, limit 3: 5, 1, 4 */
	assert_int_equal(store_qs_query(f->c, f->qs, STORE_QS_PAGE, &st, NULL), 0);
	while ((r = store_step(st, NULL)) == STORE_ROW && n < 8) {
		ids[n++] = store_col_i64(st, 0);
		if (ids[n - 1] == 1)
			assert_string_equal(store_col_text(st, 4, NULL), "1\x1fProd\x1fprod\x1f"
									 "ff0000\x1e"
									 "2\x1f"
									 "Edge\x1f"
									 "edge\x1f"
									 "00ff00");
	}
	store_done(st);
	assert_int_equal(r, STORE_DONE);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 5);
	assert_int_equal(ids[1], 1);
	assert_int_equal(ids[2], 4);

	store_qs_select_tags(f->qs, "x.thing", 1);
	assert_sql(f, STORE_QS_ROWS,
		   "SELECT t.id, t.name, (t.n * 10), NULL, NULL FROM things t WHERE t.n IS NOT NULL"
		   " ORDER BY t.owner_id DESC, (t.n % 2) ASC, t.id DESC, t.id ASC");
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_select(f->qs, "name", 0);
	store_qs_bind_int(f->qs, 2);
	assert_sql(f, STORE_QS_ROW, "SELECT t.id, t.name FROM things t WHERE t.id = $1");
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	assert_sql(f, STORE_QS_ROWS, "SELECT t.id FROM things t ORDER BY t.id ASC");
}

/* Hostile client text never reaches the SQL text, through any lookup that takes text. */
static void test_values_always_bound(void **state)
{
	struct fixture *f = *state;
	static const char evil[] = "x' OR 1=1; DROP TABLE things; --\"";
	struct strbuf sql;
	int n;

	for (int lk = STORE_QS_ICONTAINS; lk <= STORE_QS_IEXACT; lk++)
		assert_int_equal(
		    store_qs_match(f->qs, "name", 0, (enum store_qs_lookup)lk, evil, lk & 1), 0);
	n = store_qs_bind_text(f->qs, evil);
	store_qs_where(f->qs, "name", 0, STORE_QS_EQ, n);
	store_qs_where(f->qs, "sans", 0, STORE_QS_JSON_HAS, n);
	store_qs_tagged(f->qs, "x.thing", "slug", n, 0);
	store_qs_in_named(f->qs, "owner_id", "owners", 1, n, 1);
	assert_int_equal(
	    store_qs_in_match(f->qs, "owner_id", "owners", "name", STORE_QS_IEXACT, evil), 0);
	store_qs_filter(f->qs, "certificate_san", n, 0);
	store_qs_open_any(f->qs);
	store_qs_in_json(f->qs, store_qs_bind_text(f->qs, "[1]"));
	store_qs_close(f->qs);
	strbuf_init(&sql, STORE_QS_SQL_MAX);
	for (int form = STORE_QS_COUNT; form <= STORE_QS_ROWS; form++) {
		strbuf_reset(&sql);
		assert_int_equal(store_qs_render(f->c, f->qs, (enum store_qs_form)form, &sql), 0);
		assert_null(strstr(strbuf_str(&sql), "DROP"));
		assert_null(strstr(strbuf_str(&sql), "1=1"));
	}
	strbuf_release(&sql);
	assert_int_equal(count(f), 0);
	/* the table survived and the values arrived as data */
	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	assert_int_equal(count(f), 5);
	/* the escaped pattern is what is bound: the value's wildcards are literal */
	assert_int_equal(store_qs_match(f->qs, "name", 0, STORE_QS_ICONTAINS, "50%_", 0), 0);
	assert_string_equal(f->qs->binds[0].s, "50\\%\\_");
}

/* Limits: binds, terms and ordering keys at the limit and limit + 1; a group left open. */
static void test_limits(void **state)
{
	struct fixture *f = *state;
	struct strbuf sql;

	for (int i = 0; i < STORE_QS_MAX_BINDS; i++)
		assert_int_equal(store_qs_bind_int(f->qs, i), i + 1);
	assert_int_equal(store_qs_bind_int(f->qs, 0), CK_E_TOOBIG);
	assert_int_equal(store_qs_bind_text(f->qs, "x"), CK_E_TOOBIG);
	strbuf_init(&sql, STORE_QS_SQL_MAX);
	assert_int_equal(store_qs_render(f->c, f->qs, STORE_QS_COUNT, &sql), CK_E_TOOBIG);

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	for (int i = 0; i < STORE_QS_MAX_TERMS; i++)
		store_qs_where(f->qs, "n", 0, STORE_QS_NOT_NULL, 0);
	assert_int_equal(f->qs->failed, 0);
	store_qs_where(f->qs, "n", 0, STORE_QS_NOT_NULL, 0);
	assert_int_equal(f->qs->failed, CK_E_TOOBIG);

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	for (int i = 0; i < STORE_QS_MAX_ORDER; i++)
		assert_int_equal(store_qs_order_by(f->qs, "n", 0, 0), 0);
	assert_int_equal(store_qs_order_by(f->qs, "n", 0, 0), CK_E_TOOBIG);

	store_qs_release(f->qs);
	store_qs_init(f->qs, "things");
	store_qs_open_any(f->qs);
	strbuf_reset(&sql);
	assert_int_equal(store_qs_render(f->c, f->qs, STORE_QS_COUNT, &sql), CK_E_INTERNAL);
	strbuf_release(&sql);
}

/* The cache key changes with every bound value, int or text. */
static void test_key(void **state)
{
	struct fixture *f = *state;
	struct strbuf a, b;

	strbuf_init(&a, 1 << 16);
	strbuf_init(&b, 1 << 16);
	store_qs_where(f->qs, "name", 0, STORE_QS_EQ, store_qs_bind_text(f->qs, "1"));
	assert_int_equal(store_qs_key(f->c, f->qs, STORE_QS_COUNT, &a), 0);
	f->qs->binds[0].is_int = 1;
	f->qs->binds[0].i = 1;
	assert_int_equal(store_qs_key(f->c, f->qs, STORE_QS_COUNT, &b), 0);
	assert_true(a.len != b.len || memcmp(strbuf_str(&a), strbuf_str(&b), a.len));
	f->qs->binds[0].is_int = 0;
	strbuf_release(&a);
	strbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_each_lookup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_terms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_named_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_named_exprs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ordering_and_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_values_always_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
