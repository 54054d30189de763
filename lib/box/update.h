/* docker update: change a box's restart policy and, while it is stopped,
 * the CPUs and memory its VM gets at the next start. */
#ifndef A3S_BOX_UPDATE_H
#define A3S_BOX_UPDATE_H

#include <stdint.h>

#include "state/root.h"
#include "util/err.h"

struct box_update {
	const char *restart; /* policy name (box_policy_parse), NULL: unchanged */
	int restart_max; /* on-failure:N */
	unsigned cpus; /* vCPUs, 0: unchanged */
	uint64_t mem_mib; /* 0: unchanged; callers check BOX_MIN_MEM_MIB */
};

/*
 * Apply u to box id in one transaction and record an "update" event with
 * the box's name and image. Changing CPUs or memory of a box whose VM runs
 * (running, paused, restarting) is ERR_CONFLICT, and so is a restart policy
 * on a box removed when it stops (--rm); a box gone meanwhile is
 * ERR_NOT_FOUND. Nothing changes on failure.
 */
int box_update(struct root *r, const char *id, const struct box_update *u, struct err *e);

#endif
