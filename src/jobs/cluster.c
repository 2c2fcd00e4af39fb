/* jobs/cluster — see cluster.h. */
#include "jobs/cluster.h"

#include <stdio.h>
#include <time.h>

static int cluster_try_acquire(void *ctx, const char *name, int64_t slot, int interval_s,
			       struct ck_error *err)
{
	struct jobs_cluster_lock *cl = ctx;
	struct store_conn *c = store_conn_get(cl->store);

	if (!c)
		return ck_error_set(err, CK_E_DB, NULL, "no database connection for the job lock");
	return store_job_slot_claim(c, name, slot, interval_s, cl->node, (int64_t)time(NULL), err);
}

void jobs_cluster_lock_init(struct jobs_cluster_lock *cl, struct store *st, const char *node,
			    struct jobs_lock *ret)
{
	cl->store = st;
	snprintf(cl->node, sizeof(cl->node), "%s", node ? node : "");
	*ret = (struct jobs_lock){.try_acquire = cluster_try_acquire, .release = NULL, .ctx = cl};
}
