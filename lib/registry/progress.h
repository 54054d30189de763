/*
 * Docker-like progress output for pull and push: one line per layer
 * ("a1b2c3d4e5f6: Pulling fs layer", "Download complete", "Pull complete").
 * On a terminal the layer lines are redrawn in place with a bar, bytes and
 * rate; otherwise only status changes are printed, one line each. Quiet
 * prints nothing.
 */
#ifndef A3S_REGISTRY_PROGRESS_H
#define A3S_REGISTRY_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct reg_progress_line {
	char id[16];
	char text[160];
	long long last_ms, start_ms;
};

struct reg_progress {
	FILE *out;
	bool tty, quiet;
	struct reg_progress_line *v;
	size_t n;
};

void reg_progress_init(struct reg_progress *p, FILE *out, bool quiet);
/* "<id>: <status>"; id is a digest (shown as 12 hex digits). */
void reg_progress_status(struct reg_progress *p, const char *digest, const char *status);
/* A bar for a transfer in progress (terminals only, at most 10 per second). */
void reg_progress_bytes(struct reg_progress *p, const char *digest, const char *verb, int64_t cur,
			int64_t total);
/* A free line ("Digest: ..."). */
void reg_progress_printf(struct reg_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reg_progress_release(struct reg_progress *p);

#endif
