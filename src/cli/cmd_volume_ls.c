/* a3s-box volume ls [-q] [-f FILTER]... [--format FORMAT] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format.h"
#include "volume/store.h"

#define DEFAULT_TABLE "table {{.Driver}}\t{{.Name}}"

static json_t *row(const struct volume *v)
{
	size_t len = 0, cap = 64;
	char *labels = xmalloc(cap);
	const char *k;
	json_t *val, *j;
	labels[0] = '\0';
	json_object_foreach(v->labels, k, val) {
		size_t need = strlen(k) + strlen(json_string_value(val)) + 3;
		if (len + need >= cap)
			labels = xrealloc(labels, cap = (len + need) * 2);
		len += (size_t)snprintf(labels + len, cap - len, "%s%s=%s", len ? "," : "", k, json_string_value(val));
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "Driver", v->driver, "Name", v->name, "Mountpoint",
		      v->mountpoint, "Labels", labels, "Scope", "local", "Size", "N/A");
	free(labels);
	return j;
}

int cmd_volume_ls(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct strv filters = STRV_INIT;
	const char *format = NULL;
	bool quiet = false;
	struct cli_format *f = NULL;
	struct volume **v = NULL;
	size_t n = 0;
	json_t *hdr;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "qf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'f': strv_push(&filters, optarg); break;
		case 'F': format = optarg; break;
		case 'h': strv_release(&filters); return cli_help(ctx);
		default: strv_release(&filters); return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		strv_release(&filters);
		return cli_usage_error(ctx, "\"%s\" accepts no arguments", ctx->cmd_name);
	}
	hdr = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "Driver", "DRIVER", "Name", "VOLUME NAME", "Mountpoint",
			"MOUNTPOINT", "Labels", "LABELS", "Scope", "SCOPE", "Size", "SIZE");
	if (cli_format_new(quiet ? "{{.Name}}" : format, DEFAULT_TABLE, hdr, &f, &ctx->err) < 0 ||
	    volume_list(ctx->root, &v, &n, &ctx->err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		int m = volume_filter_match(ctx->root, v[i], &filters, &ctx->err);
		json_t *j;
		if (m < 0)
			goto fail;
		if (!m)
			continue;
		j = row(v[i]);
		m = cli_format_row(f, template_json_lookup, j, &ctx->err);
		json_decref(j);
		if (m < 0)
			goto fail;
	}
	cli_format_finish(f, stdout);
	f = NULL;
	goto out;
fail:
	rc = cli_fail(ctx);
out:
	if (f)
		cli_format_free(f);
	volume_list_free(v, n);
	strv_release(&filters);
	json_decref(hdr);
	return rc;
}
