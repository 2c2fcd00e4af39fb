/* cli/cmd_inspect — placeholder until its issue lands; refuses clearly instead of pretending. */
#include "cli/commands.h"
#include <stdio.h>
int cmd_inspect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "certkeeper inspect: not built yet\n");
	return 1;
}
