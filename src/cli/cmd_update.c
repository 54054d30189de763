/* a3s-box update [--restart POLICY] [--cpus N] [-m SIZE] BOX... */
#include <getopt.h>
#include <stdio.h>

#include "box/policy.h"
#include "box/spec.h"
#include "box/update.h"
#include "boxes.h"
#include "util/units.h"

enum { OPT_CPUS = 256, OPT_RESTART };

static int update_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	return box_update(ctx->root, b->id, arg, &ctx->err);
}

int cmd_update(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"restart", required_argument, NULL, OPT_RESTART},
					     {"cpus", required_argument, NULL, OPT_CPUS},
					     {"memory", required_argument, NULL, 'm'},
					     {"help", no_argument, NULL, 'H'},
					     {NULL, 0, NULL, 0}};
	struct box_update u = {0};
	unsigned milli;
	uint64_t bytes;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:m:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_RESTART:
			if (box_policy_parse(optarg, &u.restart, &u.restart_max, &ctx->err) < 0)
				return cli_usage_error(ctx, "%s", ctx->err.msg);
			break;
		case OPT_CPUS:
			if (units_parse_cpus(optarg, &milli, &ctx->err) < 0 || !milli)
				return cli_usage_error(ctx, "invalid argument \"%s\" for \"--cpus\" flag: must be a "
							    "positive number",
						       optarg);
			u.cpus = (milli + 999) / 1000; /* whole vCPUs, as run rounds */
			break;
		case 'm':
			if (units_parse_ram(optarg, &bytes, &ctx->err) < 0)
				return cli_usage_error(ctx, "invalid argument \"%s\" for \"-m, --memory\" flag: %s",
						       optarg, ctx->err.msg);
			if ((bytes >> 20) < BOX_MIN_MEM_MIB)
				return cli_usage_error(ctx, "minimum memory limit for a box is %dMiB", BOX_MIN_MEM_MIB);
			u.mem_mib = bytes >> 20;
			break;
		case 'H': return cli_help(ctx);
		case ':': return cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"update\" requires at least 1 argument");
	if (!u.restart && !u.cpus && !u.mem_mib)
		return cli_usage_error(ctx, "you must provide one or more flags when using this command");
	return cli_each_box(ctx, argc, argv, optind, true, update_one, &u);
}
