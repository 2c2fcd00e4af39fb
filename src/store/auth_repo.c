/* store/auth_repo — see auth_repo.h. The named statements first, then one small function
 * per statement. */
#include "store/auth_repo.h"

#include <stdio.h>
#include <stdlib.h>

#define USER_COLS "u.id, u.username, u.is_superuser, u.is_active"

static const char sql_generation[] = "SELECT value FROM auth_generation WHERE id = 1";
static const char sql_user_insert[] =
    "INSERT INTO users (username, is_superuser, created, last_updated) VALUES ($1, $2, $3, $3)"
    " RETURNING id";
static const char sql_user_by_name[] = "SELECT " USER_COLS " FROM users u WHERE u.username = $1";
static const char sql_user_by_id[] = "SELECT " USER_COLS " FROM users u WHERE u.id = $1";
static const char sql_user_list[] = "SELECT " USER_COLS " FROM users u ORDER BY u.username";
static const char sql_user_count[] = "SELECT COUNT(*) FROM users";
static const char sql_user_credentials[] =
    "SELECT " USER_COLS ", u.password_hash FROM users u WHERE u.username = $1";
static const char sql_user_set_password[] =
    "UPDATE users SET password_hash = $1 WHERE username = $2";
static const char sql_user_set_last_login[] = "UPDATE users SET last_login = $1 WHERE id = $2";
static const char sql_user_set_active[] = "UPDATE users SET is_active = $1 WHERE id = $2";
static const char sql_token_insert[] =
    "INSERT INTO tokens (user_id, key_hash, key_prefix, description, write_enabled, expires,"
    " created, last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
static const char sql_token_by_hash[] =
    "SELECT " USER_COLS ", t.id, t.write_enabled, t.expires, t.last_used, t.key_prefix,"
    " t.description, t.created FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.key_hash = "
    "$1";
static const char sql_token_touch[] = "UPDATE tokens SET last_used = $1 WHERE id = $2";
static const char sql_token_list[] =
    "SELECT id, user_id, key_prefix, description, write_enabled, expires, last_used, created"
    " FROM tokens WHERE $1 = 0 OR user_id = $1 ORDER BY id";
static const char sql_token_delete[] = "DELETE FROM tokens WHERE id = $1";
static const char sql_session_insert[] =
    "INSERT INTO sessions (user_id, session_hash, csrf_token, created, expires)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char sql_session_by_hash[] =
    "SELECT " USER_COLS ", s.csrf_token, s.expires FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.session_hash = $1";
static const char sql_session_delete[] = "DELETE FROM sessions WHERE session_hash = $1";
static const char sql_sessions_of_user[] =
    "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)";
static const char sql_session_purge[] = "DELETE FROM sessions WHERE expires <= $1";

/* ---- helpers ---- */

static void copy_text(struct store_stmt *s, int col, char *out, size_t size)
{
	const char *t = store_col_text(s, col, NULL);

	snprintf(out, size, "%s", t ? t : "");
}

/* Columns first..first+3 (id, username, is_superuser, is_active) of the current row. */
static void user_from_row(struct store_stmt *s, int first, struct store_auth_user *u)
{
	u->id = store_col_i64(s, first);
	copy_text(s, first + 1, u->username, sizeof(u->username));
	u->is_superuser = store_col_i64(s, first + 2) != 0;
	u->is_active = store_col_i64(s, first + 3) != 0;
}

static int not_found(struct ck_error *err)
{
	return ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
}

/* Steps a bound write to its end; CK_E_NOTFOUND when `need_row` and it changed nothing. */
static int run_write(struct store_conn *c, struct store_stmt *s, int need_row, struct ck_error *err)
{
	int rc = store_step(s, err);

	store_done(s);
	if (rc < 0)
		return rc;
	return need_row && store_changes(c) < 1 ? not_found(err) : 0;
}

/* Steps an INSERT ... RETURNING id and writes the id to *ret_id (optional). */
static int run_insert_id(struct store_stmt *s, int64_t *ret_id, struct ck_error *err)
{
	int rc = store_step(s, err);

	if (rc == STORE_ROW) {
		if (ret_id)
			*ret_id = store_col_i64(s, 0);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ck_error_set(err, CK_E_DB, NULL, "insert returned no id");
	}
	store_done(s);
	return rc;
}

/* ---- generation ---- */

int store_auth_generation(struct store_conn *c, int64_t *ret, struct ck_error *err)
{
	return store_scalar_i64(c, sql_generation, NULL, 0, ret, err);
}

/* ---- users ---- */

int store_auth_user_insert(struct store_conn *c, const char *username, int superuser, int64_t now,
			   int64_t *ret_id, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_user_insert, &s, err);

	if (rc < 0)
		return rc;
	store_bind_text(s, 1, username, (size_t)-1);
	store_bind_i64(s, 2, superuser ? 1 : 0);
	store_bind_i64(s, 3, now);
	return run_insert_id(s, ret_id, err);
}

/* Runs a one-row user query with one bound parameter (text when `key`, else `id`). */
static int user_query(struct store_conn *c, const char *sql, const char *key, int64_t id,
		      struct store_auth_user *ret, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql, &s, err);

	if (rc < 0)
		return rc;
	if (key)
		store_bind_text(s, 1, key, (size_t)-1);
	else
		store_bind_i64(s, 1, id);
	rc = store_step(s, err);
	if (rc == STORE_ROW) {
		user_from_row(s, 0, ret);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = not_found(err);
	}
	store_done(s);
	return rc;
}

int store_auth_user_by_name(struct store_conn *c, const char *username, struct store_auth_user *ret,
			    struct ck_error *err)
{
	return user_query(c, sql_user_by_name, username, 0, ret, err);
}

int store_auth_user_by_id(struct store_conn *c, int64_t id, struct store_auth_user *ret,
			  struct ck_error *err)
{
	return user_query(c, sql_user_by_id, NULL, id, ret, err);
}

/* Grows *v (elements of `size` bytes) so that one more fits; 0 or CK_E_NOMEM. */
static int grow(void **v, size_t n, size_t *cap, size_t size, struct ck_error *err)
{
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, (*cap ? *cap * 2 : 8) * size);
	if (!nv)
		return ck_error_set(err, CK_E_NOMEM, NULL, "out of memory");
	*v = nv;
	*cap = *cap ? *cap * 2 : 8;
	return 0;
}

int store_auth_user_list(struct store_conn *c, struct store_auth_user **ret, size_t *ret_n,
			 struct ck_error *err)
{
	struct store_stmt *s = NULL;
	struct store_auth_user *v = NULL;
	size_t n = 0, cap = 0;
	int rc = store_query(c, sql_user_list, &s, err);

	if (rc < 0)
		return rc;
	while ((rc = store_step(s, err)) == STORE_ROW) {
		if ((rc = grow((void **)&v, n, &cap, sizeof(*v), err)))
			break;
		user_from_row(s, 0, &v[n++]);
	}
	store_done(s);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int store_auth_user_count(struct store_conn *c, int64_t *ret, struct ck_error *err)
{
	return store_scalar_i64(c, sql_user_count, NULL, 0, ret, err);
}

int store_auth_user_credentials(struct store_conn *c, const char *username,
				struct store_auth_user *ret_user, char *ret_hash, size_t hash_size,
				struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_user_credentials, &s, err);

	if (rc < 0)
		return rc;
	store_bind_text(s, 1, username, (size_t)-1);
	rc = store_step(s, err);
	if (rc == STORE_ROW) {
		user_from_row(s, 0, ret_user);
		copy_text(s, 4, ret_hash, hash_size);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = not_found(err);
	}
	store_done(s);
	return rc;
}

int store_auth_user_set_password_hash(struct store_conn *c, const char *username, const char *hash,
				      struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_user_set_password, &s, err);

	if (rc < 0)
		return rc;
	store_bind_text(s, 1, hash, (size_t)-1);
	store_bind_text(s, 2, username, (size_t)-1);
	return run_write(c, s, 1, err);
}

int store_auth_user_set_last_login(struct store_conn *c, int64_t id, int64_t now,
				   struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_user_set_last_login, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, now);
	store_bind_i64(s, 2, id);
	return run_write(c, s, 0, err);
}

int store_auth_user_set_active(struct store_conn *c, int64_t id, int active, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_user_set_active, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, active ? 1 : 0);
	store_bind_i64(s, 2, id);
	return run_write(c, s, 1, err);
}

/* ---- tokens ---- */

int store_auth_token_insert(struct store_conn *c, int64_t user_id, const char *key_hash,
			    const char *key_prefix, const char *description, int write_enabled,
			    int64_t expires, int64_t now, int64_t *ret_id, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_token_insert, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, user_id);
	store_bind_text(s, 2, key_hash, (size_t)-1);
	store_bind_text(s, 3, key_prefix, (size_t)-1);
	store_bind_text(s, 4, description ? description : "", (size_t)-1);
	store_bind_i64(s, 5, write_enabled ? 1 : 0);
	if (expires > 0)
		store_bind_i64(s, 6, expires); /* else NULL: never */
	store_bind_i64(s, 7, now);
	return run_insert_id(s, ret_id, err);
}

int store_auth_token_by_hash(struct store_conn *c, const char *key_hash,
			     struct store_auth_user *ret_user, struct store_auth_token *ret_tok,
			     struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_token_by_hash, &s, err);

	if (rc < 0)
		return rc;
	store_bind_text(s, 1, key_hash, (size_t)-1);
	rc = store_step(s, err);
	if (rc == STORE_ROW) {
		user_from_row(s, 0, ret_user);
		ret_tok->id = store_col_i64(s, 4);
		ret_tok->user_id = ret_user->id;
		ret_tok->write_enabled = store_col_i64(s, 5) != 0;
		ret_tok->expires = store_col_i64(s, 6); /* NULL → 0 */
		ret_tok->last_used = store_col_i64(s, 7);
		copy_text(s, 8, ret_tok->key_prefix, sizeof(ret_tok->key_prefix));
		copy_text(s, 9, ret_tok->description, sizeof(ret_tok->description));
		ret_tok->created = store_col_i64(s, 10);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = not_found(err);
	}
	store_done(s);
	return rc;
}

int store_auth_token_touch(struct store_conn *c, int64_t id, int64_t now, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_token_touch, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, now);
	store_bind_i64(s, 2, id);
	return run_write(c, s, 0, err);
}

static void token_from_row(struct store_stmt *s, struct store_auth_token *r)
{
	r->id = store_col_i64(s, 0);
	r->user_id = store_col_i64(s, 1);
	copy_text(s, 2, r->key_prefix, sizeof(r->key_prefix));
	copy_text(s, 3, r->description, sizeof(r->description));
	r->write_enabled = store_col_i64(s, 4) != 0;
	r->expires = store_col_i64(s, 5);
	r->last_used = store_col_i64(s, 6);
	r->created = store_col_i64(s, 7);
}

int store_auth_token_list(struct store_conn *c, int64_t user_id, struct store_auth_token **ret,
			  size_t *ret_n, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	struct store_auth_token *v = NULL;
	size_t n = 0, cap = 0;
	int rc = store_query(c, sql_token_list, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, user_id);
	while ((rc = store_step(s, err)) == STORE_ROW) {
		if ((rc = grow((void **)&v, n, &cap, sizeof(*v), err)))
			break;
		token_from_row(s, &v[n++]);
	}
	store_done(s);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int store_auth_token_delete(struct store_conn *c, int64_t id, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_token_delete, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, id);
	return run_write(c, s, 1, err);
}

/* ---- sessions ---- */

int store_auth_session_insert(struct store_conn *c, int64_t user_id, const char *session_hash,
			      const char *csrf, int64_t created, int64_t expires,
			      struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_session_insert, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, user_id);
	store_bind_text(s, 2, session_hash, (size_t)-1);
	store_bind_text(s, 3, csrf, (size_t)-1);
	store_bind_i64(s, 4, created);
	store_bind_i64(s, 5, expires);
	return run_write(c, s, 0, err);
}

int store_auth_session_by_hash(struct store_conn *c, const char *session_hash,
			       struct store_auth_user *ret_user, char *ret_csrf, size_t csrf_size,
			       int64_t *ret_expires, struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_session_by_hash, &s, err);

	if (rc < 0)
		return rc;
	store_bind_text(s, 1, session_hash, (size_t)-1);
	rc = store_step(s, err);
	if (rc == STORE_ROW) {
		user_from_row(s, 0, ret_user);
		copy_text(s, 4, ret_csrf, csrf_size);
		*ret_expires = store_col_i64(s, 5);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = not_found(err);
	}
	store_done(s);
	return rc;
}

/* Runs a DELETE with one text parameter. */
static int delete_by_text(struct store_conn *c, const char *sql, const char *v,
			  struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql, &s, err);

	if (rc < 0)
		return rc;
	store_bind_text(s, 1, v, (size_t)-1);
	return run_write(c, s, 0, err);
}

int store_auth_session_delete(struct store_conn *c, const char *session_hash, struct ck_error *err)
{
	return delete_by_text(c, sql_session_delete, session_hash, err);
}

int store_auth_sessions_delete_of_user(struct store_conn *c, const char *username,
				       struct ck_error *err)
{
	return delete_by_text(c, sql_sessions_of_user, username, err);
}

int store_auth_session_purge(struct store_conn *c, int64_t now, int64_t *ret_n,
			     struct ck_error *err)
{
	struct store_stmt *s = NULL;
	int rc = store_query(c, sql_session_purge, &s, err);

	if (rc < 0)
		return rc;
	store_bind_i64(s, 1, now);
	rc = run_write(c, s, 0, err);
	if (!rc && ret_n)
		*ret_n = store_changes(c);
	return rc;
}
