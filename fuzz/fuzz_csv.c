/*
 * fuzz/fuzz_csv — libFuzzer target for api/csv (the bulk-data-import CSV reader) against the
 * export CSV writer (api/encode_export.c, export_csv_field). Input: a mode byte, then either
 * raw CSV text (mode even) or a description of records (mode odd). Properties:
 *  1. reading arbitrary text: every record has 1..CSV_MAX_FIELDS fields; CK_E_TOOBIG only for
 *     a record with more fields, CK_E_PARSE only when a quote is left open (the input has a
 *     '"'); the reader always advances and never returns more text than it was given;
 *  2. read → write → read: writing the records read from arbitrary text with the export
 *     writer (no formula guard) and reading that again gives the same records;
 *  3. write → read: records built from the input (fields without NUL, 1..CSV_MAX_FIELDS+2 of
 *     them), written with the export writer and read back, come out identical — except the
 *     one case the format cannot express (a record of one empty field is a blank line, which
 *     readers skip) and a leading BOM, which the reader drops; a record of more than
 *     CSV_MAX_FIELDS fields is CK_E_TOOBIG;
 *  4. with the formula guard, a field starting with = + - @ TAB CR reads back as "'" + field.
 */
#include "api/csv.h"
#include "api/export.h"
#include "fuzz_util.h"

#define MAX_RECORDS 64
#define MAX_WFIELDS (CSV_MAX_FIELDS + 2)

struct rec {
	size_t n;
	char *f[MAX_WFIELDS];
	size_t len[MAX_WFIELDS];
};

struct table {
	struct rec r[MAX_RECORDS];
	size_t n;
};

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->r[i].n; j++)
			free(t->r[i].f[j]);
	t->n = 0;
}

/* Reads all of s into t (at most MAX_RECORDS records); returns the last csv_read code. */
static int read_all(const char *s, size_t len, struct table *t)
{
	struct csv_reader rd;
	const char *fields[CSV_MAX_FIELDS];
	struct ck_error err;
	size_t n = 0, last_pos = 0;
	int r;

	csv_reader_init(&rd, s, len);
	while (t->n < MAX_RECORDS && (r = csv_read(&rd, fields, &n, &err)) == 1) {
		struct rec *rc = &t->r[t->n++];
		size_t total = 0;
		CHECK(n >= 1 && n <= CSV_MAX_FIELDS);
		CHECK(rd.pos > last_pos);
		last_pos = rd.pos;
		rc->n = n;
		for (size_t i = 0; i < n; i++) {
			rc->len[i] = strlen(fields[i]);
			rc->f[i] = fz_dup(fields[i], rc->len[i]);
			total += rc->len[i];
		}
		CHECK(total <= len);
	}
	if (t->n == MAX_RECORDS)
		r = 0;
	if (r == CK_E_PARSE)
		CHECK(memchr(s, '"', len) != NULL && err.msg[0]);
	CHECK(r == 0 || r == CK_E_PARSE || r == CK_E_TOOBIG);
	csv_reader_release(&rd);
	return r;
}

static void write_table(const struct table *t, int guard, struct strbuf *sb)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->r[i].n; j++) {
			if (j)
				strbuf_addch(sb, ',');
			export_csv_field(sb, t->r[i].f[j], t->r[i].len[j], guard);
		}
		strbuf_adds(sb, "\r\n");
	}
	CHECK(strbuf_result(sb) == 0);
}

static int same_rec(const struct rec *a, const struct rec *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t j = 0; j < a->n; j++)
		if (a->len[j] != b->len[j] || memcmp(a->f[j], b->f[j], a->len[j]))
			return 0;
	return 1;
}

static int needs_quotes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

/* The records a reader must give back for t written out: a leading BOM of the output (an
 * unquoted first field starting with one) is dropped, then blank records vanish. */
static void expect(struct table *t)
{
	size_t k = 0;
	struct rec *r0 = &t->r[0];

	if (t->n && r0->len[0] >= 3 && !memcmp(r0->f[0], "\xEF\xBB\xBF", 3) &&
	    !needs_quotes(r0->f[0], r0->len[0])) {
		memmove(r0->f[0], r0->f[0] + 3, r0->len[0] - 2);
		r0->len[0] -= 3;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (t->r[i].n == 1 && t->r[i].len[0] == 0) {
			free(t->r[i].f[0]);
			continue;
		}
		t->r[k++] = t->r[i];
	}
	t->n = k;
}

static void check_round_trip(struct table *want, int guard)
{
	struct table got = {0};
	struct strbuf sb;
	size_t maxn = 0;
	int r;

	strbuf_init(&sb, 0);
	write_table(want, guard, &sb);
	for (size_t i = 0; i < want->n; i++)
		maxn = want->r[i].n > maxn ? want->r[i].n : maxn;
	r = read_all(strbuf_str(&sb), sb.len, &got);
	if (maxn > CSV_MAX_FIELDS) {
		CHECK(r == CK_E_TOOBIG);
		goto out;
	}
	CHECK(r == 0);
	if (guard) { /* guarded fields gain a quote mark in front */
		for (size_t i = 0; i < want->n; i++)
			for (size_t j = 0; j < want->r[i].n; j++) {
				struct rec *w = &want->r[i];
				if (!w->len[j] || !strchr("=+-@\t\r", w->f[j][0]))
					continue;
				char *g = malloc(w->len[j] + 2);
				CHECK(g);
				g[0] = '\'';
				memcpy(g + 1, w->f[j], w->len[j] + 1);
				free(w->f[j]);
				w->f[j] = g;
				w->len[j]++;
			}
	}
	expect(want);
	CHECK(got.n == want->n);
	for (size_t i = 0; i < got.n; i++)
		CHECK(same_rec(&got.r[i], &want->r[i]));
out:
	table_release(&got);
	strbuf_release(&sb);
}

/* Records from the input: a field count byte, then length-prefixed fields (NULs dropped). */
static void build_table(struct fz *f, struct table *t)
{
	while (!fz_empty(f) && t->n < MAX_RECORDS) {
		struct rec *rc = &t->r[t->n++];
		rc->n = 1 + fz_u8(f) % MAX_WFIELDS;
		for (size_t j = 0; j < rc->n; j++) {
			const uint8_t *b;
			size_t n = fz_bytes(f, 255, &b), k = 0;
			char *s = fz_dup(b, n);
			for (size_t i = 0; i < n; i++)
				if (s[i])
					s[k++] = s[i];
			s[k] = '\0';
			rc->f[j] = s;
			rc->len[j] = k;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint8_t mode = fz_u8(&f);
	struct table t = {0};

	if (mode & 1) {
		build_table(&f, &t);
		check_round_trip(&t, (mode & 2) != 0);
	} else {
		char *s = fz_dup(f.p, f.n);
		if (read_all(s, f.n, &t) == 0)
			check_round_trip(&t, 0);
		free(s);
	}
	table_release(&t);
	return 0;
}
