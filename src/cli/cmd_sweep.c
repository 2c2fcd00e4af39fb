/*
 * cli/cmd_sweep — `certkeeper sweep`: one status sweep for cron (the same work the serve
 * process does every sweep_interval_s): active certificates past valid_to become expired,
 * expired/replaced ones older than auto_archive_after_days become archived (unless pinned).
 * Prints "expired N, archived M" (with --stats also "batches B, longest T ms": the write
 * transactions and the longest time one held the write lock). Exit 0, 1 on failure, 2 on a
 * usage error.
 */
#include "cli/commands.h"
#include "core/config.h"
#include "core/parse.h"
#include "domain/lifecycle.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: certkeeper sweep [--db URL] [--config FILE] [--now ISO-8601] [--stats]\n\n"
	    "Runs one lifecycle status sweep (for cron; 'serve' also runs it periodically).\n"
	    "  --db URL       database (default: $CERTKEEPER_DB, else sqlite:certkeeper.db)\n"
	    "  --config FILE  INI file (auto_archive_after_days, ...)\n"
	    "  --now TIME     reference time instead of the clock (for tests and replays)\n"
	    "  --stats        also print the number of write transactions and the longest one\n");
}

static int parse_args(int argc, char **argv, struct ck_config *cfg, int64_t *now, int *stats,
		      struct ck_error *err)
{
	const char *config = NULL;

	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--config"))
			config = argv[i + 1];
	if (ck_config_load_file(cfg, config, err) || ck_config_load_env(cfg, err))
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stats")) {
			*stats = 1;
			continue;
		}
		if (i + 1 >= argc)
			return ck_error_set(err, CK_E_INVALID, NULL,
					    "'%s' needs a value or is unknown", argv[i]),
			       2;
		if (!strcmp(argv[i], "--db")) {
			if (ck_config_set(cfg, "db", argv[++i], err))
				return 2;
		} else if (!strcmp(argv[i], "--now")) {
			if (ck_parse_time(argv[++i], now))
				return ck_error_set(err, CK_E_INVALID, NULL,
						    "--now needs an ISO 8601 time"),
				       2;
		} else if (!strcmp(argv[i], "--config")) {
			i++;
		} else {
			return ck_error_set(err, CK_E_INVALID, NULL, "unknown option '%s'",
					    argv[i]),
			       2;
		}
	}
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct ck_config cfg;
	struct store *st = NULL;
	struct ck_error err;
	int64_t now = (int64_t)time(NULL);
	struct dom_sweep_stats ss;
	int stats = 0, r;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	ck_config_defaults(&cfg);
	ck_error_clear(&err);
	if ((r = parse_args(argc, argv, &cfg, &now, &stats, &err))) {
		fprintf(stderr, "certkeeper sweep: %s\n", err.msg);
		if (r == 2)
			usage(stderr);
		return r;
	}
	if (store_open(cfg.db, 0, &st, &err)) {
		fprintf(stderr, "certkeeper sweep: cannot open database %s: %s\n", cfg.db, err.msg);
		return 1;
	}
	struct dom_ctx ctx = {store_conn_get(st), &cfg, now, 0, "", "sweep", NULL};
	r = ctx.conn ? dom_lifecycle_sweep_stats(&ctx, &ss, &err) : CK_E_NOMEM;
	if (r) {
		fprintf(stderr, "certkeeper sweep: %s\n", err.msg[0] ? err.msg : ck_strerror(r));
	} else {
		printf("expired %d, archived %d\n", ss.expired, ss.archived);
		if (stats)
			printf("batches %d, longest %.1f ms (before COMMIT %.1f ms)\n", ss.batches,
			       (double)ss.longest_batch_us / 1000.0,
			       (double)ss.longest_work_us / 1000.0);
	}
	store_close(st);
	return r ? 1 : 0;
}
