/*
 * domain/auth — users, passwords, API tokens, sessions (auth.h is the manual).
 *
 * The cryptographic primitives (SHA-256, PBKDF2, randomness, base64, constant-time
 * comparison, wiping) come from x509/crypto; this file includes no OpenSSL header.
 *
 * The token cache (invariants):
 *  1. A direct-mapped table of AUTH_CACHE_SLOTS entries indexed by the first hex digits of the
 *     key hash; a colliding insert replaces the slot. Guarded by one mutex, held only to copy
 *     an entry in or out (never across a database call).
 *  2. Only successful look-ups are cached. An entry remembers the authentication generation
 *     (store/auth_repo) read BEFORE its row was loaded; it is used only while the generation
 *     read by the current request is the same. Every revoking change moves the generation in
 *     its own transaction, so once it has committed no request can use an entry filled from
 *     an older snapshot — however the fill raced with the change. An entry older than
 *     AUTH_CACHE_TTL is ignored too; on a hit the token's expiry is checked again.
 *
 * The password-hash gate: PBKDF2 costs ~0.1 s of CPU per call, on the caller's (HTTP worker)
 * thread. At most hash_gate.max_running hashes run at once and at most hash_gate.max_waiting
 * callers wait (AUTH_HASH_WAIT_MS at most) for a turn; others fail at once with
 * CK_E_THROTTLED, so sign-in floods cannot occupy every worker thread.
 */
#include "domain/auth.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/parse.h"
#include "store/auth_repo.h"
#include "x509/crypto.h"

#define AUTH_CACHE_SLOTS 1024 /* power of two */
#define AUTH_V1_PREFIX_LEN 6  /* hex digits of a v1 key kept as key_prefix */
#define AUTH_SALT_BYTES 16
#define AUTH_DK_BYTES 32
#define AUTH_SESSION_TTL_MAX (31 * 86400)
#define HASH_HEX 65	       /* SHA-256 hex + NUL */
#define AUTH_HASH_WAIT_MS 2000 /* longest wait for a turn at the password-hash gate */

static int pbkdf2_iterations = AUTH_PBKDF2_DEFAULT_ITER;

void auth_set_pbkdf2_iterations(int iterations)
{
	if (iterations >= 1 && iterations <= AUTH_PBKDF2_MAX_ITER)
		pbkdf2_iterations = iterations;
}

/* ---- the password-hash gate ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int max_running, max_waiting; /* limits */
	int running, waiting;	      /* current */
} hash_gate = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, AUTH_HASH_CONCURRENCY_DEFAULT, 0, 0, 0};

void auth_set_hash_limits(int concurrency, int waiters)
{
	pthread_mutex_lock(&hash_gate.lock);
	if (concurrency >= 1 && concurrency <= AUTH_HASH_CONCURRENCY_MAX)
		hash_gate.max_running = concurrency;
	if (waiters >= 0 && waiters <= AUTH_HASH_WAITERS_MAX)
		hash_gate.max_waiting = waiters;
	pthread_mutex_unlock(&hash_gate.lock);
}

/* Takes a turn to hash: 0, or CK_E_THROTTLED when every turn and waiting place is taken or
 * no turn came within AUTH_HASH_WAIT_MS. */
static int hash_gate_enter(void)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += AUTH_HASH_WAIT_MS / 1000;
	until.tv_nsec += (long)(AUTH_HASH_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&hash_gate.lock);
	if (hash_gate.running >= hash_gate.max_running) {
		if (hash_gate.waiting >= hash_gate.max_waiting) {
			rc = CK_E_THROTTLED;
		} else {
			hash_gate.waiting++;
			while (hash_gate.running >= hash_gate.max_running && !rc)
				if (pthread_cond_timedwait(&hash_gate.freed, &hash_gate.lock,
							   &until))
					rc = CK_E_THROTTLED;
			hash_gate.waiting--;
		}
	}
	if (!rc)
		hash_gate.running++;
	pthread_mutex_unlock(&hash_gate.lock);
	return rc;
}

static void hash_gate_leave(void)
{
	pthread_mutex_lock(&hash_gate.lock);
	hash_gate.running--;
	pthread_cond_signal(&hash_gate.freed);
	pthread_mutex_unlock(&hash_gate.lock);
}

/* ---- primitives ---- */

static void sha256_hex(const char *data, size_t n, char out[HASH_HEX])
{
	x509_sha256_hex(data, n, out);
}

/* `n` random bytes as 2n lower-case hex digits + NUL. */
static int random_hex(size_t n, char *out)
{
	unsigned char buf[64];

	if (n > sizeof(buf) || x509_random_bytes(buf, n) < 0)
		return CK_E_INTERNAL;
	x509_hex_encode(buf, n, out);
	x509_cleanse(buf, sizeof(buf));
	return 0;
}

/* `n` uniformly random alphanumerics + NUL (rejection sampling, no modulo bias). */
static int random_alnum(size_t n, char *out)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char b;
	size_t i = 0;

	while (i < n) {
		if (x509_random_bytes(&b, 1) < 0)
			return CK_E_INTERNAL;
		if (b < 248) /* 248 = 4 * 62 */
			out[i++] = set[b % 62];
	}
	out[n] = '\0';
	return 0;
}

int auth_random_password(char *out, size_t n)
{
	if (!n)
		return CK_E_INVALID;
	return random_alnum(n - 1, out);
}

int auth_secret_equal(const char *a, const char *b)
{
	if (!a || !b || strlen(a) != strlen(b))
		return 0;
	return x509_secure_equal(a, b, strlen(a));
}

static int all_of(const char *s, size_t n, int (*pred)(int))
{
	for (size_t i = 0; i < n; i++)
		if (!pred((unsigned char)s[i]))
			return 0;
	return 1;
}

static int64_t now_s(void) { return (int64_t)time(NULL); }

/* ---- users ---- */

static int username_ok(const char *u)
{
	size_t n = u ? strlen(u) : 0;

	if (n < 1 || n > AUTH_USERNAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)u[i]) && !strchr("@.+-_", u[i]))
			return 0;
	return 1;
}

_Static_assert(STORE_AUTH_NAME_MAX == AUTH_USERNAME_MAX, "username limits differ");
_Static_assert(STORE_AUTH_PREFIX_MAX == AUTH_V2_ID_LEN, "key prefix limits differ");
_Static_assert(STORE_AUTH_DESC_MAX == AUTH_DESCRIPTION_MAX, "description limits differ");

static void user_of(const struct store_auth_user *r, struct auth_user *u)
{
	u->id = r->id;
	memcpy(u->username, r->username, sizeof(u->username));
	u->is_superuser = r->is_superuser;
	u->is_active = r->is_active;
}

static int no_such_user(int rc, struct ck_error *err)
{
	return rc == CK_E_NOTFOUND ? ck_error_set(err, rc, NULL, "No such user.") : rc;
}

int auth_user_create(struct store_conn *c, const char *username, int superuser, int64_t *ret_id,
		     struct ck_error *err)
{
	int rc;

	if (!username_ok(username))
		return ck_error_set(err, CK_E_INVALID, "username",
				    "Enter a valid username: 1 to %d letters, digits and @/./+/-/_ "
				    "characters.",
				    AUTH_USERNAME_MAX);
	rc = store_auth_user_insert(c, username, superuser, now_s(), ret_id, err);
	if (rc == CK_E_DUPLICATE)
		ck_error_set(err, rc, "username", "A user with that username already exists.");
	return rc;
}

int auth_user_find(struct store_conn *c, const char *username, struct auth_user *ret,
		   struct ck_error *err)
{
	struct store_auth_user r;
	int rc;

	if (!username)
		return ck_error_set(err, CK_E_NOTFOUND, NULL, "No such user.");
	rc = store_auth_user_by_name(c, username, &r, err);
	if (rc < 0)
		return no_such_user(rc, err);
	user_of(&r, ret);
	return 0;
}

int auth_user_get(struct store_conn *c, int64_t id, struct auth_user *ret, struct ck_error *err)
{
	struct store_auth_user r;
	int rc = store_auth_user_by_id(c, id, &r, err);

	if (rc < 0)
		return no_such_user(rc, err);
	user_of(&r, ret);
	return 0;
}

int auth_user_list(struct store_conn *c, struct auth_user **ret, size_t *ret_n,
		   struct ck_error *err)
{
	struct store_auth_user *rows = NULL;
	struct auth_user *v = NULL;
	size_t n = 0;
	int rc = store_auth_user_list(c, &rows, &n, err);

	if (rc < 0)
		return rc;
	if (n && !(v = calloc(n, sizeof(*v)))) {
		free(rows);
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		user_of(&rows[i], &v[i]);
	free(rows);
	*ret = v;
	*ret_n = n;
	return 0;
}

int auth_user_count(struct store_conn *c, int64_t *ret)
{
	return store_auth_user_count(c, ret, NULL);
}

/* ---- passwords ---- */

/* base64 of PBKDF2-SHA256(password, salt text, iter) into out (≥ 45 bytes), computed at a
 * turn of the hash gate: 0, CK_E_THROTTLED (no turn) or CK_E_INTERNAL. */
static int pbkdf2_b64(const char *password, const char *salt, int iter, char out[48])
{
	unsigned char dk[AUTH_DK_BYTES];
	int rc = hash_gate_enter();

	if (rc < 0)
		return rc;
	rc = x509_pbkdf2_sha256(password, strlen(password), salt, strlen(salt), iter, dk,
				sizeof(dk));
	hash_gate_leave();
	if (rc == 0)
		x509_base64_encode(dk, sizeof(dk), out);
	x509_cleanse(dk, sizeof(dk));
	return rc;
}

static int password_ok(const char *password, struct ck_error *err)
{
	size_t n = password ? strlen(password) : 0;

	if (n == 0)
		return ck_error_set(err, CK_E_INVALID, "password", "This field may not be blank.");
	if (n > AUTH_PASSWORD_MAX)
		return ck_error_set(err, CK_E_TOOBIG, "password",
				    "Ensure this field has no more than %d characters.",
				    AUTH_PASSWORD_MAX);
	return 0;
}

/* Stores the hash and ends every session of the user, in one transaction (the caller's, or
 * one of its own). */
static int password_store(struct store_conn *c, const char *username, const char *stored,
			  struct ck_error *err)
{
	int own_tx = !store_in_tx(c);
	int rc = own_tx ? store_tx_begin(c, err) : 0;

	if (rc < 0)
		return rc;
	rc = store_auth_user_set_password_hash(c, username, stored, err);
	if (rc == CK_E_NOTFOUND)
		ck_error_set(err, rc, "username", "No such user.");
	if (!rc)
		rc = store_auth_sessions_delete_of_user(c, username, err);
	if (own_tx && !rc)
		return store_tx_commit(c, err);
	if (own_tx)
		store_tx_rollback(c);
	return rc;
}

int auth_user_set_password(struct store_conn *c, const char *username, const char *password,
			   struct ck_error *err)
{
	unsigned char raw[AUTH_SALT_BYTES];
	char salt[32], dk[48], stored[128];
	int rc = password_ok(password, err);

	if (rc < 0)
		return rc;
	if (x509_random_bytes(raw, sizeof(raw)) < 0)
		return ck_error_set(err, CK_E_INTERNAL, NULL, "no randomness");
	x509_base64_encode(raw, sizeof(raw), salt);
	rc = pbkdf2_b64(password, salt, pbkdf2_iterations, dk);
	if (rc == CK_E_THROTTLED)
		return ck_error_set(err, rc, NULL,
				    "Password hashing is busy; try again in a moment.");
	if (rc < 0)
		return ck_error_set(err, rc, NULL, "password hashing failed");
	snprintf(stored, sizeof(stored), "pbkdf2_sha256$%d$%s$%s", pbkdf2_iterations, salt, dk);
	return password_store(c, username ? username : "", stored, err);
}

/* Verifies `password` against a stored "pbkdf2_sha256$iter$salt$hash": 1 match, 0 not (a
 * malformed hash matches nothing), CK_E_THROTTLED when the hash gate gave no turn. */
static int password_matches(const char *stored, const char *password)
{
	char buf[256], dk[48];
	char *alg, *iter_s, *salt, *hash, *save = NULL;
	int64_t iter = 0;
	int rc;

	if (strlen(stored) >= sizeof(buf))
		return 0;
	memcpy(buf, stored, strlen(stored) + 1);
	alg = strtok_r(buf, "$", &save);
	iter_s = strtok_r(NULL, "$", &save);
	salt = strtok_r(NULL, "$", &save);
	hash = strtok_r(NULL, "$", &save);
	if (!alg || !iter_s || !salt || !hash || strcmp(alg, "pbkdf2_sha256") ||
	    ck_parse_i64(iter_s, 1, AUTH_PBKDF2_MAX_ITER, &iter) < 0)
		return 0;
	rc = pbkdf2_b64(password, salt, (int)iter, dk);
	if (rc == CK_E_THROTTLED)
		return rc;
	if (rc < 0 || strlen(hash) != strlen(dk))
		return 0;
	return x509_secure_equal(dk, hash, strlen(dk));
}

/* Spends the same work as a real check (for unknown users): 0 or CK_E_THROTTLED. */
static int password_dummy_work(const char *password)
{
	char dk[48];

	return pbkdf2_b64(password, "certkeeper-dummy-salt", pbkdf2_iterations, dk) ==
		       CK_E_THROTTLED
		   ? CK_E_THROTTLED
		   : 0;
}

static int busy(struct ck_error *err)
{
	return ck_error_set(err, CK_E_THROTTLED, NULL, "Sign-in is busy; try again in a moment.");
}

int auth_user_check_password(struct store_conn *c, const char *username, const char *password,
			     struct auth_user *ret, struct ck_error *err)
{
	struct store_auth_user r;
	char stored[256] = "";
	int found, rc;

	if (password_ok(password, NULL) < 0 || !username_ok(username))
		return ck_error_set(err, CK_E_AUTH, NULL, "Invalid username or password.");
	rc = store_auth_user_credentials(c, username, &r, stored, sizeof(stored), err);
	if (rc < 0 && rc != CK_E_NOTFOUND)
		return rc;
	found = rc == 0;
	if (!found || !*stored) {
		if (password_dummy_work(password) < 0)
			return busy(err);
		return ck_error_set(err, CK_E_AUTH, NULL, "Invalid username or password.");
	}
	rc = password_matches(stored, password);
	if (rc < 0)
		return busy(err);
	if (!rc || !r.is_active)
		return ck_error_set(err, CK_E_AUTH, NULL, "Invalid username or password.");
	rc = store_auth_user_set_last_login(c, r.id, now_s(), err);
	if (rc < 0)
		return rc;
	user_of(&r, ret);
	return 0;
}

/* ---- the token cache ---- */

struct cache_entry {
	char hash[HASH_HEX]; /* "" = empty slot */
	int64_t generation;  /* authentication generation read before the row was loaded */
	int64_t cached_at;
	int64_t last_used;
	struct auth_user user;
	struct auth_token_info tok;
};

static struct {
	pthread_mutex_t lock;
	struct cache_entry slots[AUTH_CACHE_SLOTS];
} token_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct cache_entry *cache_slot(const char *hash)
{
	unsigned idx = 0;

	for (int i = 0; i < 4; i++) /* hex digits of a uniform hash */
		idx = idx * 16 + (unsigned)(isdigit((unsigned char)hash[i]) ? hash[i] - '0'
									    : hash[i] - 'a' + 10);
	return &token_cache.slots[idx & (AUTH_CACHE_SLOTS - 1)];
}

/* Copies the entry for `hash` into *ret when it was filled at `generation` and is fresh;
 * 1 when found. */
static int cache_get(const char *hash, int64_t generation, int64_t now, struct cache_entry *ret)
{
	struct cache_entry *e;
	int hit;

	pthread_mutex_lock(&token_cache.lock);
	e = cache_slot(hash);
	hit = !strcmp(e->hash, hash) && e->generation == generation &&
	      now - e->cached_at < AUTH_CACHE_TTL && now >= e->cached_at;
	if (hit)
		*ret = *e;
	pthread_mutex_unlock(&token_cache.lock);
	return hit;
}

static void cache_put(const struct cache_entry *in)
{
	pthread_mutex_lock(&token_cache.lock);
	*cache_slot(in->hash) = *in;
	pthread_mutex_unlock(&token_cache.lock);
}

static void cache_set_last_used(const char *hash, int64_t t)
{
	struct cache_entry *e;

	pthread_mutex_lock(&token_cache.lock);
	e = cache_slot(hash);
	if (!strcmp(e->hash, hash))
		e->last_used = t;
	pthread_mutex_unlock(&token_cache.lock);
}

void auth_cache_clear(void)
{
	pthread_mutex_lock(&token_cache.lock);
	for (size_t i = 0; i < AUTH_CACHE_SLOTS; i++)
		token_cache.slots[i].hash[0] = '\0';
	pthread_mutex_unlock(&token_cache.lock);
}

int auth_user_set_active(struct store_conn *c, int64_t user_id, int active, struct ck_error *err)
{
	return no_such_user(store_auth_user_set_active(c, user_id, active, err), err);
}

/* ---- tokens ---- */

/* Inserts a token row whose plaintext key is `key`. */
static int token_insert(struct store_conn *c, int64_t user_id, int write_enabled,
			const char *description, int64_t expires, const char *key,
			const char *prefix, int64_t *ret_id, struct ck_error *err)
{
	char hash[HASH_HEX];
	int rc;

	sha256_hex(key, strlen(key), hash);
	rc = store_auth_token_insert(c, user_id, hash, prefix, description, write_enabled, expires,
				     now_s(), ret_id, err);
	if (rc == CK_E_INVALID)
		ck_error_set(err, rc, "user", "Invalid pk \"%lld\" - object does not exist.",
			     (long long)user_id);
	return rc;
}

static int description_ok(const char *d, struct ck_error *err)
{
	if (d && strlen(d) > AUTH_DESCRIPTION_MAX)
		return ck_error_set(err, CK_E_TOOBIG, "description",
				    "Ensure this field has no more than %d characters.",
				    AUTH_DESCRIPTION_MAX);
	return 0;
}

/* Hands `key` to the caller as a fresh heap copy. */
static int key_out(const char *key, int64_t id, char **ret_key, int64_t *ret_id,
		   struct ck_error *err)
{
	char *copy = strdup(key);

	if (!copy)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	*ret_key = copy;
	if (ret_id)
		*ret_id = id;
	return 0;
}

int auth_token_create(struct store_conn *c, int64_t user_id, int write_enabled,
		      const char *description, int64_t expires, char **ret_key, int64_t *ret_id,
		      struct ck_error *err)
{
	char key[AUTH_V1_KEY_LEN + 1], prefix[AUTH_V1_PREFIX_LEN + 1];
	int64_t id = 0;
	int rc = description_ok(description, err);

	if (rc < 0)
		return rc;
	if (random_hex(AUTH_V1_KEY_LEN / 2, key) < 0)
		return ck_error_set(err, CK_E_INTERNAL, NULL, "no randomness");
	memcpy(prefix, key, AUTH_V1_PREFIX_LEN);
	prefix[AUTH_V1_PREFIX_LEN] = '\0';
	rc = token_insert(c, user_id, write_enabled, description, expires, key, prefix, &id, err);
	if (rc == 0)
		rc = key_out(key, id, ret_key, ret_id, err);
	x509_cleanse(key, sizeof(key));
	return rc;
}

int auth_token_create_v2(struct store_conn *c, int64_t user_id, int write_enabled,
			 const char *description, int64_t expires, char **ret_key, int64_t *ret_id,
			 struct ck_error *err)
{
	char id_part[AUTH_V2_ID_LEN + 1], secret[AUTH_V2_SECRET_LEN + 1];
	char key[4 + AUTH_V2_ID_LEN + 1 + AUTH_V2_SECRET_LEN + 1];
	int64_t id = 0;
	int rc = description_ok(description, err);

	if (rc < 0)
		return rc;
	if (random_alnum(AUTH_V2_ID_LEN, id_part) < 0 ||
	    random_alnum(AUTH_V2_SECRET_LEN, secret) < 0)
		return ck_error_set(err, CK_E_INTERNAL, NULL, "no randomness");
	snprintf(key, sizeof(key), "nbt_%s.%s", id_part, secret);
	rc = token_insert(c, user_id, write_enabled, description, expires, key, id_part, &id, err);
	if (rc == 0)
		rc = key_out(key, id, ret_key, ret_id, err);
	x509_cleanse(key, sizeof(key));
	x509_cleanse(secret, sizeof(secret));
	return rc;
}

/* Extracts the key of an Authorization value into out (the text hashed into key_hash).
 * 0, or -1 when the value is not one of the two accepted forms. */
static int header_key(const char *v, char *out, size_t size)
{
	const char *p = v, *cred;
	size_t scheme_len, n;

	while (*p == ' ' || *p == '\t')
		p++;
	scheme_len = strcspn(p, " \t");
	cred = p + scheme_len;
	while (*cred == ' ' || *cred == '\t')
		cred++;
	n = strcspn(cred, " \t\r\n");
	if (n == 0 || n >= size || cred[n + strspn(cred + n, " \t")] != '\0')
		return -1;
	if (scheme_len == 5 && !strncasecmp(p, "Token", 5) && n == AUTH_V1_KEY_LEN &&
	    all_of(cred, n, isxdigit)) {
		for (size_t i = 0; i < n; i++)
			out[i] = (char)tolower((unsigned char)cred[i]);
		out[n] = '\0';
		return 0;
	}
	if (scheme_len == 6 && !strncasecmp(p, "Bearer", 6) &&
	    n == 4 + AUTH_V2_ID_LEN + 1 + AUTH_V2_SECRET_LEN && !strncmp(cred, "nbt_", 4) &&
	    cred[4 + AUTH_V2_ID_LEN] == '.' && all_of(cred + 4, AUTH_V2_ID_LEN, isalnum) &&
	    all_of(cred + 5 + AUTH_V2_ID_LEN, AUTH_V2_SECRET_LEN, isalnum)) {
		memcpy(out, cred, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

/* Reads the token `hash` with its user into *ret (hash and cached_at set). */
static int token_load(struct store_conn *c, const char *hash, int64_t now, struct cache_entry *ret,
		      struct ck_error *err)
{
	struct store_auth_user u;
	struct store_auth_token t;
	int rc = store_auth_token_by_hash(c, hash, &u, &t, err);

	if (rc == CK_E_NOTFOUND)
		return ck_error_set(err, CK_E_AUTH, NULL, "Invalid token");
	if (rc < 0)
		return rc;
	memset(ret, 0, sizeof(*ret));
	user_of(&u, &ret->user);
	ret->tok.id = t.id;
	ret->tok.user_id = t.user_id;
	ret->tok.write_enabled = t.write_enabled;
	ret->tok.expires = t.expires;
	ret->last_used = t.last_used;
	memcpy(ret->hash, hash, HASH_HEX);
	ret->cached_at = now;
	return 0;
}

/* Records use of the token at most every AUTH_LAST_USED_EVERY seconds; errors ignored. */
static void token_touch(struct store_conn *c, const struct cache_entry *e, int64_t now)
{
	if (now - e->last_used < AUTH_LAST_USED_EVERY && now >= e->last_used)
		return;
	if (store_auth_token_touch(c, e->tok.id, now, NULL) == 0)
		cache_set_last_used(e->hash, now);
}

int auth_authenticate_header(struct store_conn *c, const char *authorization,
			     struct auth_user *ret_user, struct auth_token_info *ret_tok,
			     struct ck_error *err)
{
	char key[AUTH_HEADER_MAX + 1], hash[HASH_HEX];
	struct cache_entry e = {0};
	int64_t now = now_s(), generation = 0;
	int rc;

	if (!authorization || !authorization[strspn(authorization, " \t")])
		return ck_error_set(err, CK_E_AUTH, NULL,
				    "Authentication credentials were not provided.");
	if (strlen(authorization) > AUTH_HEADER_MAX ||
	    header_key(authorization, key, sizeof(key)) < 0)
		return ck_error_set(err, CK_E_AUTH, NULL, "Invalid token");
	sha256_hex(key, strlen(key), hash);
	x509_cleanse(key, sizeof(key));
	/* the generation first: a change committed after this read moves it past the entry */
	rc = store_auth_generation(c, &generation, err);
	if (rc < 0)
		return rc;
	if (!cache_get(hash, generation, now, &e)) {
		rc = token_load(c, hash, now, &e, err);
		if (rc < 0)
			return rc;
		e.generation = generation;
		if (e.user.is_active && (e.tok.expires == 0 || e.tok.expires > now))
			cache_put(&e);
	}
	if (e.tok.expires != 0 && e.tok.expires <= now)
		return ck_error_set(err, CK_E_AUTH, NULL, "Token expired");
	if (!e.user.is_active)
		return ck_error_set(err, CK_E_AUTH, NULL, "User inactive");
	token_touch(c, &e, now);
	if (ret_user)
		*ret_user = e.user;
	if (ret_tok)
		*ret_tok = e.tok;
	return 0;
}

int auth_token_list(struct store_conn *c, int64_t user_id, struct auth_token_row **ret,
		    size_t *ret_n, struct ck_error *err)
{
	struct store_auth_token *rows = NULL;
	struct auth_token_row *v = NULL;
	size_t n = 0;
	int rc = store_auth_token_list(c, user_id, &rows, &n, err);

	if (rc < 0)
		return rc;
	if (n && !(v = calloc(n, sizeof(*v)))) {
		free(rows);
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		v[i].id = rows[i].id;
		v[i].user_id = rows[i].user_id;
		memcpy(v[i].key_prefix, rows[i].key_prefix, sizeof(v[i].key_prefix));
		memcpy(v[i].description, rows[i].description, sizeof(v[i].description));
		v[i].write_enabled = rows[i].write_enabled;
		v[i].expires = rows[i].expires;
		v[i].last_used = rows[i].last_used;
		v[i].created = rows[i].created;
	}
	free(rows);
	*ret = v;
	*ret_n = n;
	return 0;
}

int auth_token_delete(struct store_conn *c, int64_t token_id, struct ck_error *err)
{
	int rc = store_auth_token_delete(c, token_id, err);

	if (rc == CK_E_NOTFOUND)
		return ck_error_set(err, rc, NULL, "No Token matches the given query.");
	return rc;
}

/* ---- sessions ---- */

static int session_key_ok(const char *k)
{
	return k && strlen(k) == AUTH_SESSION_KEY_LEN && all_of(k, AUTH_SESSION_KEY_LEN, isxdigit);
}

int auth_session_create(struct store_conn *c, int64_t user_id, int64_t ttl_s,
			char **ret_session_key, char **ret_csrf, struct ck_error *err)
{
	char key[AUTH_SESSION_KEY_LEN + 1], csrf[AUTH_SESSION_KEY_LEN + 1], hash[HASH_HEX];
	char *key_copy = NULL, *csrf_copy = NULL;
	int64_t now = now_s();
	int rc;

	if (ttl_s < 1 || ttl_s > AUTH_SESSION_TTL_MAX)
		return ck_error_set(err, CK_E_INVALID, "ttl", "session lifetime out of range");
	if (random_hex(AUTH_SESSION_KEY_LEN / 2, key) < 0 ||
	    random_hex(AUTH_SESSION_KEY_LEN / 2, csrf) < 0)
		return ck_error_set(err, CK_E_INTERNAL, NULL, "no randomness");
	sha256_hex(key, AUTH_SESSION_KEY_LEN, hash);
	rc = store_auth_session_insert(c, user_id, hash, csrf, now, now + ttl_s, err);
	if (rc < 0)
		goto cleanse;
	key_copy = strdup(key);
	csrf_copy = strdup(csrf);
	if (!key_copy || !csrf_copy) {
		free(key_copy);
		free(csrf_copy);
		rc = ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
		goto cleanse;
	}
	*ret_session_key = key_copy;
	*ret_csrf = csrf_copy;
	rc = 0;
cleanse:
	x509_cleanse(key, sizeof(key));
	return rc;
}

int auth_session_lookup(struct store_conn *c, const char *session_key, struct auth_user *ret_user,
			char *ret_csrf, struct ck_error *err)
{
	char hash[HASH_HEX], csrf[AUTH_SESSION_KEY_LEN + 1] = "";
	struct store_auth_user u;
	int64_t expires = 0;
	int rc;

	if (!session_key_ok(session_key))
		return ck_error_set(err, CK_E_AUTH, NULL, "Invalid session");
	sha256_hex(session_key, AUTH_SESSION_KEY_LEN, hash);
	rc = store_auth_session_by_hash(c, hash, &u, csrf, sizeof(csrf), &expires, err);
	if (rc == CK_E_NOTFOUND)
		return ck_error_set(err, CK_E_AUTH, NULL, "Invalid session");
	if (rc < 0)
		return rc;
	if (expires <= now_s())
		return ck_error_set(err, CK_E_AUTH, NULL, "Session expired");
	if (!u.is_active)
		return ck_error_set(err, CK_E_AUTH, NULL, "User inactive");
	user_of(&u, ret_user);
	if (ret_csrf)
		memcpy(ret_csrf, csrf, sizeof(csrf));
	return 0;
}

int auth_session_delete(struct store_conn *c, const char *session_key)
{
	char hash[HASH_HEX];

	if (!session_key_ok(session_key))
		return 0;
	sha256_hex(session_key, AUTH_SESSION_KEY_LEN, hash);
	return store_auth_session_delete(c, hash, NULL);
}

int auth_session_purge(struct store_conn *c, int64_t now, int64_t *ret_n, struct ck_error *err)
{
	return store_auth_session_purge(c, now, ret_n, err);
}
