/* store/certificates — see certificates.h. */
#include "store/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_cert_current(struct store_conn *c, int64_t id, struct store_cert_current *cur,
		       struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "SELECT serial_number, issuer, fingerprint_sha256, status, valid_from, valid_to,"
	    " archived_at, common_name FROM certificates WHERE id = $1",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(cur->serial, sizeof(cur->serial), "%s", store_col_text(st, 0, NULL));
		snprintf(cur->issuer, sizeof(cur->issuer), "%s", store_col_text(st, 1, NULL));
		snprintf(cur->fingerprint, sizeof(cur->fingerprint), "%s",
			 store_col_text(st, 2, NULL));
		snprintf(cur->status, sizeof(cur->status), "%s", store_col_text(st, 3, NULL));
		cur->valid_from = store_col_i64(st, 4);
		cur->valid_to = store_col_i64(st, 5);
		cur->archived_at = store_col_is_null(st, 6) ? 0 : store_col_i64(st, 6);
		snprintf(cur->common_name, sizeof(cur->common_name), "%s",
			 store_col_text(st, 7, NULL));
		r = 0;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
	return r;
}

int store_cert_find_identity(struct store_conn *c, const char *serial_key, const char *issuer_key,
			     const char *fingerprint, int64_t exclude_id, int64_t *ret_id, char *cn,
			     size_t cnsz, char *serial, size_t serialsz, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "SELECT id, common_name, serial_number FROM certificates"
	    " WHERE ((serial_key = $1 AND issuer_key = $2) OR fingerprint_sha256 = $3) AND id <> $4"
	    " LIMIT 1",
	    &st, err);

	*ret_id = 0;
	if (r)
		return r;
	store_bind_text(st, 1, serial_key, (size_t)-1);
	store_bind_text(st, 2, issuer_key, (size_t)-1);
	store_bind_text(st, 3, fingerprint ? fingerprint : "", (size_t)-1);
	store_bind_i64(st, 4, exclude_id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		*ret_id = store_col_i64(st, 0);
		snprintf(cn, cnsz, "%s", store_col_text(st, 1, NULL));
		snprintf(serial, serialsz, "%s", store_col_text(st, 2, NULL));
	}
	store_done(st);
	return r < 0 ? r : 0;
}

int store_ca_each_pattern(struct store_conn *c,
			  int (*fn)(int64_t id, const char *pattern, void *arg), void *arg,
			  struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "SELECT id, issuer_pattern FROM certificate_authorities WHERE issuer_pattern <> ''"
	    " ORDER BY name",
	    &st, err);

	if (r)
		return r;
	while ((r = store_step(st, err)) == STORE_ROW) {
		const char *pat = store_col_text(st, 1, NULL);
		if (pat && *pat && fn(store_col_i64(st, 0), pat, arg))
			break;
	}
	store_done(st);
	return r < 0 ? r : 0;
}

int store_lifecycle_insert(struct store_conn *c, const struct store_lifecycle_event *ev,
			   struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "INSERT INTO lifecycle_events (certificate_id, event_type, timestamp, description,"
	    " old_status, new_status, related_certificate_id, actor)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, ev->cert_id);
	store_bind_text(st, 2, ev->type, (size_t)-1);
	store_bind_i64(st, 3, ev->timestamp);
	store_bind_text(st, 4, ev->description ? ev->description : "", (size_t)-1);
	store_bind_text(st, 5, ev->old_status ? ev->old_status : "", (size_t)-1);
	store_bind_text(st, 6, ev->new_status ? ev->new_status : "", (size_t)-1);
	if (ev->related)
		store_bind_i64(st, 7, ev->related);
	else
		store_bind_null(st, 7);
	store_bind_text(st, 8, ev->actor ? ev->actor : "", (size_t)-1);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

static int collect_ids(struct store_conn *c, const char *sql, int64_t id, const char *text,
		       int64_t **ret, size_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, sql, &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	if (text)
		store_bind_text(st, 2, text, (size_t)-1);
	return store_collect_i64(st, ret, ret_n, err);
}

int store_assignments_of_cert(struct store_conn *c, int64_t cert_id, int64_t **ret, size_t *ret_n,
			      struct ck_error *err)
{
	return collect_ids(c, "SELECT id FROM assignments WHERE certificate_id = $1 ORDER BY id",
			   cert_id, NULL, ret, ret_n, err);
}

int store_assignments_to(struct store_conn *c, const char *type, int64_t id, int64_t **ret,
			 size_t *ret_n, struct ck_error *err)
{
	return collect_ids(
	    c,
	    "SELECT id FROM assignments WHERE assigned_object_id = $1 AND assigned_object_type = $2"
	    " ORDER BY id",
	    id, type, ret, ret_n, err);
}

int store_services_of(struct store_conn *c, const char *parent, int64_t id, int64_t **ret,
		      size_t *ret_n, struct ck_error *err)
{
	return collect_ids(
	    c,
	    !strcmp(parent, "device")
		? "SELECT id FROM services WHERE device_id = $1 ORDER BY id"
		: "SELECT id FROM services WHERE virtual_machine_id = $1 ORDER BY id",
	    id, NULL, ret, ret_n, err);
}

int store_lifecycle_list(struct store_conn *c, int64_t cert_id, int limit, struct store_stmt **ret,
			 struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "SELECT id, event_type, timestamp, description, old_status, new_status,"
	    " related_certificate_id, actor FROM lifecycle_events WHERE certificate_id = $1"
	    " ORDER BY timestamp DESC, id DESC LIMIT $2",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, cert_id);
	store_bind_i64(st, 2, limit);
	*ret = st;
	return 0;
}

int store_lifecycle_next(struct store_stmt *st, struct store_lifecycle_event *ev,
			 struct ck_error *err)
{
	int r = store_step(st, err);

	if (r != STORE_ROW)
		return r < 0 ? r : 0;
	ev->id = store_col_i64(st, 0);
	ev->type = store_col_text(st, 1, NULL);
	ev->timestamp = store_col_i64(st, 2);
	ev->description = store_col_text(st, 3, NULL);
	ev->old_status = store_col_text(st, 4, NULL);
	ev->new_status = store_col_text(st, 5, NULL);
	ev->related = store_col_is_null(st, 6) ? 0 : store_col_i64(st, 6);
	ev->actor = store_col_text(st, 7, NULL);
	return 1;
}

int store_cert_brief(struct store_conn *c, int64_t id, struct store_cert_brief *ret,
		     struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, "SELECT common_name, status, issuer FROM certificates WHERE id = $1",
			    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(ret->common_name, sizeof(ret->common_name), "%s",
			 store_col_text(st, 0, NULL));
		snprintf(ret->status, sizeof(ret->status), "%s", store_col_text(st, 1, NULL));
		snprintf(ret->issuer, sizeof(ret->issuer), "%s", store_col_text(st, 2, NULL));
	}
	store_done(st);
	return r < 0 ? r : r == STORE_ROW;
}

int store_cert_state(struct store_conn *c, int64_t id, struct store_cert_state *ret,
		     struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    "SELECT status, common_name, COALESCE(tenant_id, 0), COALESCE(replaced_by, 0)"
	    " FROM certificates WHERE id = $1",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(ret->status, sizeof(ret->status), "%s", store_col_text(st, 0, NULL));
		snprintf(ret->common_name, sizeof(ret->common_name), "%s",
			 store_col_text(st, 1, NULL));
		ret->tenant_id = store_col_i64(st, 2);
		ret->replaced_by = store_col_i64(st, 3);
		r = 0;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
	return r;
}

int store_cert_tenant(struct store_conn *c, int64_t id, int64_t *ret, struct ck_error *err)
{
	return store_scalar_i64(c, "SELECT COALESCE(tenant_id, 0) FROM certificates WHERE id = $1",
				&id, 1, ret, err);
}

/* A copy of text column col of the current row ("" for NULL); NULL on out-of-memory. */
static char *col_dup(struct store_stmt *st, int col, size_t *ret_len)
{
	size_t n = 0;
	const char *s = store_col_text(st, col, &n);
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	if (s && n)
		memcpy(out, s, n);
	out[n] = '\0';
	*ret_len = s ? n : 0;
	return out;
}

int store_cert_pem(struct store_conn *c, int64_t id, char **ret_pem, size_t *ret_pem_len,
		   char **ret_chain, size_t *ret_chain_len, struct ck_error *err)
{
	struct store_stmt *st;
	char *pem = NULL, *chain = NULL;
	size_t pem_len = 0, chain_len = 0;
	int r = store_query(c, "SELECT pem_content, issuer_chain FROM certificates WHERE id = $1",
			    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_DONE)
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	if (r == STORE_ROW) {
		pem = col_dup(st, 0, &pem_len);
		chain = col_dup(st, 1, &chain_len);
		r = pem && chain ? 0 : CK_E_NOMEM;
	}
	store_done(st);
	if (r) {
		free(pem);
		free(chain);
		return r;
	}
	*ret_pem = pem;
	*ret_pem_len = pem_len;
	*ret_chain = chain;
	*ret_chain_len = chain_len;
	return 0;
}

int store_cert_renewal_candidate(struct store_conn *c, const char *cn, const char *fingerprint,
				 int64_t tenant_id, int64_t *ret_id, struct ck_error *err)
{
	struct store_stmt *st;
	int r =
	    store_query(c,
			"SELECT id FROM certificates WHERE common_name = $1 AND status = 'active'"
			" AND fingerprint_sha256 <> $2 AND ($3 = 0 OR tenant_id = $3)"
			" ORDER BY valid_to DESC, id DESC LIMIT 1",
			&st, err);

	if (r)
		return r;
	store_bind_text(st, 1, cn, (size_t)-1);
	store_bind_text(st, 2, fingerprint, (size_t)-1);
	store_bind_i64(st, 3, tenant_id);
	r = store_step(st, err);
	*ret_id = r == STORE_ROW ? store_col_i64(st, 0) : 0;
	store_done(st);
	return r < 0 ? r : 0;
}

/* Runs a statement of int64 parameters that returns no rows. */
static int exec_i64(struct store_conn *c, const char *sql, const int64_t *v, int n,
		    struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, sql, &st, err);

	if (r)
		return r;
	for (int i = 0; i < n; i++)
		store_bind_i64(st, i + 1, v[i]);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_cert_touch(struct store_conn *c, int64_t id, int64_t now, struct ck_error *err)
{
	const int64_t v[] = {now, id};

	return exec_i64(c, "UPDATE certificates SET last_updated = $1 WHERE id = $2", v, 2, err);
}

int store_cert_set_status(struct store_conn *c, int64_t id, const char *status, int set_replaced_by,
			  int64_t replaced_by, int64_t now, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    c,
	    set_replaced_by
		? "UPDATE certificates SET status = $1, last_updated = $2, replaced_by = $5,"
		  " archived_at = CASE WHEN $3 = 1 THEN COALESCE(archived_at, $2) ELSE archived_at "
		  "END"
		  " WHERE id = $4"
		: "UPDATE certificates SET status = $1, last_updated = $2,"
		  " archived_at = CASE WHEN $3 = 1 THEN COALESCE(archived_at, $2) ELSE archived_at "
		  "END"
		  " WHERE id = $4",
	    &st, err);

	if (r)
		return r;
	store_bind_text(st, 1, status, (size_t)-1);
	store_bind_i64(st, 2, now);
	store_bind_i64(st, 3, !strcmp(status, "archived"));
	store_bind_i64(st, 4, id);
	if (set_replaced_by && replaced_by)
		store_bind_i64(st, 5, replaced_by);
	else if (set_replaced_by)
		store_bind_null(st, 5);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_cert_sweep_candidates(struct store_conn *c, enum store_sweep_kind kind, int64_t bound,
				struct store_sweep_row *rows, size_t max, size_t *ret_n,
				struct ck_error *err)
{
	struct store_stmt *st;
	size_t n = 0;
	/* candidates in the order of certificates_status_valid_to_cn, so each batch reads its
	 * rows off the index instead of sorting every candidate (200k+ rows at 1M) */
	static const char *const sql[] = {
	    [STORE_SWEEP_EXPIRE] =
		"SELECT id, valid_to, common_name, status FROM certificates"
		" WHERE status = 'active' AND valid_to < $1 ORDER BY valid_to LIMIT $2",
	    [STORE_SWEEP_ARCHIVE_EXPIRED] =
		"SELECT id, valid_to, common_name, status FROM certificates"
		" WHERE status = 'expired' AND archive_pinned = 0 AND valid_to < $1"
		" ORDER BY valid_to LIMIT $2",
	    [STORE_SWEEP_ARCHIVE_REPLACED] =
		"SELECT id, valid_to, common_name, status FROM certificates"
		" WHERE status = 'replaced' AND archive_pinned = 0 AND valid_to < $1"
		" ORDER BY valid_to LIMIT $2",
	};
	int r = store_query(c, sql[kind], &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, bound);
	store_bind_i64(st, 2, (int64_t)max);
	while (n < max && (r = store_step(st, err)) == STORE_ROW) {
		rows[n].id = store_col_i64(st, 0);
		rows[n].valid_to = store_col_i64(st, 1);
		snprintf(rows[n].common_name, sizeof(rows[n].common_name), "%s",
			 store_col_text(st, 2, NULL));
		snprintf(rows[n].status, sizeof(rows[n].status), "%s", store_col_text(st, 3, NULL));
		n++;
	}
	store_done(st);
	if (r < 0)
		return r;
	*ret_n = n;
	return 0;
}
