/* cli/cmd_serve — placeholder until its issue lands; refuses clearly instead of pretending. */
#include "cli/commands.h"
#include <stdio.h>
int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "certkeeper serve: not built yet\n");
	return 1;
}
