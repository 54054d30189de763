#include "boxes.h"

#include <stdio.h>

int cli_each_box(struct cli_ctx *ctx, int argc, char **argv, int first, bool print_name,
		 int (*fn)(struct cli_ctx *ctx, struct box_record *b, void *arg), void *arg)
{
	int rc = 0;
	for (int i = first; i < argc; i++) {
		struct box_record *b = NULL;
		err_clear(&ctx->err);
		if (box_store_find(ctx->root, argv[i], &b, &ctx->err) < 0 || fn(ctx, b, arg) < 0) {
			fprintf(stderr, "%s: %s\n", ctx->prog, ctx->err.msg);
			rc = 1;
		} else if (print_name) {
			printf("%s\n", argv[i]);
		}
		box_record_free(b);
	}
	return rc;
}
