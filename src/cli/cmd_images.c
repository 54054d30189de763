/* a3s-box images [-a] [-q] [--no-trunc] [--digests] [--format T] [-f FILTER] [REPOSITORY[:TAG]] */
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "format.h"
#include "image/ref.h"
#include "image/store.h"
#include "util/timefmt.h"
#include "util/humanize.h"

#define DEFAULT_TABLE "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
#define DIGESTS_TABLE "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"

struct opts {
	bool quiet, no_trunc, digests;
	const char *format;
	const char *match; /* REPOSITORY[:TAG] */
	int dangling; /* -1 any, 0 tagged only, 1 untagged only */
	struct strv refs; /* reference= filters */
};

static json_t *header(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Containers", "CONTAINERS",
			 "CreatedAt", "CREATED AT", "CreatedSince", "CREATED", "Digest", "DIGEST", "ID", "IMAGE ID",
			 "Repository", "REPOSITORY", "SharedSize", "SHARED SIZE", "Size", "SIZE", "Tag", "TAG",
			 "UniqueSize", "UNIQUE SIZE", "VirtualSize", "VIRTUAL SIZE");
}

/* One row: docker's keys, in sorted order (that is how {{json .}} prints). */
static json_t *row(const struct image *img, const char *repo, const char *tag, const struct opts *o)
{
	char created[64], since[64], size[32], vsize[32], id[13];
	char *s;
	json_t *j;
	int64_t age = (int64_t)time(NULL) - img->created;

	human_duration(age, since, sizeof(since));
	s = xasprintf("%s ago", since);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Containers", "N/A", "CreatedAt",
		      time_format_go(img->created, created, sizeof(created)), "CreatedSince", s, "Digest",
		      img->manifest_digest ? img->manifest_digest : "<none>", "ID",
		      o->no_trunc ? img->id : image_short_id(img->id, id), "Repository", repo, "SharedSize", "N/A",
		      "Size", human_size((double)img->size, 3, size, sizeof(size)), "Tag", tag, "UniqueSize",
		      "N/A", "VirtualSize", human_size((double)img->size, 4, vsize, sizeof(vsize)));
	free(s);
	return j;
}

static int row_lookup(void *data, const char *field, json_t **out)
{
	json_t *obj = data;
	if (field && !json_object_get(obj, field))
		return -1; /* docker's rows are structs: unknown fields are errors */
	return template_json_lookup(data, field, out);
}

/* docker's reference filter: glob against "name:tag" or "name". */
static bool matches(const char *pattern, const char *repo, const char *tag)
{
	char *full = xasprintf("%s:%s", repo, tag);
	bool m = fnmatch(pattern, full, FNM_PATHNAME) == 0 || fnmatch(pattern, repo, FNM_PATHNAME) == 0;
	free(full);
	return m;
}

static bool wanted(const struct opts *o, const char *repo, const char *tag, bool tagged)
{
	if (o->dangling >= 0 && o->dangling == tagged)
		return false;
	if ((o->match || o->refs.n) && !tagged)
		return false;
	if (o->match && !matches(o->match, repo, tag))
		return false;
	for (size_t i = 0; i < o->refs.n; i++)
		if (!matches(o->refs.v[i], repo, tag))
			return false;
	return true;
}

static int emit(struct cli_format *f, const struct image *img, const char *repo, const char *tag,
		const struct opts *o, struct err *e)
{
	json_t *j = row(img, repo, tag, o);
	int rc = cli_format_row(f, row_lookup, j, e);
	json_decref(j);
	return rc;
}

static int list(struct cli_ctx *ctx, struct cli_format *f, const struct opts *o)
{
	struct image **imgs;
	size_t n;
	int rc = 0;
	if (image_store_list(ctx->root, &imgs, &n, &ctx->err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct image *img = imgs[i];
		if (!img->tags.n && wanted(o, "<none>", "<none>", false))
			rc = emit(f, img, "<none>", "<none>", o, &ctx->err);
		for (size_t t = 0; t < img->tags.n && rc == 0; t++) {
			struct image_ref ref;
			char *repo;
			if (image_ref_parse(img->tags.v[t], &ref, &ctx->err) < 0)
				continue;
			repo = image_ref_familiar_name(&ref);
			if (wanted(o, repo, ref.tag ? ref.tag : "<none>", true))
				rc = emit(f, img, repo, ref.tag ? ref.tag : "<none>", o, &ctx->err);
			free(repo);
			image_ref_release(&ref);
		}
	}
	image_list_free(imgs, n);
	return rc;
}

static int parse_filter(struct cli_ctx *ctx, struct opts *o, const char *f)
{
	if (!strcmp(f, "dangling=true") || !strcmp(f, "dangling=1")) {
		o->dangling = 1;
	} else if (!strcmp(f, "dangling=false") || !strcmp(f, "dangling=0")) {
		o->dangling = 0;
	} else if (!strncmp(f, "reference=", 10)) {
		strv_push(&o->refs, f + 10);
	} else {
		return cli_usage_error(ctx, "invalid filter '%s' (supported: dangling=true|false, reference=PATTERN)", f);
	}
	return 0;
}

int cmd_images(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"quiet", no_argument, NULL, 'q'},
		{"no-trunc", no_argument, NULL, 'T'},
		{"digests", no_argument, NULL, 'D'},
		{"format", required_argument, NULL, 'F'},
		{"filter", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.dangling = -1, .refs = STRV_INIT};
	struct cli_format *f = NULL;
	json_t *hdr;
	int c, rc;

	while ((c = getopt_long(argc, argv, "aqf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			break; /* there are no intermediate images to show */
		case 'q':
			o.quiet = true;
			break;
		case 'T':
			o.no_trunc = true;
			break;
		case 'D':
			o.digests = true;
			break;
		case 'F':
			o.format = optarg;
			break;
		case 'f':
			if (parse_filter(ctx, &o, optarg) != 0) {
				strv_release(&o.refs);
				return 125;
			}
			break;
		case 'h':
			strv_release(&o.refs);
			return cli_help(ctx);
		default:
			strv_release(&o.refs);
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (argc - optind > 1) {
		strv_release(&o.refs);
		return cli_usage_error(ctx, "\"%s\" requires at most 1 argument", ctx->cmd_name);
	}
	o.match = optind < argc ? argv[optind] : NULL;
	hdr = header();
	rc = cli_format_new(o.quiet ? "{{.ID}}" : o.format, o.digests ? DIGESTS_TABLE : DEFAULT_TABLE, hdr, &f,
			    &ctx->err);
	if (rc == 0)
		rc = list(ctx, f, &o);
	if (rc == 0)
		cli_format_finish(f, stdout);
	else
		cli_format_free(f);
	json_decref(hdr);
	strv_release(&o.refs);
	return rc < 0 ? cli_fail(ctx) : 0;
}
