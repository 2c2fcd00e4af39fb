/*
 * api/actions_lifecycle — Janus renewal of certificates and the dispatch of every lifecycle
 * action (the others live beside it, see api/lifecycle_actions.h):
 *   {id}/renew/            Janus renewal (domain/renewal.h),
 *                          201 {old, new, assignments_transferred}
 *   {id}/revert-renewal/   undo a renewal, 200 {old, new, assignments_moved}
 * Shape: decode → domain (a domain command run by dom_uow_run) → encode after commit. Every changed object gets a
 * changelog row with pre/post snapshots, in the same transaction.
 */
#include "api/actions.h"
#include "api/cert_import.h"
#include "api/lifecycle_actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/changelog.h"
#include "domain/lifecycle.h"
#include "domain/renewal.h"
#include "domain/uow.h"
#include "domain/write.h"

#include <stdlib.h>
#include <string.h>


/* ---- changelog snapshots of objects a domain function changes with plain SQL ---- */

struct snap {
	const struct api_resource *res;
	int64_t id;
	char *pre;
};

struct snaps {
	struct snap *v;
	size_t n, cap;
};

static int snap_add(struct api_req *ar, struct snaps *s, const struct api_resource *res, int64_t id)
{
	struct snap *grown;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		grown = realloc(s->v, s->cap * sizeof(*grown));
		if (!grown)
			return CK_E_NOMEM;
		s->v = grown;
	}
	s->v[s->n] = (struct snap){res, id, api_render_object_json(ar, res, id)};
	if (!s->v[s->n].pre)
		return CK_E_NOMEM;
	s->n++;
	return 0;
}

/* Snapshots a certificate and each of its assignments. */
static int snap_cert(struct api_req *ar, struct snaps *s, int64_t cert_id, struct ck_error *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int r = snap_add(ar, s, &res_certificates, cert_id);

	if (!r)
		r = dom_cert_assignment_ids(&ar->ctx, cert_id, &ids, &n, err);
	for (size_t i = 0; !r && i < n; i++)
		r = snap_add(ar, s, &res_assignments, ids[i]);
	free(ids);
	return r;
}

/* Writes one "update" change per snapshot, with the object's state now as post; the first
 * snapshot (the old certificate) also gets the domain event `event` in the outbox, pointing
 * at its changelog row. */
static int snap_log(struct api_req *ar, const struct snaps *s, const char *event, struct ck_error *err)
{
	int r = 0;

	for (size_t i = 0; i < s->n && !r; i++) {
		char *post = api_render_object_json(ar, s->v[i].res, s->v[i].id);
		json_t *j = post ? json_loads(post, 0, NULL) : NULL;
		const char *repr = j ? json_string_value(json_object_get(j, "display")) : NULL;
		int64_t change_id = 0;
		r = post ? dom_uow_change(&ar->ctx, "update", s->v[i].res->model->object_type, s->v[i].id, repr,
					  s->v[i].pre, post, &change_id, err)
			 : CK_E_NOMEM;
		if (!r && i == 0)
			r = dom_uow_event(&ar->ctx, s->v[i].res->model->object_type, s->v[i].id, event, change_id, err);
		json_decref(j);
		free(post);
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

/* ---- renew / revert ---- */

struct renew_job {
	int64_t old_id, new_id, moved;
	struct import_item item;
	struct api_req *ar; /* the request this domain command runs for */
};

/* Builds the new certificate's record: active, tenant given or inherited from old. */
static int renewal_record(const struct renew_job *job, int64_t tenant, struct dom_record *rec)
{
	int r = api_import_record(&job->item, rec);

	if (!r && !job->item.tenant && tenant)
		r = dom_record_set_int(rec, "tenant", tenant);
	if (!r)
		r = dom_record_set_text(rec, "status", "active", 6);
	return r;
}

static int run_renew(void *arg, struct ck_error *err)
{
	struct renew_job *job = arg;
	struct api_req *ar = job->ar;
	struct dom_renewal_old old;
	struct snaps s = {0};
	struct dom_record rec = {0};
	int64_t tenant;
	int r = dom_renewal_begin(&ar->ctx, job->old_id, &old, err); /* first: the race check */

	if (r)
		return r;
	tenant = job->item.tenant ? json_integer_value(job->item.tenant) : old.tenant_id;
	r = dom_renewal_check_tenant(&ar->ctx, job->old_id, tenant, err);
	if (!r)
		r = snap_cert(ar, &s, job->old_id, err);
	if (!r)
		r = renewal_record(job, tenant, &rec);
	if (!r)
		r = dom_create_step(&ar->ctx, res_certificates.model, &rec, NULL, &job->new_id, err);
	if (!r)
		r = dom_renewal_apply(&ar->ctx, job->old_id, job->new_id, &job->moved, err);
	if (!r)
		r = snap_log(ar, &s, "certificate_renewed", err);
	dom_record_release(&rec);
	snaps_release(&s);
	return r;
}

static void send_pair(struct api_req *ar, int status, int64_t old_id, int64_t new_id,
		      const char *count_key, int64_t count)
{
	struct jsonw w;

	api_json_begin(ar, status, &w);
	jsonw_obj_open(&w);
	jsonw_key(&w, "old");
	api_render_object(ar, &res_certificates, old_id, 0, &w, NULL);
	jsonw_key(&w, "new");
	api_render_object(ar, &res_certificates, new_id, 0, &w, NULL);
	jsonw_kint(&w, count_key, count);
	jsonw_obj_close(&w);
}

static void renew(struct api_req *ar, int64_t id)
{
	struct renew_job job = {.old_id = id};
	struct ck_error err;
	json_t *body;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err)) ||
	    (r = api_import_decode(ar, body, 0, &job.item, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	if (job.item.status && strcmp(job.item.status, "active"))
		r = ck_error_set(&err, CK_E_INVALID, "status",
				 "A renewal always creates an active certificate.");
	job.ar = ar;
	if (!r)
		r = dom_uow_run(&ar->ctx, run_renew, &job, &err);
	api_import_item_release(&job.item);
	if (r)
		api_fail(ar, r, &err);
	else
		send_pair(ar, 201, id, job.new_id, "assignments_transferred", job.moved);
}

static int run_revert(void *arg, struct ck_error *err)
{
	struct renew_job *job = arg;
	struct api_req *ar = job->ar;
	struct snaps s = {0};
	int r = dom_renewal_successor(&ar->ctx, job->old_id, &job->new_id, err);

	if (!r)
		r = snap_add(ar, &s, &res_certificates, job->old_id);
	if (!r)
		r = snap_cert(ar, &s, job->new_id, err);
	if (!r)
		r = dom_renewal_revert(&ar->ctx, job->old_id, NULL, &job->moved, err);
	if (!r)
		r = snap_log(ar, &s, "certificate_renewal_reverted", err);
	snaps_release(&s);
	return r;
}

static void revert_renewal(struct api_req *ar, int64_t id)
{
	struct renew_job job = {.old_id = id};
	struct ck_error err;
	int r;

	ck_error_clear(&err);
	job.ar = ar;
	r = dom_uow_run(&ar->ctx, run_revert, &job, &err);
	if (r)
		api_fail(ar, r, &err);
	else
		send_pair(ar, 200, id, job.new_id, "assignments_moved", job.moved);
}

/* ---- handlers of the action table (api/actions.c) ---- */

void api_act_cert_renew(struct api_req *ar, int64_t id) { renew(ar, id); }

void api_act_cert_revert_renewal(struct api_req *ar, int64_t id) { revert_renewal(ar, id); }

void api_act_cert_validate_chain(struct api_req *ar, int64_t id) { api_lc_validate_chain(ar, id); }

void api_act_cert_detect_acme(struct api_req *ar, int64_t id) { api_lc_detect_acme(ar, id); }

void api_act_cert_bulk_validate_chain(struct api_req *ar, int64_t id)
{
	(void)id;
	api_lc_bulk_validate_chain(ar);
}

void api_act_cert_bulk_detect_acme(struct api_req *ar, int64_t id)
{
	(void)id;
	api_lc_bulk_detect_acme(ar);
}

void api_act_cert_bulk_status_update(struct api_req *ar, int64_t id)
{
	(void)id;
	api_lc_bulk_status_update(ar);
}

void api_act_cert_diff(struct api_req *ar, int64_t id)
{
	(void)id;
	api_lc_diff(ar);
}
