/* jobs/sweeper — the status sweep job. See sweeper.h. */
#include "jobs/sweeper.h"
#include "core/log.h"
#include "domain/context.h"
#include "domain/lifecycle.h"

int jobs_sweeper_run(void *arg, const struct jobs_run *run, struct ck_error *err)
{
	const struct jobs_sweeper *sw = arg;
	struct dom_ctx ctx = {
	    .conn = store_conn_get(sw->store),
	    .cfg = sw->cfg,
	    .now = run->started,
	    .user_id = 0,
	    .username = "",
	    .request_id = run->name, /* changelog rows say "sweep", as before the scheduler */
	};
	struct dom_sweep_stats st;
	int rc;

	if (!ctx.conn)
		return ck_error_set(err, CK_E_DB, NULL, "no database connection");
	rc = dom_lifecycle_sweep_stats(&ctx, &st, err);
	if (!rc && (st.expired || st.archived))
		ck_log(CK_LOG_INFO, run->run_id,
		       "status sweep: %d expired, %d archived in %d batches, longest %.1f ms"
		       " (before COMMIT %.1f ms)",
		       st.expired, st.archived, st.batches, (double)st.longest_batch_us / 1000.0,
		       (double)st.longest_work_us / 1000.0);
	return rc;
}

int jobs_sweeper_add(struct jobs_scheduler *s, struct jobs_sweeper *sw, struct ck_error *err)
{
	const struct jobs_def def = {
	    .name = JOBS_SWEEPER_NAME,
	    .interval_s = sw->cfg->sweep_interval_s,
	    .run = jobs_sweeper_run,
	    .arg = sw,
	};

	if (sw->cfg->sweep_interval_s <= 0)
		return 0;
	return jobs_add(s, &def, err);
}
