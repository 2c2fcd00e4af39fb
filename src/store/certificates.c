/* store/certificates — see certificates.h. */
#include "store/certificates.h"

#include <stdio.h>
#include <string.h>

int store_cert_current(struct store_conn *c, int64_t id, struct store_cert_current *cur, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c,
			    "SELECT serial_number, issuer, fingerprint_sha256, status, valid_from, valid_to,"
			    " archived_at, common_name FROM certificates WHERE id = $1", &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(cur->serial, sizeof(cur->serial), "%s", store_col_text(st, 0, NULL));
		snprintf(cur->issuer, sizeof(cur->issuer), "%s", store_col_text(st, 1, NULL));
		snprintf(cur->fingerprint, sizeof(cur->fingerprint), "%s", store_col_text(st, 2, NULL));
		snprintf(cur->status, sizeof(cur->status), "%s", store_col_text(st, 3, NULL));
		cur->valid_from = store_col_i64(st, 4);
		cur->valid_to = store_col_i64(st, 5);
		cur->archived_at = store_col_is_null(st, 6) ? 0 : store_col_i64(st, 6);
		snprintf(cur->common_name, sizeof(cur->common_name), "%s", store_col_text(st, 7, NULL));
		r = 0;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
	return r;
}

int store_cert_find_identity(struct store_conn *c, const char *serial_key, const char *issuer_key,
			     const char *fingerprint, int64_t exclude_id, int64_t *ret_id, char *cn, size_t cnsz,
			     char *serial, size_t serialsz, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c,
			    "SELECT id, common_name, serial_number FROM certificates"
			    " WHERE ((serial_key = $1 AND issuer_key = $2) OR fingerprint_sha256 = $3) AND id <> $4"
			    " LIMIT 1", &st, err);

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

int store_ca_each_pattern(struct store_conn *c, int (*fn)(int64_t id, const char *pattern, void *arg), void *arg,
			  struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c, "SELECT id, issuer_pattern FROM certificate_authorities WHERE issuer_pattern <> ''"
			       " ORDER BY name", &st, err);

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

int store_lifecycle_insert(struct store_conn *c, const struct store_lifecycle_event *ev, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(c,
			    "INSERT INTO lifecycle_events (certificate_id, event_type, timestamp, description,"
			    " old_status, new_status, related_certificate_id, actor)"
			    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", &st, err);

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

static int collect_ids(struct store_conn *c, const char *sql, int64_t id, const char *text, int64_t **ret,
		       size_t *ret_n, struct ck_error *err)
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
	return collect_ids(c, "SELECT id FROM assignments WHERE certificate_id = $1 ORDER BY id", cert_id, NULL, ret,
			   ret_n, err);
}

int store_assignments_to(struct store_conn *c, const char *type, int64_t id, int64_t **ret, size_t *ret_n,
			 struct ck_error *err)
{
	return collect_ids(c, "SELECT id FROM assignments WHERE assigned_object_id = $1 AND assigned_object_type = $2"
			      " ORDER BY id", id, type, ret, ret_n, err);
}

int store_services_of(struct store_conn *c, const char *parent, int64_t id, int64_t **ret, size_t *ret_n,
		      struct ck_error *err)
{
	return collect_ids(c, !strcmp(parent, "device") ? "SELECT id FROM services WHERE device_id = $1 ORDER BY id"
							 : "SELECT id FROM services WHERE virtual_machine_id = $1 ORDER BY id",
			   id, NULL, ret, ret_n, err);
}
