/*
 * fuzz/fuzz_auth_header — libFuzzer target for the Authorization header parser, driven
 * through the public auth_authenticate_header() over a real in-memory database holding two
 * live tokens of an active user (one v1, one v2), one expired token and one token of an
 * inactive user. The parser itself (header_key in domain/auth.c) is static; going through
 * the public entry point keeps the source untouched and also exercises the hashing, the
 * cache and the look-up behind it.
 *
 * Input: a header template. Bytes 0x01..0x04 stand for the keys of the four tokens
 * (0x01 live v1, 0x02 live v2, 0x03 expired v1, 0x04 inactive user's v1), 0x05 for the live
 * v1 key upper-cased, so the fuzzer can wrap real keys in every spacing, scheme spelling and
 * garbage. Properties (the oracle is the documented grammar, written out here):
 *   accepted  ⇔  value = [SP/HT]* scheme [SP/HT]+ key [SP/HT]*, where scheme is "Token"
 *                (any case) with the live v1 key (any case), or "Bearer" (any case) with
 *                the live v2 key exactly; and the value is at most AUTH_HEADER_MAX bytes;
 *   on success the user and token are the live ones; on failure the answer is CK_E_AUTH with
 *   one of the fixed messages, which never echo the header (no key bytes in logs/responses);
 *   the expired and the inactive user's keys in their correct form give "Token expired" /
 *   "User inactive".
 */
#define FUZZ_WITH_APP
#include <ctype.h>
#include <strings.h>

#include "domain/auth.h"
#include "fuzz_util.h"

#define MAX_HEADER (2 * AUTH_HEADER_MAX)

struct keys {
	char *k[6]; /* [1..5] as above */
	int64_t user_id, tok_id;
};

static struct keys *keys_get(struct fz_app *a)
{
	static struct keys ks;
	static int made;
	struct store_conn *c = store_conn_get(a->st);
	struct ck_error err;
	int64_t id, uid2;

	if (made)
		return &ks;
	ck_error_clear(&err);
	CHECK(auth_token_create(c, a->admin.id, 1, "v1", 0, &ks.k[1], &ks.tok_id, &err) == 0);
	CHECK(auth_token_create_v2(c, a->admin.id, 0, "v2", 0, &ks.k[2], &id, &err) == 0);
	CHECK(auth_token_create(c, a->admin.id, 1, "old", 1000, &ks.k[3], &id, &err) == 0);
	CHECK(auth_user_create(c, "inactive", 0, &uid2, &err) == 0);
	CHECK(auth_token_create(c, uid2, 1, "off", 0, &ks.k[4], &id, &err) == 0);
	CHECK(auth_user_set_active(c, uid2, 0, &err) == 0);
	ks.k[5] = strdup(ks.k[1]);
	CHECK(ks.k[5]);
	for (char *p = ks.k[5]; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	ks.user_id = a->admin.id;
	made = 1;
	return &ks;
}

static int is_ws(char c) { return c == ' ' || c == '\t'; }

/* Splits per the grammar; returns the token index (1..5) the value names in its correct
 * scheme, or 0. */
static int model(const char *v, const struct keys *ks)
{
	const char *p = v, *s, *k;
	size_t sl, kl;

	while (is_ws(*p))
		p++;
	s = p;
	while (*p && !is_ws(*p))
		p++;
	sl = (size_t)(p - s);
	if (!is_ws(*p))
		return 0;
	while (is_ws(*p))
		p++;
	k = p;
	while (*p && !is_ws(*p))
		p++;
	kl = (size_t)(p - k);
	while (is_ws(*p))
		p++;
	if (*p || !kl)
		return 0;
	for (int i = 1; i <= 5; i++) {
		if (i == 2) {
			if (sl == 6 && !strncasecmp(s, "Bearer", 6) && kl == strlen(ks->k[2]) &&
			    !strncmp(k, ks->k[2], kl))
				return 2;
		} else if (sl == 5 && !strncasecmp(s, "Token", 5) && kl == strlen(ks->k[i]) &&
			   !strncasecmp(k, ks->k[i], kl)) {
			return i == 5 ? 1 : i;
		}
	}
	return 0;
}

static char *expand(struct fz *f, const struct keys *ks)
{
	char *out = malloc(MAX_HEADER * 64 + 1);
	size_t o = 0;

	CHECK(out);
	while (!fz_empty(f) && o < MAX_HEADER) {
		uint8_t c = fz_u8(f);
		if (c >= 1 && c <= 5) {
			size_t n = strlen(ks->k[c]);
			memcpy(out + o, ks->k[c], n);
			o += n;
		} else if (c) {
			out[o++] = (char)c;
		} else {
			break; /* a NUL ends the header, as on the wire */
		}
	}
	out[o] = '\0';
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const msgs[] = {"Authentication credentials were not provided.",
					   "Invalid token", "Token expired", "User inactive", NULL};
	struct fz_app *a = fz_app_get();
	struct keys *ks = keys_get(a);
	struct fz f = {data, size};
	char *h = expand(&f, ks);
	struct auth_user u = {0};
	struct auth_token_info t = {0};
	struct ck_error err;
	int rc, want = strlen(h) <= AUTH_HEADER_MAX ? model(h, ks) : 0, known = 0;

	ck_error_clear(&err);
	rc = auth_authenticate_header(store_conn_get(a->st), h, &u, &t, &err);
	if (want == 1 || want == 2) {
		CHECK(rc == 0 && u.id == ks->user_id && u.is_active && u.is_superuser);
		CHECK(want != 1 || (t.id == ks->tok_id && t.write_enabled));
		CHECK(want != 2 || !t.write_enabled);
	} else {
		CHECK(rc == CK_E_AUTH);
		for (int i = 0; msgs[i]; i++)
			known |= !strcmp(err.msg, msgs[i]);
		CHECK(known);
		CHECK(want != 3 || !strcmp(err.msg, "Token expired"));
		CHECK(want != 4 || !strcmp(err.msg, "User inactive"));
		CHECK(want ||
		      (strcmp(err.msg, "Token expired") && strcmp(err.msg, "User inactive")));
	}
	free(h);
	return 0;
}
