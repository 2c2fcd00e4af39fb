/* jobs/checkpoint — see checkpoint.h. */
#include "jobs/checkpoint.h"

int jobs_checkpoint_run(void *arg, const struct jobs_run *run, struct ck_error *err)
{
	struct jobs_checkpoint *job = arg;
	struct store_conn *c = store_conn_get(job->store);

	(void)run;
	if (!c)
		return ck_error_set(err, CK_E_DB, NULL, "no database connection");
	return store_checkpoint(c, err);
}

int jobs_checkpoint_add(struct jobs_scheduler *s, struct jobs_checkpoint *job, struct ck_error *err)
{
	const struct jobs_def def = {
	    .name = JOBS_CHECKPOINT_NAME,
	    .interval_s = 1,
	    .run = jobs_checkpoint_run,
	    .arg = job,
	    .every_node = 1,
	};

	return jobs_add(s, &def, err);
}
