#include "box/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/io.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define PART_MAX (16 * 1024)

char *box_log_path(const char *box_dir, const char *id)
{
	return xasprintf("%s/%s-json.log", box_dir, id);
}

char *box_log_rotated_path(const char *path)
{
	return xasprintf("%s.1", path);
}

int box_log_open(struct box_log_writer *w, const char *path, struct err *e)
{
	const char *env = getenv("A3S_BOX_LOG_MAX_SIZE");
	memset(w, 0, sizeof(*w));
	w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (w->fd < 0)
		return err_sys(e, errno, "opening the box log '%s'", path);
	w->path = xstrdup(path);
	w->size = lseek(w->fd, 0, SEEK_END);
	w->max_size = env && atoll(env) > 0 ? atoll(env) : BOX_LOG_MAX_SIZE;
	return 0;
}

/* Move the full log aside and start a new one (readers that hold the old
 * file open keep reading it to its end). */
static void rotate(struct box_log_writer *w)
{
	char *old = box_log_rotated_path(w->path);
	int fd;
	if (rename(w->path, old) == 0 &&
	    (fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)) >= 0) {
		close(w->fd);
		w->fd = fd;
		w->size = 0;
	}
	free(old);
}

static void emit(struct box_log_writer *w, int stream, const char *p, size_t n)
{
	struct timespec ts;
	char tbuf[40];
	json_t *j;
	char *line;
	clock_gettime(CLOCK_REALTIME, &ts);
	time_format_rfc3339nano(ts.tv_sec, (int32_t)ts.tv_nsec, tbuf, sizeof(tbuf));
	j = json_pack("{s:s%, s:s, s:s}", "log", p, n, "stream", stream == 2 ? "stderr" : "stdout", "time", tbuf);
	if (!j)
		return;
	line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(j);
	if (!line)
		return;
	size_t l = strlen(line);
	line = xrealloc(line, l + 2);
	line[l] = '\n';
	if (w->size > 0 && w->size + (long long)l + 1 > w->max_size)
		rotate(w);
	if (io_write_all(w->fd, line, l + 1) == 0)
		w->size += (long long)l + 1;
	free(line);
}

void box_log_write(struct box_log_writer *w, int stream, const void *data, size_t n)
{
	const char *p = data;
	int k = stream == 2 ? 1 : 0;
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) + 1 : n;
		if (!nl && w->part_len[k] + take < PART_MAX) {
			w->part[k] = xrealloc(w->part[k], w->part_len[k] + take);
			memcpy(w->part[k] + w->part_len[k], p, take);
			w->part_len[k] += take;
			return;
		}
		if (w->part_len[k]) {
			char *all = xmalloc(w->part_len[k] + take);
			memcpy(all, w->part[k], w->part_len[k]);
			memcpy(all + w->part_len[k], p, take);
			emit(w, stream, all, w->part_len[k] + take);
			free(all);
			w->part_len[k] = 0;
		} else {
			emit(w, stream, p, take);
		}
		p += take;
		n -= take;
	}
}

void box_log_flush(struct box_log_writer *w)
{
	for (int k = 0; k < 2; k++) {
		if (w->part_len[k])
			emit(w, k + 1, w->part[k], w->part_len[k]);
		w->part_len[k] = 0;
	}
}

void box_log_close(struct box_log_writer *w)
{
	box_log_flush(w);
	for (int k = 0; k < 2; k++)
		free(w->part[k]);
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

int box_log_parse_line(const char *line, struct box_log_entry *out)
{
	json_error_t je;
	json_t *j = json_loads(line, JSON_ALLOW_NUL, &je);
	const char *stream, *t;
	json_t *log;
	memset(out, 0, sizeof(*out));
	if (!j)
		return -1;
	log = json_object_get(j, "log");
	stream = json_string_value(json_object_get(j, "stream"));
	t = json_string_value(json_object_get(j, "time"));
	if (!json_is_string(log) || !stream || !t || time_parse_rfc3339(t, &out->sec, &out->nsec) < 0) {
		json_decref(j);
		return -1;
	}
	out->stream = !strcmp(stream, "stderr") ? 2 : 1;
	out->len = json_string_length(log);
	out->text = xmalloc(out->len + 1);
	memcpy(out->text, json_string_value(log), out->len);
	out->text[out->len] = '\0';
	snprintf(out->time, sizeof(out->time), "%s", t);
	json_decref(j);
	return 0;
}

void box_log_entry_release(struct box_log_entry *en)
{
	free(en->text);
	en->text = NULL;
}
