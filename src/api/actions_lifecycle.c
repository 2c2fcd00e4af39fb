/*
 * api/actions_lifecycle — Janus renewal of certificates and the dispatch of every lifecycle
 * action (the others live beside it, see api/lifecycle_actions.h):
 *   {id}/renew/            Janus renewal (domain/renewal.h),
 *                          201 {old, new, assignments_transferred}
 *   {id}/revert-renewal/   undo a renewal, 200 {old, new, assignments_moved}
 * Shape: decode → domain command (domain/renewal.h dom_renew, dom_revert_renewal) → encode
 * after commit.
 */
#include "api/actions.h"
#include "api/cert_import.h"
#include "api/lifecycle_actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/lifecycle.h"
#include "domain/renewal.h"

#include <stdlib.h>
#include <string.h>

/* ---- renew / revert ---- */

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
	struct import_item item;
	struct dom_record rec = {0};
	struct ck_error err;
	int64_t new_id = 0, moved = 0;
	json_t *body;
	int r;

	ck_error_clear(&err);
	if ((r = api_body(ar, &body, &err)) || (r = api_import_decode(ar, body, 0, &item, &err))) {
		api_fail(ar, r, &err);
		return;
	}
	r = api_import_record(&item, &rec);
	if (!r)
		r = dom_renew(&ar->ctx, id, &rec, &new_id, &moved, &err);
	dom_record_release(&rec);
	api_import_item_release(&item);
	if (r)
		api_fail(ar, r, &err);
	else
		send_pair(ar, 201, id, new_id, "assignments_transferred", moved);
}

static void revert_renewal(struct api_req *ar, int64_t id)
{
	struct ck_error err;
	int64_t new_id = 0, moved = 0;
	int r;

	ck_error_clear(&err);
	r = dom_revert_renewal(&ar->ctx, id, &new_id, &moved, &err);
	if (r)
		api_fail(ar, r, &err);
	else
		send_pair(ar, 200, id, new_id, "assignments_moved", moved);
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
