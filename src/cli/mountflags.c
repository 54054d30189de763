#include "mountflags.h"

void mountflags_add(struct box_opts *o, int which, const char *value)
{
	switch (which) {
	case MOUNTFLAG_VOLUME: strv_push(&o->volumes, value); break;
	case MOUNTFLAG_MOUNT: strv_push(&o->mounts, value); break;
	case MOUNTFLAG_TMPFS: strv_push(&o->tmpfs, value); break;
	case MOUNTFLAG_READ_ONLY: o->read_only = true; break;
	case MOUNTFLAG_WORKSPACE: o->workspace = value; break;
	case MOUNTFLAG_VOLUMES_FROM: strv_push(&o->volumes_from, value); break;
	default: break;
	}
}
