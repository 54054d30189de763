/*
 * A box specification: what the user asked for, merged with the image
 * config the way docker merges them (pure; unit-tested).
 */
#ifndef A3S_BOX_SPEC_H
#define A3S_BOX_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "box/health.h"
#include "util/err.h"
#include "util/xalloc.h"

/* What came from the command line. */
struct box_opts {
	const char *name; /* NULL: generated */
	const char *image; /* as typed */
	char **args; /* command after the image (may be empty) */
	int nargs;
	bool entrypoint_set;
	const char *entrypoint; /* "" clears the image's */
	struct strv env; /* -e, in order */
	struct strv env_files; /* --env-file, in order */
	const char *workdir; /* NULL: image's */
	const char *user; /* NULL: image's */
	const char *hostname;
	unsigned cpus_milli; /* 0: default */
	uint64_t mem_bytes; /* 0: default */
	bool interactive; /* -i */
	bool tty; /* -t */
	const char *detach_keys; /* --detach-keys, NULL = default */
	bool rm;
	bool detach; /* -d */
	struct strv labels; /* -l KEY[=VALUE], in order */
	const char *restart; /* --restart policy, NULL = "no" */
	struct strv publish; /* -p specs, in order */
	bool publish_all; /* -P */
	const char *network; /* "default", "none" (NULL = default) */
	const char *accel; /* NULL = auto */
	struct box_health_flags health; /* --health-*, --no-healthcheck */
	/* storage (lib/box/mounts.h, docs/volumes.md) */
	struct strv volumes; /* -v, in order */
	struct strv mounts; /* --mount, in order */
	struct strv tmpfs; /* --tmpfs, in order */
	struct strv volumes_from; /* --volumes-from BOX[:ro|rw] */
	const char *workspace; /* --workspace DIR, NULL: a managed one */
	bool read_only; /* --read-only */
};

void box_opts_release(struct box_opts *o);

/* The resolved box: what the guest runs. */
struct box_spec {
	struct strv argv;
	struct strv env;
	char *workdir;
	char *user;
	char *hostname;
	unsigned cpus;
	uint64_t mem_mib;
	bool interactive;
	bool tty; /* the main process gets a terminal */
	bool net; /* zero-config NAT */
	json_t *mounts; /* array of mount entries (box/mounts.h), NULL = none */
	bool read_only; /* read-only root filesystem */
};

#define BOX_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define BOX_DEFAULT_MEM_MIB 512
#define BOX_MIN_MEM_MIB 64

/*
 * Merge: entrypoint/cmd, env (image Env, then env files, then -e; later
 * wins by name; "NAME" alone takes the host's value or is dropped), workdir
 * (must be absolute), user, hostname (id[:12] when unset), resources.
 * image_config is the image config JSON (its "config" member is read).
 * lookup_env is getenv in production, a fake in tests.
 */
int box_spec_build(const struct box_opts *o, const json_t *image_config, const char *box_id,
		   const char *(*lookup_env)(const char *), struct box_spec *out, struct err *e);
void box_spec_release(struct box_spec *s);

/* Parse one --env-file's text into "NAME=value" entries (appended). */
int box_env_file_parse(const char *path, const char *text, const char *(*lookup_env)(const char *),
		       struct strv *out, struct err *e);

/* The spec as recorded in the boxes table (keys: Argv, Env, WorkingDir,
 * User, Hostname, Cpus, MemoryMiB, Network, Interactive, Tty, AutoRemove,
 * Mounts, ReadonlyRootfs), and back. */
json_t *box_spec_to_json(const struct box_spec *s, bool auto_remove);
int box_spec_from_json(const json_t *j, struct box_spec *s, struct err *e);

/* The CONFIG frame payload for the guest (records "key\0value\0"...);
 * mounts become "mount" records whose share numbers follow the order of
 * box_vm_init()'s shares. */
void box_spec_wire(const struct box_spec *s, bool rw_disk, char **buf, size_t *len);

#endif
