/*
 * store/auth_repo — the statements of domain/auth: users, passwords, API tokens, browser
 * sessions and the authentication generation (tables users, tokens, sessions of migration 1,
 * auth_generation of migration 4). domain/auth holds no SQL text; it hashes, checks and
 * decides, this file reads and writes rows.
 *
 * Conventions (store.h): every function runs named statements on the caller's connection
 * (prepared once per connection by store_query's cache) and returns 0 or a negative CK_E_*
 * code — store errors as store.h describes them, plus CK_E_NOTFOUND where a function says so
 * (no such row; err->msg is generic, the domain words its own). `ret_` outputs are written
 * only on success. Text columns are copied into the caller's fixed-size fields, truncated to
 * their size. Thread-safe when each thread passes its own connection. Nothing here logs.
 */
#ifndef CK_STORE_AUTH_REPO_H
#define CK_STORE_AUTH_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define STORE_AUTH_NAME_MAX 150	  /* users.username characters kept (the domain's limit) */
#define STORE_AUTH_PREFIX_MAX 12  /* tokens.key_prefix */
#define STORE_AUTH_DESC_MAX 200	  /* tokens.description */
#define STORE_AUTH_SECRET_MAX 255 /* users.password_hash, sessions.csrf_token */

struct store_auth_user {
	int64_t id;
	char username[STORE_AUTH_NAME_MAX + 1];
	int is_superuser;
	int is_active;
};

struct store_auth_token {
	int64_t id;
	int64_t user_id;
	char key_prefix[STORE_AUTH_PREFIX_MAX + 1];
	char description[STORE_AUTH_DESC_MAX + 1];
	int write_enabled;
	int64_t expires;   /* 0 = never (NULL) */
	int64_t last_used; /* 0 = never */
	int64_t created;
};

/* ---- the authentication generation ---- */

/* The current authentication generation (table auth_generation): a number that every commit
 * changing a user's name, superuser or active flag or password, or a token's owner, key,
 * write flag or expiry — or deleting a user or token — increases, in the same transaction
 * (triggers of migration 4). One cheap primary-key read. */
int store_auth_generation(struct store_conn *c, int64_t *ret, struct ck_error *err);

/* ---- users ---- */

/* Inserts an active user without a password; *ret_id (optional) receives its id.
 * CK_E_DUPLICATE when the name is taken. */
int store_auth_user_insert(struct store_conn *c, const char *username, int superuser, int64_t now,
			   int64_t *ret_id, struct ck_error *err);

/* One user by name or by id; CK_E_NOTFOUND when absent. */
int store_auth_user_by_name(struct store_conn *c, const char *username, struct store_auth_user *ret,
			    struct ck_error *err);
int store_auth_user_by_id(struct store_conn *c, int64_t id, struct store_auth_user *ret,
			  struct ck_error *err);

/* Every user ordered by username; *ret is an array the caller frees (NULL when none). */
int store_auth_user_list(struct store_conn *c, struct store_auth_user **ret, size_t *ret_n,
			 struct ck_error *err);

/* Number of users. */
int store_auth_user_count(struct store_conn *c, int64_t *ret, struct ck_error *err);

/* The user named `username` and its stored password hash ("" = none) into ret_hash
 * (hash_size bytes, truncated). CK_E_NOTFOUND when absent. */
int store_auth_user_credentials(struct store_conn *c, const char *username,
				struct store_auth_user *ret_user, char *ret_hash, size_t hash_size,
				struct ck_error *err);

/* Replaces the password hash of `username`; CK_E_NOTFOUND when no such user. */
int store_auth_user_set_password_hash(struct store_conn *c, const char *username, const char *hash,
				      struct ck_error *err);

/* Sets users.last_login. */
int store_auth_user_set_last_login(struct store_conn *c, int64_t id, int64_t now,
				   struct ck_error *err);

/* Sets users.is_active; CK_E_NOTFOUND when no such user. */
int store_auth_user_set_active(struct store_conn *c, int64_t id, int active, struct ck_error *err);

/* ---- API tokens ---- */

/* Inserts a token (expires 0 = never); *ret_id receives its id. CK_E_INVALID when the user
 * does not exist (foreign key), CK_E_DUPLICATE for a key hash already stored. */
int store_auth_token_insert(struct store_conn *c, int64_t user_id, const char *key_hash,
			    const char *key_prefix, const char *description, int write_enabled,
			    int64_t expires, int64_t now, int64_t *ret_id, struct ck_error *err);

/* The token whose key hash is `key_hash`, with its owner. CK_E_NOTFOUND when absent. */
int store_auth_token_by_hash(struct store_conn *c, const char *key_hash,
			     struct store_auth_user *ret_user, struct store_auth_token *ret_tok,
			     struct ck_error *err);

/* Sets tokens.last_used. */
int store_auth_token_touch(struct store_conn *c, int64_t id, int64_t now, struct ck_error *err);

/* Tokens of one user (user_id > 0) or of everyone (0), by id; *ret caller frees. */
int store_auth_token_list(struct store_conn *c, int64_t user_id, struct store_auth_token **ret,
			  size_t *ret_n, struct ck_error *err);

/* Deletes a token; CK_E_NOTFOUND when absent. */
int store_auth_token_delete(struct store_conn *c, int64_t id, struct ck_error *err);

/* ---- browser sessions ---- */

/* Inserts a session. */
int store_auth_session_insert(struct store_conn *c, int64_t user_id, const char *session_hash,
			      const char *csrf, int64_t created, int64_t expires,
			      struct ck_error *err);

/* The session whose key hash is `session_hash`: its user, CSRF token (csrf_size bytes,
 * truncated) and expiry. CK_E_NOTFOUND when absent. */
int store_auth_session_by_hash(struct store_conn *c, const char *session_hash,
			       struct store_auth_user *ret_user, char *ret_csrf, size_t csrf_size,
			       int64_t *ret_expires, struct ck_error *err);

/* Deletes one session (absent: 0 too). */
int store_auth_session_delete(struct store_conn *c, const char *session_hash, struct ck_error *err);

/* Deletes every session of the user named `username`. */
int store_auth_sessions_delete_of_user(struct store_conn *c, const char *username,
				       struct ck_error *err);

/* Deletes every session with expires <= now; *ret_n (optional) receives how many. */
int store_auth_session_purge(struct store_conn *c, int64_t now, int64_t *ret_n,
			     struct ck_error *err);

#endif
