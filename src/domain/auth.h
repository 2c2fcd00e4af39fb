/*
 * domain/auth — users, passwords, API tokens and browser sessions (tables users, tokens,
 * sessions of migration 1).
 *
 * Secrets are never stored: passwords as PBKDF2-SHA256 ("pbkdf2_sha256$iter$salt_b64$hash_b64",
 * Django's layout), API tokens and session keys as SHA-256 hex of the plaintext. The
 * plaintext of a token or session key exists only in the value returned at creation.
 *
 * API tokens authenticate in two header forms (NetBox's):
 *   v1  "Token <40 hex>"               — what auth_token_create() makes
 *   v2  "Bearer nbt_<key-id>.<secret>" — what auth_token_create_v2() makes; key-id is
 *                                        AUTH_V2_ID_LEN alphanumerics (stored in key_prefix,
 *                                        not secret), secret AUTH_V2_SECRET_LEN alphanumerics.
 * In both, tokens.key_hash = SHA-256 hex of the key after the scheme word ("<40 hex>"
 * lower-cased, or "nbt_<key-id>.<secret>").
 *
 * Authentication cache: auth_authenticate_header() keeps successful token look-ups in a
 * process-wide, thread-safe cache keyed by the key hash, tagged with the authentication
 * generation (store/auth_repo.h) read before the look-up. Each request reads the generation
 * (one primary-key read) and uses an entry only when it is unchanged. Every revoking change
 * (token deleted or changed, user deleted, deactivated, demoted, renamed or given a new
 * password) moves the generation in its own transaction, whoever commits it — this module,
 * the generic API write path, the CLI, another node sharing the database — so it takes
 * effect on the first request that starts after its commit. Entries also expire after
 * AUTH_CACHE_TTL seconds. auth_cache_clear() empties the cache.
 *
 * Sessions are not cached: a session look-up reads the user's row, so deactivation and
 * demotion apply to sessions at once; a password change ends every session of the user.
 *
 * Password hashing (PBKDF2, AUTH_PBKDF2_DEFAULT_ITER iterations, ~0.1 s of CPU) runs through
 * a process-wide gate: at most `concurrency` hashes at once, at most `waiters` callers
 * waiting for a turn (auth_set_hash_limits()); a caller that finds no place, or waits longer
 * than 2 s, fails with CK_E_THROTTLED. This keeps sign-in floods from occupying every HTTP
 * worker thread.
 *
 * Errors: CK_E_INVALID (bad username/password/description, field set), CK_E_DUPLICATE
 * (username taken, field "username"), CK_E_NOTFOUND, CK_E_AUTH (any authentication failure;
 * the message says which: "Invalid token", "Token expired", "User inactive",
 * "Authentication credentials were not provided."), store errors. `ret_` outputs are written only
 * on success. All functions are thread-safe when each thread passes its own connection.
 */
#ifndef CK_DOMAIN_AUTH_H
#define CK_DOMAIN_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define AUTH_USERNAME_MAX 150	 /* Django's limit; letters, digits and @.+-_ */
#define AUTH_PASSWORD_MAX 4096	 /* bytes */
#define AUTH_DESCRIPTION_MAX 200 /* token description, bytes */
#define AUTH_HEADER_MAX 512	 /* Authorization header value, bytes */
#define AUTH_V1_KEY_LEN 40	 /* hex digits */
#define AUTH_V2_ID_LEN 12	 /* key-id characters */
#define AUTH_V2_SECRET_LEN 40	 /* secret characters */
#define AUTH_PBKDF2_DEFAULT_ITER 600000
#define AUTH_PBKDF2_MAX_ITER 10000000	/* a stored hash asking for more is refused */
#define AUTH_CACHE_TTL 10		/* seconds a successful token look-up is cached at most */
#define AUTH_HASH_CONCURRENCY_DEFAULT 1 /* password hashes running at once */
#define AUTH_HASH_CONCURRENCY_MAX 64
#define AUTH_HASH_WAITERS_MAX 1024 /* callers waiting for a hash turn */
#define AUTH_LAST_USED_EVERY 60	   /* tokens.last_used is written at most this often */
#define AUTH_SESSION_KEY_LEN 64	   /* hex characters of a session key and of a CSRF token */

struct auth_user {
	int64_t id;
	char username[AUTH_USERNAME_MAX + 1];
	int is_superuser;
	int is_active;
};

struct auth_token_info {
	int64_t id;
	int64_t user_id;
	int write_enabled;
	int64_t expires; /* epoch seconds, 0 = never */
};

/* One row of auth_token_list(): never the key, only its non-secret prefix. */
struct auth_token_row {
	int64_t id;
	int64_t user_id;
	char key_prefix[AUTH_V2_ID_LEN + 1];
	char description[AUTH_DESCRIPTION_MAX + 1];
	int write_enabled;
	int64_t expires;   /* 0 = never */
	int64_t last_used; /* 0 = never */
	int64_t created;
};

/* Sets the PBKDF2 iteration count used for NEW password hashes (1..AUTH_PBKDF2_MAX_ITER;
 * others ignored). Default AUTH_PBKDF2_DEFAULT_ITER; tests lower it. Checking always uses the
 * count stored in the hash. Call before starting threads. */
void auth_set_pbkdf2_iterations(int iterations);

/* Sets the password-hash gate (see the header comment): `concurrency` hashes at once
 * (1..AUTH_HASH_CONCURRENCY_MAX), `waiters` callers waiting (0..AUTH_HASH_WAITERS_MAX); values
 * out of range leave the setting unchanged. Defaults: AUTH_HASH_CONCURRENCY_DEFAULT and 0.
 * Call before starting threads. */
void auth_set_hash_limits(int concurrency, int waiters);

/* ---- users ---- */

/* Creates an active user with no usable password. CK_E_INVALID for a bad name (empty, over
 * AUTH_USERNAME_MAX, a character outside letters/digits/@.+-_), CK_E_DUPLICATE if taken. */
int auth_user_create(struct store_conn *c, const char *username, int superuser, int64_t *ret_id,
		     struct ck_error *err);

/* Look-ups; CK_E_NOTFOUND when there is no such user. */
int auth_user_find(struct store_conn *c, const char *username, struct auth_user *ret,
		   struct ck_error *err);
int auth_user_get(struct store_conn *c, int64_t id, struct auth_user *ret, struct ck_error *err);

/* All users ordered by username; *ret is an array the caller frees (NULL when none). */
int auth_user_list(struct store_conn *c, struct auth_user **ret, size_t *ret_n,
		   struct ck_error *err);

/* Number of users (0 on a fresh database). */
int auth_user_count(struct store_conn *c, int64_t *ret);

/* Activates or deactivates a user (its tokens stop or start working on the next request). */
int auth_user_set_active(struct store_conn *c, int64_t user_id, int active, struct ck_error *err);

/* Stores a new PBKDF2-SHA256 hash of `password` (1..AUTH_PASSWORD_MAX bytes) and ends every
 * session of the user, in one transaction (the caller's when one is open). Slow by design
 * (600000 iterations). CK_E_THROTTLED when the hash gate gives no turn. */
int auth_user_set_password(struct store_conn *c, const char *username, const char *password,
			   struct ck_error *err);

/* Checks a password in constant time. CK_E_AUTH "Invalid username or password" when the
 * user is unknown, inactive, has no password, or the password differs (the work done is the
 * same when the user is unknown). CK_E_THROTTLED when the hash gate gives no turn. Writes
 * users.last_login on success. */
int auth_user_check_password(struct store_conn *c, const char *username, const char *password,
			     struct auth_user *ret, struct ck_error *err);

/* ---- API tokens ---- */

/* Creates a v1 token for `user_id`; `description` may be NULL (≤ AUTH_DESCRIPTION_MAX bytes),
 * `expires` 0 = never. *ret_key receives the 40-hex key ONCE (caller frees); it cannot be
 * recovered later. CK_E_INVALID when the user does not exist. */
int auth_token_create(struct store_conn *c, int64_t user_id, int write_enabled,
		      const char *description, int64_t expires, char **ret_key, int64_t *ret_id,
		      struct ck_error *err);

/* Same, v2 format: *ret_key = "nbt_<key-id>.<secret>" (send as "Bearer <key>"). */
int auth_token_create_v2(struct store_conn *c, int64_t user_id, int write_enabled,
			 const char *description, int64_t expires, char **ret_key, int64_t *ret_id,
			 struct ck_error *err);

/* Authenticates an Authorization header value (see the header comment for the forms and the
 * cache). CK_E_AUTH on a missing, malformed (including longer than AUTH_HEADER_MAX), unknown
 * or expired token or an inactive user. Updates tokens.last_used at most every
 * AUTH_LAST_USED_EVERY seconds (a failure to write it is ignored). */
int auth_authenticate_header(struct store_conn *c, const char *authorization,
			     struct auth_user *ret_user, struct auth_token_info *ret_tok,
			     struct ck_error *err);

/* Tokens of one user (user_id > 0) or of everyone (0), by id; *ret caller frees. */
int auth_token_list(struct store_conn *c, int64_t user_id, struct auth_token_row **ret,
		    size_t *ret_n, struct ck_error *err);

/* Deletes a token (CK_E_NOTFOUND if none); it stops working on the next request. */
int auth_token_delete(struct store_conn *c, int64_t token_id, struct ck_error *err);

/* Empties the authentication cache (tests). */
void auth_cache_clear(void);

/* Fills out (n bytes, NUL included) with a random alphanumeric password from OpenSSL's
 * CSPRNG (no modulo bias). 0 or CK_E_INTERNAL/CK_E_INVALID. */
int auth_random_password(char *out, size_t n);

/* Constant-time equality of two secrets (CSRF tokens): 1 when equal. */
int auth_secret_equal(const char *a, const char *b);

/* ---- browser sessions ---- */

/* Creates a session of `ttl_s` seconds (1..31 days). *ret_session_key (cookie value) and
 * *ret_csrf are AUTH_SESSION_KEY_LEN hex characters; caller frees both. */
int auth_session_create(struct store_conn *c, int64_t user_id, int64_t ttl_s,
			char **ret_session_key, char **ret_csrf, struct ck_error *err);

/* Resolves a session key to its (active) user and CSRF token (ret_csrf: AUTH_SESSION_KEY_LEN
 * + 1 bytes, may be NULL). CK_E_AUTH when unknown, expired or the user is inactive. */
int auth_session_lookup(struct store_conn *c, const char *session_key, struct auth_user *ret_user,
			char *ret_csrf, struct ck_error *err);

/* Deletes the session (logout). 0 even when it did not exist; negative on a database error. */
int auth_session_delete(struct store_conn *c, const char *session_key);

/* Deletes every expired session; *ret_n (optional) receives how many. */
int auth_session_purge(struct store_conn *c, int64_t now, int64_t *ret_n, struct ck_error *err);

#endif
