/* a3s-box inspect [-f FORMAT] [--type container|image] NAME...,
 * a3s-box container inspect [-f FORMAT] BOX... and
 * a3s-box image inspect [-f FORMAT] IMAGE... */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "box/inspect.h"
#include "box/record.h"
#include "cli.h"
#include "image/inspect.h"
#include "image/store.h"
#include "util/template.h"
#include "box/health.h"

enum kind { ANY, BOX, IMAGE };

/* The JSON for name, or NULL with ctx->err set (ERR_NOT_FOUND when there
 * is no such object). */
static json_t *lookup(struct cli_ctx *ctx, enum kind k, const char *name)
{
	struct box_record *b;
	struct image *img;
	json_t *j;
	if (k != IMAGE) {
		if (box_store_find(ctx->root, name, &b, &ctx->err) == 0) {
			j = box_inspect_json(b);
			box_health_inspect(ctx->root, b, j);
			box_record_free(b);
			return j;
		}
		if (ctx->err.kind != ERR_NOT_FOUND)
			return NULL;
		if (k == BOX) {
			err_setk(&ctx->err, ERR_NOT_FOUND, "No such container: %s", name);
			return NULL;
		}
	}
	if (image_store_lookup(ctx->root, name, &img, &ctx->err) == 0) {
		j = image_inspect_json(img);
		image_free(img);
		return j;
	}
	/* an invalid reference cannot name an image: not found either */
	if (k == ANY && (ctx->err.kind == ERR_NOT_FOUND || ctx->err.kind == ERR_USAGE))
		err_setk(&ctx->err, ERR_NOT_FOUND, "No such object: %s", name);
	else if (k == IMAGE && ctx->err.kind == ERR_USAGE)
		err_setk(&ctx->err, ERR_NOT_FOUND, "No such image: %s", name);
	return NULL;
}

/* only: ANY for `inspect` (which takes --type), else the one kind asked for */
static int run(struct cli_ctx *ctx, int argc, char **argv, enum kind only)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"type", required_argument, NULL, 't'},
		{"size", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = NULL;
	enum kind k = only;
	struct template *t = NULL;
	json_t *all;
	struct err failed = ERR_INIT;
	bool any_failed = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "f:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 't':
			if (only != ANY)
				return cli_usage_error(ctx, "unknown flag: --type");
			if (!strcmp(optarg, "container"))
				k = BOX;
			else if (!strcmp(optarg, "image"))
				k = IMAGE;
			else if (*optarg)
				return cli_usage_error(ctx, "\"%s\" is not a valid value for --type", optarg);
			break;
		case 's':
			break;
		case 'h':
			return cli_help(ctx);
		default:
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	if (format && *format && template_parse(format, &t, &ctx->err) < 0)
		return cli_fail(ctx);
	all = json_array();
	for (int i = optind; i < argc; i++) {
		json_t *j = lookup(ctx, k, argv[i]);
		if (!j) {
			/* every missing name is reported, after the ones found (docker) */
			if (any_failed)
				fprintf(stderr, "%s: %s\n", ctx->prog, failed.msg);
			failed = ctx->err;
			any_failed = true;
			continue;
		}
		if (t) {
			if (template_exec(t, template_json_lookup, j, stdout, &ctx->err) < 0) {
				json_decref(j);
				fflush(stdout);
				rc = cli_fail(ctx);
				goto out;
			}
			putchar('\n');
			json_decref(j);
		} else {
			json_array_append_new(all, j);
		}
	}
	if (!t) {
		char *s = json_dumps(all, JSON_INDENT(4));
		if (!s)
			abort();
		printf("%s\n", s);
		free(s);
	}
	if (any_failed) {
		ctx->err = failed;
		fflush(stdout);
		rc = cli_fail(ctx);
	}
out:
	template_free(t);
	json_decref(all);
	return rc;
}

int cmd_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, ANY);
}

int cmd_image_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, IMAGE);
}

int cmd_container_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, BOX);
}
