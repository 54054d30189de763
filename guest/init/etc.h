/*
 * The box's identity files, as docker provides them: /etc/hostname,
 * /etc/hosts and, when the config names nameservers, /etc/resolv.conf (else
 * the image's is kept). Like docker, they are written outside the image (in
 * the initramfs's own /etc) and bind-mounted over the image's paths, so
 * they never land in the box's writable layer.
 */
#ifndef A3S_GUEST_ETC_H
#define A3S_GUEST_ETC_H

#include "cfg.h"
#include "util.h"

/*
 * sethostname(), write the files and bind-mount them into root (the box
 * root before the switch). Returns 0 or -1 with *e set.
 */
int etc_setup(const struct cfg *c, const char *root, struct ierr *e);

#endif
