/* The storage flags of run/create (-v, --mount, --tmpfs, --read-only,
 * --workspace, --volumes-from), kept apart from cmd_run.c. */
#ifndef A3S_CLI_MOUNTFLAGS_H
#define A3S_CLI_MOUNTFLAGS_H

#include "box/spec.h"

enum {
	MOUNTFLAG_VOLUME,
	MOUNTFLAG_MOUNT,
	MOUNTFLAG_TMPFS,
	MOUNTFLAG_READ_ONLY,
	MOUNTFLAG_WORKSPACE,
	MOUNTFLAG_VOLUMES_FROM,
	MOUNTFLAGS_COUNT,
};

#define MOUNTFLAGS_HELP                                                                                        \
	"      --mount mount        Attach a filesystem mount to the box (type=bind|volume|tmpfs,...)\n"          \
	"      --read-only          Mount the box's root filesystem as read only\n"                              \
	"      --tmpfs list         Mount a tmpfs directory (PATH[:OPTIONS])\n"                                 \
	"  -v, --volume list        Bind mount a volume ([SRC:]DST[:ro|rw])\n"                                 \
	"      --volumes-from list  Mount volumes from the specified box(es) (BOX[:ro|rw])\n"                   \
	"      --workspace string   Host directory mounted at /a3s/workspace (default: one per box)\n"

/* Record one flag in o (the value is parsed when the box is made). */
void mountflags_add(struct box_opts *o, int which, const char *value);

#endif
