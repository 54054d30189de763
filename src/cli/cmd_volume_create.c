/* a3s-box volume create [-d local] [-l KEY=VALUE]... [-o KEY=VALUE]... [NAME] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "box/store.h"
#include "cli.h"
#include "volume/store.h"

/* "KEY=VALUE" (or "KEY" for labels) into obj */
static int kv(struct cli_ctx *ctx, json_t *obj, const char *s, bool need_value, const char *flag)
{
	const char *eq = strchr(s, '=');
	char key[256];
	if ((!eq && need_value) || eq == s || (size_t)(eq ? eq - s : (long)strlen(s)) >= sizeof(key))
		return cli_usage_error(ctx, "invalid argument \"%s\" for \"%s\" flag: use KEY=VALUE", s, flag);
	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - s) : (int)strlen(s), s);
	json_object_set_new(obj, key, json_string(eq ? eq + 1 : ""));
	return -1;
}

int cmd_volume_create(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"driver", required_argument, NULL, 'd'},
		{"label", required_argument, NULL, 'l'},
		{"opt", required_argument, NULL, 'o'},
		{"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	json_t *labels = json_object(), *options = json_object();
	const char *driver = "local", *name = NULL;
	char id[65];
	int c, rc = -1;

	while (rc < 0 && (c = getopt_long(argc, argv, "d:l:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': driver = optarg; break;
		case 'l': rc = kv(ctx, labels, optarg, false, "--label"); break;
		case 'o': rc = kv(ctx, options, optarg, true, "--opt"); break;
		case 'n': name = optarg; break;
		case 'h': rc = cli_help(ctx); break;
		default: rc = cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]); break;
		}
	}
	if (rc >= 0)
		goto out;
	if (argc - optind > 1) {
		rc = cli_usage_error(ctx, "\"%s\" requires at most 1 argument", ctx->cmd_name);
		goto out;
	}
	if (optind < argc) {
		if (name && strcmp(name, argv[optind])) {
			rc = cli_usage_error(ctx, "conflicting options: either specify --name or provide positional arg, not both");
			goto out;
		}
		name = argv[optind];
	}
	if (!name) {
		box_new_id(id);
		name = id;
	}
	if (volume_create(ctx->root, name, driver, labels, options, false, NULL, NULL, &ctx->err) < 0) {
		rc = cli_fail(ctx);
		goto out;
	}
	printf("%s\n", name);
	rc = 0;
out:
	json_decref(labels);
	json_decref(options);
	return rc;
}
