/*
 * fuzz/fuzz_jsonw — libFuzzer target for core/jsonw, the streaming JSON writer behind every
 * response. The input is a program: each byte picks an operation (open/close object or array,
 * key, string, int, double, bool, null, time) with its operands; the target runs it through
 * jsonw and, in parallel, builds the value it means with jansson. Properties:
 *  1. the output always parses with jansson (JSON_DECODE_ANY | JSON_ALLOW_NUL): commas, colons
 *     and escapes are right, and invalid UTF-8 never escapes into the output;
 *  2. the parsed value equals the jansson-built one (json_equal): strings keep every byte of
 *     valid UTF-8 (NUL and control characters included) and each byte of an invalid sequence
 *     becomes U+FFFD; keys likewise (later duplicates win on both sides); integers and doubles
 *     come back exactly (the shortest round-trip form), NaN/Inf as null;
 *  3. with a small cap on the strbuf, jsonw_result() reports CK_E_TOOBIG and nothing is
 *     checked beyond that (the latched error is the contract).
 * Which UTF-8 sequence is valid is decided by jansson (json_stringn), not by code under test.
 */
#include <jansson.h>
#include <math.h>

#include "core/error.h"
#include "core/jsonw.h"
#include "core/parse.h"
#include "fuzz_util.h"

#define MAX_OPS 4096

struct level {
	json_t *v; /* the container being filled (borrowed from its parent) */
	char *key; /* pending key inside an object, or NULL */
};

struct prog {
	struct jsonw w;
	struct level st[JSONW_MAX_DEPTH + 1];
	int depth;
	json_t *root;
};

/* The string jsonw must produce for bytes s[0..n): valid UTF-8 sequences copied, every other
 * byte >= 0x80 replaced by U+FFFD. Validity per jansson. Caller frees; *ret_len set. */
static char *expected_utf8(const uint8_t *s, size_t n, size_t *ret_len)
{
	char *out = malloc(3 * n + 1);
	size_t o = 0, i = 0;

	CHECK(out);
	while (i < n) {
		size_t len = 0;
		if (s[i] < 0x80) {
			out[o++] = (char)s[i++];
			continue;
		}
		for (size_t k = 2; k <= 4 && i + k <= n && !len; k++) {
			json_t *t = json_stringn((const char *)s + i, k);
			if (t)
				len = k;
			json_decref(t);
		}
		if (len) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	*ret_len = o;
	return out;
}

/* Attaches v (reference stolen) where the writer just wrote a value. */
static void put(struct prog *p, json_t *v)
{
	struct level *l;

	CHECK(v);
	if (p->depth == 0) {
		json_decref(p->root);
		p->root = v;
		return;
	}
	l = &p->st[p->depth - 1];
	if (json_is_array(l->v)) {
		CHECK(json_array_append_new(l->v, v) == 0);
	} else {
		CHECK(l->key && json_object_set_new_nocheck(l->v, l->key, v) == 0);
		free(l->key);
		l->key = NULL;
	}
}

static int in_object(const struct prog *p)
{
	return p->depth && json_is_object(p->st[p->depth - 1].v);
}

/* A value may be written now: top level (once), in an array, or after a key. */
static int value_ok(const struct prog *p)
{
	if (p->depth == 0)
		return p->root == NULL;
	return !in_object(p) || p->st[p->depth - 1].key != NULL;
}

static void op_open(struct prog *p, int object)
{
	json_t *c = object ? json_object() : json_array();

	if (!value_ok(p) || p->depth >= JSONW_MAX_DEPTH) {
		json_decref(c);
		return;
	}
	object ? jsonw_obj_open(&p->w) : jsonw_arr_open(&p->w);
	json_incref(c);
	put(p, c);
	p->st[p->depth].v = c;
	p->st[p->depth].key = NULL;
	p->depth++;
	json_decref(c); /* the parent (or root) holds it */
}

static void op_close(struct prog *p)
{
	if (!p->depth || (in_object(p) && p->st[p->depth - 1].key))
		return;
	in_object(p) ? jsonw_obj_close(&p->w) : jsonw_arr_close(&p->w);
	p->depth--;
}

static int is_ident(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static void op_key(struct prog *p, struct fz *f)
{
	const uint8_t *b;
	size_t n = fz_bytes(f, 64, &b), elen;
	char *key, *want;

	if (!in_object(p) || p->st[p->depth - 1].key || memchr(b, 0, n))
		return;
	key = fz_dup(b, n);
	want = expected_utf8(b, n, &elen);
	if (is_ident(b, n) && n)
		jsonw_key_ident(&p->w, key);
	else
		jsonw_key(&p->w, key);
	p->st[p->depth - 1].key = want;
	free(key);
}

static void op_string(struct prog *p, struct fz *f)
{
	const uint8_t *b;
	size_t n = fz_bytes(f, 255, &b), elen;
	char *s, *want;

	if (!value_ok(p))
		return;
	s = fz_dup(b, n);
	want = expected_utf8(b, n, &elen);
	jsonw_strn(&p->w, s, n);
	put(p, json_stringn(want, elen));
	free(want);
	free(s);
}

static void op_scalar(struct prog *p, struct fz *f, int kind)
{
	uint64_t u = fz_u64(f);
	double d;
	char t[21];

	if (!value_ok(p))
		return;
	switch (kind) {
	case 0:
		jsonw_int(&p->w, (int64_t)u);
		put(p, json_integer((json_int_t)(int64_t)u));
		break;
	case 1:
		memcpy(&d, &u, sizeof(d));
		jsonw_double(&p->w, d);
		put(p, isfinite(d) ? json_real(d) : json_null());
		break;
	case 2:
		jsonw_bool(&p->w, (int)(u & 1));
		put(p, json_boolean(u & 1));
		break;
	case 3:
		jsonw_null(&p->w);
		put(p, json_null());
		break;
	default: /* times within 0000..9999, the range the parser accepts */
		u %= (uint64_t)(ck_days_from_civil(10000, 1, 1) - ck_days_from_civil(0, 1, 1)) *
		     86400;
		jsonw_time(&p->w, (int64_t)u + ck_days_from_civil(0, 1, 1) * 86400);
		ck_format_time((int64_t)u + ck_days_from_civil(0, 1, 1) * 86400, t);
		put(p, json_string(t));
		break;
	}
}

static void run(struct prog *p, struct fz *f)
{
	for (int i = 0; i < MAX_OPS && !fz_empty(f); i++) {
		uint8_t op = fz_u8(f);
		switch (op % 11) {
		case 0:
			op_open(p, 1);
			break;
		case 1:
			op_open(p, 0);
			break;
		case 2:
			op_close(p);
			break;
		case 3:
			op_key(p, f);
			break;
		case 4:
			op_string(p, f);
			break;
		default:
			op_scalar(p, f, op % 11 - 5);
			break;
		}
	}
	while (p->depth) { /* finish the document: a pending key gets null */
		if (in_object(p) && p->st[p->depth - 1].key) {
			jsonw_null(&p->w);
			put(p, json_null());
		}
		op_close(p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct prog p;
	struct strbuf sb;
	json_error_t jerr;
	json_t *got;
	size_t cap = fz_u8(&f) == 0 ? 64 : 0; /* 0: the default cap */

	memset(&p, 0, sizeof(p));
	strbuf_init(&sb, cap);
	jsonw_init(&p.w, &sb);
	run(&p, &f);
	if (!p.root) {
		CHECK(sb.len == 0);
		goto out;
	}
	if (jsonw_result(&p.w)) {
		CHECK(cap && jsonw_result(&p.w) == CK_E_TOOBIG);
		goto out;
	}
	got = json_loadb(strbuf_str(&sb), sb.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	CHECK(got);
	CHECK(json_equal(got, p.root));
	json_decref(got);
out:
	json_decref(p.root);
	strbuf_release(&sb);
	return 0;
}
