/*
 * Running a box's health check while it runs (docs/health.md): one thread
 * per running box, in the process that runs the box's session (the monitor,
 * or `run` in the foreground). It uses the blocking exec client
 * (box_exec_open + stream_run) and its own connection to the data root, and
 * publishes docker's State.Health in boxes/<id>/health.json.
 */
#ifndef A3S_BOX_HEALTHMON_H
#define A3S_BOX_HEALTHMON_H

#include <jansson.h>

struct box_health_mon;

/*
 * The box id (config cfg, box_spec_to_json plus "Healthcheck") has just
 * started: reset its health to "starting" (written before this returns) and
 * check it once the guest is up (box_health_mon_booted). NULL when the box
 * has no active check (nothing is written then) or the thread could not
 * start (logged on stderr).
 */
struct box_health_mon *box_health_mon_start(const char *root_path, const char *id, const json_t *cfg);
/* The guest's init is up (HELLO): the interval and the start period count
 * from now, so that a slow boot (TCG) is not a failing check. NULL is fine. */
void box_health_mon_booted(struct box_health_mon *m);
/* Stop checking (a probe in flight is abandoned, not recorded) and free m.
 * NULL is fine. */
void box_health_mon_stop(struct box_health_mon *m);

#endif
