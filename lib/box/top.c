#include "box/top.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "box/exec.h"
#include "box/stream.h"

/* the whole answer of the guest (the table, or ps's complaint) */
#define TOP_OUTPUT_MAX (4u << 20)
#define TOP_TIMEOUT_MS 60000

/* Split line [p, end) on whitespace. */
static void words(const char *p, const char *end, struct strv *out)
{
	while (p < end) {
		const char *w;
		while (p < end && isspace((unsigned char)*p))
			p++;
		w = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		if (p > w)
			strv_push_owned(out, xstrndup(w, (size_t)(p - w)));
	}
}

int box_top_parse(const char *text, struct box_top *out, struct err *e)
{
	const char *p = text, *nl = strchr(p, '\n');
	bool pid = false;
	words(p, nl ? nl : p + strlen(p), &out->titles);
	for (size_t i = 0; i < out->titles.n; i++)
		pid = pid || !strcmp(out->titles.v[i], "PID");
	if (!pid)
		return err_set(e, "Couldn't find PID field in ps output");
	while (nl) {
		struct strv w = STRV_INIT;
		size_t nt = out->titles.n;
		p = nl + 1;
		nl = strchr(p, '\n');
		words(p, nl ? nl : p + strlen(p), &w);
		if (w.n >= nt) {
			size_t len = 0, at = 0;
			char *last;
			for (size_t i = 0; i + 1 < nt; i++)
				strv_push(&out->cells, w.v[i]);
			for (size_t i = nt - 1; i < w.n; i++)
				len += strlen(w.v[i]) + 1;
			last = xmalloc(len);
			for (size_t i = nt - 1; i < w.n; i++) {
				size_t l = strlen(w.v[i]);
				if (at)
					last[at++] = ' ';
				memcpy(last + at, w.v[i], l);
				at += l;
			}
			last[at] = '\0';
			strv_push_owned(&out->cells, last);
			out->rows++;
		}
		strv_release(&w);
	}
	return 0;
}

static size_t runes(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

char *box_top_table(const struct box_top *t)
{
	size_t nt = t->titles.n, *width = xcalloc(nt ? nt : 1, sizeof(size_t)), len = 0;
	char *buf = NULL;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		abort();
	for (size_t c = 0; c + 1 < nt; c++) {
		width[c] = runes(t->titles.v[c]);
		for (size_t r = 0; r < t->rows; r++) {
			size_t w = runes(t->cells.v[r * nt + c]);
			if (w > width[c])
				width[c] = w;
		}
		width[c] += 3; /* padding */
		if (width[c] < 20)
			width[c] = 20; /* minwidth */
	}
	for (size_t r = 0; r <= t->rows; r++) {
		char *const *row = r ? t->cells.v + (r - 1) * nt : t->titles.v;
		for (size_t c = 0; c < nt; c++) {
			fputs(row[c], m);
			if (c + 1 < nt)
				fprintf(m, "%*s", (int)(width[c] - runes(row[c])), "");
		}
		fputc('\n', m);
	}
	fclose(m);
	free(width);
	return buf;
}

void box_top_release(struct box_top *t)
{
	strv_release(&t->titles);
	strv_release(&t->cells);
	t->rows = 0;
}

struct collect {
	char *buf;
	size_t len;
};

static void collect(void *arg, int stream, const void *p, size_t n)
{
	struct collect *c = arg;
	(void)stream;
	if (c->len + n > TOP_OUTPUT_MAX)
		n = TOP_OUTPUT_MAX - c->len;
	c->buf = xrealloc(c->buf, c->len + n + 1);
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

int box_top(struct root *r, const struct box_record *b, char *const *args, size_t n, struct box_top *out,
	    struct err *e)
{
	struct strv argv = STRV_INIT;
	struct box_exec_req req = {.op = "ps"};
	struct stream_opts so = {.in_fd = -1, .out_fd = -1, .err_fd = -1, .tty_fd = -1, .output = collect,
				 .started = false, .timeout_ms = TOP_TIMEOUT_MS, .peer = "box"};
	struct stream_result res = {0};
	struct collect c = {xstrdup(""), 0};
	int fd, rc = -1;
	strv_push(&argv, "ps");
	for (size_t i = 0; i < n; i++)
		words(args[i], args[i] + strlen(args[i]), &argv);
	req.argv = argv.v;
	req.argc = argv.n;
	so.arg = &c;
	if (box_exec_check(b, e) < 0)
		goto out;
	fd = box_exec_open(r, b, &req, e);
	if (fd < 0)
		goto out;
	rc = stream_run(fd, &so, false, &res, e);
	close(fd);
	if (rc < 0)
		goto out;
	rc = -1;
	if (res.message)
		err_set(e, "ps: %s", res.message);
	else if (res.exit_code)
		err_set(e, "ps: exit status %d: %.*s", res.exit_code, (int)strcspn(c.buf, "\n"), c.buf);
	else
		rc = box_top_parse(c.buf, out, e);
out:
	free(res.message);
	free(c.buf);
	strv_release(&argv);
	return rc;
}
