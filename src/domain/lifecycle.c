/* domain/lifecycle — see lifecycle.h. */
#include "domain/lifecycle.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/changelog.h"
#include "domain/compliance.h"
#include "domain/uow.h"
#include "store/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dom_lifecycle_status_event_type(const char *new_status)
{
	if (!strcmp(new_status, "revoked") || !strcmp(new_status, "archived"))
		return new_status;
	return "status_changed";
}

int dom_lifecycle_status_event(const struct dom_ctx *ctx, int64_t id, const char *old_status,
			       const char *new_status, struct ck_error *err)
{
	char desc[96];

	snprintf(desc, sizeof(desc), "Status changed from %s to %s", old_status, new_status);
	return dom_lifecycle_add(ctx, id, dom_lifecycle_status_event_type(new_status), desc,
				 old_status, new_status, 0, err);
}

/* Changes one certificate's status (and archived_at when archiving), with event and changelog. */
static int transition(const struct dom_ctx *ctx, const struct store_sweep_row *row, const char *to,
		      struct ck_error *err)
{
	char repr[300], t[21], pre[64], post[96];
	int archive = !strcmp(to, "archived");
	int r = store_cert_set_status(ctx->conn, row->id, to, 0, 0, ctx->now, err);

	if (r)
		return r;
	if ((r = dom_lifecycle_status_event(ctx, row->id, row->status, to, err)))
		return r;
	ck_format_time(row->valid_to, t);
	snprintf(repr, sizeof(repr), "%s (expires: %.10s)", row->common_name, t);
	snprintf(pre, sizeof(pre), "{\"status\":\"%s\"}", row->status);
	ck_format_time(ctx->now, t);
	if (archive)
		snprintf(post, sizeof(post), "{\"status\":\"%s\",\"archived_at\":\"%s\"}", to, t);
	else
		snprintf(post, sizeof(post), "{\"status\":\"%s\"}", to);
	return dom_changelog_write(ctx, "update", "netbox_ssl.certificate", row->id, repr, pre,
				   post, err);
}

/* Runs one step (select + transition) in batches until no candidate is left. */
/* One batch of a sweep step: one unit of work. */
struct sweep_batch {
	const struct dom_ctx *ctx;
	enum store_sweep_kind kind;
	int64_t bound;
	const char *to;
	struct store_sweep_row *buf;
	size_t *n;
};

static int sweep_batch_cmd(void *arg, struct ck_error *err)
{
	struct sweep_batch *b = arg;
	int r = store_cert_sweep_candidates(b->ctx->conn, b->kind, b->bound, b->buf, DOM_SWEEP_BATCH, b->n, err);

	for (size_t i = 0; !r && i < *b->n; i++)
		r = transition(b->ctx, &b->buf[i], b->to, err);
	return r;
}

static int sweep_step(const struct dom_ctx *ctx, enum store_sweep_kind kind, int64_t bound, const char *to,
		      int *count, struct ck_error *err)
{
	struct store_sweep_row *buf =
	    calloc(DOM_SWEEP_BATCH, sizeof(*buf)); /* ~140 KB: not on a thread stack */
	size_t n = DOM_SWEEP_BATCH;
	int r = 0;

	if (!buf)
		return CK_E_NOMEM;
	while (!r && n == DOM_SWEEP_BATCH) {
		struct sweep_batch b = {ctx, kind, bound, to, buf, &n};
		r = dom_uow_run(ctx, sweep_batch_cmd, &b, err);
		if (!r)
			*count += (int)n;
	}
	free(buf);
	return r;
}

int dom_lifecycle_sweep(const struct dom_ctx *ctx, int *ret_expired, int *ret_archived,
			struct ck_error *err)
{
	int64_t cutoff = ctx->now - (int64_t)ctx->cfg->auto_archive_after_days * 86400;
	int expired = 0, archived = 0;
	int r = sweep_step(ctx, STORE_SWEEP_EXPIRE, ctx->now, "expired", &expired, err);

	if (!r)
		r = sweep_step(ctx, STORE_SWEEP_ARCHIVE, cutoff, "archived", &archived, err);
	if (!r) /* today's compliance trend snapshots, refreshed each sweep (reference §3.10) */
		r = dom_compliance_snapshot_all(ctx, NULL, err);
	if (!r) /* consumed outbox rows past their retention */
		r = dom_outbox_prune(ctx, NULL, err);
	if (r)
		return r;
	if (ret_expired)
		*ret_expired = expired;
	if (ret_archived)
		*ret_archived = archived;
	return 0;
}

int dom_chain_validate(const struct dom_ctx *ctx, int64_t id, int64_t at,
		       struct x509_chain_result *ret, struct ck_error *err)
{
	struct x509_chain_opts opts = {at, 1};
	char *pem = NULL, *chain = NULL;
	size_t pem_len = 0, chain_len = 0;
	int r = store_cert_pem(ctx->conn, id, &pem, &pem_len, &chain, &chain_len, err);

	if (!r && !pem_len)
		r = ck_error_set(err, CK_E_INVALID, NULL, "Certificate has no PEM content for validation");
	else if (!r)
		r = x509_chain_validate(pem, pem_len, chain, chain_len, &opts, ret);
	free(pem);
	free(chain);
	return r;
}

const char *dom_chain_stored_status(enum x509_chain_status s)
{
	if (s == X509_CHAIN_VALID || s == X509_CHAIN_SELF_SIGNED || s == X509_CHAIN_NO_CHAIN)
		return x509_chain_status_name(s);
	return "invalid";
}

int dom_chain_record(const struct dom_ctx *ctx, const struct x509_chain_result *res,
		     struct dom_record *rec)
{
	const char *s = dom_chain_stored_status(res->status);
	int r = dom_record_set_text(rec, "chain_status", s, strlen(s));

	if (!r)
		r = dom_record_set_text(rec, "chain_validation_message", res->message,
					strlen(res->message));
	if (!r)
		r = dom_record_set_int(rec, "chain_validated_at", ctx->now);
	if (!r)
		r = dom_record_set_int(rec, "chain_depth", res->depth);
	return r;
}

const char *dom_chain_status_name(enum x509_chain_status s) { return x509_chain_status_name(s); }

int dom_chain_status_ok(enum x509_chain_status s) { return x509_chain_status_ok(s); }

void dom_chain_result_release(struct x509_chain_result *r) { x509_chain_result_release(r); }
