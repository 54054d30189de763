/* a3s-box volume inspect [-f FORMAT] VOLUME... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "util/template.h"
#include "volume/store.h"

int cmd_volume_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct template *t = NULL;
	struct err failed = ERR_INIT;
	bool any_failed = false;
	json_t *all;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (*optarg && template_parse(optarg, &t, &ctx->err) < 0)
				return cli_fail(ctx);
			break;
		case 'h': template_free(t); return cli_help(ctx);
		default: template_free(t); return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		template_free(t);
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	}
	all = json_array();
	for (int i = optind; i < argc; i++) {
		struct volume *v;
		json_t *j;
		if (volume_get(ctx->root, argv[i], &v, &ctx->err) < 0) {
			if (any_failed)
				fprintf(stderr, "%s: %s\n", ctx->prog, failed.msg);
			failed = ctx->err;
			any_failed = true;
			continue;
		}
		j = volume_to_json(v);
		volume_free(v);
		if (t) {
			int r = template_exec(t, template_json_lookup, j, stdout, &ctx->err);
			json_decref(j);
			if (r < 0) {
				fflush(stdout);
				rc = cli_fail(ctx);
				goto out;
			}
			putchar('\n');
		} else {
			json_array_append_new(all, j);
		}
	}
	if (!t) {
		char *s = json_dumps(all, JSON_INDENT(4));
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
