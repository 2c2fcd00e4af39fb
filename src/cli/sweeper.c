/* cli/sweeper — see sweeper.h. */
#include "cli/sweeper.h"
#include "api/api.h"
#include "core/log.h"
#include "domain/lifecycle.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static int running, stopping;

static void sweep_once(struct api_app *app)
{
	struct dom_ctx ctx = {
	    store_conn_get(app->store), &app->cfg, (int64_t)time(NULL), 0, "", "sweep"};
	struct ck_error err;
	int expired = 0, archived = 0;

	ck_error_clear(&err);
	if (!ctx.conn) {
		ck_log(CK_LOG_ERROR, "sweep", "no database connection");
		return;
	}
	if (dom_lifecycle_sweep(&ctx, &expired, &archived, &err))
		ck_log(CK_LOG_ERROR, "sweep", "status sweep failed: %s",
		       err.msg[0] ? err.msg : ck_strerror(err.code));
	else if (expired || archived)
		ck_log(CK_LOG_INFO, "sweep", "status sweep: %d expired, %d archived", expired,
		       archived);
}

static void *sweeper_main(void *arg)
{
	struct api_app *app = arg;
	struct timespec until;

	pthread_mutex_lock(&lock);
	while (!stopping) {
		pthread_mutex_unlock(&lock);
		sweep_once(app);
		pthread_mutex_lock(&lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += app->cfg.sweep_interval_s;
		while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int sweeper_start(struct api_app *app)
{
	if (app->cfg.sweep_interval_s <= 0 || running)
		return 0;
	stopping = 0;
	if (pthread_create(&thread, NULL, sweeper_main, app))
		return CK_E_NOMEM;
	running = 1;
	return 0;
}

void sweeper_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = 0;
}
