/* jobs/search_index — see search_index.h. */
#include "jobs/search_index.h"
#include "core/clock.h"
#include "core/log.h"

#include <time.h>

int jobs_search_index_run(void *arg, const struct jobs_run *run, struct ck_error *err)
{
	struct jobs_search_index *job = arg;
	struct store_conn *c = store_conn_get(job->store);
	int64_t until = ck_mono_ms() + JOBS_SEARCH_INDEX_BUDGET_MS, total = 0;
	int done = 0, waiting = 0, rc;

	if (!c)
		return ck_error_set(err, CK_E_DB, NULL, "no database connection");
	/* a read first: an idle server takes no write lock every second */
	rc = store_deferred_index_waiting(c, &waiting, err);
	if (rc < 0 || !waiting)
		return rc < 0 ? rc : 0;
	do {
		rc = store_deferred_index_drain(c, JOBS_SEARCH_INDEX_BATCH, &done, err);
		total += done;
	} while (rc >= 0 && done == JOBS_SEARCH_INDEX_BATCH && ck_mono_ms() < until);
	job->indexed += total;
	if (total >= JOBS_SEARCH_INDEX_BATCH)
		ck_log(CK_LOG_DEBUG, run->run_id, "search index: %lld certificate(s) indexed",
		       (long long)total);
	return rc < 0 ? rc : 0;
}

int jobs_search_index_add(struct jobs_scheduler *s, struct jobs_search_index *job,
			  struct ck_error *err)
{
	const struct jobs_def def = {
	    .name = JOBS_SEARCH_INDEX_NAME,
	    .interval_s = 1,
	    .run = jobs_search_index_run,
	    .arg = job,
	    .every_node = 1,
	};

	return jobs_add(s, &def, err);
}
