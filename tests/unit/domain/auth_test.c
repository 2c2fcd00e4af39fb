/* Unit tests for domain/auth: users, passwords, tokens (both header forms), the cache,
 * sessions, and that no secret is stored in plaintext. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "domain/auth.h"
#include "store/auth_repo.h"
#include "store/store.h"
#include "x509/crypto.h"

#define TEST_ITER 1000 /* PBKDF2 iterations in tests (production: 600000) */

static int setup(void **state)
{
	struct store *st = NULL;

	auth_set_pbkdf2_iterations(TEST_ITER);
	auth_cache_clear();
	if (store_open("sqlite::memory:", 0, &st, NULL) < 0)
		return -1;
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	return 0;
}

static struct store_conn *conn(void **state)
{
	struct store_conn *c = store_conn_get(*state);

	assert_non_null(c);
	return c;
}

static int64_t make_user(struct store_conn *c, const char *name)
{
	int64_t id = 0;

	assert_int_equal(auth_user_create(c, name, 0, &id, NULL), 0);
	assert_true(id > 0);
	return id;
}

static void sha256_hex(const char *s, char out[65]) { x509_sha256_hex(s, strlen(s), out); }

static void header(char *out, size_t size, const char *scheme, const char *key)
{
	snprintf(out, size, "%s %s", scheme, key);
}

static void test_users(void **state)
{
	struct store_conn *c = conn(state);
	struct auth_user u, *list = NULL;
	struct ck_error err;
	int64_t id = 0, id2 = 0, n = -1;
	size_t nlist = 0;
	char longname[AUTH_USERNAME_MAX + 2];

	assert_int_equal(auth_user_count(c, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(auth_user_create(c, "zoe", 1, &id, NULL), 0);
	assert_int_equal(auth_user_create(c, "adam.b+x@y-z_1", 0, &id2, NULL), 0);
	assert_int_equal(auth_user_find(c, "zoe", &u, NULL), 0);
	assert_int_equal(u.id, id);
	assert_string_equal(u.username, "zoe");
	assert_true(u.is_superuser);
	assert_true(u.is_active);
	assert_int_equal(auth_user_get(c, id2, &u, NULL), 0);
	assert_string_equal(u.username, "adam.b+x@y-z_1");
	assert_false(u.is_superuser);
	ck_error_clear(&err);
	assert_int_equal(auth_user_create(c, "zoe", 0, NULL, &err), CK_E_DUPLICATE);
	assert_string_equal(err.field, "username");
	assert_int_equal(auth_user_find(c, "nobody", &u, &err), CK_E_NOTFOUND);
	assert_int_equal(auth_user_get(c, 9999, &u, &err), CK_E_NOTFOUND);
	assert_int_equal(auth_user_find(c, NULL, &u, &err), CK_E_NOTFOUND);

	/* names: limit and limit + 1, bad characters */
	memset(longname, 'a', AUTH_USERNAME_MAX);
	longname[AUTH_USERNAME_MAX] = '\0';
	assert_int_equal(auth_user_create(c, longname, 0, NULL, NULL), 0);
	assert_int_equal(auth_user_find(c, longname, &u, NULL), 0);
	assert_int_equal(strlen(u.username), AUTH_USERNAME_MAX);
	longname[AUTH_USERNAME_MAX] = 'a';
	longname[AUTH_USERNAME_MAX + 1] = '\0';
	assert_int_equal(auth_user_create(c, longname, 0, NULL, &err), CK_E_INVALID);
	assert_string_equal(err.field, "username");
	const char *bad[] = {"", "two words", "semi;colon", "quote'", "tab\t", "é", NULL};
	for (int i = 0; bad[i]; i++)
		assert_int_equal(auth_user_create(c, bad[i], 0, NULL, NULL), CK_E_INVALID);
	assert_int_equal(auth_user_create(c, NULL, 0, NULL, NULL), CK_E_INVALID);

	assert_int_equal(auth_user_count(c, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(auth_user_list(c, &list, &nlist, NULL), 0);
	assert_int_equal(nlist, 3);
	assert_int_equal(strlen(list[0].username), AUTH_USERNAME_MAX); /* "aaa…" sorts first */
	assert_string_equal(list[1].username, "adam.b+x@y-z_1");
	assert_string_equal(list[2].username, "zoe"); /* ordered by name */
	free(list);
}

static void test_passwords(void **state)
{
	struct store_conn *c = conn(state);
	struct store_stmt *s = NULL;
	struct auth_user u;
	struct ck_error err;
	char stored[256], *big;
	int64_t id = make_user(c, "alice"), last_login = 0;

	/* no password yet: nothing matches */
	assert_int_equal(auth_user_check_password(c, "alice", "x", &u, &err), CK_E_AUTH);
	assert_int_equal(auth_user_set_password(c, "alice", "s3cret pass", NULL), 0);
	assert_int_equal(auth_user_check_password(c, "alice", "s3cret pass", &u, NULL), 0);
	assert_int_equal(u.id, id);
	assert_int_equal(auth_user_check_password(c, "alice", "s3cret pasS", &u, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "Invalid username or password.");
	assert_int_equal(auth_user_check_password(c, "alice", "", &u, &err), CK_E_AUTH);
	assert_int_equal(auth_user_check_password(c, "bob", "s3cret pass", &u, &err), CK_E_AUTH);
	assert_int_equal(auth_user_set_password(c, "bob", "pw", &err), CK_E_NOTFOUND);
	assert_int_equal(auth_user_set_password(c, "alice", "", &err), CK_E_INVALID);

	/* the stored form: pbkdf2_sha256$iter$salt(24 b64)$hash(44 b64), no plaintext */
	assert_int_equal(
	    store_query(c, "SELECT password_hash, last_login FROM users WHERE id = $1", &s, NULL),
	    0);
	store_bind_i64(s, 1, id);
	assert_int_equal(store_step(s, NULL), STORE_ROW);
	snprintf(stored, sizeof(stored), "%s", store_col_text(s, 0, NULL));
	last_login = store_col_i64(s, 1);
	store_done(s);
	assert_true(last_login > 0);
	assert_int_equal(strncmp(stored, "pbkdf2_sha256$1000$", 19), 0);
	assert_int_equal(strlen(stored), 19 + 24 + 1 + 44);
	assert_null(strstr(stored, "s3cret"));

	/* an outside vector (Python hashlib): Django's layout with salt text "c2FsdHNhbHQ=" */
	assert_int_equal(store_exec(c,
				    "UPDATE users SET password_hash = 'pbkdf2_sha256$1000$"
				    "c2FsdHNhbHQ=$SRz8sIRlBCw3VZMGoDRnwlC/Hi9MScUuIRoiUt3V01w='"
				    " WHERE username = 'alice'",
				    NULL),
			 0);
	assert_int_equal(auth_user_check_password(c, "alice", "correct horse", &u, NULL), 0);
	assert_int_equal(auth_user_check_password(c, "alice", "correct horsE", &u, NULL),
			 CK_E_AUTH);
	/* a tampered or foreign hash never matches */
	const char *broken[] = {
	    "pbkdf2_sha256$0$c2FsdHNhbHQ=$SRz8sIRlBCw3VZMGoDRnwlC/Hi9MScUuIRoiUt3V01w=",
	    "pbkdf2_sha256$99999999999$a$b",
	    "md5$1$a$b",
	    "pbkdf2_sha256$1000",
	    "garbage",
	    NULL};
	for (int i = 0; broken[i]; i++) {
		assert_int_equal(
		    store_query(c, "UPDATE users SET password_hash = $1 WHERE id = $2", &s, NULL),
		    0);
		store_bind_text(s, 1, broken[i], (size_t)-1);
		store_bind_i64(s, 2, id);
		assert_int_equal(store_step(s, NULL), STORE_DONE);
		store_done(s);
		assert_int_equal(auth_user_check_password(c, "alice", "correct horse", &u, NULL),
				 CK_E_AUTH);
	}

	/* password length: limit accepted, limit + 1 refused */
	big = malloc(AUTH_PASSWORD_MAX + 2);
	assert_non_null(big);
	memset(big, 'p', AUTH_PASSWORD_MAX);
	big[AUTH_PASSWORD_MAX] = '\0';
	assert_int_equal(auth_user_set_password(c, "alice", big, NULL), 0);
	assert_int_equal(auth_user_check_password(c, "alice", big, &u, NULL), 0);
	big[AUTH_PASSWORD_MAX] = 'p';
	big[AUTH_PASSWORD_MAX + 1] = '\0';
	assert_int_equal(auth_user_set_password(c, "alice", big, &err), CK_E_TOOBIG);
	assert_int_equal(auth_user_check_password(c, "alice", big, &u, NULL), CK_E_AUTH);
	free(big);

	/* inactive users cannot log in */
	assert_int_equal(auth_user_set_password(c, "alice", "again", NULL), 0);
	assert_int_equal(auth_user_set_active(c, id, 0, NULL), 0);
	assert_int_equal(auth_user_check_password(c, "alice", "again", &u, NULL), CK_E_AUTH);
	assert_int_equal(auth_user_set_active(c, id, 1, NULL), 0);
	assert_int_equal(auth_user_check_password(c, "alice", "again", &u, NULL), 0);
	assert_int_equal(auth_user_set_active(c, 9999, 1, &err), CK_E_NOTFOUND);
}

static void test_tokens_v1_v2(void **state)
{
	struct store_conn *c = conn(state);
	struct auth_user u;
	struct auth_token_info ti;
	struct ck_error err;
	char *k1 = NULL, *k2 = NULL, h[600];
	int64_t uid = make_user(c, "api"), t1 = 0, t2 = 0;

	assert_int_equal(auth_token_create(c, uid, 1, "ci", 0, &k1, &t1, NULL), 0);
	assert_int_equal(strlen(k1), AUTH_V1_KEY_LEN);
	assert_int_equal(strspn(k1, "0123456789abcdef"), AUTH_V1_KEY_LEN);
	header(h, sizeof(h), "Token", k1);
	assert_int_equal(auth_authenticate_header(c, h, &u, &ti, NULL), 0);
	assert_int_equal(u.id, uid);
	assert_string_equal(u.username, "api");
	assert_int_equal(ti.id, t1);
	assert_int_equal(ti.user_id, uid);
	assert_true(ti.write_enabled);
	assert_int_equal(ti.expires, 0);
	/* scheme case-insensitive, hex case-insensitive, surrounding blanks */
	char upper[AUTH_V1_KEY_LEN + 1];
	for (int i = 0; i <= AUTH_V1_KEY_LEN; i++)
		upper[i] = (char)(k1[i] >= 'a' && k1[i] <= 'f' ? k1[i] - 32 : k1[i]);
	snprintf(h, sizeof(h), "  token   %s  ", upper);
	assert_int_equal(auth_authenticate_header(c, h, &u, NULL, NULL), 0);

	/* v2 */
	assert_int_equal(auth_token_create_v2(c, uid, 0, NULL, 0, &k2, &t2, NULL), 0);
	assert_int_equal(strlen(k2), 4 + AUTH_V2_ID_LEN + 1 + AUTH_V2_SECRET_LEN);
	assert_int_equal(strncmp(k2, "nbt_", 4), 0);
	assert_int_equal(k2[4 + AUTH_V2_ID_LEN], '.');
	header(h, sizeof(h), "Bearer", k2);
	assert_int_equal(auth_authenticate_header(c, h, &u, &ti, NULL), 0);
	assert_int_equal(ti.id, t2);
	assert_false(ti.write_enabled); /* read-only */
	/* each form only with its own scheme */
	header(h, sizeof(h), "Token", k2);
	assert_int_equal(auth_authenticate_header(c, h, &u, &ti, &err), CK_E_AUTH);
	header(h, sizeof(h), "Bearer", k1);
	assert_int_equal(auth_authenticate_header(c, h, &u, &ti, &err), CK_E_AUTH);
	/* a wrong secret with a right key-id */
	char forged[128];
	snprintf(forged, sizeof(forged), "Bearer %s", k2);
	forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(auth_authenticate_header(c, forged, &u, &ti, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "Invalid token");
	free(k1);
	free(k2);
}

static void test_garbled_headers(void **state)
{
	struct store_conn *c = conn(state);
	struct auth_user u;
	struct ck_error err;
	char *big;
	const char *bad[] = {
	    "Token",
	    "Token ",
	    "Token abc",
	    "Basic dXNlcjpwYXNz",
	    "Token 0123456789abcdef0123456789abcdef0123456",   /* 39 */
	    "Token 0123456789abcdef0123456789abcdef012345678", /* 41 */
	    "Token 0123456789abcdef0123456789abcdef0123456g",  /* not hex */
	    "Token 0123456789abcdef0123456789abcdef01234567 x",
	    "Token0123456789abcdef0123456789abcdef01234567",
	    "Bearer nbt_short.secret",
	    "Bearer nbt_abcdefghijkl",
	    "Bearer nbt_abcdefghijkl.0123456789012345678901234567890123456789x",
	    "Bearer xbt_abcdefghijkl.0123456789012345678901234567890123456789",
	    "Bearer nbt_abcdefghij-l.0123456789012345678901234567890123456789",
	    "Token 0123456789abcdef0123456789abcdef01234567\r\n",
	    "Token 0123456789abcdef0123456789abcdef01234567", /* well-formed, unknown */
	    "Bearer nbt_abcdefghijkl.0123456789012345678901234567890123456789",
	    NULL};

	for (int i = 0; bad[i]; i++) {
		ck_error_clear(&err);
		assert_int_equal(auth_authenticate_header(c, bad[i], &u, NULL, &err), CK_E_AUTH);
		assert_string_equal(err.msg, "Invalid token");
	}
	assert_int_equal(auth_authenticate_header(c, NULL, &u, NULL, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "Authentication credentials were not provided.");
	assert_int_equal(auth_authenticate_header(c, "  ", &u, NULL, &err), CK_E_AUTH);
	/* limit + 1: refused before any parsing */
	big = malloc(AUTH_HEADER_MAX + 2);
	assert_non_null(big);
	memset(big, ' ', AUTH_HEADER_MAX + 1);
	memcpy(big, "Token 0123456789abcdef0123456789abcdef01234567", 46);
	big[AUTH_HEADER_MAX + 1] = '\0';
	assert_int_equal(auth_authenticate_header(c, big, &u, NULL, &err), CK_E_AUTH);
	free(big);
}

static void test_expiry_inactive_delete(void **state)
{
	struct store_conn *c = conn(state);
	struct auth_user u;
	struct auth_token_info ti;
	struct ck_error err;
	char *kx = NULL, *kf = NULL, *k = NULL, h1[128], h2[128], h3[128];
	int64_t uid = make_user(c, "exp"), now = (int64_t)time(NULL), tid = 0, tf = 0;

	assert_int_equal(auth_token_create(c, uid, 1, NULL, now - 1, &kx, NULL, NULL), 0);
	header(h1, sizeof(h1), "Token", kx);
	assert_int_equal(auth_authenticate_header(c, h1, &u, &ti, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "Token expired");
	assert_int_equal(auth_token_create(c, uid, 1, NULL, now + 3600, &kf, &tf, NULL), 0);
	header(h2, sizeof(h2), "Token", kf);
	assert_int_equal(auth_authenticate_header(c, h2, &u, &ti, NULL), 0);
	assert_int_equal(ti.expires, now + 3600);

	/* a token expiring while cached stops working */
	assert_int_equal(
	    store_exec(c, "UPDATE tokens SET expires = 1 WHERE key_prefix != ''", NULL), 0);
	auth_cache_clear();
	assert_int_equal(auth_authenticate_header(c, h2, &u, &ti, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "Token expired");

	/* inactive user: refused at once although the token was cached */
	assert_int_equal(auth_token_create(c, uid, 1, NULL, 0, &k, &tid, NULL), 0);
	header(h3, sizeof(h3), "Token", k);
	assert_int_equal(auth_authenticate_header(c, h3, &u, &ti, NULL), 0);
	assert_int_equal(auth_user_set_active(c, uid, 0, NULL), 0);
	assert_int_equal(auth_authenticate_header(c, h3, &u, &ti, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "User inactive");
	assert_int_equal(auth_user_set_active(c, uid, 1, NULL), 0);
	assert_int_equal(auth_authenticate_header(c, h3, &u, &ti, NULL), 0);

	/* deletion: refused at once although cached */
	assert_int_equal(auth_token_delete(c, tid, NULL), 0);
	assert_int_equal(auth_authenticate_header(c, h3, &u, &ti, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "Invalid token");
	assert_int_equal(auth_token_delete(c, tid, &err), CK_E_NOTFOUND);
	free(kx);
	free(kf);
	free(k);
}

static void test_token_storage_and_list(void **state)
{
	struct store_conn *c = conn(state);
	struct store_stmt *s = NULL;
	struct auth_token_row *rows = NULL;
	struct ck_error err;
	size_t n = 0;
	char *k1 = NULL, *k2 = NULL, *k = NULL, hash[65], desc[AUTH_DESCRIPTION_MAX + 2];
	int64_t uid = make_user(c, "store"), other = make_user(c, "other"), t1 = 0, t2 = 0;
	int seen = 0;

	assert_int_equal(auth_token_create(c, uid, 1, "first", 0, &k1, &t1, NULL), 0);
	assert_int_equal(auth_token_create_v2(c, uid, 0, "second", 0, &k2, &t2, NULL), 0);
	assert_int_equal(auth_token_create(c, other, 1, NULL, 0, &k, NULL, NULL), 0);
	free(k);
	/* no column of any row holds a key; key_hash is SHA-256 of the key */
	assert_int_equal(store_query(c, "SELECT * FROM tokens", &s, NULL), 0);
	while (store_step(s, NULL) == STORE_ROW) {
		for (int col = 0; col < store_col_count(s); col++) {
			const char *v = store_col_text(s, col, NULL);

			if (!v)
				continue;
			assert_null(strstr(v, k1));
			assert_null(strstr(v, k2));
			assert_null(strstr(v, strchr(k2, '.') + 1)); /* the v2 secret */
		}
		seen++;
	}
	store_done(s);
	assert_int_equal(seen, 3);
	sha256_hex(k1, hash);
	int64_t found = 0;
	assert_int_equal(
	    store_query(c, "SELECT key_hash = $1, key_prefix FROM tokens WHERE id = $2", &s, NULL),
	    0);
	store_bind_text(s, 1, hash, (size_t)-1);
	store_bind_i64(s, 2, t1);
	assert_int_equal(store_step(s, NULL), STORE_ROW);
	found = store_col_i64(s, 0);
	assert_int_equal(strncmp(store_col_text(s, 1, NULL), k1, 6), 0);
	store_done(s);
	assert_int_equal(found, 1);

	assert_int_equal(auth_token_list(c, uid, &rows, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, t1);
	assert_string_equal(rows[0].description, "first");
	assert_true(rows[0].write_enabled);
	assert_int_equal(rows[1].id, t2);
	assert_false(rows[1].write_enabled);
	assert_int_equal(strncmp(rows[1].key_prefix, k2 + 4, AUTH_V2_ID_LEN), 0);
	assert_true(rows[1].created > 0);
	free(rows);
	assert_int_equal(auth_token_list(c, 0, &rows, &n, NULL), 0);
	assert_int_equal(n, 3);
	free(rows);

	/* description: limit ok, limit + 1 refused; unknown user refused */
	memset(desc, 'd', AUTH_DESCRIPTION_MAX);
	desc[AUTH_DESCRIPTION_MAX] = '\0';
	assert_int_equal(auth_token_create(c, uid, 1, desc, 0, &k, NULL, NULL), 0);
	free(k);
	desc[AUTH_DESCRIPTION_MAX] = 'd';
	desc[AUTH_DESCRIPTION_MAX + 1] = '\0';
	k = NULL;
	assert_int_equal(auth_token_create(c, uid, 1, desc, 0, &k, NULL, &err), CK_E_TOOBIG);
	assert_string_equal(err.field, "description");
	assert_int_equal(auth_token_create(c, 424242, 1, NULL, 0, &k, NULL, &err), CK_E_INVALID);
	assert_string_equal(err.field, "user");
	assert_null(k);
	free(k1);
	free(k2);
}

static int64_t last_used_of(struct store_conn *c, int64_t tid)
{
	int64_t v = -1;

	assert_int_equal(store_scalar_i64(c,
					  "SELECT COALESCE(last_used, 0) FROM tokens WHERE id = $1",
					  &tid, 1, &v, NULL),
			 0);
	return v;
}

static void set_last_used(struct store_conn *c, int64_t tid, int64_t t)
{
	struct store_stmt *s = NULL;

	assert_int_equal(store_query(c, "UPDATE tokens SET last_used = $1 WHERE id = $2", &s, NULL),
			 0);
	store_bind_i64(s, 1, t);
	store_bind_i64(s, 2, tid);
	assert_int_equal(store_step(s, NULL), STORE_DONE);
	store_done(s);
}

static void test_last_used_throttle(void **state)
{
	struct store_conn *c = conn(state);
	char *k = NULL, h[128];
	int64_t uid = make_user(c, "lu"), tid = 0, now = (int64_t)time(NULL);

	assert_int_equal(auth_token_create(c, uid, 1, NULL, 0, &k, &tid, NULL), 0);
	header(h, sizeof(h), "Token", k);
	assert_int_equal(last_used_of(c, tid), 0);
	assert_int_equal(auth_authenticate_header(c, h, NULL, NULL, NULL), 0);
	assert_true(last_used_of(c, tid) >= now);
	/* recently used: not rewritten */
	set_last_used(c, tid, now - 30);
	auth_cache_clear();
	assert_int_equal(auth_authenticate_header(c, h, NULL, NULL, NULL), 0);
	assert_int_equal(last_used_of(c, tid), now - 30);
	/* used long ago: rewritten */
	set_last_used(c, tid, 12345);
	auth_cache_clear();
	assert_int_equal(auth_authenticate_header(c, h, NULL, NULL, NULL), 0);
	assert_true(last_used_of(c, tid) >= now);
	free(k);
}

static void test_sessions(void **state)
{
	struct store_conn *c = conn(state);
	struct auth_user u;
	struct ck_error err;
	char *key = NULL, *csrf = NULL, got[AUTH_SESSION_KEY_LEN + 1], hash[65];
	int64_t uid = make_user(c, "web"), n = -1, cnt = 0;

	assert_int_equal(auth_session_create(c, uid, 0, &key, &csrf, &err), CK_E_INVALID);
	assert_int_equal(auth_session_create(c, uid, 31 * 86400 + 1, &key, &csrf, &err),
			 CK_E_INVALID);
	assert_int_equal(auth_session_create(c, 777777, 60, &key, &csrf, &err), CK_E_INVALID);
	assert_int_equal(auth_session_create(c, uid, 3600, &key, &csrf, NULL), 0);
	assert_int_equal(strlen(key), AUTH_SESSION_KEY_LEN);
	assert_int_equal(strlen(csrf), AUTH_SESSION_KEY_LEN);
	assert_string_not_equal(key, csrf);
	assert_int_equal(auth_session_lookup(c, key, &u, got, NULL), 0);
	assert_int_equal(u.id, uid);
	assert_string_equal(got, csrf);
	/* stored hashed */
	sha256_hex(key, hash);
	assert_int_equal(store_scalar_i64(c, "SELECT COUNT(*) FROM sessions", NULL, 0, &cnt, NULL),
			 0);
	assert_int_equal(cnt, 1);
	struct store_stmt *s = NULL;
	assert_int_equal(store_query(c, "SELECT session_hash FROM sessions", &s, NULL), 0);
	assert_int_equal(store_step(s, NULL), STORE_ROW);
	assert_string_equal(store_col_text(s, 0, NULL), hash);
	store_done(s);

	assert_int_equal(auth_session_lookup(c, "nothex", &u, NULL, &err), CK_E_AUTH);
	assert_int_equal(auth_session_lookup(c, NULL, &u, NULL, &err), CK_E_AUTH);
	char wrong[AUTH_SESSION_KEY_LEN + 1];
	memcpy(wrong, key, sizeof(wrong));
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	assert_int_equal(auth_session_lookup(c, wrong, &u, NULL, &err), CK_E_AUTH);
	/* inactive user */
	assert_int_equal(auth_user_set_active(c, uid, 0, NULL), 0);
	assert_int_equal(auth_session_lookup(c, key, &u, NULL, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "User inactive");
	assert_int_equal(auth_user_set_active(c, uid, 1, NULL), 0);
	/* expiry and purge */
	assert_int_equal(store_exec(c, "UPDATE sessions SET expires = 100", NULL), 0);
	assert_int_equal(auth_session_lookup(c, key, &u, NULL, &err), CK_E_AUTH);
	assert_string_equal(err.msg, "Session expired");
	assert_int_equal(auth_session_purge(c, (int64_t)time(NULL), &n, NULL), 0);
	assert_int_equal(n, 1);
	free(key);
	free(csrf);
	/* logout */
	assert_int_equal(auth_session_create(c, uid, 60, &key, &csrf, NULL), 0);
	assert_int_equal(auth_session_delete(c, key), 0);
	assert_int_equal(auth_session_lookup(c, key, &u, NULL, &err), CK_E_AUTH);
	assert_int_equal(auth_session_delete(c, key), 0);
	assert_int_equal(auth_session_delete(c, "junk"), 0);
	free(key);
	free(csrf);
}

/* ---- concurrent authentication on a file database ---- */

#define AUTH_ROUNDS 300

struct auth_arg {
	struct store *st;
	const char *header;
	int64_t uid;
	int failures;
};

static void *auth_worker(void *p)
{
	struct auth_arg *a = p;
	struct store_conn *c = store_conn_get(a->st);
	struct auth_user u;

	for (int i = 0; i < AUTH_ROUNDS; i++) {
		if (!c || auth_authenticate_header(c, a->header, &u, NULL, NULL) < 0 ||
		    u.id != a->uid)
			a->failures++;
		if (i % 50 == 0)
			auth_cache_clear(); /* force some database look-ups too */
	}
	return NULL;
}

static void test_concurrent_auth(void **state)
{
	char dir[] = "/tmp/ck-auth-test-XXXXXX", url[128], path[96], h[128], *k = NULL;
	struct store *st = NULL;
	struct auth_arg a[3];
	pthread_t th[3];
	int64_t uid = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	assert_int_equal(store_open(url, 0, &st, NULL), 0);
	assert_int_equal(auth_user_create(store_conn_get(st), "t", 0, &uid, NULL), 0);
	assert_int_equal(auth_token_create(store_conn_get(st), uid, 1, NULL, 0, &k, NULL, NULL), 0);
	header(h, sizeof(h), "Token", k);
	for (int i = 0; i < 3; i++) {
		a[i] = (struct auth_arg){.st = st, .header = h, .uid = uid};
		assert_int_equal(pthread_create(&th[i], NULL, auth_worker, &a[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(a[i].failures, 0);
	}
	store_close(st);
	free(k);
	snprintf(url, sizeof(url), "%s-wal", path);
	unlink(url);
	snprintf(url, sizeof(url), "%s-shm", path);
	unlink(url);
	unlink(path);
	rmdir(dir);
}

/* Two stores on one database file, as two processes (or nodes) would have. */
struct two_stores {
	char dir[32], path[96];
	struct store *a, *b;
};

static void two_open(struct two_stores *t)
{
	char url[128];

	snprintf(t->dir, sizeof(t->dir), "/tmp/ck-auth-gen-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/g.db", t->dir);
	snprintf(url, sizeof(url), "sqlite:%s", t->path);
	assert_int_equal(store_open(url, 0, &t->a, NULL), 0);
	assert_int_equal(store_open(url, 0, &t->b, NULL), 0);
}

static void two_close(struct two_stores *t)
{
	char f[128];

	store_close(t->a);
	store_close(t->b);
	snprintf(f, sizeof(f), "%s-wal", t->path);
	unlink(f);
	snprintf(f, sizeof(f), "%s-shm", t->path);
	unlink(f);
	unlink(t->path);
	rmdir(t->dir);
}

/* Issue 9 item 5: a look-up racing with a revocation must not outlive its commit. B reads
 * the token from its snapshot while A's delete is still uncommitted (the old code had
 * cleared the cache at that moment, so B's fill survived for AUTH_CACHE_TTL); after A's
 * commit the very next look-up fails. */
static void test_revocation_racing_a_lookup(void **state)
{
	struct two_stores t;
	struct store_conn *a, *b;
	struct auth_user u;
	char *k = NULL, h[128];
	int64_t uid = 0, tid = 0;

	(void)state;
	auth_cache_clear();
	two_open(&t);
	a = store_conn_get(t.a);
	b = store_conn_get(t.b);
	assert_int_equal(auth_user_create(a, "race", 0, &uid, NULL), 0);
	assert_int_equal(auth_token_create(a, uid, 1, NULL, 0, &k, &tid, NULL), 0);
	header(h, sizeof(h), "Token", k);
	assert_int_equal(auth_authenticate_header(b, h, &u, NULL, NULL), 0);

	assert_int_equal(store_tx_begin(a, NULL), 0);
	assert_int_equal(auth_token_delete(a, tid, NULL), 0);
	assert_int_equal(auth_authenticate_header(b, h, &u, NULL, NULL), 0); /* not committed */
	assert_int_equal(store_tx_commit(a, NULL), 0);
	assert_int_equal(auth_authenticate_header(b, h, &u, NULL, NULL), CK_E_AUTH);
	assert_int_equal(auth_authenticate_header(a, h, &u, NULL, NULL), CK_E_AUTH);
	free(k);
	two_close(&t);
}

/* Changes made without this module (the generic API write path, another node, plain SQL)
 * take effect on the next look-up too: the triggers move the generation. Columns that
 * revoke nothing (last_used, last_login, e-mail) do not. */
static void test_out_of_band_changes(void **state)
{
	struct two_stores t;
	struct store_conn *a, *b;
	struct auth_user u;
	struct auth_token_info ti;
	char *k = NULL, h[128];
	int64_t uid = 0, g0 = 0, g1 = 0;

	(void)state;
	auth_cache_clear();
	two_open(&t);
	a = store_conn_get(t.a);
	b = store_conn_get(t.b);
	assert_int_equal(auth_user_create(a, "oob", 1, &uid, NULL), 0);
	assert_int_equal(auth_token_create(a, uid, 1, NULL, 0, &k, NULL, NULL), 0);
	header(h, sizeof(h), "Token", k);
	assert_int_equal(auth_authenticate_header(b, h, &u, &ti, NULL), 0);
	assert_true(u.is_superuser && ti.write_enabled);

	assert_int_equal(store_auth_generation(b, &g0, NULL), 0);
	assert_int_equal(
	    store_exec(a,
		       "UPDATE users SET last_login = 5, email = 'x@y' WHERE username = 'oob';"
		       "UPDATE tokens SET last_used = 7",
		       NULL),
	    0);
	assert_int_equal(store_auth_generation(b, &g1, NULL), 0);
	assert_int_equal(g1, g0);

	assert_int_equal(store_exec(a, "UPDATE users SET is_superuser = 0", NULL),
			 0); /* demotion */
	assert_int_equal(auth_authenticate_header(b, h, &u, &ti, NULL), 0);
	assert_false(u.is_superuser);
	assert_int_equal(store_exec(a, "UPDATE tokens SET write_enabled = 0", NULL), 0);
	assert_int_equal(auth_authenticate_header(b, h, &u, &ti, NULL), 0);
	assert_false(ti.write_enabled);
	assert_int_equal(store_exec(a, "UPDATE users SET is_active = 0", NULL),
			 0); /* deactivation */
	assert_int_equal(auth_authenticate_header(b, h, &u, &ti, NULL), CK_E_AUTH);
	assert_int_equal(store_exec(a, "UPDATE users SET is_active = 1", NULL), 0);
	assert_int_equal(auth_authenticate_header(b, h, &u, &ti, NULL), 0);
	assert_int_equal(store_exec(a, "DELETE FROM users", NULL), 0); /* cascades to tokens */
	assert_int_equal(auth_authenticate_header(b, h, &u, &ti, NULL), CK_E_AUTH);
	assert_int_equal(store_auth_generation(b, &g1, NULL), 0);
	assert_true(g1 > g0);
	free(k);
	two_close(&t);
}

/* A password change ends every session of that user (and only of that user), also when
 * the caller has a transaction open. */
static void test_password_change_ends_sessions(void **state)
{
	struct store_conn *c = conn(state);
	char *k1 = NULL, *c1 = NULL, *k2 = NULL, *c2 = NULL, *k3 = NULL, *c3 = NULL;
	struct auth_user u;
	int64_t uid = make_user(c, "pw1"), other = make_user(c, "pw2");

	assert_int_equal(auth_session_create(c, uid, 3600, &k1, &c1, NULL), 0);
	assert_int_equal(auth_session_create(c, uid, 3600, &k2, &c2, NULL), 0);
	assert_int_equal(auth_session_create(c, other, 3600, &k3, &c3, NULL), 0);
	assert_int_equal(auth_user_set_password(c, "pw1", "first password", NULL), 0);
	assert_int_equal(auth_session_lookup(c, k1, &u, NULL, NULL), CK_E_AUTH);
	assert_int_equal(auth_session_lookup(c, k2, &u, NULL, NULL), CK_E_AUTH);
	assert_int_equal(auth_session_lookup(c, k3, &u, NULL, NULL), 0);
	free(k1);
	free(c1);
	assert_int_equal(auth_session_create(c, uid, 3600, &k1, &c1, NULL), 0);
	assert_int_equal(store_tx_begin(c, NULL), 0);
	assert_int_equal(auth_user_set_password(c, "pw1", "second password", NULL), 0);
	store_tx_rollback(c); /* the caller's transaction decides: nothing changed */
	assert_int_equal(auth_session_lookup(c, k1, &u, NULL, NULL), 0);
	assert_int_equal(auth_user_set_password(c, "nobody", "third password", NULL),
			 CK_E_NOTFOUND);
	free(k1);
	free(c1);
	free(k2);
	free(c2);
	free(k3);
	free(c3);
}

struct gate_arg {
	struct store *st;
	pthread_barrier_t *go;
	int rc;
};

static void *gate_worker(void *p)
{
	struct gate_arg *g = p;
	struct auth_user u;

	struct store_conn *c = store_conn_get(g->st); /* opened before the race starts */

	pthread_barrier_wait(g->go);
	g->rc = auth_user_check_password(c, "gate", "gate password", &u, NULL);
	return NULL;
}

/* The hash gate: with one turn and no waiting place, of GATE_THREADS simultaneous checks
 * (each hashing for tens of milliseconds) some are refused with CK_E_THROTTLED, and every
 * other one succeeds; with enough waiting places all succeed. */
#define GATE_THREADS 4
static void test_hash_gate(void **state)
{
	char dir[] = "/tmp/ck-auth-gate-XXXXXX", url[128], path[96];
	struct gate_arg g[GATE_THREADS];
	pthread_t th[GATE_THREADS];
	pthread_barrier_t go;
	struct store *st = NULL;
	int ok, busy;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/g.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	assert_int_equal(store_open(url, 0, &st, NULL), 0);
	assert_int_equal(auth_user_create(store_conn_get(st), "gate", 0, NULL, NULL), 0);
	auth_set_pbkdf2_iterations(100000); /* tens of ms: far longer than the threads' start skew
					     * (5,000 took ~2 ms in the Release build, and under
					     * load the threads could run one after another) */
	assert_int_equal(auth_user_set_password(store_conn_get(st), "gate", "gate password", NULL),
			 0);
	for (int round = 0; round < 2; round++) {
		auth_set_hash_limits(1, round == 0 ? 0 : GATE_THREADS);
		pthread_barrier_init(&go, NULL, GATE_THREADS);
		for (int i = 0; i < GATE_THREADS; i++) {
			g[i] = (struct gate_arg){.st = st, .go = &go, .rc = 1};
			assert_int_equal(pthread_create(&th[i], NULL, gate_worker, &g[i]), 0);
		}
		ok = busy = 0;
		for (int i = 0; i < GATE_THREADS; i++) {
			pthread_join(th[i], NULL);
			ok += g[i].rc == 0;
			busy += g[i].rc == CK_E_THROTTLED;
		}
		pthread_barrier_destroy(&go);
		assert_int_equal(ok + busy, GATE_THREADS);
		if (round == 0)
			assert_true(ok >= 1 && busy >= 1);
		else
			assert_int_equal(ok, GATE_THREADS);
	}
	auth_set_hash_limits(AUTH_HASH_CONCURRENCY_DEFAULT, 0);
	auth_set_pbkdf2_iterations(TEST_ITER);
	store_close(st);
	snprintf(url, sizeof(url), "%s-wal", path);
	unlink(url);
	snprintf(url, sizeof(url), "%s-shm", path);
	unlink(url);
	unlink(path);
	rmdir(dir);
}

static void test_random_password_and_secret_equal(void **state)
{
	char a[21], b[21];

	(void)state;
	assert_int_equal(auth_random_password(a, sizeof(a)), 0);
	assert_int_equal(auth_random_password(b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 20);
	for (const char *p = a; *p; p++)
		assert_true(isalnum((unsigned char)*p));
	assert_string_not_equal(a, b);
	assert_int_equal(auth_random_password(a, 0), CK_E_INVALID);
	assert_true(auth_secret_equal("abc", "abc"));
	assert_false(auth_secret_equal("abc", "abd"));
	assert_false(auth_secret_equal("abc", "abcd"));
	assert_false(auth_secret_equal(NULL, "abc"));
	assert_false(auth_secret_equal("abc", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_users, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_passwords, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens_v1_v2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbled_headers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expiry_inactive_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_token_storage_and_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_last_used_throttle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
	    cmocka_unit_test(test_concurrent_auth),
	    cmocka_unit_test(test_random_password_and_secret_equal),
	    cmocka_unit_test(test_revocation_racing_a_lookup),
	    cmocka_unit_test(test_out_of_band_changes),
	    cmocka_unit_test_setup_teardown(test_password_change_ends_sessions, setup, teardown),
	    cmocka_unit_test(test_hash_gate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
