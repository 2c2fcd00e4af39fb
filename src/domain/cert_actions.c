/* domain/cert_actions — see cert_actions.h. */
#include "domain/cert_actions.h"
#include "domain/certificate.h"
#include "domain/lifecycle.h"
#include "domain/model.h"
#include "domain/uow.h"
#include "domain/write.h"
#include "store/certificates.h"

#include <stdlib.h>
#include <string.h>

struct cert_cmd {
	const struct dom_ctx *ctx;
	const int64_t *ids;
	size_t n;
	int64_t at, id;
	const char *status;
	const char *provider;
	const struct x509_chain_result *res;
	dom_cert_visit_fn visit;
	void *arg;
};

/* Changes the fields of rec on certificate id (rec released). */
static int update_cert(const struct dom_ctx *ctx, int64_t id, struct dom_record *rec,
		       struct ck_error *err)
{
	int r = dom_update_step(ctx, &dom_model_certificates, id, rec, NULL, err);

	dom_record_release(rec);
	return r;
}

static int new_record(struct dom_record *rec)
{
	return dom_record_init(rec, dom_model_names(&dom_model_certificates),
			       dom_model_certificates.nfields);
}

static int store_chain(const struct dom_ctx *ctx, int64_t id, const struct x509_chain_result *res,
		       struct ck_error *err)
{
	struct dom_record rec;
	int r = new_record(&rec);

	if (!r)
		r = dom_chain_record(ctx, res, &rec);
	if (r) {
		dom_record_release(&rec);
		return r;
	}
	return update_cert(ctx, id, &rec, err);
}

/* ---- chain validation ---- */

static int run_chain_store(void *arg, struct ck_error *err)
{
	struct cert_cmd *c = arg;

	return store_chain(c->ctx, c->id, c->res, err);
}

int dom_chain_store(const struct dom_ctx *ctx, int64_t id, const struct x509_chain_result *res,
		    struct ck_error *err)
{
	struct cert_cmd c = {.ctx = ctx, .id = id, .res = res};

	return dom_uow_run(ctx, run_chain_store, &c, err);
}

/* One certificate of a bulk validation: validated, stored, reported. */
static int chain_one(struct cert_cmd *c, struct dom_cert_report *rep, struct x509_chain_result *res,
		     struct ck_error *err)
{
	struct ck_error e;
	int r;

	ck_error_clear(&e);
	r = dom_chain_validate(c->ctx, rep->id, c->at, res, &e);
	if (r == CK_E_INVALID) /* no PEM */
		return c->visit(c->arg, rep);
	if (r) {
		if (err)
			*err = e;
		return r;
	}
	rep->res = res;
	r = store_chain(c->ctx, rep->id, res, err);
	if (!r)
		r = c->visit(c->arg, rep);
	dom_chain_result_release(res);
	return r;
}

static int run_chain_bulk(void *arg, struct ck_error *err)
{
	struct cert_cmd *c = arg;
	struct store_cert_brief *cert = malloc(sizeof(*cert)); /* ~2.3 KB */
	struct x509_chain_result *res = malloc(sizeof(*res));  /* ~4 KB */
	int r = cert && res ? 0 : CK_E_NOMEM;

	for (size_t i = 0; i < c->n && !r; i++) {
		struct dom_cert_report rep = {.id = c->ids[i]};
		int found = store_cert_brief(c->ctx->conn, rep.id, cert, err);
		if (found < 0)
			r = found;
		else if (found) { /* unknown ids are ignored (reference §2.3) */
			rep.found = 1;
			rep.common_name = cert->common_name;
			r = chain_one(c, &rep, res, err);
		}
	}
	free(res);
	free(cert);
	return r;
}

int dom_chain_bulk(const struct dom_ctx *ctx, const int64_t *ids, size_t n, int64_t at,
		   dom_cert_visit_fn visit, void *arg, struct ck_error *err)
{
	struct cert_cmd c = {.ctx = ctx, .ids = ids, .n = n, .at = at, .visit = visit, .arg = arg};

	return dom_uow_run(ctx, run_chain_bulk, &c, err);
}

/* ---- ACME detection ---- */

/* Detects and stores the provider of one certificate: 1 found (rep filled), 0 no such
 * certificate, or an error. */
static int detect_one(const struct dom_ctx *ctx, struct store_cert_brief *cert,
		      struct dom_cert_report *rep, struct ck_error *err)
{
	struct dom_record rec;
	int r = store_cert_brief(ctx->conn, rep->id, cert, err);

	if (r != 1)
		return r;
	rep->found = 1;
	rep->common_name = cert->common_name;
	rep->provider = dom_acme_detect(cert->issuer);
	if (!rep->provider) /* a miss changes nothing; is_acme is never cleared (reference §3.6) */
		return 1;
	r = new_record(&rec);
	if (!r)
		r = dom_record_set_int(&rec, "is_acme", 1);
	if (!r)
		r = dom_record_set_text(&rec, "acme_provider", rep->provider,
					strlen(rep->provider));
	if (r) {
		dom_record_release(&rec);
		return r;
	}
	r = update_cert(ctx, rep->id, &rec, err);
	return r ? r : 1;
}

static int run_detect(void *arg, struct ck_error *err)
{
	struct cert_cmd *c = arg;
	struct store_cert_brief *cert = malloc(sizeof(*cert));
	struct dom_cert_report rep = {.id = c->id};
	int r = cert ? detect_one(c->ctx, cert, &rep, err) : CK_E_NOMEM;

	free(cert);
	if (!r)
		return ck_error_set(err, CK_E_NOTFOUND, NULL, "Not found.");
	c->provider = rep.provider; /* static strings */
	return r < 0 ? r : 0;
}

int dom_acme_detect_cert(const struct dom_ctx *ctx, int64_t id, const char **ret_provider,
			 struct ck_error *err)
{
	struct cert_cmd c = {.ctx = ctx, .id = id};
	int r = dom_uow_run(ctx, run_detect, &c, err);

	if (!r)
		*ret_provider = c.provider;
	return r;
}

static int run_acme_bulk(void *arg, struct ck_error *err)
{
	struct cert_cmd *c = arg;
	struct store_cert_brief *cert = malloc(sizeof(*cert));
	int r = cert ? 0 : CK_E_NOMEM;

	for (size_t i = 0; i < c->n && !r; i++) {
		struct dom_cert_report rep = {.id = c->ids[i]};
		r = detect_one(c->ctx, cert, &rep, err);
		if (r >= 0)
			r = c->visit(c->arg, &rep);
	}
	free(cert);
	return r;
}

int dom_acme_bulk(const struct dom_ctx *ctx, const int64_t *ids, size_t n, dom_cert_visit_fn visit,
		  void *arg, struct ck_error *err)
{
	struct cert_cmd c = {.ctx = ctx, .ids = ids, .n = n, .visit = visit, .arg = arg};

	return dom_uow_run(ctx, run_acme_bulk, &c, err);
}

/* ---- bulk status update ---- */

static int set_status(const struct dom_ctx *ctx, int64_t id, const char *status,
		      struct ck_error *err)
{
	struct dom_record rec;
	int r = new_record(&rec);

	if (!r)
		r = dom_record_set_text(&rec, "status", status, strlen(status));
	if (r) {
		dom_record_release(&rec);
		return r;
	}
	return update_cert(ctx, id, &rec, err); /* hooks: event, archived_at */
}

static int run_status_bulk(void *arg, struct ck_error *err)
{
	struct cert_cmd *c = arg;
	struct store_cert_brief *cert = malloc(sizeof(*cert));
	int r = cert ? 0 : CK_E_NOMEM;

	for (size_t i = 0; i < c->n && !r; i++) {
		struct dom_cert_report rep = {.id = c->ids[i]};
		int found = store_cert_brief(c->ctx->conn, rep.id, cert, err);
		if (found < 0) {
			r = found;
			break;
		}
		if (found) {
			rep.found = 1;
			rep.common_name = cert->common_name;
			rep.old_status = cert->status;
			rep.changed = strcmp(cert->status, c->status) != 0;
			/* an unchanged status is reported, not saved */
			if (rep.changed && (r = set_status(c->ctx, rep.id, c->status, err)))
				break;
		}
		r = c->visit(c->arg, &rep);
	}
	free(cert);
	return r;
}

int dom_status_bulk(const struct dom_ctx *ctx, const int64_t *ids, size_t n, const char *status,
		    dom_cert_visit_fn visit, void *arg, struct ck_error *err)
{
	struct cert_cmd c = {
	    .ctx = ctx, .ids = ids, .n = n, .status = status, .visit = visit, .arg = arg};

	return dom_uow_run(ctx, run_status_bulk, &c, err);
}
