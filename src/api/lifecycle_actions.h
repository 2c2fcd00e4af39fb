/*
 * api/lifecycle_actions — internal interface of the certificate lifecycle actions, split by
 * family: renewal and dispatch (actions_lifecycle.c), chain validation (actions_chain.c), ACME
 * detection and bulk status (actions_acme.c), snapshot diff (actions_diff.c), and the bulk
 * helpers they share (lifecycle_bulk.c). Each handler has the usual shape: decode → domain
 * command (domain/cert_actions.h, domain/renewal.h) → encode after commit.
 */
#ifndef CK_API_LIFECYCLE_ACTIONS_H
#define CK_API_LIFECYCLE_ACTIONS_H

#include "api/api.h"

#define RESULTS_CAP ((size_t)32 << 20) /* bytes of one bulk action's result list */

/* State of one bulk action: its ids, counters and the result list being written. */
struct bulk_job {
	json_t *ids;
	int64_t at;
	const char *status; /* bulk-status-update */
	int64_t counts[3];
	struct strbuf out; /* the result list, as JSON */
	struct strbuf missing;
	struct jsonw w;
};

void api_lc_bulk_job_init(struct bulk_job *job);
void api_lc_bulk_job_release(struct bulk_job *job);
/* body.ids: a non-empty list of at most `cap` integers (borrowed into *ret). */
int api_lc_decode_ids(json_t *body, int cap, json_t **ret, struct ck_error *err);
/* The ids of a decoded list as an array (*ret malloc'ed, caller frees). */
int api_lc_id_array(json_t *ids, int64_t **ret, size_t *ret_n);
/* Ends an envelope object: "key": <the prepared result list>}. */
void api_lc_send_results(struct jsonw *w, const char *key, const struct strbuf *results);
/* 1 and the CN (and status when asked) of certificate id, 0 when absent, or an error. */
int api_lc_cert_cn(struct api_req *ar, int64_t id, char *cn, size_t cnsz, char *status, size_t ssz,
		   struct ck_error *err);
/* The ids a bulk action did not find, written as a JSON list under key. */
void api_lc_add_missing(struct bulk_job *job, int64_t id);
void api_lc_send_missing(struct jsonw *w, const char *key, struct bulk_job *job);

/* The handlers (the id ones answer POST {id}/<action>/, the others POST <action>/). */
void api_lc_validate_chain(struct api_req *ar, int64_t id);
void api_lc_bulk_validate_chain(struct api_req *ar);
void api_lc_detect_acme(struct api_req *ar, int64_t id);
void api_lc_bulk_detect_acme(struct api_req *ar);
void api_lc_bulk_status_update(struct api_req *ar);
void api_lc_diff(struct api_req *ar);

#endif
