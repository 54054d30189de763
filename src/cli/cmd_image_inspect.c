/* a3s-box image inspect [-f FORMAT] IMAGE [IMAGE...] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "image/inspect.h"
#include "image/store.h"
#include "util/template.h"

static int print_json(json_t *all)
{
	char *s = json_dumps(all, JSON_INDENT(4) | JSON_ENCODE_ANY);
	if (!s)
		abort();
	printf("%s\n", s);
	free(s);
	return 0;
}

int cmd_image_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = NULL;
	struct template *t = NULL;
	json_t *all = json_array();
	struct err failed = ERR_INIT;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			json_decref(all);
			return cli_help(ctx);
		default:
			json_decref(all);
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (optind >= argc) {
		json_decref(all);
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	}
	if (format && *format && template_parse(format, &t, &ctx->err) < 0) {
		json_decref(all);
		return cli_fail(ctx);
	}
	for (int i = optind; i < argc; i++) {
		struct image *img;
		json_t *j;
		if (image_store_lookup(ctx->root, argv[i], &img, &ctx->err) < 0) {
			failed = ctx->err; /* reported after the ones found, as docker does */
			rc = -1;
			continue;
		}
		j = image_inspect_json(img);
		image_free(img);
		if (t) {
			if (template_exec(t, template_json_lookup, j, stdout, &ctx->err) < 0) {
				json_decref(j);
				rc = cli_fail(ctx);
				goto out;
			}
			putchar('\n');
			json_decref(j);
		} else {
			json_array_append_new(all, j);
		}
	}
	if (!t)
		print_json(all);
	if (rc < 0) {
		ctx->err = failed;
		fflush(stdout);
		rc = cli_fail(ctx);
	}
out:
	template_free(t);
	json_decref(all);
	return rc;
}
