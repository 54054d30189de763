#include <stdio.h>

#include "cli.h"

#ifndef A3S_VERSION
#define A3S_VERSION "unknown"
#endif

int cmd_version(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	printf("a3s-box version %s\n", A3S_VERSION);
	return 0;
}
