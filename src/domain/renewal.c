/* domain/renewal — see renewal.h. */
#include "domain/renewal.h"
#include "core/strbuf.h"
#include "domain/assignment.h"
#include "domain/certificate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* status, tenant, replaced_by and CN of a certificate. */
struct cert_state {
	char status[16];
	char cn[256];
	int64_t tenant_id, replaced_by;
};

static int load_state(const struct dom_ctx *ctx, int64_t id, struct cert_state *ret,
		      struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(
	    ctx->conn,
	    "SELECT status, common_name, COALESCE(tenant_id, 0), COALESCE(replaced_by, 0)"
	    " FROM certificates WHERE id = $1",
	    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, id);
	r = store_step(st, err);
	if (r == STORE_ROW) {
		snprintf(ret->status, sizeof(ret->status), "%s", store_col_text(st, 0, NULL));
		snprintf(ret->cn, sizeof(ret->cn), "%s", store_col_text(st, 1, NULL));
		ret->tenant_id = store_col_i64(st, 2);
		ret->replaced_by = store_col_i64(st, 3);
		r = 0;
	} else if (r == STORE_DONE) {
		r = ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	}
	store_done(st);
	return r;
}

int dom_renewal_begin(const struct dom_ctx *ctx, int64_t old_id, struct dom_renewal_old *ret,
		      struct ck_error *err)
{
	struct cert_state s;
	int r = load_state(ctx, old_id, &s, err);

	if (r)
		return r;
	if (strcmp(s.status, "active"))
		return ck_error_set(
		    err, CK_E_CONFLICT, NULL,
		    "Only an active certificate can be renewed; certificate %lld is %s.",
		    (long long)old_id, s.status);
	ret->id = old_id;
	ret->tenant_id = s.tenant_id;
	snprintf(ret->common_name, sizeof(ret->common_name), "%s", s.cn);
	return 0;
}

int dom_cert_assignment_ids(const struct dom_ctx *ctx, int64_t cert_id, int64_t **ret,
			    size_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ctx->conn,
			    "SELECT id FROM assignments WHERE certificate_id = $1 ORDER BY id", &st,
			    err);

	if (r)
		return r;
	store_bind_i64(st, 1, cert_id);
	return store_collect_i64(st, ret, ret_n, err);
}

/* Type and id of one assignment. */
static int assignment_target(const struct dom_ctx *ctx, int64_t aid, struct dom_target *ret,
			     struct ck_error *err)
{
	struct store_stmt *st;
	char type[40] = "";
	int64_t obj = 0;
	int r = store_query(
	    ctx->conn,
	    "SELECT assigned_object_type, assigned_object_id FROM assignments WHERE id = $1", &st,
	    err);

	if (r)
		return r;
	store_bind_i64(st, 1, aid);
	if ((r = store_step(st, err)) == STORE_ROW) {
		snprintf(type, sizeof(type), "%s", store_col_text(st, 0, NULL));
		obj = store_col_i64(st, 1);
	}
	store_done(st);
	if (r < 0)
		return r;
	return dom_target_get(ctx, type, obj, ret, err);
}

int dom_renewal_check_tenant(const struct dom_ctx *ctx, int64_t old_id, int64_t tenant_id,
			     struct ck_error *err)
{
	struct strbuf names;
	struct dom_target t;
	int64_t *ids = NULL;
	size_t n = 0, bad = 0;
	int r;

	if (!tenant_id)
		return 0;
	if ((r = dom_cert_assignment_ids(ctx, old_id, &ids, &n, err)))
		return r;
	strbuf_init(&names, 4096);
	for (size_t i = 0; i < n && !r; i++) {
		r = assignment_target(ctx, ids[i], &t, err);
		if (r == CK_E_NOTFOUND) /* a dangling target has no tenant to conflict with */
			r = 0;
		else if (!r && t.tenant_id && t.tenant_id != tenant_id &&
			 bad++ < DOM_RENEWAL_TENANT_NAMES)
			strbuf_addf(&names, "%s%s", bad > 1 ? ", " : "", t.name);
	}
	if (!r && bad)
		r = ck_error_set(err, CK_E_INVALID, NULL,
				 "Renewal blocked due to cross-tenant assignments: %s%s",
				 strbuf_str(&names), bad > DOM_RENEWAL_TENANT_NAMES ? ", ..." : "");
	strbuf_release(&names);
	free(ids);
	return r;
}

/* Moves every assignment of `from` whose target exists to `to`; *ret_n receives the count.
 * An assignment left dangling by a delete before the cascade existed stays with the old
 * certificate: a renewal never carries one along. */
static int move_assignments(const struct dom_ctx *ctx, int64_t from, int64_t to, int64_t *ret_n,
			    struct ck_error *err)
{
	struct store_stmt *st;
	int r = store_query(ctx->conn,
			    "UPDATE assignments SET certificate_id = $1, last_updated = $2"
			    " WHERE certificate_id = $3 AND ("
			    "(assigned_object_type = 'dcim.device' AND assigned_object_id IN (SELECT id FROM devices))"
			    " OR (assigned_object_type = 'virtualization.virtualmachine'"
			    " AND assigned_object_id IN (SELECT id FROM virtual_machines))"
			    " OR (assigned_object_type = 'ipam.service' AND assigned_object_id IN (SELECT id FROM services)))",
			    &st, err);

	if (r)
		return r;
	store_bind_i64(st, 1, to);
	store_bind_i64(st, 2, ctx->now);
	store_bind_i64(st, 3, from);
	r = store_step(st, err);
	store_done(st);
	if (r == CK_E_DUPLICATE)
		return ck_error_set(
		    err, CK_E_CONFLICT, NULL,
		    "Certificate %lld already has an assignment to one of the same targets.",
		    (long long)to);
	if (r < 0)
		return r;
	*ret_n = store_changes(ctx->conn);
	return 0;
}

/* Sets status (and replaced_by; archived_at when archiving) of one certificate. */
static int set_status(const struct dom_ctx *ctx, int64_t id, const char *status,
		      int64_t replaced_by, struct ck_error *err)
{
	struct store_stmt *st;
	int r =
	    store_query(ctx->conn,
			"UPDATE certificates SET status = $1, replaced_by = $2, last_updated = $3,"
			" archived_at = CASE WHEN $1 = 'archived' THEN COALESCE(archived_at, $3) "
			"ELSE archived_at END"
			" WHERE id = $4",
			&st, err);

	if (r)
		return r;
	store_bind_text(st, 1, status, (size_t)-1);
	if (replaced_by)
		store_bind_i64(st, 2, replaced_by);
	else
		store_bind_null(st, 2);
	store_bind_i64(st, 3, ctx->now);
	store_bind_i64(st, 4, id);
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int dom_renewal_apply(const struct dom_ctx *ctx, int64_t old_id, int64_t new_id,
		      int64_t *ret_transferred, struct ck_error *err)
{
	struct dom_renewal_old old;
	char desc[400];
	int64_t n = 0;
	int r = dom_renewal_begin(ctx, old_id, &old, err);

	if (!r && old_id == new_id)
		r = ck_error_set(err, CK_E_INVALID, NULL, "A certificate cannot renew itself.");
	if (!r)
		r = move_assignments(ctx, old_id, new_id, &n, err);
	if (!r)
		r = set_status(ctx, old_id, "replaced", new_id, err);
	if (r)
		return r;
	snprintf(desc, sizeof(desc),
		 "Renewed by certificate ID %lld; %lld assignment(s) transferred",
		 (long long)new_id, (long long)n);
	r = dom_lifecycle_add(ctx, old_id, "renewed", desc, "active", "replaced", new_id, err);
	if (r)
		return r;
	snprintf(desc, sizeof(desc),
		 "Activated as the renewal of %.200s (ID %lld); %lld assignment(s) transferred",
		 old.common_name, (long long)old_id, (long long)n);
	r = dom_lifecycle_add(ctx, new_id, "activated", desc, "", "active", old_id, err);
	if (!r && ret_transferred)
		*ret_transferred = n;
	return r;
}

int dom_renewal_successor(const struct dom_ctx *ctx, int64_t old_id, int64_t *ret_new_id,
			  struct ck_error *err)
{
	struct cert_state s;
	int r = load_state(ctx, old_id, &s, err);

	if (r)
		return r;
	if (strcmp(s.status, "replaced") || !s.replaced_by)
		return ck_error_set(
		    err, CK_E_CONFLICT, NULL,
		    "Only a replaced certificate with a successor can have its renewal reverted;"
		    " certificate %lld is %s%s.",
		    (long long)old_id, s.status,
		    strcmp(s.status, "replaced") ? "" : " without replaced_by");
	*ret_new_id = s.replaced_by;
	return 0;
}

int dom_renewal_revert(const struct dom_ctx *ctx, int64_t old_id, int64_t *ret_new_id,
		       int64_t *ret_moved, struct ck_error *err)
{
	struct cert_state succ;
	int64_t new_id = 0, n = 0;
	char desc[200];
	int r = dom_renewal_successor(ctx, old_id, &new_id, err);

	if (!r)
		r = load_state(ctx, new_id, &succ, err);
	if (!r && strcmp(succ.status, "active"))
		r = ck_error_set(err, CK_E_CONFLICT, NULL,
				 "The successor (ID %lld) is %s, not active; revert or undo its "
				 "own change first.",
				 (long long)new_id, succ.status);
	if (!r)
		r = move_assignments(ctx, new_id, old_id, &n, err);
	if (!r)
		r = set_status(ctx, old_id, "active", 0, err);
	if (!r)
		r = set_status(ctx, new_id, "archived", 0, err);
	if (r)
		return r;
	snprintf(desc, sizeof(desc),
		 "Renewal reverted: active again, %lld assignment(s) moved back from ID %lld",
		 (long long)n, (long long)new_id);
	r = dom_lifecycle_add(ctx, old_id, "renewal_reverted", desc, "replaced", "active", new_id,
			      err);
	if (r)
		return r;
	snprintf(desc, sizeof(desc), "Renewal of ID %lld reverted: kept for audit as archived",
		 (long long)old_id);
	r = dom_lifecycle_add(ctx, new_id, "renewal_reverted", desc, succ.status, "archived",
			      old_id, err);
	if (r)
		return r;
	if (ret_new_id)
		*ret_new_id = new_id;
	if (ret_moved)
		*ret_moved = n;
	return 0;
}
