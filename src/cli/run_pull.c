/* run/create --pull missing|always|never [--platform P]: the image, pulled when the policy says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image/ref.h"
#include "image/store.h"
#include "registry/pull.h"

static const char *policy = "missing";
static const char *platform;

int cli_run_pull_flag(struct cli_ctx *ctx, const char *flag, const char *value)
{
	if (!strcmp(flag, "platform")) {
		platform = value;
		return 0;
	}
	if (strcmp(value, "missing") && strcmp(value, "always") && strcmp(value, "never"))
		return cli_usage_error(ctx, "invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"",
				       value);
	policy = value;
	return 0;
}

bool cli_run_pull_always(void)
{
	return !strcmp(policy, "always");
}

int cli_run_pull(struct cli_ctx *ctx, const char *name, struct image **img)
{
	struct reg_xfer_opts o = {.tls_verify = true, .platform = platform, .out = stderr};
	char *ref = NULL;
	if (!strcmp(policy, "never")) {
		struct image_ref r;
		if (image_ref_parse_tagged(name, &r, &ctx->err) == 0) {
			char *fam = image_ref_familiar_string(&r);
			err_setk(&ctx->err, ERR_NOT_FOUND, "No such image: %s", fam);
			free(fam);
			image_ref_release(&r);
		}
		return -1;
	}
	if (!strcmp(policy, "missing")) {
		struct image_ref r;
		if (image_ref_parse_tagged(name, &r, &ctx->err) < 0)
			return -1;
		char *fam = image_ref_familiar_string(&r);
		fprintf(stderr, "Unable to find image '%s' locally\n", fam);
		free(fam);
		image_ref_release(&r);
	}
	if (registry_pull(ctx->root, name, &o, &ref, &ctx->err) < 0)
		return -1;
	free(ref);
	return image_store_lookup(ctx->root, name, img, &ctx->err);
}
