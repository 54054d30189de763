/* Publishing a box's ports when it starts. */
#ifndef A3S_BOX_PUBLISH_H
#define A3S_BOX_PUBLISH_H

#include <jansson.h>

#include "state/root.h"

/*
 * Bind the ports the box config asks for ("Ports"), record the host ports
 * chosen in the box's row (so ps/port/inspect show them), and give the QEMU
 * hostfwd suffix in *hostfwd (caller frees; "" when nothing is published).
 * A taken port fails the start with docker's message.
 */
int box_publish(struct root *r, const char *id, const json_t *config, char **hostfwd, struct err *e);

#endif
