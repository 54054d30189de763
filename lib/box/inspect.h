/* docker container inspect's JSON for a box. */
#ifndef A3S_BOX_INSPECT_H
#define A3S_BOX_INSPECT_H

#include <jansson.h>

#include "box/record.h"

/* A new object shaped like docker's: Id, Created, Path, Args, State{...},
 * Image, Name ("/name"), RestartCount, Platform, Config{...},
 * HostConfig{...}, NetworkSettings{...}, Mounts, plus the a3s-box extension
 * VM{State[, Accelerator]}. Times are RFC3339Nano, docker's
 * "0001-01-01T00:00:00Z" when never. */
json_t *box_inspect_json(const struct box_record *b);

#endif
