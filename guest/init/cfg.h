/*
 * The CONFIG frame: records "key\0value\0" (include/a3s/proto.h).
 */
#ifndef A3S_GUEST_CFG_H
#define A3S_GUEST_CFG_H

#include <stddef.h>

struct cfg {
	/* NULL-terminated arrays; the strings point into the parsed buffer */
	char **argv;
	size_t argc;
	char **env;
	size_t envc;
	char **dns;
	size_t ndns;
	/* NULL when absent */
	const char *workdir;
	const char *user;
	const char *hostname;
	const char *net_ip;
	const char *net_gw;
	int stdin_open; /* "stdin" record is "1" */
	int rw; /* "rw" record is "1" */
	int read_only; /* "readonly" record is "1" */
	/* "mount" records, in order, each checked by cfg_mount_parse() */
	char **mounts;
	size_t nmounts;
	int tty; /* "tty" record is "1" */
	unsigned short rows, cols; /* initial terminal size; 0 = unknown */
	int detach; /* exec: "detach" record is "1" */
	int privileged; /* exec: "privileged" record is "1" */
	int maint; /* "maint" record is "1": no workload (docs/cp.md) */
	/* on failure: why, as a static string */
	const char *error;
};

/* One "mount" record (include/a3s/proto.h). */
struct cfg_mount {
	int share; /* 1: entry index of the 9p share; 0: tmpfs */
	unsigned index;
	int ro;
	int copy; /* fill an empty entry from the image first */
	char opts[256]; /* tmpfs options ("" for none) */
	const char *dest; /* points into the record */
};

/* Parse one mount record value; -1 with *why set when it is malformed
 * (unknown kind or flag, options too long, a relative DEST or "/"). */
int cfg_mount_parse(const char *val, struct cfg_mount *out, const char **why);

/*
 * Parse a CONFIG payload. Pure and safe on any bytes. The strings in *out
 * point into buf, which must outlive *out and stay unmodified; the arrays are
 * owned by *out (cfg_release()). Unknown keys are ignored; a repeated
 * singular key keeps the last value.
 *
 * Rejected (returns -1, out->error says why, nothing to release): a payload
 * over A3S_FRAME_MAX, a record without its two NULs, an empty key, no "arg"
 * record, an empty argv[0], an "env" record without '=' or with an empty
 * name, a relative workdir, a malformed "mount" record.
 */
int cfg_parse(const char *buf, size_t len, struct cfg *out);

void cfg_release(struct cfg *c);

#endif
