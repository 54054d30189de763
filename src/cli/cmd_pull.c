/*
 * a3s-box pull [--platform P] [-q] [-a] [--tls-verify=false] [signature flags] NAME[:TAG|@DIGEST]
 * a3s-box push [-q] [--tls-verify=false] [--sign-key KEY] NAME[:TAG]
 *
 * Signature flags (registry/sig.h): --verify-key FILE, or keyless
 * --certificate-identity[-regexp] + --certificate-oidc-issuer[-regexp] with
 * --fulcio-root FILE and --rekor-key FILE; --signature-policy FILE.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image/ref.h"
#include "registry/fetch.h"
#include "registry/pull.h"
#include "registry/sig.h"
#include "util/xalloc.h"

static void on_signal(int sig)
{
	(void)sig;
	reg_interrupted = 1;
}

/* SIGINT/SIGTERM/SIGHUP stop transfers cleanly (staging removed, nothing stored). */
static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int cli_parse_bool(struct cli_ctx *ctx, const char *flag, const char *arg, bool *out)
{
	if (!arg || !strcmp(arg, "true") || !strcmp(arg, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(arg, "false") || !strcmp(arg, "0")) {
		*out = false;
		return 0;
	}
	return cli_usage_error(ctx, "invalid argument \"%s\" for \"--%s\" flag: expected true or false", arg, flag);
}

/* A cosign artifact tag ("sha256-<hex>.sig", ".att", ".sbom"): not an image. */
static bool cosign_tag(const char *t)
{
	const char *dot = strrchr(t, '.');
	size_t n = dot ? (size_t)(dot - t) : 0;
	if (!dot || n != 7 + 64 || strncmp(t, "sha256-", 7) || strspn(t + 7, "0123456789abcdef") < 64)
		return false;
	return !strcmp(dot, ".sig") || !strcmp(dot, ".att") || !strcmp(dot, ".sbom");
}

/* pull -a: every tag of the repository (but cosign's signature tags), then
 * the repository's name. */
static int pull_all(struct cli_ctx *ctx, const char *name, const struct reg_xfer_opts *o)
{
	struct strv tags = STRV_INIT;
	if (registry_tags(name, o, &tags, &ctx->err) < 0)
		return cli_fail(ctx);
	struct strv pulled = STRV_INIT;
	struct reg_xfer_opts all = *o;
	all.pulled = &pulled; /* the cache cap keeps every tag pulled here */
	for (size_t i = 0; i < tags.n; i++) {
		if (cosign_tag(tags.v[i]))
			continue;
		char *one = xasprintf("%s:%s", name, tags.v[i]), *ref = NULL;
		int rc = registry_pull(ctx->root, one, &all, &ref, &ctx->err);
		free(one);
		free(ref);
		if (rc < 0) {
			strv_release(&tags);
			strv_release(&pulled);
			return cli_fail(ctx);
		}
	}
	strv_release(&tags);
	strv_release(&pulled);
	{
		struct image_ref r;
		if (image_ref_parse(name, &r, &ctx->err) < 0)
			return cli_fail(ctx);
		char *full = image_ref_name(&r);
		printf("%s\n", full);
		free(full);
		image_ref_release(&r);
	}
	return 0;
}

int cmd_pull(struct cli_ctx *ctx, int argc, char **argv)
{
	enum { OPT_PLATFORM = 256, OPT_TLS, OPT_VKEY, OPT_ID, OPT_IDRE, OPT_ISS, OPT_ISSRE, OPT_FULCIO, OPT_REKOR,
	       OPT_POLICY };
	static const struct option opts[] = {
		{"platform", required_argument, NULL, OPT_PLATFORM},
		{"verify-key", required_argument, NULL, OPT_VKEY},
		{"certificate-identity", required_argument, NULL, OPT_ID},
		{"certificate-identity-regexp", required_argument, NULL, OPT_IDRE},
		{"certificate-oidc-issuer", required_argument, NULL, OPT_ISS},
		{"certificate-oidc-issuer-regexp", required_argument, NULL, OPT_ISSRE},
		{"fulcio-root", required_argument, NULL, OPT_FULCIO},
		{"rekor-key", required_argument, NULL, OPT_REKOR},
		{"signature-policy", required_argument, NULL, OPT_POLICY},
		{"quiet", no_argument, NULL, 'q'},
		{"all-tags", no_argument, NULL, 'a'},
		{"tls-verify", optional_argument, NULL, OPT_TLS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct reg_verify v = {0};
	struct reg_xfer_opts o = {.tls_verify = true, .out = stdout, .verify = &v};
	char *ref = NULL;
	bool all = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+qah", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PLATFORM: o.platform = optarg; break;
		case 'q': o.quiet = true; break;
		case 'a': all = true; break;
		case OPT_VKEY: v.key = optarg; break;
		case OPT_ID: v.identity = optarg; break;
		case OPT_IDRE: v.identity_regexp = optarg; break;
		case OPT_ISS: v.issuer = optarg; break;
		case OPT_ISSRE: v.issuer_regexp = optarg; break;
		case OPT_FULCIO: v.fulcio_root = optarg; break;
		case OPT_REKOR: v.rekor_key = optarg; break;
		case OPT_POLICY: v.policy = optarg; break;
		case OPT_TLS:
			if (cli_parse_bool(ctx, "tls-verify", optarg, &o.tls_verify) < 0)
				return 125;
			break;
		case 'h': return cli_help(ctx);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(ctx, "\"%s\" requires exactly 1 argument", ctx->cmd_name);
	if (getenv("A3S_BOX_PLATFORM") && !o.platform)
		o.platform = getenv("A3S_BOX_PLATFORM");
	if (reg_verify_check(&v, &ctx->err) < 0)
		return cli_fail(ctx);
	catch_signals();
	if (all)
		return pull_all(ctx, argv[optind], &o);
	if (registry_pull(ctx->root, argv[optind], &o, &ref, &ctx->err) < 0)
		return cli_fail(ctx);
	printf("%s\n", ref);
	free(ref);
	return 0;
}

int cmd_push(struct cli_ctx *ctx, int argc, char **argv)
{
	enum { OPT_TLS = 256, OPT_SIGN };
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"sign-key", required_argument, NULL, OPT_SIGN},
		{"tls-verify", optional_argument, NULL, OPT_TLS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct reg_xfer_opts o = {.tls_verify = true, .out = stdout};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q': o.quiet = true; break;
		case OPT_SIGN: o.sign_key = optarg; break;
		case OPT_TLS:
			if (cli_parse_bool(ctx, "tls-verify", optarg, &o.tls_verify) < 0)
				return 125;
			break;
		case 'h': return cli_help(ctx);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(ctx, "\"%s\" requires exactly 1 argument", ctx->cmd_name);
	catch_signals();
	if (registry_push(ctx->root, argv[optind], &o, &ctx->err) < 0)
		return cli_fail(ctx);
	return 0;
}
