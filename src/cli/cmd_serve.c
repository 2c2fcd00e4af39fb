/*
 * cli/cmd_serve — `certkeeper serve`: opens the database (migrating it), optionally creates
 * the first admin (--bootstrap-admin, printing its token and password once), starts the HTTP
 * server and runs until SIGTERM/SIGINT, then stops gracefully (in-flight requests finish).
 */
#include "api/actions.h"
#include "api/api.h"
#include "cli/commands.h"
#include "core/config.h"
#include "core/log.h"
#include "domain/auth.h"
#include "http/http.h"
#include "jobs/cluster.h"
#include "jobs/scheduler.h"
#include "jobs/checkpoint.h"
#include "jobs/search_index.h"
#include "jobs/sweeper.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CERTKEEPER_VERSION "0.1.0"

/* SIGTERM/SIGINT are blocked in every thread (the mask is inherited by the HTTP workers and
 * the job scheduler, which start after it is set) and taken synchronously by the main thread with
 * sigwait(), so a stop request can never land in a worker and be lost. */
static void block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: certkeeper serve [--listen HOST:PORT] [--db URL] [--config FILE] [--web-root "
	    "DIR]\n"
	    "                        [--threads N] [--bootstrap-admin] [--quiet]\n\n"
	    "Runs the REST API (NetBox SSL compatible) and the web UI.\n"
	    "  --listen HOST:PORT   address to bind (default 127.0.0.1:8080; env "
	    "CERTKEEPER_LISTEN)\n"
	    "  --db URL             sqlite:PATH (default sqlite:certkeeper.db; env CERTKEEPER_DB)\n"
	    "  --config FILE        INI file with [server] and [netbox_ssl] settings\n"
	    "  --web-root DIR       built UI to serve at / (default web/dist when present)\n"
	    "  --threads N          HTTP worker threads (default: number of cores)\n"
	    "  --bootstrap-admin    create user 'admin' with a token and password when no user "
	    "exists\n"
	    "  --quiet              no access log\n");
}

static int parse_args(int argc, char **argv, struct ck_config *cfg, int *bootstrap)
{
	const char *config = NULL;
	struct ck_error err;

	ck_error_clear(&err);
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[i + 1];
	if (ck_config_load_file(cfg, config, &err) || ck_config_load_env(cfg, &err)) {
		fprintf(stderr, "certkeeper serve: %s%s%s\n", err.field, err.field[0] ? ": " : "",
			err.msg);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		static const struct {
			const char *flag, *key;
		} map[] = {{"--listen", "listen"},
			   {"--db", "db"},
			   {"--web-root", "web_root"},
			   {"--threads", "threads"}};
		int matched = 0;
		if (!strcmp(argv[i], "--bootstrap-admin")) {
			*bootstrap = 1;
			continue;
		}
		if (!strcmp(argv[i], "--quiet")) {
			cfg->access_log = 0;
			continue;
		}
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			i++;
			continue;
		}
		for (size_t k = 0; k < sizeof(map) / sizeof(map[0]) && !matched; k++) {
			if (strcmp(argv[i], map[k].flag))
				continue;
			matched = 1;
			if (i + 1 >= argc || ck_config_set(cfg, map[k].key, argv[++i], &err)) {
				fprintf(stderr, "certkeeper serve: %s needs a valid value%s%s\n",
					map[k].flag, err.msg[0] ? ": " : "", err.msg);
				return 2;
			}
		}
		if (!matched) {
			fprintf(stderr, "certkeeper serve: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

/* Creates admin + token + password when the database has no user yet. */
static int bootstrap_admin(struct store *st, const char *url)
{
	struct store_conn *c = store_conn_get(st);
	struct ck_error err;
	int64_t nusers = 0, uid = 0, tid = 0;
	char *key = NULL;
	char password[21];

	ck_error_clear(&err);
	if (!c || auth_user_count(c, &nusers))
		return 1;
	if (nusers) {
		printf("Sign in as an existing user; new API token: certkeeper token create --user "
		       "admin\n");
		return 0;
	}
	if (auth_random_password(password, sizeof(password)))
		return 1;
	if (auth_user_create(c, "admin", 1, &uid, &err) ||
	    auth_user_set_password(c, "admin", password, &err) ||
	    auth_token_create(c, uid, 1, "created by make run", 0, &key, &tid, &err)) {
		fprintf(stderr, "certkeeper serve: cannot create the first admin: %s\n", err.msg);
		return 1;
	}
	printf("First admin created.\n  user:     admin\n  password: %s\n  token:    %s\n"
	       "  (shown once; try: curl -H \"Authorization: Token %s\" "
	       "%s/api/plugins/netbox-ssl/certificates/)\n",
	       password, key, key, url);
	free(key);
	return 0;
}

/* Starts the background jobs (jobs/scheduler): the status sweep, the search index and the
 * WAL checkpoint. NULL
 * when the scheduler cannot start (logged; serving goes on without it). The
 * cluster lock (jobs/cluster) makes each job run once per interval among every node (or
 * process) on the database; the node is named "<host>/<pid>" in job_runs. */
static struct jobs_scheduler *start_jobs(struct api_app *app, struct jobs_sweeper *sw)
{
	static struct jobs_cluster_lock cluster;
	static struct jobs_search_index search_index;
	static struct jobs_checkpoint checkpoint;
	struct jobs_scheduler *s = NULL;
	struct jobs_lock lock;
	struct ck_error err;
	char host[64] = "", node[STORE_JOB_NODE_MAX];
	int rc;

	ck_error_clear(&err);
	*sw = (struct jobs_sweeper){.store = app->store, .cfg = &app->cfg};
	if (gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "node");
	snprintf(node, sizeof(node), "%s/%ld", host, (long)getpid());
	jobs_cluster_lock_init(&cluster, app->store, node, &lock);
	rc = jobs_scheduler_new(&lock, &s);
	if (!rc)
		rc = jobs_sweeper_add(s, sw, &err);
	search_index = (struct jobs_search_index){.store = app->store};
	if (!rc)
		rc = jobs_search_index_add(s, &search_index, &err);
	checkpoint = (struct jobs_checkpoint){.store = app->store};
	if (!rc)
		rc = jobs_checkpoint_add(s, &checkpoint, &err);
	if (!rc)
		rc = jobs_start(s);
	if (rc) {
		ck_log(CK_LOG_ERROR, NULL, "background jobs not started: %s",
		       err.msg[0] ? err.msg : ck_strerror(rc));
		jobs_scheduler_free(s);
		return NULL;
	}
	return s;
}

/* Password hashes may occupy at most login_hash_concurrency worker threads, and callers
 * waiting for a turn as many more as leave one worker thread free for everything else. */
static void configure_hash_gate(const struct ck_config *cfg)
{
	long threads = cfg->threads ? cfg->threads : sysconf(_SC_NPROCESSORS_ONLN);
	long waiters = threads - cfg->login_hash_concurrency - 1;

	auth_set_hash_limits(cfg->login_hash_concurrency, waiters > 0 ? (int)waiters : 0);
}

int cmd_serve(int argc, char **argv)
{
	static struct jobs_sweeper sweeper;
	struct jobs_scheduler *jobs;
	static struct api_app app;
	struct http_config hc = {0};
	struct http_server *srv = NULL;
	struct ck_error err;
	struct stat sb;
	int bootstrap = 0, r;
	char url[200];
	sigset_t stop_set;
	int sig = 0;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	ck_config_defaults(&app.cfg);
	if ((r = parse_args(argc, argv, &app.cfg, &bootstrap)))
		return r;
	if (!app.cfg.web_root[0] && !stat("web/dist/index.html", &sb))
		snprintf(app.cfg.web_root, sizeof(app.cfg.web_root), "web/dist");
	ck_error_clear(&err);
	if (store_open(app.cfg.db, 0, &app.store, &err) ||
	    store_set_statement_timeout(app.store, app.cfg.pg_statement_timeout_ms, &err)) {
		fprintf(stderr, "certkeeper serve: cannot open database %s: %s\n", app.cfg.db,
			err.msg);
		store_close(app.store);
		return 1;
	}
	app.version = CERTKEEPER_VERSION;
	app.started = (int64_t)time(NULL);
	configure_hash_gate(&app.cfg);
	hc.listen = app.cfg.listen;
	hc.threads = (unsigned)app.cfg.threads;
	hc.max_body = (size_t)app.cfg.max_body_bytes;
	hc.access_log = app.cfg.access_log;
	hc.header_timeout_s = (unsigned)app.cfg.header_timeout_s;
	hc.keepalive_timeout_s = (unsigned)app.cfg.keepalive_timeout_s;
	hc.send_timeout_s = (unsigned)app.cfg.send_timeout_s;
	hc.max_conns_per_ip = (unsigned)app.cfg.max_connections_per_ip;
	signal(SIGPIPE, SIG_IGN);
	block_stop_signals(&stop_set);
	if (http_server_start(&hc, api_handle, &app, &srv, &err)) {
		fprintf(stderr, "certkeeper serve: cannot listen on %s: %s\n", app.cfg.listen,
			err.msg);
		store_close(app.store);
		return 1;
	}
	snprintf(url, sizeof(url), "http://%s", app.cfg.listen);
	if (!strncmp(app.cfg.listen, ":", 1) ||
	    strstr(app.cfg.listen, ":0") == app.cfg.listen + strlen(app.cfg.listen) - 2)
		snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)http_server_port(srv));
	printf("certkeeper %s listening on %s/ (database %s)\n", CERTKEEPER_VERSION, url,
	       app.cfg.db);
	if (bootstrap && bootstrap_admin(app.store, url)) {
		http_server_stop(srv);
		api_analytics_stop();
		store_close(app.store);
		return 1;
	}
	fflush(stdout);
	jobs = start_jobs(&app, &sweeper);
	while (sigwait(&stop_set, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
		;
	ck_log(CK_LOG_INFO, NULL, "shutting down");
	jobs_scheduler_free(jobs); /* a running sweep finishes first */
	http_server_stop(srv);
	api_analytics_stop();
	store_close(app.store);
	return 0;
}
