/*
 * Staging the host paths a box shares with its guest (vm_config.shares):
 * run in the engine's child process just before exec, so the bind mounts
 * live only in the engine's private mount namespace and vanish with it,
 * whatever happens to the runtime (docs/volumes.md).
 */
#ifndef A3S_VMM_SHARES_H
#define A3S_VMM_SHARES_H

#include "vmm/vmm.h"

/*
 * unshare(CLONE_NEWNS), make every mount private, then bind-mount share i
 * on <share_dir>/<i> (created as a directory or an empty file to match the
 * source), read-only (recursively) when ro. On failure a one-line message
 * goes to fd 2 (the engine log) and -1 is returned. Only for a
 * single-threaded child about to exec.
 */
int vm_shares_stage(const struct vm_config *cfg);

#endif
