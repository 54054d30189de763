/* Progress lines, in place on a terminal. */
#include "registry/progress.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"
#include "util/humanize.h"
#include "util/io.h"
#include "util/xalloc.h"

void reg_progress_init(struct reg_progress *p, FILE *out, bool quiet)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->quiet = quiet;
	p->tty = isatty(fileno(out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb");
}

void reg_progress_release(struct reg_progress *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static struct reg_progress_line *line_for(struct reg_progress *p, const char *digest, bool *is_new)
{
	char id[16];
	const char *hex = strncmp(digest, DIGEST_PREFIX, 7) ? digest : digest + 7;
	snprintf(id, sizeof(id), "%.12s", hex);
	*is_new = false;
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].id, id))
			return &p->v[i];
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	memset(&p->v[p->n], 0, sizeof(p->v[0]));
	memcpy(p->v[p->n].id, id, sizeof(id));
	*is_new = true;
	return &p->v[p->n++];
}

/* Show l's text: a new line at the bottom, or redrawn in place. */
static void draw(struct reg_progress *p, struct reg_progress_line *l, bool is_new)
{
	size_t up = p->n - (size_t)(l - p->v);
	if (is_new || !p->tty) {
		fprintf(p->out, "%s: %s\n", l->id, l->text);
	} else {
		fprintf(p->out, "\033[%zuA\r\033[2K%s: %s\r\033[%zuB", up, l->id, l->text, up);
	}
	fflush(p->out);
}

void reg_progress_status(struct reg_progress *p, const char *digest, const char *status)
{
	bool is_new;
	struct reg_progress_line *l;
	if (p->quiet)
		return;
	l = line_for(p, digest, &is_new);
	snprintf(l->text, sizeof(l->text), "%s", status);
	draw(p, l, is_new);
}

void reg_progress_bytes(struct reg_progress *p, const char *digest, const char *verb, int64_t cur,
			int64_t total)
{
	bool is_new;
	struct reg_progress_line *l;
	long long now = io_now_ms();
	char bar[51], a[32], b[32], rate[32];
	int fill;
	if (p->quiet || !p->tty)
		return;
	l = line_for(p, digest, &is_new);
	if (!l->start_ms)
		l->start_ms = now;
	if (!is_new && now - l->last_ms < 100 && cur < total)
		return;
	l->last_ms = now;
	fill = total > 0 ? (int)(cur * 50 / total) : 0;
	for (int i = 0; i < 50; i++)
		bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
	bar[50] = 0;
	human_size((double)cur, 3, a, sizeof(a));
	human_size((double)total, 3, b, sizeof(b));
	human_size(now > l->start_ms ? (double)cur * 1000.0 / (double)(now - l->start_ms) : 0, 3, rate,
		   sizeof(rate));
	snprintf(l->text, sizeof(l->text), "%s [%s] %s/%s %s/s", verb, bar, a, b, rate);
	draw(p, l, is_new);
}

void reg_progress_printf(struct reg_progress *p, const char *fmt, ...)
{
	va_list ap;
	if (p->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
	fputc('\n', p->out);
	fflush(p->out);
}
