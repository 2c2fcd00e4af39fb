/* domain/renewal — see renewal.h. */
#include "domain/renewal.h"
#include "core/strbuf.h"
#include "domain/assignment.h"
#include "domain/certificate.h"
#include "domain/model.h"
#include "domain/uow.h"
#include "domain/write.h"
#include "store/assignments.h"
#include "store/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* status, tenant, replaced_by and CN of a certificate. */
static int load_state(const struct dom_ctx *ctx, int64_t id, struct store_cert_state *ret,
		      struct ck_error *err)
{
	return store_cert_state(ctx->conn, id, ret, err);
}

int dom_renewal_begin(const struct dom_ctx *ctx, int64_t old_id, struct dom_renewal_old *ret,
		      struct ck_error *err)
{
	struct store_cert_state s;
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
	snprintf(ret->common_name, sizeof(ret->common_name), "%s", s.common_name);
	return 0;
}

int dom_cert_assignment_ids(const struct dom_ctx *ctx, int64_t cert_id, int64_t **ret,
			    size_t *ret_n, struct ck_error *err)
{
	return store_assignments_of_cert(ctx->conn, cert_id, ret, ret_n, err);
}

/* Type and id of one assignment. */
static int assignment_target(const struct dom_ctx *ctx, int64_t aid, struct dom_target *ret,
			     struct ck_error *err)
{
	char type[40] = "";
	int64_t cert = 0, obj = 0;
	int r = store_assignment_get(ctx->conn, aid, &cert, type, sizeof(type), &obj, err);

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
	int r = store_assignments_move(ctx->conn, from, to, ctx->now, ret_n, err);

	if (r == CK_E_DUPLICATE)
		return ck_error_set(
		    err, CK_E_CONFLICT, NULL,
		    "Certificate %lld already has an assignment to one of the same targets.",
		    (long long)to);
	return r;
}

/* Sets status (and replaced_by; archived_at when archiving) of one certificate. */
static int set_status(const struct dom_ctx *ctx, int64_t id, const char *status,
		      int64_t replaced_by, struct ck_error *err)
{
	return store_cert_set_status(ctx->conn, id, status, 1, replaced_by, ctx->now, err);
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
	struct store_cert_state s;
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
	struct store_cert_state succ;
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

/* ---- the commands: renew and revert, each one unit of work ---- */

/* Pre-change snapshot of one object a renewal or revert changes with plain writes. */
struct snap {
	const struct dom_model *model;
	int64_t id;
	char *pre;
};

struct snaps {
	struct snap *v;
	size_t n, cap;
};

static int snap_add(const struct dom_ctx *ctx, struct snaps *s, const struct dom_model *m,
		    int64_t id, struct ck_error *err)
{
	struct snap *grown;
	int r;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		grown = realloc(s->v, s->cap * sizeof(*grown));
		if (!grown)
			return CK_E_NOMEM;
		s->v = grown;
	}
	s->v[s->n] = (struct snap){m, id, NULL};
	r = dom_snapshot(ctx, m, id, &s->v[s->n].pre, NULL, err);
	if (!r)
		s->n++;
	return r;
}

/* Snapshots a certificate and each of its assignments. */
static int snap_cert(const struct dom_ctx *ctx, struct snaps *s, int64_t cert_id,
		     struct ck_error *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int r = snap_add(ctx, s, &dom_model_certificates, cert_id, err);

	if (!r)
		r = dom_cert_assignment_ids(ctx, cert_id, &ids, &n, err);
	for (size_t i = 0; !r && i < n; i++)
		r = snap_add(ctx, s, &dom_model_assignments, ids[i], err);
	free(ids);
	return r;
}

/* Writes one "update" change per snapshot, with the object's state now as post; the first
 * snapshot (the old certificate) also gets the domain event `event` in the outbox, pointing
 * at its changelog row. */
static int snap_log(const struct dom_ctx *ctx, const struct snaps *s, const char *event,
		    struct ck_error *err)
{
	int r = 0;

	for (size_t i = 0; i < s->n && !r; i++) {
		char *post = NULL, *repr = NULL;
		int64_t change_id = 0;
		r = dom_snapshot(ctx, s->v[i].model, s->v[i].id, &post, &repr, err);
		if (!r)
			r = dom_uow_change(ctx, "update", s->v[i].model->object_type, s->v[i].id,
					   repr, s->v[i].pre, post, &change_id, err);
		if (!r && i == 0)
			r = dom_uow_event(ctx, s->v[i].model->object_type, s->v[i].id, event,
					  change_id, err);
		free(post);
		free(repr);
	}
	return r;
}

static void snaps_release(struct snaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].pre);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

struct renew_cmd {
	const struct dom_ctx *ctx;
	int64_t old_id, new_id, moved;
	struct dom_record *rec;
};

static int run_renew(void *arg, struct ck_error *err)
{
	struct renew_cmd *c = arg;
	const struct dom_ctx *ctx = c->ctx;
	struct dom_renewal_old old;
	struct snaps s = {0};
	int64_t tenant;
	int r = dom_renewal_begin(ctx, c->old_id, &old, err); /* first: the race check */

	if (r)
		return r;
	tenant =
	    dom_record_has(c->rec, "tenant") ? dom_record_int(c->rec, "tenant", 0) : old.tenant_id;
	r = dom_renewal_check_tenant(ctx, c->old_id, tenant, err);
	if (!r)
		r = snap_cert(ctx, &s, c->old_id, err);
	/* the new certificate: active, tenant given or inherited from old */
	if (!r && !dom_record_has(c->rec, "tenant") && tenant)
		r = dom_record_set_int(c->rec, "tenant", tenant);
	if (!r)
		r = dom_record_set_text(c->rec, "status", "active", 6);
	if (!r)
		r = dom_create_step(ctx, &dom_model_certificates, c->rec, NULL, &c->new_id, err);
	if (!r)
		r = dom_renewal_apply(ctx, c->old_id, c->new_id, &c->moved, err);
	if (!r)
		r = snap_log(ctx, &s, "certificate_renewed", err);
	snaps_release(&s);
	return r;
}

int dom_renew(const struct dom_ctx *ctx, int64_t old_id, struct dom_record *rec,
	      int64_t *ret_new_id, int64_t *ret_transferred, struct ck_error *err)
{
	struct renew_cmd c = {ctx, old_id, 0, 0, rec};
	int r;

	if (dom_record_has(rec, "status") && strcmp(dom_record_text(rec, "status"), "active"))
		return ck_error_set(err, CK_E_INVALID, "status",
				    "A renewal always creates an active certificate.");
	r = dom_uow_run(ctx, run_renew, &c, err);
	if (!r && ret_new_id)
		*ret_new_id = c.new_id;
	if (!r && ret_transferred)
		*ret_transferred = c.moved;
	return r;
}

static int run_revert(void *arg, struct ck_error *err)
{
	struct renew_cmd *c = arg;
	const struct dom_ctx *ctx = c->ctx;
	struct snaps s = {0};
	int r = dom_renewal_successor(ctx, c->old_id, &c->new_id, err);

	if (!r)
		r = snap_add(ctx, &s, &dom_model_certificates, c->old_id, err);
	if (!r)
		r = snap_cert(ctx, &s, c->new_id, err);
	if (!r)
		r = dom_renewal_revert(ctx, c->old_id, NULL, &c->moved, err);
	if (!r)
		r = snap_log(ctx, &s, "certificate_renewal_reverted", err);
	snaps_release(&s);
	return r;
}

int dom_revert_renewal(const struct dom_ctx *ctx, int64_t old_id, int64_t *ret_new_id,
		       int64_t *ret_moved, struct ck_error *err)
{
	struct renew_cmd c = {ctx, old_id, 0, 0, NULL};
	int r = dom_uow_run(ctx, run_revert, &c, err);

	if (!r && ret_new_id)
		*ret_new_id = c.new_id;
	if (!r && ret_moved)
		*ret_moved = c.moved;
	return r;
}
