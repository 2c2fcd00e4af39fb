/* domain/lifecycle — see lifecycle.h. */
#include "domain/lifecycle.h"
#include "core/clock.h"
#include "core/parse.h"
#include "domain/certificate.h"
#include "domain/changelog.h"
#include "domain/compliance.h"
#include "domain/uow.h"
#include "store/certificates.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* One batch of a sweep step: one unit of work. It changes at most DOM_SWEEP_BATCH
 * certificates and stops early once DOM_SWEEP_BUDGET_US have passed since its transaction
 * began, so that no batch holds the write lock long whatever the per-row cost (cold cache,
 * slow disk, a 1M-row database): *more says whether candidates may be left. */
struct sweep_batch {
	const struct dom_ctx *ctx;
	enum store_sweep_kind kind;
	int64_t bound;
	const char *to;
	struct store_sweep_row *buf;
	size_t n;   /* certificates changed */
	int more;   /* a full or cut batch: run another */
	int64_t t0; /* when the transaction began (after BEGIN took the lock) */
	int64_t t1; /* when its work was done (COMMIT follows) */
};

static int sweep_batch_cmd(void *arg, struct ck_error *err)
{
	struct sweep_batch *b = arg;
	size_t got = 0;
	int r;

	b->t0 = ck_mono_us();
	b->n = 0;
	r = store_cert_sweep_candidates(b->ctx->conn, b->kind, b->bound, b->buf, DOM_SWEEP_BATCH,
					&got, err);
	b->more = got == DOM_SWEEP_BATCH;
	for (size_t i = 0; !r && i < got; i++) {
		if (i && ck_mono_us() - b->t0 > DOM_SWEEP_BUDGET_US) {
			b->more = 1;
			break;
		}
		r = transition(b->ctx, &b->buf[i], b->to, err);
		b->n += !r;
	}
	b->t1 = ck_mono_us();
	return r;
}

/* Sleeps between two batches, as long as the batch took and at least DOM_SWEEP_PAUSE_US:
 * a writer waiting for the lock polls (SQLite's busy handler sleeps up to 100 ms between
 * tries), and a sweep that took the lock again at once left it no gap to land in — a write
 * issued during a sweep then waited for the whole sweep. */
static void pause_after(int64_t batch_us)
{
	int64_t us = batch_us > DOM_SWEEP_PAUSE_US ? batch_us : DOM_SWEEP_PAUSE_US;
	struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Runs one step (select + transition) in batches until no candidate is left. */
static int sweep_step(const struct dom_ctx *ctx, enum store_sweep_kind kind, int64_t bound,
		      const char *to, int *count, struct dom_sweep_stats *stats,
		      struct ck_error *err)
{
	struct sweep_batch b = {ctx, kind, bound, to, NULL, 0, 1, 0, 0};
	int r = 0;

	b.buf = calloc(DOM_SWEEP_BATCH, sizeof(*b.buf)); /* ~140 KB: not on a thread stack */
	if (!b.buf)
		return CK_E_NOMEM;
	while (!r && b.more) {
		int64_t took;

		r = dom_uow_run(ctx, sweep_batch_cmd, &b, err);
		if (r)
			break;
		took = ck_mono_us() - b.t0;
		*count += (int)b.n;
		stats->batches++;
		if (took > stats->longest_batch_us)
			stats->longest_batch_us = took;
		if (b.t1 - b.t0 > stats->longest_work_us)
			stats->longest_work_us = b.t1 - b.t0;
		if (b.more)
			pause_after(took);
	}
	free(b.buf);
	return r;
}

int dom_lifecycle_sweep_stats(const struct dom_ctx *ctx, struct dom_sweep_stats *ret,
			      struct ck_error *err)
{
	int64_t cutoff = ctx->now - (int64_t)ctx->cfg->auto_archive_after_days * 86400;
	struct dom_sweep_stats st = {0};
	int64_t t0;
	int r = sweep_step(ctx, STORE_SWEEP_EXPIRE, ctx->now, "expired", &st.expired, &st, err);

	if (!r)
		r = sweep_step(ctx, STORE_SWEEP_ARCHIVE_EXPIRED, cutoff, "archived", &st.archived,
			       &st, err);
	if (!r)
		r = sweep_step(ctx, STORE_SWEEP_ARCHIVE_REPLACED, cutoff, "archived", &st.archived,
			       &st, err);
	if (!r) /* today's compliance trend snapshots, refreshed each sweep (reference §3.10) */
		r = dom_compliance_snapshot_all(ctx, NULL, err);
	t0 = ck_mono_us();
	if (!r) /* consumed outbox rows past their retention */
		r = dom_outbox_prune(ctx, NULL, err);
	if (r)
		return r;
	if (ck_mono_us() - t0 > st.longest_batch_us)
		st.longest_batch_us = ck_mono_us() - t0;
	*ret = st;
	return 0;
}

int dom_lifecycle_sweep(const struct dom_ctx *ctx, int *ret_expired, int *ret_archived,
			struct ck_error *err)
{
	struct dom_sweep_stats st;
	int r = dom_lifecycle_sweep_stats(ctx, &st, err);

	if (r)
		return r;
	if (ret_expired)
		*ret_expired = st.expired;
	if (ret_archived)
		*ret_archived = st.archived;
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
		r = ck_error_set(err, CK_E_INVALID, NULL,
				 "Certificate has no PEM content for validation");
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
