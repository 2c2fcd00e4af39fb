/* cli/cmd_import — placeholder until its issue lands; refuses clearly instead of pretending. */
#include "cli/commands.h"
#include <stdio.h>
int cmd_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "certkeeper import: not built yet\n");
	return 1;
}
