/*
 * Mount flags of run/create (-v, --mount, --tmpfs) parsed into mount
 * entries, and the checks on a whole mount list (pure; unit-tested and
 * fuzzed). docs/volumes.md describes the model.
 *
 * An entry is a JSON object shaped like docker inspect's "Mounts" items:
 *   Type         "bind" | "volume" | "tmpfs"
 *   Source       bind: absolute host path; volume: the volume's _data path
 *                once resolved (box_mounts_resolve), "" before
 *   Destination  absolute guest path, cleaned
 *   Mode         the mode text as given ("ro", "z", ...)
 *   RW           false for read-only
 *   Propagation  "rprivate" for binds, "" otherwise
 *   Name         volume name ("" = anonymous, named when resolved)
 *   Driver       "local" (volumes)
 * and a3s-box's own keys (dropped by inspect):
 *   Options      tmpfs: mount options "size=...,mode=...,noexec"
 *   NoCopy       volume: do not populate it from the image
 *   Create       bind: create a missing host directory (-v, --workspace)
 *   Anonymous    volume: made for this box (removed with --rm / rm -v)
 *   VolumeLabels, VolumeOptions  --mount volume-label / volume-opt
 */
#ifndef A3S_BOX_MOUNTS_H
#define A3S_BOX_MOUNTS_H

#include <jansson.h>
#include <stdbool.h>

#include "util/err.h"

/* Where the workspace appears in every box. */
#define BOX_WORKSPACE_PATH "/a3s/workspace"

/* -v [SRC:]DST[:MODE]; appends one entry to list. ERR_USAGE on bad input. */
int box_mount_parse_volume(const char *spec, json_t *list, struct err *e);
/* --mount type=...,source=...,target=...; appends one entry. */
int box_mount_parse_mount(const char *spec, json_t *list, struct err *e);
/* --tmpfs PATH[:OPTIONS]; appends one entry. */
int box_mount_parse_tmpfs(const char *spec, json_t *list, struct err *e);

/* Docker's volume name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool box_volume_name_valid(const char *name);
/* A clean absolute path (like Go's path.Clean), or NULL when p is not
 * absolute. Caller frees. */
char *box_path_clean(const char *p);

/* Is this entry served over the 9p share (a bind, or a volume that is a
 * directory on the host), rather than a tmpfs in the guest? */
bool box_mount_is_share(const json_t *m);

/* Validate tmpfs options ("size=64m,mode=1777,noexec"); the canonical text
 * (sizes in bytes) in *out, caller frees. */
int box_tmpfs_options(const char *opts, char **out, struct err *e);

/*
 * Check a whole list: no two entries with the same destination ("Duplicate
 * mount point: /x"), then order it so a mount comes after the mounts of
 * its parent directories (fewest path components first, stable).
 */
int box_mounts_check(json_t *list, struct err *e);

struct root;
struct box_opts;

/*
 * The mounts of a new box, from its flags and its image: -v, --mount,
 * --tmpfs, --workspace (or a managed <root>/boxes/<id>/workspace),
 * --volumes-from (explicit mounts win), the image's VOLUME entries (as
 * anonymous volumes, unless a mount covers them), checked and ordered.
 * Every check runs first (bad flags, duplicates, a --mount bind source
 * that does not exist: ERR_USAGE); then named volumes that do not exist
 * and anonymous ones are created (docker creates them with the box).
 * *out is a new array of resolved entries.
 */
int box_mounts_resolve(struct root *r, const struct box_opts *o, const json_t *image_config, const char *box_id,
		       json_t **out, struct err *e);
/* Remove the anonymous volumes of mounts that no box uses any more
 * (a failed run, --rm, rm -v). Best effort. */
void box_mounts_discard(struct root *r, const json_t *mounts);
/* Before each start: create missing host directories of -v binds and the
 * workspace, and check that every other source still exists. */
int box_mounts_prepare(const json_t *mounts, struct err *e);

#endif
