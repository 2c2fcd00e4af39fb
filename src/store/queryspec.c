/*
 * store/queryspec — renders a query spec (queryspec.h) to SQL in the connection's dialect.
 *
 * The SQL shapes (kept from api/query.c, where they were chosen for SQLite's planner):
 *   COUNT  SELECT COUNT(*) FROM <table> t [WHERE <conds>]
 *   PAGE   SELECT t.id, <cols>[, <tags>] FROM <table> t WHERE t.id IN
 *            (SELECT t.id FROM <table> t [WHERE <conds>] <order> LIMIT $L OFFSET $O) <order>
 *          — the inner query finds the page's ids from indexes and narrow rows; only those
 *          rows are read whole and get their per-row subqueries (tags, counts).
 *   ROWS   SELECT t.id, <cols>[, <tags>] FROM <table> t [WHERE <conds>] <order>
 *   ROW    SELECT t.id, <cols>[, <tags>] FROM <table> t WHERE t.id = $<last bind>
 */
#include "store/queryspec.h"
#include "core/hash.h"
#include "core/parse.h"
#include "store/driver.h"
#include "store/queryspec_named.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_qs_init(struct store_qspec *qs, const char *table)
{
	memset(qs, 0, sizeof(*qs));
	qs->table = table;
}

void store_qs_release(struct store_qspec *qs)
{
	if (!qs)
		return;
	for (int i = 0; i < qs->nbinds; i++)
		free(qs->binds[i].s);
	free(qs->binds);
	free(qs->terms);
	free(qs->cols);
	qs->binds = NULL;
	qs->terms = NULL;
	qs->cols = NULL;
	qs->nbinds = qs->abinds = 0;
	qs->nterms = qs->aterms = qs->ncols = qs->acols = 0;
}

/* The allocation (in elements) that leaves room for element n: `alloc` when there is room,
 * else doubled (from 16) up to `max`; CK_E_TOOBIG when n is already max. */
static int room_for(size_t n, size_t alloc, size_t max, size_t *ret_want)
{
	if (n < alloc) {
		*ret_want = alloc;
		return 0;
	}
	if (n >= max)
		return CK_E_TOOBIG;
	*ret_want = alloc ? 2 * alloc : 16;
	if (*ret_want > max)
		*ret_want = max;
	return 0;
}

static void fail(struct store_qspec *qs, int code)
{
	if (!qs->failed)
		qs->failed = code;
}

int store_qs_select(struct store_qspec *qs, const char *col, unsigned flags)
{
	struct store_qs_col *grown;
	size_t want;
	int r = room_for(qs->ncols, qs->acols, STORE_QS_MAX_COLS, &want);

	if (!r && want != qs->acols) {
		if ((grown = realloc(qs->cols, want * sizeof(*grown)))) {
			qs->cols = grown;
			qs->acols = want;
		} else {
			r = CK_E_NOMEM;
		}
	}
	if (r) {
		fail(qs, r);
		return r;
	}
	qs->cols[qs->ncols].col = col;
	qs->cols[qs->ncols].flags = flags;
	qs->ncols++;
	return 0;
}

void store_qs_select_tags(struct store_qspec *qs, const char *object_type, int nulled)
{
	qs->tags_type = object_type;
	qs->tags_nulled = nulled;
}

static int bind_slot(struct store_qspec *qs)
{
	struct store_qs_value *grown;
	size_t want;
	int r = room_for((size_t)qs->nbinds, (size_t)qs->abinds, STORE_QS_MAX_BINDS, &want);

	if (!r && want != (size_t)qs->abinds) {
		if ((grown = realloc(qs->binds, want * sizeof(*grown)))) {
			qs->binds = grown;
			qs->abinds = (int)want;
		} else {
			r = CK_E_NOMEM;
		}
	}
	if (r) {
		fail(qs, r);
		return r;
	}
	return qs->nbinds;
}

int store_qs_bind_text(struct store_qspec *qs, const char *s)
{
	int k = bind_slot(qs);
	char *copy;

	if (k < 0)
		return k;
	if (!(copy = strdup(s))) {
		fail(qs, CK_E_NOMEM);
		return CK_E_NOMEM;
	}
	qs->binds[k] = (struct store_qs_value){.is_int = 0, .s = copy};
	return ++qs->nbinds;
}

int store_qs_bind_int(struct store_qspec *qs, int64_t v)
{
	int k = bind_slot(qs);

	if (k < 0)
		return k;
	qs->binds[k] = (struct store_qs_value){.is_int = 1, .i = v};
	return ++qs->nbinds;
}

static struct store_qs_term *add_term(struct store_qspec *qs, enum store_qs_term_kind kind)
{
	struct store_qs_term *t, *grown;
	size_t want;
	int r = room_for(qs->nterms, qs->aterms, STORE_QS_MAX_TERMS, &want);

	qs->prefilter_sampled = 0;
	if (!r && want != qs->aterms) {
		if ((grown = realloc(qs->terms, want * sizeof(*grown)))) {
			qs->terms = grown;
			qs->aterms = want;
		} else {
			r = CK_E_NOMEM;
		}
	}
	if (r) {
		fail(qs, r);
		return NULL;
	}
	t = &qs->terms[qs->nterms++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	return t;
}

static void open_group(struct store_qspec *qs, enum store_qs_term_kind kind)
{
	if (qs->depth == STORE_QS_MAX_DEPTH) {
		fail(qs, CK_E_INTERNAL);
		return;
	}
	if (add_term(qs, kind))
		qs->depth++;
}

void store_qs_open_any(struct store_qspec *qs) { open_group(qs, QS_T_OPEN_ANY); }
void store_qs_open_all(struct store_qspec *qs) { open_group(qs, QS_T_OPEN_ALL); }

void store_qs_close(struct store_qspec *qs)
{
	if (qs->depth == 0) {
		fail(qs, CK_E_INTERNAL);
		return;
	}
	if (add_term(qs, QS_T_CLOSE))
		qs->depth--;
}

static struct store_qs_term *add_leaf(struct store_qspec *qs, const char *col, unsigned flags,
				      enum store_qs_lookup lk, int bind)
{
	struct store_qs_term *t = add_term(qs, QS_T_LEAF);

	if (t) {
		t->lk = lk;
		t->col = col;
		t->flags = flags;
		t->bind = bind;
	}
	return t;
}

void store_qs_where(struct store_qspec *qs, const char *col, unsigned flags,
		    enum store_qs_lookup lk, int bind)
{
	add_leaf(qs, col, flags, lk, bind);
}

char *store_like_escape(const char *v)
{
	size_t n = strlen(v);
	char *out = malloc(2 * n + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = v; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* Columns with a trigram index (schema migration 4: certificates_fts; PostgreSQL: pg_trgm).
 * `subject` is how a spec names it (a column, or a declared expression of q); a serial is
 * searched through serial_key (upper hex without colons and leading zeros): every serial
 * whose text contains hex digits d (colons ignored) has a serial_key containing d without
 * its leading zeros. */
static const struct {
	const char *table, *subject, *col;
	int hex_key; /* the value is reduced to serial_key form first */
} trigram_cols[] = {
    {"certificates", "common_name", "common_name", 0},
    {"certificates", "issuer", "issuer", 0},
    {"certificates", "fingerprint_sha256", "fingerprint_sha256", 0},
    {"certificates", "serial_key", "serial_key", 0},
    {"certificates", "serial_number", "serial_key", 1},
    {"certificates", "@cert_serial_hex", "serial_key", 1}, /* q: the serial as hex */
};

static int trigram_index(const struct store_qspec *qs, const char *col)
{
	if (!strncmp(col, "t.", 2))
		col += 2;
	for (size_t i = 0; i < sizeof(trigram_cols) / sizeof(trigram_cols[0]); i++)
		if (!strcmp(qs->table, trigram_cols[i].table) &&
		    !strcmp(col, trigram_cols[i].subject))
			return (int)i;
	return -1;
}

/* The declared column name for `col` ("x" or "t.x") if it has a trigram index, else NULL. */
static const char *trigram_col(const struct store_qspec *qs, const char *col)
{
	int i = trigram_index(qs, col);

	return i < 0 ? NULL : trigram_cols[i].col;
}

/* Characters (code points) of `s`, or -1 when it is not well-formed UTF-8. */
static long utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	while (*p) {
		int len = *p < 0x80		? 1
			  : (*p & 0xE0) == 0xC0 ? 2
			  : (*p & 0xF0) == 0xE0 ? 3
			  : (*p & 0xF8) == 0xF0 ? 4
						: 0;
		if (!len || (len == 2 && *p < 0xC2))
			return -1;
		for (int k = 1; k < len; k++)
			if ((p[k] & 0xC0) != 0x80)
				return -1;
		p += len;
		n++;
	}
	return n;
}

/* The value searched in the index for `v` on trigram_cols[i] (into buf), or NULL when the
 * index cannot pre-filter it (too short, not UTF-8). A value that is not hex on a serial can
 * match no serial: searched as it is (the index then finds nothing, as the exact test). */
static const char *trigram_value(int i, const char *v, char *buf, size_t size)
{
	if (i < 0)
		return NULL;
	if (trigram_cols[i].hex_key && !v[strspn(v, "0123456789abcdefABCDEF:")]) {
		size_t n = 0;
		for (const char *p = v; *p && n + 1 < size; p++)
			if (*p != ':' && (n || *p != '0'))
				buf[n++] = *p;
		buf[n] = '\0';
		v = buf;
	}
	return utf8_chars(v) >= STORE_QS_TRIGRAM_MIN ? v : NULL;
}

int store_qs_contains_indexed(const struct store_qspec *qs, const char *col)
{
	return trigram_col(qs, col) != NULL;
}

int store_qs_contains_prefilter(struct store_qspec *qs, const char *col, const char *v)
{
	int i = trigram_index(qs, col);
	char buf[256];
	const char *key = strlen(v) < sizeof(buf) ? trigram_value(i, v, buf, sizeof(buf)) : NULL;
	struct store_qs_term *t;
	int n;

	if (!key)
		return 0;
	n = store_qs_bind_text(qs, key);
	if (n < 0)
		return n;
	t = add_term(qs, QS_T_CONTAINS);
	if (!t)
		return qs->failed;
	t->col = trigram_cols[i].col;
	t->bind = n;
	return 1;
}

int store_qs_match(struct store_qspec *qs, const char *col, unsigned flags, enum store_qs_lookup lk,
		   const char *v, int negate)
{
	char *esc;
	struct store_qs_term *t;
	int n;

	/* An indexed search: the trigram pre-filter AND the exact LIKE. A value that equals,
	 * starts or ends the column also contains it, so the pre-filter serves those lookups
	 * too (a LIKE without wildcards uses no index: __ie scanned every row). */
	char buf[256];

	if (lk >= STORE_QS_ICONTAINS && lk <= STORE_QS_IEXACT && !negate &&
	    !(flags & STORE_QS_NO_TRIGRAM) && strlen(v) < sizeof(buf) &&
	    trigram_value(trigram_index(qs, col), v, buf, sizeof(buf))) {
		store_qs_open_all(qs);
		n = store_qs_contains_prefilter(qs, col, v);
		if (n >= 0)
			n = store_qs_match(qs, col, flags | STORE_QS_NO_TRIGRAM, lk, v, 0);
		store_qs_close(qs);
		return n < 0 ? n : qs->failed;
	}
	flags &= ~STORE_QS_NO_TRIGRAM;
	esc = store_like_escape(v);

	if (lk < STORE_QS_ICONTAINS || lk > STORE_QS_IEXACT) {
		free(esc);
		fail(qs, CK_E_INTERNAL);
		return CK_E_INTERNAL;
	}
	if (!esc) {
		fail(qs, CK_E_NOMEM);
		return CK_E_NOMEM;
	}
	n = store_qs_bind_text(qs, esc);
	free(esc);
	if (n < 0)
		return n;
	t = add_leaf(qs, col, flags, lk, n);
	if (t)
		t->negate = negate;
	return qs->failed;
}

void store_qs_tagged(struct store_qspec *qs, const char *object_type, const char *by, int bind,
		     int negate)
{
	struct store_qs_term *t = add_term(qs, QS_T_TAGGED);

	if (t) {
		t->col = object_type;
		t->aux = strcmp(by, "id") ? "slug" : "id";
		t->bind = bind;
		t->negate = negate;
	}
}

void store_qs_in_named(struct store_qspec *qs, const char *col, const char *table, int has_slug,
		       int bind, int nbinds)
{
	struct store_qs_term *t = add_term(qs, QS_T_IN_NAMED);

	if (t) {
		t->col = col;
		t->aux = table;
		t->aux_flag = has_slug;
		t->bind = bind;
		t->nbinds = nbinds;
	}
}

int store_qs_in_match(struct store_qspec *qs, const char *col, const char *table,
		      const char *target_col, enum store_qs_lookup lk, const char *v)
{
	int r = store_qs_match(qs, target_col, 0, lk, v, 0);
	struct store_qs_term *t;

	if (r)
		return r;
	t = &qs->terms[qs->nterms - 1]; /* the leaf just added becomes the IN's lookup */
	t->kind = QS_T_IN_MATCH;
	t->aux = table;
	t->aux2 = target_col;
	t->col = col;
	return 0;
}

void store_qs_in_json(struct store_qspec *qs, int bind)
{
	struct store_qs_term *t = add_term(qs, QS_T_IN_JSON);

	if (t)
		t->bind = bind;
}

void store_qs_filter(struct store_qspec *qs, const char *name, int bind, int negate)
{
	int n = qs_named_filter_binds(name);
	struct store_qs_term *t;

	if (n < 0 || (n > 0 && (bind < 1 || bind + n - 1 > qs->nbinds))) {
		fail(qs, CK_E_INTERNAL);
		return;
	}
	t = add_term(qs, QS_T_FILTER);
	if (t) {
		t->col = name;
		t->bind = bind;
		t->nbinds = n;
		t->negate = negate;
	}
}

int store_qs_order_by(struct store_qspec *qs, const char *col, unsigned flags, int desc)
{
	if (qs->norder == STORE_QS_MAX_ORDER) {
		fail(qs, CK_E_TOOBIG);
		return CK_E_TOOBIG;
	}
	qs->order[qs->norder++] = (struct store_qs_order){.col = col, .flags = flags, .desc = desc};
	return 0;
}

/* ---- rendering ---- */

/* The subject of a term or column: "t.<col>", "(<expr>)" or "(<named expression>)". */
static void subject_d(const struct store_driver *d, struct strbuf *sql, const char *col,
		      unsigned flags)
{
	if (!(flags & STORE_QS_EXPR)) {
		strbuf_addf(sql, "t.%s", col);
		return;
	}
	if (col[0] != '@') {
		strbuf_addf(sql, "(%s)", col);
		return;
	}
	if (!qs_named_expr(d, sql, col))
		strbuf_adds(sql, "NULL");
}

/* Latches into `sql` the error of a helper builder (the render then reports it). */
static void take_error(struct strbuf *sql, const struct strbuf *part)
{
	if (strbuf_result(part) && !sql->failed)
		sql->failed = strbuf_result(part);
}

static void render_match(const struct store_driver *d, struct strbuf *sql,
			 const struct store_qs_term *t, const char *expr)
{
	static const char *const pattern[] = {
	    /* the casts type the parameter for PostgreSQL (an unknown || unknown) */
	    [STORE_QS_ICONTAINS] = "'%%' || CAST($%d AS TEXT) || '%%'",
	    [STORE_QS_ISTARTSWITH] = "CAST($%d AS TEXT) || '%%'",
	    [STORE_QS_IENDSWITH] = "'%%' || CAST($%d AS TEXT)",
	    [STORE_QS_IEXACT] = "CAST($%d AS TEXT)",
	};
	char pat[64];

	snprintf(pat, sizeof(pat), pattern[t->lk], t->bind);
	d->sql_ilike(sql, expr, pat, t->negate);
}

/* `mark`: written before a plain column (driver.h no_index_mark; "" for none). */
static void render_leaf(const struct store_driver *d, struct strbuf *sql,
			const struct store_qs_term *t, const char *mark)
{
	static const char *const cmp[] = {
	    [STORE_QS_EQ] = "=",   [STORE_QS_NE] = "<>", [STORE_QS_LT] = "<",
	    [STORE_QS_LTE] = "<=", [STORE_QS_GT] = ">",	 [STORE_QS_GTE] = ">="};
	struct strbuf e;
	const char *x;
	char val[24], plain[128];

	strbuf_init(&e, 4096);
	if (!(t->flags & STORE_QS_EXPR) && strlen(mark) + strlen(t->col) + 3 <= sizeof(plain)) {
		/* the usual case: no allocation */
		size_t ml = strlen(mark);

		memcpy(plain, mark, ml); /* "<mark>t.<col>": fits, checked above */
		memcpy(plain + ml, "t.", 2);
		memcpy(plain + ml + 2, t->col, strlen(t->col) + 1);
		x = plain;
	} else {
		subject_d(d, &e, t->col, t->flags);
		x = strbuf_str(&e);
	}
	snprintf(val, sizeof(val), "$%d", t->bind);
	switch (t->lk) {
	case STORE_QS_NE_OR_NULL:
		strbuf_addf(sql, "(%s IS NULL OR %s <> %s)", x, x, val);
		break;
	case STORE_QS_NULL:
		strbuf_addf(sql, "%s IS NULL", x);
		break;
	case STORE_QS_NOT_NULL:
		strbuf_addf(sql, "%s IS NOT NULL", x);
		break;
	case STORE_QS_BLANK:
		strbuf_addf(sql, "(%s IS NULL OR %s = '')", x, x);
		break;
	case STORE_QS_NOT_BLANK:
		strbuf_addf(sql, "(%s IS NOT NULL AND %s <> '')", x, x);
		break;
	case STORE_QS_ICONTAINS:
	case STORE_QS_ISTARTSWITH:
	case STORE_QS_IENDSWITH:
	case STORE_QS_IEXACT:
		render_match(d, sql, t, x);
		break;
	case STORE_QS_JSON_HAS:
		d->sql_json_array_has(sql, x, val);
		break;
	default:
		strbuf_addf(sql, "%s %s %s", x, cmp[t->lk], val);
	}
	take_error(sql, &e);
	strbuf_release(&e);
}

/* How the conditions are rendered (render_conds). */
#define RM_COUNT 0x1u  /* the COUNT form: every match is read */
#define RM_FACETS 0x2u /* against a counts table (counted[]): mapped key columns */
#define RM_WALK 0x4u   /* a page of many matches, walked in the ordering's index */
#define RM_DRIVE 0x8u  /* a page of few matches, found from the filter's own index */
#define RM_PREFILTER                                                                               \
	0x10u /* a pre-filter every match passes drives the query: the other                       \
	       * conditions are checked per row, not looked up in their indexes */

static void render_tagged(struct strbuf *sql, const struct store_qs_term *t, unsigned mode)
{
	/* A count, or a page of few matches, reads every match: drive it from the tag's items
	 * (tagged_items_tag covers object_id) instead of probing each row of the table. A page
	 * of many matches keeps the probe, which stops at the page's end while it walks the
	 * ordering's index. */
	if ((mode & (RM_COUNT | RM_DRIVE)) && !t->negate) {
		strbuf_addf(sql,
			    "t.id IN (SELECT ti.object_id FROM tags tg JOIN tagged_items ti ON "
			    "ti.tag_id = tg.id"
			    " WHERE tg.%s = $%d AND ti.object_type = '%s')",
			    t->aux, t->bind, t->col);
		return;
	}
	/* a scalar subquery, so that PostgreSQL probes row by row as the ordering's index is
	 * walked: a bare EXISTS it turns into a semi-join reading every item of the tag and
	 * sorting them (tag=prod at 1M: 71,420 rows, 1.6 s; probed: 7.9 ms) */
	strbuf_addf(
	    sql,
	    "%s(SELECT EXISTS (SELECT 1 FROM tagged_items ti JOIN tags tg ON tg.id = "
	    "ti.tag_id WHERE ti.object_type = '%s' AND ti.object_id = t.id AND tg.%s = $%d))",
	    t->negate ? "NOT " : "", t->col, t->aux, t->bind);
}

static void render_in_named(struct strbuf *sql, const struct store_qs_term *t)
{
	strbuf_addf(sql, "t.%s IN (SELECT id FROM %s WHERE ", t->col, t->aux);
	for (int i = 0; i < t->nbinds; i++) {
		strbuf_addf(sql, "%sname = $%d", i ? " OR " : "", t->bind + i);
		if (t->aux_flag)
			strbuf_addf(sql, " OR slug = $%d", t->bind + i);
	}
	strbuf_addch(sql, ')');
}

/* FK column in the resolved ids (store_qs_resolve_named): "= $n" for one, so the column's
 * composite indexes serve the ordering too (an IN list is sorted). */
static void render_in_ids(struct strbuf *sql, const char *col, const struct store_qs_term *t,
			  const char *mark)
{
	if (t->nbinds == 0) {
		strbuf_adds(sql, "1 = 0");
		return;
	}
	if (t->nbinds == 1) {
		strbuf_addf(sql, "%st.%s = $%d", mark, col, t->bind);
		return;
	}
	strbuf_addf(sql, "%st.%s IN (", mark, col);
	for (int i = 0; i < t->nbinds; i++)
		strbuf_addf(sql, "%s$%d", i ? ", " : "", t->bind + i);
	strbuf_addch(sql, ')');
}

static void render_in_match(const struct store_driver *d, struct strbuf *sql,
			    const struct store_qs_term *t)
{
	struct store_qs_term leaf = *t;
	char expr[128];

	snprintf(expr, sizeof(expr), "m.%s", t->aux2);
	strbuf_addf(sql, "t.%s IN (SELECT m.id FROM %s m WHERE ", t->col, t->aux);
	leaf.kind = QS_T_LEAF;
	render_match(d, sql, &leaf, expr);
	strbuf_addch(sql, ')');
}

/* Set by store_qs_query around its render when rows wait for the deferred search index
 * (driver.h deferred_index_table): pre-filters then take them as candidates. Per thread: a
 * render runs on its caller's thread. Other renders (cache keys, cursor signatures, plans)
 * leave it 0, so the identity of a list does not change with the queue. */
static _Thread_local int render_queued;
/* Set likewise when the pre-filters are selective (prefilter_selective): only then may a
 * required pre-filter drive the query alone (RM_PREFILTER). */
static _Thread_local int render_selective;

static void render_contains(const struct store_driver *d, const struct store_qspec *qs,
			    struct strbuf *sql, const struct store_qs_term *t)
{
	d->sql_trigram_contains(sql, qs->table, t->col, t->bind, render_queued);
}

static void render_in_json(const struct store_driver *d, struct strbuf *sql,
			   const struct store_qs_term *t)
{
	char val[24];

	snprintf(val, sizeof(val), "$%d", t->bind);
	strbuf_adds(sql, "t.id IN (SELECT CAST(je.value AS BIGINT) FROM ");
	d->sql_json_elements(sql, val, NULL, "je");
	strbuf_addch(sql, ')');
}

struct counted_table;
static const char *counted_key(const struct counted_table *ct, const char *col);
static int render_counted_leaf(struct strbuf *sql, const struct counted_table *ct,
			       const struct store_qs_term *t);

static void render_term(const struct store_driver *d, const struct store_qspec *qs,
			struct strbuf *sql, const struct store_qs_term *t, unsigned mode,
			const struct counted_table *ct)
{
	const char *mark =
	    (((mode & RM_WALK) && qs->walk_unindexed) || (mode & RM_PREFILTER)) && d->no_index_mark
		? d->no_index_mark
		: "";

	switch (t->kind) {
	case QS_T_CONTAINS:
		/* a pre-filter is AND-ed with an exact condition that implies it (queryspec.h):
		 * where its index does not drive the query it is only work, so it is left out */
		if (mode & (RM_FACETS | RM_WALK))
			strbuf_adds(sql, "1 = 1");
		else
			render_contains(d, qs, sql, t);
		break;
	case QS_T_LEAF:
		if (!(mode & RM_FACETS) || !render_counted_leaf(sql, ct, t))
			render_leaf(d, sql, t, mark);
		break;
	case QS_T_TAGGED:
		render_tagged(sql, t, mode);
		break;
	case QS_T_IN_NAMED:
		if (mode & RM_FACETS) { /* tenant_id IN (named tenants): tenant_key likewise */
			struct store_qs_term k = *t;
			k.col = counted_key(ct, t->col);
			render_in_named(sql, &k);
		} else {
			render_in_named(sql, t);
		}
		break;
	case QS_T_IN_IDS:
		render_in_ids(sql, (mode & RM_FACETS) ? counted_key(ct, t->col) : t->col, t,
			      (mode & RM_FACETS) ? "" : mark);
		break;
	case QS_T_IN_JSON:
		render_in_json(d, sql, t);
		break;
	case QS_T_IN_MATCH:
		render_in_match(d, sql, t);
		break;
	case QS_T_FILTER:
		qs_named_filter_render(d, sql, t->col, t->bind, t->negate);
		break;
	default:
		break;
	}
}

/* Whether the group opening at terms[i] holds at least one leaf-like term. */
static int group_nonempty(const struct store_qspec *qs, size_t i)
{
	int depth = 0;

	for (size_t k = i; k < qs->nterms; k++) {
		enum store_qs_term_kind kind = qs->terms[k].kind;
		if (kind == QS_T_OPEN_ANY || kind == QS_T_OPEN_ALL)
			depth++;
		else if (kind == QS_T_CLOSE && --depth == 0)
			return 0;
		else if (kind != QS_T_CLOSE)
			return 1;
	}
	return 0;
}

/* Skips the group opening at terms[i]; returns the index of its close. */
static size_t group_end(const struct store_qspec *qs, size_t i)
{
	int depth = 0;

	for (size_t k = i; k < qs->nterms; k++) {
		enum store_qs_term_kind kind = qs->terms[k].kind;
		if (kind == QS_T_OPEN_ANY || kind == QS_T_OPEN_ALL)
			depth++;
		else if (kind == QS_T_CLOSE && --depth == 0)
			return k;
	}
	return qs->nterms;
}

/* Renders one leaf term of a condition tree. */
typedef void (*render_leaf_fn)(const struct store_driver *d, const struct store_qspec *qs,
			       struct strbuf *sql, const struct store_qs_term *t, unsigned mode,
			       const struct counted_table *ct);

static void render_range(const struct store_driver *d, const struct store_qspec *qs,
			 struct strbuf *sql, unsigned mode, const struct counted_table *ct,
			 render_leaf_fn leaf, size_t from, size_t to);

/* Whether the child of an OR group opening at terms[i] is a pre-filter pair as
 * store_qs_match() writes it: an AND group of a QS_T_CONTAINS and one exact leaf. */
static int prefilter_pair(const struct store_qspec *qs, size_t i)
{
	return i + 3 < qs->nterms && qs->terms[i].kind == QS_T_OPEN_ALL &&
	       qs->terms[i + 1].kind == QS_T_CONTAINS && qs->terms[i + 2].kind == QS_T_LEAF &&
	       qs->terms[i + 3].kind == QS_T_CLOSE;
}

static int same_prefilter_text(const struct store_qspec *qs, size_t a, size_t b)
{
	return !strcmp(qs->binds[qs->terms[a + 1].bind - 1].s,
		       qs->binds[qs->terms[b + 1].bind - 1].s);
}

/* The end of the child starting at terms[i] of a group (its close when it is a group). */
static size_t child_end(const struct store_qspec *qs, size_t i)
{
	enum store_qs_term_kind k = qs->terms[i].kind;

	return k == QS_T_OPEN_ANY || k == QS_T_OPEN_ALL ? group_end(qs, i) : i;
}

/* Whether the pre-filter pair at terms[a] was merged with an earlier one of the group opening
 * at terms[open]. */
static int merged_earlier(const struct store_qspec *qs, size_t open, size_t a)
{
	if (!prefilter_pair(qs, a))
		return 0;
	for (size_t b = open + 1; b < a; b = child_end(qs, b) + 1)
		if (prefilter_pair(qs, b) && same_prefilter_text(qs, a, b))
			return 1;
	return 0;
}

/* Whether the OR group opening at terms[open] has two pre-filter pairs searching the same
 * text (q: the name, serial, issuer and fingerprint pairs all search the typed text). */
static int any_group_mergeable(const struct store_driver *d, const struct store_qspec *qs,
			       size_t open, unsigned mode)
{
	size_t end = group_end(qs, open);

	if (!d->sql_trigram_contains_any || (mode & (RM_FACETS | RM_WALK)))
		return 0;
	for (size_t a = open + 1; a < end; a = child_end(qs, a) + 1)
		if (merged_earlier(qs, open, a))
			return 1;
	return 0;
}

/* Adds `col` to cols[*n] unless it is there already (at most `max`). */
static void add_distinct(const char **cols, int *n, int max, const char *col)
{
	for (int k = 0; k < *n; k++)
		if (!strcmp(cols[k], col))
			return;
	if (*n < max)
		cols[(*n)++] = col;
}

/* The OR group opening at terms[open] with its pre-filter pairs of one text merged into one
 * index look-up AND-ed with the OR of their exact conditions. The same rows match: every
 * exact condition implies its own pre-filter (queryspec.h), so the OR of the pairs is the OR
 * of the exact conditions, and each of those rows is in the merged look-up. */
static void render_any_merged(const struct store_driver *d, const struct store_qspec *qs,
			      struct strbuf *sql, unsigned mode, const struct counted_table *ct,
			      render_leaf_fn leaf, size_t open)
{
	size_t end = group_end(qs, open);
	int n = 0;

	strbuf_addch(sql, '(');
	for (size_t a = open + 1; a < end; a = child_end(qs, a) + 1) {
		const char *cols[16];
		int ncols = 0, nleaves = 0;

		if (qs->terms[a].kind == QS_T_OPEN_ALL || qs->terms[a].kind == QS_T_OPEN_ANY) {
			if (!group_nonempty(qs, a) || merged_earlier(qs, open, a))
				continue;
		}
		if (n++)
			strbuf_adds(sql, " OR ");
		if (!prefilter_pair(qs, a)) {
			render_range(d, qs, sql, mode, ct, leaf, a, child_end(qs, a) + 1);
			continue;
		}
		/* this pair and every later one searching the same text (distinct columns: at
		 * most the trigram index's) */
		for (size_t b = a; b < end; b = child_end(qs, b) + 1)
			if (prefilter_pair(qs, b) && same_prefilter_text(qs, a, b))
				add_distinct(cols, &ncols, 16, qs->terms[b + 1].col);
		strbuf_addch(sql, '(');
		d->sql_trigram_contains_any(sql, qs->table, cols, ncols, qs->terms[a + 1].bind,
					    render_queued);
		strbuf_adds(sql, " AND (");
		for (size_t b = a; b < end; b = child_end(qs, b) + 1) {
			if (!prefilter_pair(qs, b) || !same_prefilter_text(qs, a, b))
				continue;
			if (nleaves++)
				strbuf_adds(sql, " OR ");
			leaf(d, qs, sql, &qs->terms[b + 2], mode, ct);
		}
		strbuf_adds(sql, "))");
	}
	strbuf_addch(sql, ')');
}

/* The conditions of terms[from, to) (without "WHERE"), joined by AND at their own level, their
 * groups joined by AND/OR and empty groups left out, each leaf written by `leaf`; nothing when
 * there are none. */
static void render_range(const struct store_driver *d, const struct store_qspec *qs,
			 struct strbuf *sql, unsigned mode, const struct counted_table *ct,
			 render_leaf_fn leaf, size_t from, size_t to)
{
	int joiner_any[STORE_QS_MAX_DEPTH + 2] = {0}; /* level 0: AND */
	int count[STORE_QS_MAX_DEPTH + 2] = {0};
	int level = 0;

	for (size_t i = from; i < to; i++) {
		const struct store_qs_term *t = &qs->terms[i];

		if (t->kind == QS_T_CLOSE) {
			strbuf_addch(sql, ')');
			level--;
			continue;
		}
		if ((t->kind == QS_T_OPEN_ANY || t->kind == QS_T_OPEN_ALL) &&
		    !group_nonempty(qs, i)) {
			i = group_end(qs, i);
			continue;
		}
		if (count[level]++)
			strbuf_adds(sql, joiner_any[level] ? " OR " : " AND ");
		if (t->kind == QS_T_OPEN_ANY && leaf == render_term &&
		    any_group_mergeable(d, qs, i, mode)) {
			render_any_merged(d, qs, sql, mode, ct, leaf, i);
			i = group_end(qs, i);
			continue;
		}
		if (t->kind == QS_T_OPEN_ANY || t->kind == QS_T_OPEN_ALL) {
			strbuf_addch(sql, '(');
			level++;
			joiner_any[level] = t->kind == QS_T_OPEN_ANY;
			count[level] = 0;
			continue;
		}
		leaf(d, qs, sql, t, mode, ct);
	}
}

/* The condition tree of qs (without "WHERE"). */
static void render_tree(const struct store_driver *d, const struct store_qspec *qs,
			struct strbuf *sql, unsigned mode, const struct counted_table *ct,
			render_leaf_fn leaf)
{
	render_range(d, qs, sql, mode, ct, leaf, 0, qs->nterms);
}

/* The conditions (without "WHERE"); nothing when there are none. */
static void render_conds(const struct store_driver *d, const struct store_qspec *qs,
			 struct strbuf *sql, unsigned mode, const struct counted_table *ct)
{
	render_tree(d, qs, sql, mode, ct, render_term);
}

static void render_keyset(const struct store_qspec *qs, struct strbuf *sql);

/* Whether the group whose first child is terms[*i] (of kind `kind`; the spec itself is an
 * AND group) requires a pre-filter (QS_T_CONTAINS) of every match: an AND group when one of
 * its children does; an OR group when it has a single child that does (one value of a
 * multi-value filter, which api/filter.c wraps in an OR group), or when every child does or
 * is an exact look-up the engine serves from an index (an equality on a column, a named
 * filter's id subquery): `q`, whose OR of pre-filters, serial and SAN look-ups is then read
 * branch by branch. Leaves *i after the group's close. Then the pre-filter is the most selective
 * way in (the trigram index), and an index on another condition would only compete with it:
 * status=active AND name contains "34088" read 800k status entries (60 ms at 1M) instead of the
 * index's 10 rows. */
static int group_requires_prefilter(const struct store_qspec *qs, size_t *i,
				    enum store_qs_term_kind kind)
{
	int children = 0, found = 0, all_served = 1;

	while (*i < qs->nterms) {
		const struct store_qs_term *t = &qs->terms[(*i)++];
		int needs;

		if (t->kind == QS_T_CLOSE)
			break;
		children++;
		if (t->kind == QS_T_OPEN_ANY || t->kind == QS_T_OPEN_ALL)
			needs = group_requires_prefilter(qs, i, t->kind);
		else
			needs = t->kind == QS_T_CONTAINS;
		found |= needs;
		all_served &=
		    needs || (t->kind == QS_T_FILTER && !t->negate) ||
		    (t->kind == QS_T_LEAF && t->lk == STORE_QS_EQ && !(t->flags & STORE_QS_EXPR));
	}
	if (kind == QS_T_OPEN_ANY && children != 1)
		return found && all_served;
	return found;
}

static int prefilter_required(const struct store_qspec *qs)
{
	size_t i = 0;

	return group_requires_prefilter(qs, &i, QS_T_OPEN_ALL);
}

static void render_where(const struct store_driver *d, const struct store_qspec *qs,
			 struct strbuf *sql, unsigned mode)
{
	size_t mark;

	if ((mode & (RM_COUNT | RM_DRIVE)) && !(mode & RM_FACETS) && render_selective &&
	    prefilter_required(qs))
		mode |= RM_PREFILTER;
	strbuf_adds(sql, " WHERE ");
	mark = sql->len;
	render_conds(d, qs, sql, mode, NULL);
	if (qs->after_bind && !(mode & RM_COUNT)) {
		if (sql->len > mark)
			strbuf_adds(sql, " AND ");
		render_keyset(qs, sql);
	}
	if (sql->len == mark)
		strbuf_truncate(sql, mark - 7);
}

/* `unindexed`: the page plan found few matches (store_qs_plan < 0), so the engine is told
 * not to walk an index in the ordering (driver.h no_index_mark) and to sort the matches
 * its filter index finds instead. */
static void render_order(const struct store_driver *d, const struct store_qspec *qs,
			 struct strbuf *sql, int unindexed)
{
	const char *mark = unindexed && d->no_index_mark ? d->no_index_mark : "";

	strbuf_adds(sql, " ORDER BY ");
	for (size_t i = 0; i < qs->norder; i++) {
		const struct store_qs_order *o = &qs->order[i];
		strbuf_adds(sql, mark);
		if (!strcmp(o->col, "id") && !(o->flags & STORE_QS_EXPR))
			strbuf_adds(sql, "t.id");
		else
			subject_d(d, sql, o->col, o->flags);
		strbuf_adds(sql, o->desc ? " DESC, " : " ASC, ");
	}
	strbuf_adds(sql, mark);
	strbuf_adds(sql, "t.id ASC");
}

/* ", (<tags aggregate>)": per row "id US name US slug US color" joined by RS (US = 31,
 * RS = 30), or ", NULL". */
static void render_tags(const struct store_driver *d, const struct store_qspec *qs,
			struct strbuf *sql)
{
	struct strbuf item, sep;

	if (qs->tags_nulled) {
		strbuf_adds(sql, ", NULL");
		return;
	}
	strbuf_init(&item, 1024);
	strbuf_init(&sep, 64);
	strbuf_adds(&item, "tg.id || ");
	d->sql_char(&item, 31);
	strbuf_adds(&item, " || tg.name || ");
	d->sql_char(&item, 31);
	strbuf_adds(&item, " || tg.slug || ");
	d->sql_char(&item, 31);
	strbuf_adds(&item, " || tg.color");
	d->sql_char(&sep, 30);
	strbuf_adds(sql, ", (SELECT ");
	d->sql_string_agg(sql, strbuf_str(&item), strbuf_str(&sep));
	strbuf_addf(sql,
		    " FROM tagged_items ti JOIN tags tg ON tg.id = ti.tag_id WHERE ti.object_type ="
		    " '%s' AND ti.object_id = t.id)",
		    qs->tags_type);
	take_error(sql, &item);
	take_error(sql, &sep);
	strbuf_release(&item);
	strbuf_release(&sep);
}

static void render_key_cols(const struct store_qspec *qs, struct strbuf *sql);

/* SELECT t.id, <cols>[, <tags>][, <ordering keys> (key_cols)] FROM <table> t */
static void render_select(const struct store_driver *d, const struct store_qspec *qs,
			  struct strbuf *sql, int key_cols)
{
	strbuf_adds(sql, "SELECT t.id");
	for (size_t i = 0; i < qs->ncols; i++) {
		const struct store_qs_col *c = &qs->cols[i];
		strbuf_adds(sql, ", ");
		if (c->flags & STORE_QS_NULLED)
			strbuf_adds(sql, "NULL");
		else
			subject_d(d, sql, c->col, c->flags);
	}
	if (qs->tags_type)
		render_tags(d, qs, sql);
	if (key_cols)
		render_key_cols(qs, sql);
	strbuf_addf(sql, " FROM %s t", qs->table);
}

/* Tables whose row counts per a few columns are kept by triggers (schema migrations 7 and 8).
 * tenant_key is COALESCE(tenant_id, 0). The first entry that can answer a spec is used:
 * certificate_counts (a handful of rows) for `=` on status and tenant, certificate_facets
 * (a row per status, tenant, algorithm and issuer in use) for any lookup on those columns
 * combined in any AND/OR shape — each facet row's columns hold the values of every
 * certificate it counts, so the conditions evaluated on it select exactly its certificates. */
struct counted_table {
	const char *table, *counts;
	const char *cols[4], *keys[4];
	int any_lookup; /* lookups other than `=` allowed on the unmapped columns */
};

static const struct counted_table counted[] = {
    {"certificates", "certificate_counts", {"status", "tenant_id"}, {"status", "tenant_key"}, 0},
    {"certificates",
     "certificate_facets",
     {"status", "tenant_id", "algorithm", "issuer"},
     {"status", "tenant_key", "algorithm", "issuer"},
     1},
};

/* The key of `col` in ct, or NULL. */
static const char *counted_key(const struct counted_table *ct, const char *col)
{
	for (int i = 0; i < 4; i++)
		if (ct->cols[i] && !strcmp(col, ct->cols[i]))
			return ct->keys[i];
	return NULL;
}

/* A leaf whose column the counts table names differently (tenant_id: tenant_key, where 0
 * stands for NULL). 1 when written, 0 to render the leaf as it is. */
static int render_counted_leaf(struct strbuf *sql, const struct counted_table *ct,
			       const struct store_qs_term *t)
{
	const char *key = counted_key(ct, t->col);

	if (!key || !strcmp(key, t->col))
		return 0;
	if (t->lk == STORE_QS_NULL)
		strbuf_addf(sql, "t.%s = 0", key);
	else
		strbuf_addf(sql, "t.%s = $%d", key, t->bind);
	return 1;
}

/* Whether every condition of qs reads only columns of ct, by lookups its rows answer. */
static int counted_shape(const struct store_qspec *qs, const struct counted_table *ct)
{
	if (strcmp(qs->table, ct->table))
		return 0;
	for (size_t i = 0; i < qs->nterms; i++) {
		const struct store_qs_term *t = &qs->terms[i];
		const char *key;

		if (t->kind == QS_T_OPEN_ANY || t->kind == QS_T_OPEN_ALL || t->kind == QS_T_CLOSE)
			continue;
		if (t->kind == QS_T_CONTAINS && ct->any_lookup)
			continue; /* a pre-filter: its exact condition is beside it */
		if ((t->kind == QS_T_IN_NAMED || t->kind == QS_T_IN_IDS) && counted_key(ct, t->col))
			continue; /* tenant=<name or slug>: ids >= 1, never the key 0 of NULL */
		if (t->kind != QS_T_LEAF || (t->flags & STORE_QS_EXPR) ||
		    !(key = counted_key(ct, t->col)))
			return 0;
		if (strcmp(key, t->col)
			? t->lk != STORE_QS_EQ && t->lk != STORE_QS_NULL
			: t->lk == STORE_QS_JSON_HAS || (!ct->any_lookup && t->lk != STORE_QS_EQ))
			return 0;
	}
	return 1;
}

/* The COUNT form from a counts table when one can answer the spec. 1 when rendered, 0 when
 * the spec needs the table itself. */
static int render_counted(const struct store_driver *d, const struct store_qspec *qs,
			  struct strbuf *sql)
{
	for (size_t k = 0; k < sizeof(counted) / sizeof(counted[0]); k++) {
		size_t mark;

		if (!counted_shape(qs, &counted[k]))
			continue;
		strbuf_addf(sql, "SELECT COALESCE(SUM(t.n), 0) FROM %s t WHERE ",
			    counted[k].counts);
		mark = sql->len;
		render_conds(d, qs, sql, RM_COUNT | RM_FACETS, &counted[k]);
		if (sql->len == mark)
			strbuf_truncate(sql, mark - 7);
		return 1;
	}
	return 0;
}

/* Tables whose tag attachments are removed with their rows in the database (schema
 * migration 8: a delete trigger), so a tag's items of that type are all live rows. */
static const struct {
	const char *table, *object_type;
} tag_counted[] = {
    {"certificates", "netbox_ssl.certificate"},
};

/* The COUNT form of a list filtered by one tag only: the tag's item count (tagged_counts,
 * kept by triggers on tagged_items), no probe of the table per item. 1 when rendered. */
static int render_tag_count(const struct store_qspec *qs, struct strbuf *sql)
{
	const struct store_qs_term *t = qs->nterms == 1 ? &qs->terms[0] : NULL;

	if (!t || t->kind != QS_T_TAGGED || t->negate)
		return 0;
	for (size_t k = 0; k < sizeof(tag_counted) / sizeof(tag_counted[0]); k++) {
		if (strcmp(qs->table, tag_counted[k].table) ||
		    strcmp(t->col, tag_counted[k].object_type))
			continue;
		strbuf_addf(
		    sql,
		    "SELECT COALESCE(SUM(tc.n), 0) FROM tagged_counts tc WHERE tc.tag_id IN"
		    " (SELECT tg.id FROM tags tg WHERE tg.%s = $%d) AND tc.object_type = '%s'",
		    t->aux, t->bind, t->col);
		return 1;
	}
	return 0;
}

/* ---- counts of valid_to ranges (schema migration 11) ---- */

/* certificate_expiry_days holds the certificates per (status, tenant_key, day), `day` the
 * epoch second of the UTC midnight of valid_to. A list of certificates whose conditions are
 * ranges of valid_to (<, <=, >, >= a bound integer) and `=` on status or tenant, AND-ed, is
 * counted as
 *   (the days wholly inside every range, except the bounds' own days: a sum of day rows)
 *   + (the certificates of the bounds' days that satisfy the conditions: an index range of
 *      at most a day per bound).
 * Exact: a day that is no bound's day lies wholly on one side of every bound, so either all
 * its certificates satisfy the ranges or none does. */
#define DAY_S 86400
#define DAY_FLOOR "(CAST($%d AS BIGINT) - ((CAST($%d AS BIGINT) %% 86400) + 86400) %% 86400)"

static int range_leaf(const struct store_qspec *qs, const struct store_qs_term *t)
{
	return t->kind == QS_T_LEAF && !(t->flags & STORE_QS_EXPR) && !strcmp(t->col, "valid_to") &&
	       (t->lk == STORE_QS_LT || t->lk == STORE_QS_LTE || t->lk == STORE_QS_GT ||
		t->lk == STORE_QS_GTE) &&
	       t->bind > 0 && t->bind <= qs->nbinds && qs->binds[t->bind - 1].is_int;
}

/* The direct members of the group opening at terms[i]. */
static int group_members(const struct store_qspec *qs, size_t i)
{
	int depth = 0, n = 0;

	for (size_t k = i; k < qs->nterms; k++) {
		enum store_qs_term_kind kind = qs->terms[k].kind;
		if (kind == QS_T_CLOSE) {
			if (--depth == 0)
				break;
			continue;
		}
		n += depth == 1;
		if (kind == QS_T_OPEN_ANY || kind == QS_T_OPEN_ALL)
			depth++;
	}
	return n;
}

/* Whether qs has that shape: certificates, at least one range, every range AND-ed at the top
 * (inside AND groups or OR groups of one member — a filter's values are OR-ed, one value is
 * such a group); status and tenant conditions in any AND/OR shape (status=a&status=b). */
static int range_count_shape(const struct store_qspec *qs)
{
	int ranges = 0, depth = 0, or_depth = 0;
	int multi[STORE_QS_MAX_DEPTH + 2] = {0};

	if (strcmp(qs->table, "certificates"))
		return 0;
	for (size_t i = 0; i < qs->nterms; i++) {
		const struct store_qs_term *t = &qs->terms[i];

		if (t->kind == QS_T_OPEN_ANY || t->kind == QS_T_OPEN_ALL) {
			if (depth > STORE_QS_MAX_DEPTH)
				return 0;
			multi[++depth] = t->kind == QS_T_OPEN_ANY && group_members(qs, i) > 1;
			or_depth += multi[depth];
			continue;
		}
		if (t->kind == QS_T_CLOSE) {
			if (depth > 0)
				or_depth -= multi[depth--];
			continue;
		}
		if (range_leaf(qs, t)) {
			if (or_depth)
				return 0;
			ranges++;
			continue;
		}
		if ((t->kind == QS_T_IN_NAMED || t->kind == QS_T_IN_IDS) &&
		    !strcmp(t->col, "tenant_id"))
			continue;
		if (t->kind != QS_T_LEAF || (t->flags & STORE_QS_EXPR) ||
		    (strcmp(t->col, "status") && strcmp(t->col, "tenant_id")))
			return 0;
		if (t->lk != STORE_QS_EQ &&
		    !(t->lk == STORE_QS_NULL && !strcmp(t->col, "tenant_id")))
			return 0;
	}
	return ranges > 0;
}

/* The day rows wholly inside a range: the day's first and last second both satisfy it
 * (written as a range on `day`, which its indexes serve). */
static void render_full_day(struct strbuf *sql, const struct store_qs_term *t)
{
	switch (t->lk) {
	case STORE_QS_LT:
		strbuf_addf(sql, "t.day <= CAST($%d AS BIGINT) - %d", t->bind, DAY_S);
		break;
	case STORE_QS_LTE:
		strbuf_addf(sql, "t.day <= CAST($%d AS BIGINT) - %d", t->bind, DAY_S - 1);
		break;
	case STORE_QS_GT:
		strbuf_addf(sql, "t.day > $%d", t->bind);
		break;
	default: /* GTE */
		strbuf_addf(sql, "t.day >= $%d", t->bind);
	}
}

static const struct counted_table expiry_counted = {"certificates",
						    "certificate_expiry_days",
						    {"status", "tenant_id"},
						    {"status", "tenant_key"},
						    0};

/* A leaf of the per-day sum: a valid_to range counts the whole days inside it (its boundary
 * days are counted from the index below); status and tenant terms read the day rows. */
static void render_day_leaf(const struct store_driver *d, const struct store_qspec *qs,
			    struct strbuf *sql, const struct store_qs_term *t, unsigned mode,
			    const struct counted_table *ct)
{
	if (!range_leaf(qs, t)) {
		render_term(d, qs, sql, t, mode, ct);
		return;
	}
	strbuf_addch(sql, '(');
	render_full_day(sql, t);
	strbuf_addf(sql, " AND t.day <> " DAY_FLOOR ")", t->bind, t->bind);
}

static int render_range_count(const struct store_driver *d, const struct store_qspec *qs,
			      struct strbuf *sql)
{
	if (!range_count_shape(qs))
		return 0;
	strbuf_adds(sql,
		    "SELECT (SELECT COALESCE(SUM(t.n), 0) FROM certificate_expiry_days t WHERE ");
	render_tree(d, qs, sql, RM_COUNT | RM_FACETS, &expiry_counted, render_day_leaf);
	strbuf_adds(sql, ")");
	/* one index range per bound's day (a day already counted for an earlier bound is left
	 * out): OR-ed in one statement, SQLite would walk the whole range between two bounds */
	for (size_t i = 0; i < qs->nterms; i++) {
		const struct store_qs_term *t = &qs->terms[i];

		if (!range_leaf(qs, t))
			continue;
		strbuf_addf(sql, " + (SELECT COUNT(*) FROM %s t WHERE ", qs->table);
		render_conds(d, qs, sql, RM_COUNT, NULL);
		strbuf_addf(sql,
			    " AND t.valid_to >= " DAY_FLOOR " AND t.valid_to < " DAY_FLOOR " + %d",
			    t->bind, t->bind, t->bind, t->bind, DAY_S);
		for (size_t j = 0; j < i; j++)
			if (range_leaf(qs, &qs->terms[j]))
				strbuf_addf(sql, " AND " DAY_FLOOR " <> " DAY_FLOOR, t->bind,
					    t->bind, qs->terms[j].bind, qs->terms[j].bind);
		strbuf_adds(sql, ")");
	}
	return 1;
}

/* ---- keyset continuation ---- */

/* Ordering keys a cursor may carry: NOT NULL columns (NULLs sort first in SQLite and last in
 * PostgreSQL, and never compare equal) whose type the cursor records. "id" on every table. */
static const struct {
	const char *table, *col;
	int is_int;
} keyset_cols[] = {
    {"certificates", "valid_to", 1},	  {"certificates", "valid_from", 1},
    {"certificates", "created", 1},	  {"certificates", "last_updated", 1},
    {"certificates", "common_name", 0},	  {"certificates", "status", 0},
    {"certificates", "serial_number", 0}, {"certificates", "issuer", 0},
    {"certificates", "algorithm", 0},	  {"certificates", "fingerprint_sha256", 0},
};

/* 1 (integer) or 0 (text) for a keyset-able ordering key, -1 otherwise. */
static int keyset_type(const struct store_qspec *qs, const struct store_qs_order *o)
{
	if (o->flags & STORE_QS_EXPR)
		return -1;
	if (!strcmp(o->col, "id"))
		return 1;
	for (size_t i = 0; i < sizeof(keyset_cols) / sizeof(keyset_cols[0]); i++)
		if (!strcmp(qs->table, keyset_cols[i].table) && !strcmp(o->col, keyset_cols[i].col))
			return keyset_cols[i].is_int;
	return -1;
}

int store_qs_keyset_ok(const struct store_qspec *qs)
{
	for (size_t i = 0; i < qs->norder; i++)
		if (keyset_type(qs, &qs->order[i]) < 0)
			return 0;
	return 1;
}

/* "the row comes after the cursor's row in the ordering": for keys k1..kn then id (binds
 * after_bind..): k1 <op1>= $1 AND (k1 <op1> $1 OR (k1 = $1 AND (... OR (… AND t.id > $id))));
 * the leading range lets the ordering's index seek straight to the cursor. */
static void render_keyset(const struct store_qspec *qs, struct strbuf *sql)
{
	int b = qs->after_bind;
	size_t n = qs->norder;

	if (n)
		strbuf_addf(sql, "t.%s %s $%d AND ", qs->order[0].col,
			    qs->order[0].desc ? "<=" : ">=", b);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sql, "(t.%s %s $%d OR (t.%s = $%d AND ", qs->order[i].col,
			    qs->order[i].desc ? "<" : ">", b + (int)i, qs->order[i].col,
			    b + (int)i);
	strbuf_addf(sql, "t.id > $%d", b + (int)n);
	for (size_t i = 0; i < n; i++)
		strbuf_adds(sql, "))");
}

/* ---- rendering the forms ---- */

/* The outer SELECT's ordering-key columns of the PAGE form (after the tags): a cursor is
 * made from the last row's. */
static void render_key_cols(const struct store_qspec *qs, struct strbuf *sql)
{
	if (!store_qs_keyset_ok(qs))
		return;
	for (size_t i = 0; i < qs->norder; i++)
		strbuf_addf(sql, ", t.%s", qs->order[i].col);
}

int store_qs_render(struct store_conn *c, const struct store_qspec *qs, enum store_qs_form form,
		    struct strbuf *sql)
{
	const struct store_driver *d = store_conn_driver(c);

	if (qs->failed)
		return qs->failed;
	if (qs->depth)
		return CK_E_INTERNAL; /* a group left open */
	switch (form) {
	case STORE_QS_COUNT:
		if (render_counted(d, qs, sql) || render_tag_count(qs, sql) ||
		    render_range_count(d, qs, sql))
			break;
		strbuf_addf(sql, "SELECT COUNT(*) FROM %s t", qs->table);
		render_where(d, qs, sql, RM_COUNT);
		break;
	case STORE_QS_PAGE:
		render_select(d, qs, sql, 1);
		strbuf_addf(sql, " WHERE t.id IN (SELECT t.id FROM %s t", qs->table);
		render_where(d, qs, sql, qs->plan > 0 ? RM_WALK : qs->plan < 0 ? RM_DRIVE : 0);
		render_order(d, qs, sql, qs->plan < 0);
		strbuf_addf(sql, " LIMIT $%d OFFSET $%d)", qs->nbinds + 1, qs->nbinds + 2);
		render_order(d, qs, sql, 0);
		break;
	case STORE_QS_ROWS:
		render_select(d, qs, sql, 0);
		render_where(d, qs, sql, 0);
		render_order(d, qs, sql, 0);
		break;
	case STORE_QS_ROW:
		if (!qs->nbinds || !qs->binds[qs->nbinds - 1].is_int)
			return CK_E_INTERNAL;
		render_select(d, qs, sql, 0);
		strbuf_addf(sql, " WHERE t.id = $%d", qs->nbinds);
		break;
	}
	return strbuf_result(sql);
}

void store_qs_apply(const struct store_qspec *qs, enum store_qs_form form, struct store_stmt *st)
{
	for (int i = 0; i < qs->nbinds; i++) {
		if (qs->binds[i].is_int)
			store_bind_i64(st, i + 1, qs->binds[i].i);
		else
			store_bind_text(st, i + 1, qs->binds[i].s, (size_t)-1);
	}
	if (form == STORE_QS_PAGE) {
		store_bind_i64(st, qs->nbinds + 1, qs->limit);
		store_bind_i64(st, qs->nbinds + 2, qs->offset);
	}
}

static int has_prefilter(const struct store_qspec *qs)
{
	for (size_t i = 0; i < qs->nterms; i++)
		if (qs->terms[i].kind == QS_T_CONTAINS)
			return 1;
	return 0;
}

/* Whether the spec's pre-filters together let fewer than STORE_QS_PREFILTER_SELECTIVE rows
 * through (each counted in its index, stopping at the bound: ~1 ms). Only then is a required
 * pre-filter the best way in: "svc" in 166k names of one tenant read through the trigram
 * index took 1.2 s where the tenant index took 0.2 s, while "34088" (10 rows) with a status
 * took 60 ms through the status index and 2 ms through the trigram index. 0 when the engine
 * has no estimate (its planner has statistics). */
static int prefilter_selective(struct store_conn *c, const struct store_qspec *qs, int *ret,
			       struct ck_error *err)
{
	const struct store_driver *d = store_conn_driver(c);
	int64_t total = 0;

	*ret = 0;
	if (!d->sql_trigram_sample)
		return 0;
	/* one sample per searched text, over every column searched for it (q searches one
	 * text in four columns: one pass over its trigrams' doclists, not four) */
	for (size_t i = 0; i < qs->nterms && total < STORE_QS_PREFILTER_SELECTIVE; i++) {
		const struct store_qs_term *t = &qs->terms[i];
		const char *text, *cols[16];
		struct store_stmt *st = NULL;
		struct strbuf sql;
		int r, ncols = 0, earlier = 0;

		if (t->kind != QS_T_CONTAINS)
			continue;
		text = qs->binds[t->bind - 1].s; /* only a pre-filter has a text bind */
		for (size_t k = 0; k < qs->nterms && !earlier; k++) {
			const struct store_qs_term *u = &qs->terms[k];
			if (u->kind != QS_T_CONTAINS || strcmp(qs->binds[u->bind - 1].s, text))
				continue;
			earlier = k < i;
			add_distinct(cols, &ncols, 16, u->col);
		}
		if (earlier)
			continue;
		strbuf_init(&sql, 256);
		d->sql_trigram_sample(&sql, qs->table, cols, ncols);
		r = strbuf_result(&sql) ? CK_E_NOMEM : store_query(c, strbuf_str(&sql), &st, err);
		strbuf_release(&sql);
		if (r)
			return r;
		store_bind_text(st, 1, text, strlen(text));
		store_bind_i64(st, 2, STORE_QS_PREFILTER_SELECTIVE);
		r = store_step(st, err);
		if (r == STORE_ROW)
			total += store_col_i64(st, 0);
		store_done(st);
		if (r < 0)
			return r;
	}
	*ret = total < STORE_QS_PREFILTER_SELECTIVE;
	return 0;
}

int store_qs_query(struct store_conn *c, const struct store_qspec *qs, enum store_qs_form form,
		   struct store_stmt **ret, struct ck_error *err)
{
	struct strbuf sql;
	struct store_stmt *st;
	int r;

	strbuf_init(&sql, STORE_QS_SQL_MAX);
	if (has_prefilter(qs)) {
		r = store_deferred_index_waiting(c, &render_queued, err);
		/* sampled once per spec: a list request counts, then reads its page */
		if (!r && form != STORE_QS_ROW && qs->prefilter_sampled)
			render_selective = qs->prefilter_sampled == 2;
		else if (!r && form != STORE_QS_ROW &&
			 !(r = prefilter_selective(c, qs, &render_selective, err)))
			/* a memo of a derived fact, not a change of the spec (hence the cast) */
			((struct store_qspec *)qs)->prefilter_sampled = render_selective ? 2 : 1;
		if (r)
			goto out;
	}
	r = store_qs_render(c, qs, form, &sql);
	render_queued = 0;
	render_selective = 0;
	if (r)
		goto out;
	r = store_query(c, strbuf_str(&sql), &st, err);
	if (r)
		goto out;
	store_qs_apply(qs, form, st);
	*ret = st;
out:
	strbuf_release(&sql);
	return r;
}

int store_qs_json_keys_query(struct store_conn *c, const struct store_qspec *qs, const char *col,
			     int64_t limit, struct store_stmt **ret, struct ck_error *err)
{
	const struct store_driver *d = store_conn_driver(c);
	struct strbuf sql, obj;
	struct store_stmt *st;
	int r = qs->failed ? qs->failed : qs->depth ? CK_E_INTERNAL : 0;

	if (r)
		return r;
	strbuf_init(&sql, STORE_QS_SQL_MAX);
	strbuf_init(&obj, 256);
	strbuf_addf(&obj, "t.%s", col);
	strbuf_addf(&sql, "SELECT DISTINCT je.key FROM %s t, ", qs->table);
	d->sql_json_object_keys(&sql, strbuf_str(&obj), "je");
	render_where(d, qs, &sql, 0);
	strbuf_addf(&sql, " ORDER BY 1 LIMIT $%d", qs->nbinds + 1);
	r = strbuf_result(&sql) ? strbuf_result(&sql) : strbuf_result(&obj);
	if (!r)
		r = store_query(c, strbuf_str(&sql), &st, err);
	if (!r) {
		store_qs_apply(qs, STORE_QS_ROWS, st);
		store_bind_i64(st, qs->nbinds + 1, limit);
		*ret = st;
	}
	strbuf_release(&obj);
	strbuf_release(&sql);
	return r;
}

int store_qs_count(struct store_conn *c, const struct store_qspec *qs, int64_t *ret,
		   struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_qs_query(c, qs, STORE_QS_COUNT, &st, err);

	if (r)
		return r;
	r = store_step(st, err);
	if (r == STORE_ROW)
		*ret = store_col_i64(st, 0);
	else if (r == STORE_DONE)
		*ret = 0;
	store_done(st);
	return r < 0 ? r : 0;
}

int store_qs_key(struct store_conn *c, const struct store_qspec *qs, enum store_qs_form form,
		 struct strbuf *key)
{
	int r = store_qs_render(c, qs, form, key);

	/* NUL separators cannot occur in SQL text nor in bound text (C strings). */
	for (int i = 0; !r && i < qs->nbinds; i++) {
		strbuf_addch(key, '\0');
		if (qs->binds[i].is_int) {
			strbuf_addch(key, 'i');
			strbuf_add_i64(key, qs->binds[i].i);
		} else {
			strbuf_addch(key, 's');
			strbuf_adds(key, qs->binds[i].s);
		}
	}
	return r ? r : strbuf_result(key);
}

/* ---- page plan and cursors ---- */

/* How the page plan can change the spec's rendering: 2 when a term renders by plan
 * (pre-filters and tag terms: both plans), 1 when the spec has other conditions only (few
 * matches are sorted instead of walking the ordering's index, render_order; many matches
 * keep the default plan), 0 without conditions. */
static int plan_matters(const struct store_qspec *qs)
{
	int any = 0;

	for (size_t i = 0; i < qs->nterms; i++) {
		enum store_qs_term_kind k = qs->terms[i].kind;
		if (k == QS_T_CONTAINS || k == QS_T_TAGGED)
			return 2;
		any |= k != QS_T_OPEN_ANY && k != QS_T_OPEN_ALL && k != QS_T_CLOSE;
	}
	return any;
}

/* Whether the PAGE form as it stands sorts its inner query's rows (driver op); 0 when the
 * engine cannot tell. */
static int page_sorts(struct store_conn *c, struct store_qspec *qs, struct ck_error *err)
{
	const struct store_driver *d = store_conn_driver(c);
	struct strbuf sql;
	int r;

	strbuf_init(&sql, STORE_QS_SQL_MAX);
	r = store_qs_render(c, qs, STORE_QS_PAGE, &sql);
	if (!r)
		r = d->page_subquery_sorts(store_conn_handle(c), strbuf_str(&sql), err);
	else
		r = ck_error_set(err, r, NULL, "cannot render the page query");
	strbuf_release(&sql);
	return r;
}

/* Many matches, no pre-filter: the default plan is right unless the engine would use the
 * filter's index and then sort every match (tenant_id=1 ordered by -created: 166k rows
 * sorted, 1.1 s at 1M; walking the created index instead stops after about a page's worth
 * of rows divided by the filter's share, 20 ms). Then the conditions are marked so that the
 * ordering's index is walked, unless that plan sorts too (no index in the ordering). */
static int walk_instead_of_sorting(struct store_conn *c, struct store_qspec *qs,
				   struct ck_error *err)
{
	const struct store_driver *d = store_conn_driver(c);
	int r;

	if (!d->page_subquery_sorts || !d->no_index_mark)
		return 0;
	r = page_sorts(c, qs, err);
	if (r <= 0)
		return r;
	qs->plan = 1;
	qs->walk_unindexed = 1;
	r = page_sorts(c, qs, err);
	if (r != 0) {
		qs->plan = 0;
		qs->walk_unindexed = 0;
	}
	return r < 0 ? r : 0;
}

int store_qs_plan(struct store_conn *c, struct store_qspec *qs, int64_t matches,
		  struct ck_error *err)
{
	char sql[128];
	int64_t total = 0, window = qs->limit + (qs->after_bind ? 0 : qs->offset);
	int matters = plan_matters(qs), r;

	qs->plan = 0;
	qs->walk_unindexed = 0;
	if (!matters)
		return 0;
	for (size_t k = 0; k < sizeof(counted) / sizeof(counted[0]); k++) {
		if (strcmp(qs->table, counted[k].table))
			continue;
		snprintf(sql, sizeof(sql), "SELECT COALESCE(SUM(n), 0) FROM %s", counted[k].counts);
		r = store_scalar_i64(c, sql, NULL, 0, &total, err);
		if (r)
			return r;
		/* walking the ordering's index reads about window * total / matches rows; finding
		 * the matches first reads `matches` rows and sorts them */
		qs->plan =
		    (double)matches * (double)matches >= (double)window * (double)total ? 1 : -1;
		if (qs->plan > 0 && matters < 2) {
			qs->plan = 0;
			return walk_instead_of_sorting(c, qs, err);
		}
		break;
	}
	return 0;
}

/* FNV-1a over the list's identity: its conditions (the COUNT form and the conditions' binds)
 * and its ordering. A cursor made for another list (other filters, ordering) does not match. */
static int cursor_sig(struct store_conn *c, const struct store_qspec *qs, uint64_t *ret)
{
	struct strbuf key;
	int nb = qs->after_bind ? qs->after_bind - 1 : qs->nbinds, r;

	strbuf_init(&key, STORE_QS_SQL_MAX);
	r = store_qs_render(c, qs, STORE_QS_COUNT, &key);
	for (int i = 0; !r && i < nb; i++) {
		strbuf_addch(&key, '\0');
		if (qs->binds[i].is_int)
			strbuf_add_i64(&key, qs->binds[i].i);
		else
			strbuf_adds(&key, qs->binds[i].s);
	}
	for (size_t i = 0; !r && i < qs->norder; i++)
		strbuf_addf(&key, "%c%s%c", '\0', qs->order[i].col, qs->order[i].desc ? '-' : '+');
	r = r ? r : strbuf_result(&key);
	if (!r)
		*ret = ck_fnv1a(key.buf, key.len);
	strbuf_release(&key);
	return r;
}

int store_qs_cursor_make(struct store_conn *c, const struct store_qspec *qs, struct store_stmt *st,
			 int64_t offset, struct strbuf *out)
{
	static const char hex[] = "0123456789abcdef";
	int col = 1 + (int)qs->ncols + (qs->tags_type ? 1 : 0);
	size_t mark = out->len;
	uint64_t sig;
	int r;

	if (!store_qs_keyset_ok(qs))
		return 0;
	r = cursor_sig(c, qs, &sig);
	if (r)
		return r;
	strbuf_addf(out, "c1.%016llx.%lld", (unsigned long long)sig, (long long)offset);
	for (size_t i = 0; i < qs->norder; i++, col++) {
		size_t len = 0;
		const char *s;

		if (store_col_is_null(st, col))
			goto none; /* a NOT NULL column by keyset_cols: nothing to continue from */
		if (keyset_type(qs, &qs->order[i])) {
			strbuf_addf(out, ".i%lld", (long long)store_col_i64(st, col));
			continue;
		}
		s = store_col_text(st, col, &len);
		strbuf_adds(out, ".s");
		for (size_t k = 0; k < len; k++) {
			strbuf_addch(out, hex[(unsigned char)s[k] >> 4]);
			strbuf_addch(out, hex[(unsigned char)s[k] & 15]);
		}
	}
	strbuf_addf(out, ".i%lld", (long long)store_col_i64(st, 0));
	if (strbuf_result(out))
		return strbuf_result(out);
	if (out->len - mark <= STORE_QS_CURSOR_MAX)
		return 1;
none:
	strbuf_truncate(out, mark);
	return 0;
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Binds one ".i<int>" / ".s<hex>" value of type is_int from *p (advanced). */
static int cursor_value(struct store_qspec *qs, const char **p, int is_int)
{
	const char *s = *p, *end;
	char buf[24], *text;
	size_t n;
	int64_t v;
	int r;

	if (s[0] != '.' || s[1] != (is_int ? 'i' : 's'))
		return CK_E_INVALID;
	s += 2;
	end = strchr(s, '.');
	n = end ? (size_t)(end - s) : strlen(s);
	*p = s + n;
	if (is_int) {
		if (!n || n >= sizeof(buf))
			return CK_E_INVALID;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (ck_parse_i64(buf, INT64_MIN, INT64_MAX, &v))
			return CK_E_INVALID;
		r = store_qs_bind_int(qs, v);
		return r < 0 ? r : 0;
	}
	if (n % 2 || !(text = malloc(n / 2 + 1)))
		return n % 2 ? CK_E_INVALID : CK_E_NOMEM;
	for (size_t k = 0; k < n / 2; k++) {
		int hi = hexval(s[2 * k]), lo = hexval(s[2 * k + 1]);
		if (hi < 0 || lo < 0 || (!hi && !lo)) {
			free(text);
			return CK_E_INVALID;
		}
		text[k] = (char)(hi << 4 | lo);
	}
	text[n / 2] = '\0';
	r = store_qs_bind_text(qs, text);
	free(text);
	return r < 0 ? r : 0;
}

int store_qs_cursor_apply(struct store_conn *c, struct store_qspec *qs, const char *cursor,
			  int64_t offset, struct ck_error *err)
{
	unsigned long long sig = 0;
	long long at = -1;
	uint64_t want;
	const char *p;
	int used = 0, first = qs->nbinds + 1, r;

	if (strlen(cursor) > STORE_QS_CURSOR_MAX ||
	    sscanf(cursor, "c1.%16llx.%lld%n", &sig, &at, &used) != 2 || !used)
		return ck_error_set(err, CK_E_INVALID, "cursor", "Invalid cursor.");
	if (qs->after_bind || !store_qs_keyset_ok(qs) || at != offset)
		return 0; /* made for another offset: the offset decides */
	r = cursor_sig(c, qs, &want);
	if (r)
		return r;
	if (want != sig)
		return 0; /* made for another list */
	p = cursor + used;
	for (size_t i = 0; !r && i <= qs->norder; i++)
		r = cursor_value(qs, &p, i == qs->norder ? 1 : keyset_type(qs, &qs->order[i]));
	if (!r && *p)
		r = CK_E_INVALID;
	if (r) {
		while (qs->nbinds >= first) /* drop the values bound so far */
			free(qs->binds[--qs->nbinds].s);
		return r == CK_E_INVALID ? ck_error_set(err, r, "cursor", "Invalid cursor.") : r;
	}
	qs->after_bind = first;
	qs->offset = 0;
	return 1;
}

/* The ids of `t`'s table named by its binds (name or slug = one of them). */
static int named_ids(struct store_conn *c, const struct store_qspec *qs,
		     const struct store_qs_term *t, int64_t **ret, size_t *ret_n,
		     struct ck_error *err)
{
	struct strbuf sql;
	struct store_stmt *st;
	int r;

	strbuf_init(&sql, 1 << 16);
	strbuf_addf(&sql, "SELECT id FROM %s WHERE ", t->aux);
	for (int i = 0; i < t->nbinds; i++) {
		strbuf_addf(&sql, "%sname = $%d", i ? " OR " : "", i + 1);
		if (t->aux_flag)
			strbuf_addf(&sql, " OR slug = $%d", i + 1);
	}
	strbuf_adds(&sql, " ORDER BY id");
	r = strbuf_result(&sql);
	if (!r)
		r = store_query(c, strbuf_str(&sql), &st, err);
	strbuf_release(&sql);
	if (r)
		return r;
	for (int i = 0; i < t->nbinds; i++)
		store_bind_text(st, i + 1, qs->binds[t->bind - 1 + i].s, (size_t)-1);
	return store_collect_i64(st, ret, ret_n, err);
}

int store_qs_resolve_named(struct store_conn *c, struct store_qspec *qs, struct ck_error *err)
{
	for (size_t i = 0; i < qs->nterms; i++) {
		struct store_qs_term *t = &qs->terms[i];
		int64_t *ids = NULL;
		size_t n = 0;
		int r, first = qs->nbinds + 1;

		if (t->kind != QS_T_IN_NAMED)
			continue;
		r = named_ids(c, qs, t, &ids, &n, err);
		for (size_t k = 0; !r && k < n; k++)
			if ((r = store_qs_bind_int(qs, ids[k])) > 0)
				r = 0;
		free(ids);
		if (r)
			return r;
		t->kind = QS_T_IN_IDS; /* the name binds stay, unused */
		t->bind = first;
		t->nbinds = (int)n;
	}
	return 0;
}
