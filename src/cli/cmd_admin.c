/* cli/cmd_admin — placeholder until the store lands. */
#include "cli/commands.h"
#include <stdio.h>
static int not_yet(const char *n) { fprintf(stderr, "certkeeper %s: not built yet\n", n); return 1; }
int cmd_migrate(int argc, char **argv) { (void)argc; return not_yet(argv[0]); }
int cmd_user(int argc, char **argv) { (void)argc; return not_yet(argv[0]); }
int cmd_token(int argc, char **argv) { (void)argc; return not_yet(argv[0]); }
