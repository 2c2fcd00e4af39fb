/* api/lifecycle_bulk — helpers shared by the bulk lifecycle actions (lifecycle_actions.h). */
#include "api/actions.h"
#include "api/lifecycle_actions.h"
#include "api/resources.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/changelog.h"
#include "domain/lifecycle.h"
#include "store/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* body.ids: a non-empty list of at most `cap` integers. */
int api_lc_decode_ids(json_t *body, int cap, json_t **ret, struct ck_error *err)
{
	json_t *ids = json_is_object(body) ? json_object_get(body, "ids") : NULL, *v;
	size_t i;

	if (!json_is_array(ids) || !json_array_size(ids))
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "ids must be a non-empty list of certificate ids.");
	if (json_array_size(ids) > (size_t)cap)
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "Batch size exceeds maximum of %d certificates.", cap);
	json_array_foreach(ids, i, v)
	{
		if (!json_is_integer(v))
			return ck_error_set(err, CK_E_INVALID, NULL,
					    "ids must contain integer ids only.");
	}
	*ret = ids;
	return 0;
}

int api_lc_id_array(json_t *ids, int64_t **ret, size_t *ret_n)
{
	size_t n = json_array_size(ids);

	*ret = calloc(n ? n : 1, sizeof(**ret));
	*ret_n = n;
	if (!*ret)
		return CK_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		(*ret)[i] = json_integer_value(json_array_get(ids, i));
	return 0;
}

/* Ends an envelope object: "key": <the prepared result list>}. */
void api_lc_send_results(struct jsonw *w, const char *key, const struct strbuf *results)
{
	jsonw_key(w, key);
	jsonw_raw(w, strbuf_str(results), results->len);
	jsonw_obj_close(w);
}

void api_lc_bulk_job_init(struct bulk_job *job)
{
	strbuf_init(&job->out, RESULTS_CAP);
	strbuf_init(&job->missing, RESULTS_CAP);
	jsonw_init(&job->w, &job->out);
	jsonw_arr_open(&job->w);
}

void api_lc_bulk_job_release(struct bulk_job *job)
{
	strbuf_release(&job->out);
	strbuf_release(&job->missing);
}

int api_lc_cert_cn(struct api_req *ar, int64_t id, char *cn, size_t cnsz, char *status, size_t ssz,
		   struct ck_error *err)
{
	struct store_cert_brief *cert = malloc(sizeof(*cert)); /* ~2.3 KB */
	int r = cert ? store_cert_brief(ar->ctx.conn, id, cert, err) : CK_E_NOMEM;

	if (r == 1) {
		snprintf(cn, cnsz, "%s", cert->common_name);
		if (status)
			snprintf(status, ssz, "%s", cert->status);
	}
	free(cert);
	return r;
}

void api_lc_add_missing(struct bulk_job *job, int64_t id)
{
	strbuf_addf(&job->missing, "%s%lld", job->missing.len ? "," : "", (long long)id);
}

void api_lc_send_missing(struct jsonw *w, const char *key, struct bulk_job *job)
{
	jsonw_key(w, key);
	jsonw_arr_open(w);
	jsonw_raw(w, strbuf_str(&job->missing), job->missing.len);
	jsonw_arr_close(w);
}
