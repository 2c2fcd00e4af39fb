/* cli/main — certkeeper's entry point: dispatches to the subcommands of cli/commands.h. */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"serve", cmd_serve, "run the HTTP API server (and its background jobs)"},
    {"inspect", cmd_inspect, "parse certificates/CSRs from files or stdin and print JSON"},
    {"sweep", cmd_sweep, "run one lifecycle status sweep (expire, auto-archive) for cron"},
    {"import", cmd_import, "import PEM certificates from files into the database"},
    {"migrate", cmd_migrate, "apply pending database migrations"},
    {"migrate-data", cmd_migrate_data, "copy every table from one database to another, verified"},
    {"user", cmd_user, "manage users (create, list, password)"},
    {"token", cmd_token, "manage API tokens (create, list)"},
};

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: certkeeper COMMAND [ARGS...]\n\n"
		"certkeeper — a self-contained TLS certificate inventory server.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'certkeeper COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "certkeeper: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
