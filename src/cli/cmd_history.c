/* a3s-box history [-H=true|false] [--no-trunc] [-q] [--format T] IMAGE */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "format.h"
#include "image/history.h"
#include "image/store.h"
#include "util/humanize.h"
#include "util/timefmt.h"

#define DEFAULT_TABLE "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
#define CREATED_BY_MAX 45 /* docker's column width, ellipsis included */

static json_t *header(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "Comment", "COMMENT", "CreatedAt", "CREATED AT",
			 "CreatedBy", "CREATED BY", "CreatedSince", "CREATED", "ID", "IMAGE", "Size", "SIZE");
}

/* docker's Ellipsis: at most max characters (UTF-8 code points), the last
 * one "…" when cut. Tabs become spaces first. */
static char *ellipsis(const char *s, size_t max)
{
	size_t chars = 0, i, cut = 0;
	char *out;
	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max - 1)
			cut = i;
	if (chars <= max)
		return xstrdup(s);
	out = xmalloc(cut + 4);
	memcpy(out, s, cut);
	memcpy(out + cut, "\xe2\x80\xa6", 4);
	return out;
}

static char *created_by(const char *s, bool trunc)
{
	char *t = xstrdup(s), *out;
	for (char *p = t; *p; p++)
		if (*p == '\t')
			*p = ' ';
	if (!trunc)
		return t;
	out = ellipsis(t, CREATED_BY_MAX);
	free(t);
	return out;
}

static json_t *row(const struct image *img, const struct image_history_entry *h, bool top, bool human,
		   bool trunc)
{
	char at[64], since[64], size[32], id12[13];
	char *by = created_by(h->created_by, trunc), *ago = NULL;
	const char *id = top ? (trunc ? image_short_id(img->id, id12) : img->id) : "<missing>";
	json_t *j;

	time_format_rfc3339nano(h->created, 0, at, sizeof(at));
	if (human) {
		human_duration((int64_t)time(NULL) - h->created, since, sizeof(since));
		ago = xasprintf("%s ago", since);
		human_size((double)h->size, 3, size, sizeof(size));
	} else {
		snprintf(size, sizeof(size), "%lld", (long long)h->size);
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "Comment", h->comment, "CreatedAt", at, "CreatedBy", by,
		      "CreatedSince", ago ? ago : at, "ID", id, "Size", size);
	free(by);
	free(ago);
	return j;
}

static int row_lookup(void *data, const char *field, json_t **out)
{
	if (field && !json_object_get(data, field))
		return -1;
	return template_json_lookup(data, field, out);
}

static int parse_bool(const char *s, bool *out)
{
	if (s[0] == '=')
		s++;
	if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "t") || !strcmp(s, "TRUE") || !strcmp(s, "True"))
		*out = true;
	else if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "f") || !strcmp(s, "FALSE") ||
		 !strcmp(s, "False"))
		*out = false;
	else
		return -1;
	return 0;
}

static int print(struct cli_ctx *ctx, const char *name, const char *format, bool human, bool trunc)
{
	struct image *img;
	struct image_history_entry *v = NULL;
	struct cli_format *f = NULL;
	json_t *hdr = header();
	size_t n = 0;
	int rc;

	rc = image_store_lookup(ctx->root, name, &img, &ctx->err);
	if (rc < 0) {
		json_decref(hdr);
		return -1;
	}
	rc = image_history(ctx->root, img, &v, &n, &ctx->err);
	if (rc == 0)
		rc = cli_format_new(format, DEFAULT_TABLE, hdr, &f, &ctx->err);
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *j = row(img, &v[i], i == 0, human, trunc);
		rc = cli_format_row(f, row_lookup, j, &ctx->err);
		json_decref(j);
	}
	if (rc == 0)
		cli_format_finish(f, stdout);
	else if (f)
		cli_format_free(f);
	image_history_free(v, n);
	image_free(img);
	json_decref(hdr);
	return rc;
}

int cmd_history(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"human", optional_argument, NULL, 'H'},
		{"no-trunc", no_argument, NULL, 'T'},
		{"quiet", no_argument, NULL, 'q'},
		{"format", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = NULL;
	bool human = true, trunc = true, quiet = false;
	int c;

	while ((c = getopt_long(argc, argv, "+H::qh", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (optarg && parse_bool(optarg, &human) < 0)
				return cli_usage_error(ctx, "invalid argument \"%s\" for \"-H, --human\" flag", optarg);
			if (!optarg)
				human = true;
			break;
		case 'T':
			trunc = false;
			break;
		case 'q':
			quiet = true;
			break;
		case 'F':
			format = optarg;
			break;
		case 'h':
			return cli_help(ctx);
		default:
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "\"%s\" requires exactly 1 argument", ctx->cmd_name);
	if (print(ctx, argv[optind], quiet ? "{{.ID}}" : format, human, trunc) < 0)
		return cli_fail(ctx);
	return 0;
}
