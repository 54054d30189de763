#include "format.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct cli_format {
	struct template *t;
	bool table;
	json_t *header;
	char *buf;
	size_t len;
	FILE *mem;
};

static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	while (*s) {
		if (s[0] == '\\' && (s[1] == 't' || s[1] == 'n')) {
			*o++ = s[1] == 't' ? '\t' : '\n';
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static char *trim(const char *s)
{
	size_t n;
	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	return xstrndup(s, n);
}

int cli_format_new(const char *format, const char *default_format, json_t *header, struct cli_format **out,
		   struct err *e)
{
	struct cli_format *f = xcalloc(1, sizeof(*f));
	char *body, *src;
	const char *fmt = format && *format ? format : default_format;

	if (!strcmp(fmt, "json")) {
		body = xstrdup("{{json .}}");
	} else if (!strncmp(fmt, "table", 5)) {
		f->table = true;
		body = trim(fmt + 5);
		if (!*body) {
			free(body);
			body = trim(default_format + (strncmp(default_format, "table", 5) ? 0 : 5));
		}
	} else {
		body = trim(fmt);
	}
	src = unescape(body);
	free(body);
	if (template_parse(src, &f->t, e) < 0) {
		free(src);
		free(f);
		return -1;
	}
	free(src);
	f->header = header;
	f->mem = open_memstream(&f->buf, &f->len);
	if (!f->mem)
		abort();
	if (f->table && header) {
		/* the header is the same template over the column titles */
		if (template_exec(f->t, template_json_lookup, header, f->mem, e) < 0) {
			cli_format_free(f);
			return -1;
		}
		fputc('\n', f->mem);
	}
	*out = f;
	return 0;
}

int cli_format_row(struct cli_format *f, template_lookup_fn lookup, void *data, struct err *e)
{
	if (template_exec(f->t, lookup, data, f->mem, e) < 0)
		return -1;
	fputc('\n', f->mem);
	return 0;
}

void cli_format_finish(struct cli_format *f, FILE *out)
{
	fflush(f->mem);
	if (f->table)
		cli_tabwrite(out, f->buf, f->len, 10, 3);
	else
		fwrite(f->buf, 1, f->len, out);
	cli_format_free(f);
}

void cli_format_free(struct cli_format *f)
{
	if (!f)
		return;
	if (f->mem)
		fclose(f->mem);
	free(f->buf);
	template_free(f->t);
	free(f);
}

/* ---- Go's text/tabwriter, the parts docker uses ---- */

struct cell {
	const char *s;
	size_t size; /* bytes */
	int width; /* runes */
};

struct line {
	struct cell *c;
	size_t n;
};

struct tw {
	struct line *lines;
	size_t n;
	int *widths;
	size_t nw;
	int minwidth, padding;
	FILE *out;
};

static int runes(const char *s, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

static void write_lines(struct tw *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct line *l = &t->lines[i];
		for (size_t j = 0; j < l->n; j++) {
			const struct cell *c = &l->c[j];
			fwrite(c->s, 1, c->size, t->out);
			if (j < t->nw)
				for (int k = c->width; k < t->widths[j]; k++)
					fputc(' ', t->out);
		}
		if (i + 1 < t->n)
			fputc('\n', t->out);
	}
}

/* Go's tabwriter.format: a column is a block of consecutive lines that
 * have a cell in it; its width is the widest cell plus padding. */
static void format_block(struct tw *t, size_t line0, size_t line1)
{
	size_t column = t->nw;
	for (size_t this = line0; this < line1; this++) {
		const struct line *l = &t->lines[this];
		int width = t->minwidth;
		if (column + 1 >= l->n)
			continue;
		write_lines(t, line0, this);
		line0 = this;
		for (; this < line1; this++) {
			l = &t->lines[this];
			if (column + 1 >= l->n)
				break;
			if (l->c[column].width + t->padding > width)
				width = l->c[column].width + t->padding;
		}
		t->widths = xrealloc(t->widths, (t->nw + 1) * sizeof(*t->widths));
		t->widths[t->nw++] = width;
		format_block(t, line0, this);
		t->nw--;
		line0 = this;
	}
	write_lines(t, line0, line1);
}

void cli_tabwrite(FILE *out, const char *text, size_t len, int minwidth, int padding)
{
	struct tw t = {.minwidth = minwidth, .padding = padding, .out = out};
	const char *p = text, *end = text + len;
	bool trailing_newline = len && text[len - 1] == '\n';

	if (trailing_newline)
		end--;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct line l = {0};
		for (;;) {
			const char *tab = memchr(p, '\t', (size_t)(le - p));
			const char *ce = tab ? tab : le;
			l.c = xrealloc(l.c, (l.n + 1) * sizeof(*l.c));
			l.c[l.n++] = (struct cell){p, (size_t)(ce - p), runes(p, (size_t)(ce - p))};
			if (!tab)
				break;
			p = tab + 1;
		}
		t.lines = xrealloc(t.lines, (t.n + 1) * sizeof(*t.lines));
		t.lines[t.n++] = l;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (len)
		format_block(&t, 0, t.n);
	if (trailing_newline)
		fputc('\n', out);
	for (size_t i = 0; i < t.n; i++)
		free(t.lines[i].c);
	free(t.lines);
	free(t.widths);
}
