/* store/jobs — see jobs.h. */
#include "store/jobs.h"
#include "store/driver.h"

#include <stdlib.h>
#include <string.h>

/* The NOT EXISTS keeps slots moving forward (jobs.h invariant 2): a slot at or below the newest
 * one claimed is refused even when its row was pruned. */
static const char sql_claim[] =
    "INSERT INTO job_runs (name, slot, node, claimed_at) SELECT $1, $2, $3, $4"
    " WHERE NOT EXISTS (SELECT 1 FROM job_runs WHERE name = $1 AND slot >= $2)"
    " ON CONFLICT (name, slot) DO NOTHING";
static const char sql_prune[] = "DELETE FROM job_runs WHERE name = $1 AND slot < $2";

/* Deletes the slots of `name` older than the last STORE_JOB_RUNS_KEEP (invariant 2). */
static int prune(struct store_conn *c, const char *name, int64_t slot, int interval_s,
		 struct ck_error *err)
{
	struct store_stmt *st = NULL;
	int r = store_query(c, sql_prune, &st, err);

	if (r < 0)
		return r;
	store_bind_text(st, 1, name, (size_t)-1);
	store_bind_i64(st, 2, slot - (int64_t)interval_s * (STORE_JOB_RUNS_KEEP - 1));
	r = store_step(st, err);
	store_done(st);
	return r < 0 ? r : 0;
}

int store_job_slot_claim(struct store_conn *c, const char *name, int64_t slot, int interval_s,
			 const char *node, int64_t now, struct ck_error *err)
{
	struct store_stmt *st = NULL;
	int64_t claimed;
	int r;

	if (!name || !*name || !node || strlen(node) >= STORE_JOB_NODE_MAX || interval_s < 1)
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "job claim: bad name, node or interval");
	r = store_query(c, sql_claim, &st, err);
	if (r < 0)
		return r;
	store_bind_text(st, 1, name, (size_t)-1);
	store_bind_i64(st, 2, slot);
	store_bind_text(st, 3, node, (size_t)-1);
	store_bind_i64(st, 4, now);
	r = store_step(st, err);
	claimed = store_changes(c);
	store_done(st);
	if (r < 0)
		return r;
	if (claimed != 1)
		return 0;
	r = prune(c, name, slot, interval_s, err);
	return r < 0 ? r : 1;
}

/* The claim as one statement: the sub-select picks and (PostgreSQL) locks the rows, skipping
 * locked ones; the UPDATE marks them. $1 worker, $2 lease end, $3 now, $4 max. */
static void build_outbox_claim(const struct store_driver *d, struct strbuf *sql)
{
	strbuf_adds(sql,
		    "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE id IN ("
		    "SELECT id FROM outbox WHERE consumed IS NULL"
		    " AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY id LIMIT $4");
	strbuf_adds(sql, d->sql_skip_locked);
	strbuf_adds(sql, ") RETURNING id");
}

static const struct store_named q_outbox_claim = {"outbox_claim", build_outbox_claim};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int store_outbox_claim(struct store_conn *c, const char *worker, int64_t now, int lease_s,
		       size_t max, int64_t **ret, size_t *ret_n, struct ck_error *err)
{
	struct store_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	int r;

	if (!worker || strlen(worker) >= STORE_JOB_NODE_MAX || lease_s < 1 || max < 1 ||
	    max > STORE_OUTBOX_CLAIM_MAX)
		return ck_error_set(err, CK_E_INVALID, NULL,
				    "outbox claim: bad worker, lease or count (1..%d)",
				    STORE_OUTBOX_CLAIM_MAX);
	r = store_named_query(c, &q_outbox_claim, &st, err);
	if (r < 0)
		return r;
	store_bind_text(st, 1, worker, (size_t)-1);
	store_bind_i64(st, 2, now + lease_s);
	store_bind_i64(st, 3, now);
	store_bind_i64(st, 4, (int64_t)max);
	r = store_collect_i64(st, &ids, &n, err);
	if (r < 0)
		return r;
	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_i64);
	*ret = ids;
	*ret_n = n;
	return 0;
}
