/*
 * A box's log in docker's json-file format: one JSON object per line,
 * {"log":"...","stream":"stdout|stderr","time":"RFC3339Nano"}, in
 * <root>/boxes/<id>/<id>-json.log. The writer is the monitor; readers
 * (`logs`) may read while it writes.
 */
#ifndef A3S_BOX_LOGFILE_H
#define A3S_BOX_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

char *box_log_path(const char *box_dir, const char *id);

/* Rotation: when the log passes this size it becomes <log>.1 (replacing the
 * previous one) and a new log starts; $A3S_BOX_LOG_MAX_SIZE (bytes) overrides. */
#define BOX_LOG_MAX_SIZE (10LL * 1024 * 1024)

struct box_log_writer {
	int fd;
	char *path;
	long long size, max_size;
	/* a partial line per stream: docker splits the log at newlines */
	char *part[2];
	size_t part_len[2];
};

int box_log_open(struct box_log_writer *w, const char *path, struct err *e);
/* Append output of stream 1 (stdout) or 2 (stderr); complete lines are
 * written at once, a trailing partial line waits for its newline (at most
 * 16 KiB) or for box_log_flush. */
void box_log_write(struct box_log_writer *w, int stream, const void *p, size_t n);
void box_log_flush(struct box_log_writer *w);
void box_log_close(struct box_log_writer *w);

struct box_log_entry {
	int stream; /* 1 stdout, 2 stderr */
	char *text; /* owned */
	size_t len;
	int64_t sec;
	int32_t nsec;
	char time[40]; /* as written */
};

/* The rotated-out previous log of path ("<path>.1"); caller frees. */
char *box_log_rotated_path(const char *path);

/* Parse one line; 0 or -1 when it is not a log entry. */
int box_log_parse_line(const char *line, struct box_log_entry *out);
void box_log_entry_release(struct box_log_entry *en);

#endif
