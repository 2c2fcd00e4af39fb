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
#include "store/driver.h"

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
    {"certificates", "REPLACE(t.serial_number, ':', '')", "serial_key", 1},
};

static int trigram_index(const struct store_qspec *qs, const char *col)
{
	if (!strncmp(col, "t.", 2))
		col += 2;
	for (size_t i = 0; i < sizeof(trigram_cols) / sizeof(trigram_cols[0]); i++)
		if (!strcmp(qs->table, trigram_cols[i].table) && !strcmp(col, trigram_cols[i].subject))
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
		int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
			  : (*p & 0xF8) == 0xF0 ? 4 : 0;
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

int store_qs_match(struct store_qspec *qs, const char *col, unsigned flags,
		   enum store_qs_lookup lk, const char *v, int negate)
{
	char *esc;
	struct store_qs_term *t;
	int n;

	/* An indexed substring search: the trigram pre-filter AND the exact LIKE. */
	char buf[256];

	if (lk == STORE_QS_ICONTAINS && !negate && !(flags & STORE_QS_NO_TRIGRAM) && strlen(v) < sizeof(buf) &&
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

void store_qs_template(struct store_qspec *qs, const char *fmt, int bind)
{
	struct store_qs_term *t = add_term(qs, QS_T_TEMPLATE);

	if (t) {
		t->col = fmt;
		t->bind = bind;
	}
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

static void expr_policy_tag_ids(const struct store_driver *d, struct strbuf *sql)
{
	strbuf_adds(sql, "SELECT ");
	d->sql_json_int_array_agg(sql, "pt.tag_id");
	strbuf_adds(sql, " FROM compliance_policy_tags pt WHERE pt.policy_id = t.id");
}

/* A certificate's assignments as a JSON array of {type, id, name}, in id order. */
static void expr_cert_assignments_json(const struct store_driver *d, struct strbuf *sql)
{
	static const char *const keys[] = {"type", "id", "name"};
	static const char *const values[] = {
	    "a.assigned_object_type", "a.assigned_object_id",
	    "CASE a.assigned_object_type"
	    " WHEN 'dcim.device' THEN (SELECT name FROM devices WHERE id = a.assigned_object_id)"
	    " WHEN 'virtualization.virtualmachine' THEN (SELECT name FROM virtual_machines"
	    " WHERE id = a.assigned_object_id)"
	    " WHEN 'ipam.service' THEN (SELECT name FROM services WHERE id = a.assigned_object_id)"
	    " END"};

	strbuf_adds(sql, "SELECT ");
	d->sql_json_agg_object(sql, keys, values, 3);
	strbuf_adds(sql, " FROM (SELECT * FROM assignments WHERE certificate_id = t.id ORDER BY id) a");
}

/* A changelog snapshot with its blob placeholders put back (migration 9, schema.c): for each
 * blob column that is set, the placeholder "\u0000ck-pem" or "\u0000ck-chain" (quotes
 * included) is replaced by the stored literal, or by the literal rebuilt from the
 * certificate that holds it. A missing blob leaves the placeholder (never NULL). `inner` is
 * the expression to substitute into. */
static void blob_literal(const struct store_driver *d, struct strbuf *sql, const char *col, const char *mark)
{
	strbuf_addf(sql, "COALESCE((SELECT COALESCE(b.body, '\"' || replace(replace(c.pem_content, ");
	d->sql_char(sql, 13);
	strbuf_adds(sql, ", '\\r'), ");
	d->sql_char(sql, 10);
	strbuf_addf(sql, ", '\\n') || '\"') FROM changelog_blobs b LEFT JOIN certificates c"
			 " ON c.id = b.certificate_id WHERE b.sha256 = t.%s), '%s')", col, mark);
}

static void change_splice(const struct store_driver *d, struct strbuf *sql, const char *col, const char *mark,
			  void (*inner)(const struct store_driver *, struct strbuf *, const char *),
			  const char *side)
{
	strbuf_addf(sql, "CASE WHEN t.%s IS NULL THEN ", col);
	inner(d, sql, side);
	strbuf_adds(sql, " ELSE replace(");
	inner(d, sql, side);
	strbuf_addf(sql, ", '%s', ", mark);
	blob_literal(d, sql, col, mark);
	strbuf_adds(sql, ") END");
}

static void change_data(const struct store_driver *d, struct strbuf *sql, const char *side)
{
	(void)d; /* a json column on PostgreSQL: replace() takes text */
	strbuf_addf(sql, "CAST(t.%schange_data AS TEXT)", side);
}

static void change_chain(const struct store_driver *d, struct strbuf *sql, const char *side)
{
	char col[32];

	snprintf(col, sizeof(col), "%schange_chain_blob", side);
	change_splice(d, sql, col, "\"\\u0000ck-chain\"", change_data, side);
}

static void expr_change_side(const struct store_driver *d, struct strbuf *sql, const char *side)
{
	char col[32];

	snprintf(col, sizeof(col), "%schange_pem_blob", side);
	change_splice(d, sql, col, "\"\\u0000ck-pem\"", change_chain, side);
}

static void expr_change_pre(const struct store_driver *d, struct strbuf *sql)
{
	expr_change_side(d, sql, "pre");
}

static void expr_change_post(const struct store_driver *d, struct strbuf *sql)
{
	expr_change_side(d, sql, "post");
}

/* Engine-neutral named expressions: fixed text. */
static const struct {
	const char *name;
	const char *sql;
} fixed_exprs[] = {
    {"@policy_check_count", "SELECT COUNT(*) FROM compliance_checks k WHERE k.policy_id = t.id"},
    {"@check_certificate_name",
     "SELECT c.common_name FROM certificates c WHERE c.id = t.certificate_id"},
    {"@check_policy_name", "SELECT p.name FROM compliance_policies p WHERE p.id = t.policy_id"},
    {"@check_severity", "SELECT p.severity FROM compliance_policies p WHERE p.id = t.policy_id"},
    {"@check_is_passing", "t.result = 'pass'"},
    {"@check_is_failing", "t.result = 'fail'"},
    {"@cert_tenant_name", "SELECT name FROM tenants WHERE id = t.tenant_id"},
    {"@cert_assignment_count", "SELECT COUNT(*) FROM assignments a WHERE a.certificate_id = t.id"},
};

/* Named expressions composed from the driver's dialect. */
static const struct {
	const char *name;
	void (*build)(const struct store_driver *d, struct strbuf *sql);
} named_exprs[] = {
    {"@policy_tag_ids", expr_policy_tag_ids},
    {"@cert_assignments_json", expr_cert_assignments_json},
    {"@change_prechange", expr_change_pre},
    {"@change_postchange", expr_change_post},
};

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
	for (size_t i = 0; i < sizeof(fixed_exprs) / sizeof(fixed_exprs[0]); i++) {
		if (!strcmp(fixed_exprs[i].name, col)) {
			strbuf_addf(sql, "(%s)", fixed_exprs[i].sql);
			return;
		}
	}
	for (size_t i = 0; i < sizeof(named_exprs) / sizeof(named_exprs[0]); i++) {
		if (!strcmp(named_exprs[i].name, col)) {
			strbuf_addch(sql, '(');
			named_exprs[i].build(d, sql);
			strbuf_addch(sql, ')');
			return;
		}
	}
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

static void render_leaf(const struct store_driver *d, struct strbuf *sql,
			const struct store_qs_term *t)
{
	static const char *const cmp[] = {[STORE_QS_EQ] = "=",	[STORE_QS_NE] = "<>",
					  [STORE_QS_LT] = "<",	[STORE_QS_LTE] = "<=",
					  [STORE_QS_GT] = ">",	[STORE_QS_GTE] = ">="};
	struct strbuf e;
	const char *x;
	char val[24], plain[128];

	strbuf_init(&e, 4096);
	if (!(t->flags & STORE_QS_EXPR) && strlen(t->col) + 3 <= sizeof(plain)) {
		snprintf(plain, sizeof(plain), "t.%s", t->col); /* the usual case: no allocation */
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

static void render_tagged(struct strbuf *sql, const struct store_qs_term *t, int counting)
{
	/* A count reads every match: drive it from the tag's items (tagged_items_tag index)
	 * instead of probing each row of the table. A page keeps the probe, which stops at the
	 * page's end while it walks the ordering's index. */
	if (counting && !t->negate) {
		strbuf_addf(sql,
			    "t.id IN (SELECT ti.object_id FROM tags tg JOIN tagged_items ti ON ti.tag_id = tg.id"
			    " WHERE tg.%s = $%d AND ti.object_type = '%s')",
			    t->aux, t->bind, t->col);
		return;
	}
	strbuf_addf(sql,
		    "%sEXISTS (SELECT 1 FROM tagged_items ti JOIN tags tg ON tg.id = ti.tag_id"
		    " WHERE ti.object_type = '%s' AND ti.object_id = t.id AND tg.%s = $%d)",
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

static void render_contains(const struct store_driver *d, const struct store_qspec *qs,
			    struct strbuf *sql, const struct store_qs_term *t)
{
	if (!strcmp(d->name, "sqlite")) {
		/* a phrase of the trigram tokenizer = a substring; '"' doubled inside the phrase */
		strbuf_addf(sql,
			    "t.id IN (SELECT rowid FROM %s_fts WHERE %s_fts MATCH '%s : \"' ||"
			    " REPLACE($%d, '\"', '\"\"') || '\"')",
			    qs->table, qs->table, t->col, t->bind);
		return;
	}
	strbuf_addf(sql,
		    "t.%s ILIKE '%%' || REPLACE(REPLACE(REPLACE($%d, '\\', '\\\\'), '%%', '\\%%'),"
		    " '_', '\\_') || '%%'",
		    t->col, t->bind);
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

static void render_term(const struct store_driver *d, const struct store_qspec *qs,
			struct strbuf *sql, const struct store_qs_term *t, int counting)
{
	switch (t->kind) {
	case QS_T_CONTAINS:
		render_contains(d, qs, sql, t);
		break;
	case QS_T_LEAF:
		render_leaf(d, sql, t);
		break;
	case QS_T_TEMPLATE:
		if (t->bind)
			strbuf_addf(sql, t->col, t->bind);
		else
			strbuf_adds(sql, t->col); /* no placeholder: taken verbatim ('%' too) */
		break;
	case QS_T_TAGGED:
		render_tagged(sql, t, counting);
		break;
	case QS_T_IN_NAMED:
		render_in_named(sql, t);
		break;
	case QS_T_IN_JSON:
		render_in_json(d, sql, t);
		break;
	case QS_T_IN_MATCH:
		render_in_match(d, sql, t);
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

/* The conditions (without "WHERE"); nothing when there are none. */
static void render_conds(const struct store_driver *d, const struct store_qspec *qs,
			 struct strbuf *sql, int counting)
{
	int joiner_any[STORE_QS_MAX_DEPTH + 1] = {0}; /* level 0: AND */
	int count[STORE_QS_MAX_DEPTH + 1] = {0};
	int level = 0;

	for (size_t i = 0; i < qs->nterms; i++) {
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
		if (t->kind == QS_T_OPEN_ANY || t->kind == QS_T_OPEN_ALL) {
			strbuf_addch(sql, '(');
			level++;
			joiner_any[level] = t->kind == QS_T_OPEN_ANY;
			count[level] = 0;
			continue;
		}
		render_term(d, qs, sql, t, counting);
	}
	if (qs->raw_where && *qs->raw_where)
		strbuf_addf(sql, "%s%s", count[0] ? " AND " : "", qs->raw_where);
}

static void render_where(const struct store_driver *d, const struct store_qspec *qs,
			 struct strbuf *sql, int counting)
{
	size_t mark;

	strbuf_adds(sql, " WHERE ");
	mark = sql->len;
	render_conds(d, qs, sql, counting);
	if (sql->len == mark)
		strbuf_truncate(sql, mark - 7);
}

static void render_order(const struct store_driver *d, const struct store_qspec *qs,
			 struct strbuf *sql)
{
	strbuf_adds(sql, " ORDER BY ");
	for (size_t i = 0; i < qs->norder; i++) {
		const struct store_qs_order *o = &qs->order[i];
		if (!strcmp(o->col, "id") && !(o->flags & STORE_QS_EXPR))
			strbuf_adds(sql, "t.id");
		else
			subject_d(d, sql, o->col, o->flags);
		strbuf_adds(sql, o->desc ? " DESC, " : " ASC, ");
	}
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

static void render_select(const struct store_driver *d, const struct store_qspec *qs,
			  struct strbuf *sql)
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
	strbuf_addf(sql, " FROM %s t", qs->table);
}

/* Tables whose row counts per a few columns are kept by triggers (schema migration 4):
 * certificate_counts(status, tenant_key = COALESCE(tenant_id, 0), n). */
static const struct {
	const char *table, *counts;
	const char *cols[2], *keys[2];
} counted[] = {
    {"certificates", "certificate_counts", {"status", "tenant_id"}, {"status", "tenant_key"}},
};

/* The counted[] entry's key for column `col`, or NULL. */
static const char *counted_key(size_t k, const char *col)
{
	for (int i = 0; i < 2; i++)
		if (counted[k].cols[i] && !strcmp(col, counted[k].cols[i]))
			return counted[k].keys[i];
	return NULL;
}

/* The COUNT form from the counts table when every condition is an equality on a counted
 * column (alone or OR-ed in a group on that column: status=a&status=b&tenant_id=1). 1 when
 * rendered, 0 when the spec needs the table itself. */
static int render_counted(const struct store_qspec *qs, struct strbuf *sql)
{
	size_t k;
	const char *group_col = NULL;
	int first = 1, in_group = 0, group_terms = 0;

	for (k = 0; k < sizeof(counted) / sizeof(counted[0]); k++)
		if (!strcmp(qs->table, counted[k].table))
			break;
	if (k == sizeof(counted) / sizeof(counted[0]) || (qs->raw_where && *qs->raw_where))
		return 0;
	for (size_t i = 0; i < qs->nterms; i++) { /* shape check first: nothing written yet */
		const struct store_qs_term *t = &qs->terms[i];
		if (t->kind == QS_T_OPEN_ANY && !in_group) {
			in_group = 1;
			group_col = NULL;
			continue;
		}
		if (t->kind == QS_T_CLOSE && in_group) {
			in_group = 0;
			continue;
		}
		if (t->kind != QS_T_LEAF || t->lk != STORE_QS_EQ || (t->flags & STORE_QS_EXPR) ||
		    !counted_key(k, t->col) || (group_col && strcmp(group_col, t->col)))
			return 0;
		if (in_group)
			group_col = t->col;
	}
	if (in_group)
		return 0;
	strbuf_addf(sql, "SELECT COALESCE(SUM(t.n), 0) FROM %s t", counted[k].counts);
	for (size_t i = 0; i < qs->nterms; i++) {
		const struct store_qs_term *t = &qs->terms[i];
		if (t->kind == QS_T_OPEN_ANY) {
			in_group = 1;
			group_terms = 0;
			continue;
		}
		if (t->kind == QS_T_CLOSE) {
			if (group_terms)
				strbuf_addch(sql, ')');
			in_group = 0;
			continue;
		}
		if (in_group && group_terms++)
			strbuf_adds(sql, " OR ");
		else {
			strbuf_adds(sql, first ? " WHERE " : " AND ");
			first = 0;
			if (in_group)
				strbuf_addch(sql, '(');
		}
		strbuf_addf(sql, "t.%s = $%d", counted_key(k, t->col), t->bind);
	}
	return 1;
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
		if (render_counted(qs, sql))
			break;
		strbuf_addf(sql, "SELECT COUNT(*) FROM %s t", qs->table);
		render_where(d, qs, sql, 1);
		break;
	case STORE_QS_PAGE:
		render_select(d, qs, sql);
		strbuf_addf(sql, " WHERE t.id IN (SELECT t.id FROM %s t", qs->table);
		render_where(d, qs, sql, 0);
		render_order(d, qs, sql);
		strbuf_addf(sql, " LIMIT $%d OFFSET $%d)", qs->nbinds + 1, qs->nbinds + 2);
		render_order(d, qs, sql);
		break;
	case STORE_QS_ROWS:
		render_select(d, qs, sql);
		render_where(d, qs, sql, 0);
		render_order(d, qs, sql);
		break;
	case STORE_QS_ROW:
		if (!qs->nbinds || !qs->binds[qs->nbinds - 1].is_int)
			return CK_E_INTERNAL;
		render_select(d, qs, sql);
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

int store_qs_query(struct store_conn *c, const struct store_qspec *qs, enum store_qs_form form,
		   struct store_stmt **ret, struct ck_error *err)
{
	struct strbuf sql;
	struct store_stmt *st;
	int r;

	strbuf_init(&sql, STORE_QS_SQL_MAX);
	r = store_qs_render(c, qs, form, &sql);
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
