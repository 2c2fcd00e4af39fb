/*
 * cli/commands — the subcommands of the certkeeper binary. Each takes the arguments after
 * its own name (argv[0] is the subcommand name) and returns the process exit status:
 * 0 success, 1 a refused or failed operation (with a message), 2 a usage error.
 * Each command prints its own help for `--help`.
 */
#ifndef CK_CLI_COMMANDS_H
#define CK_CLI_COMMANDS_H

int cmd_inspect(int argc, char **argv);	     /* cli/cmd_inspect.c */
int cmd_serve(int argc, char **argv);	     /* cli/cmd_serve.c */
int cmd_migrate(int argc, char **argv);	     /* cli/cmd_admin.c */
int cmd_user(int argc, char **argv);	     /* cli/cmd_admin.c */
int cmd_token(int argc, char **argv);	     /* cli/cmd_admin.c */
int cmd_import(int argc, char **argv);	     /* cli/cmd_import.c */
int cmd_sweep(int argc, char **argv);	     /* cli/cmd_sweep.c */
int cmd_migrate_data(int argc, char **argv); /* cli/cmd_migrate_data.c */

/* True when argv holds "-h" or "--help" anywhere. */
int cli_wants_help(int argc, char **argv);

#endif
