/*
 * a3s-box-monitor: the per-box monitor of a detached box
 * (docs/lifecycle.md). A separate, small program so that an idle box costs
 * little host memory: it links only what running a box needs.
 *
 *   a3s-box-monitor --root ROOT __monitor ID READY_FD ATTACH_FD
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "box/monitor.h"
#include "state/root.h"

int main(int argc, char **argv)
{
	struct root *r = NULL;
	struct err e = ERR_INIT;
	int rc;
	if (argc != 7 || strcmp(argv[1], "--root") || strcmp(argv[3], "__monitor")) {
		fprintf(stderr, "usage: a3s-box-monitor --root ROOT __monitor ID READY_FD ATTACH_FD (started by a3s-box)\n");
		return 2;
	}
	if (root_open(argv[2], &r, &e) < 0) {
		fprintf(stderr, "a3s-box-monitor: %s\n", e.msg);
		return 1;
	}
	/* a small page cache: the monitor writes a few rows in its lifetime */
	sqlite3_exec(r->db, "PRAGMA cache_size = -64", NULL, NULL, NULL);
	rc = box_monitor_main(r, argv[4], atoi(argv[5]), atoi(argv[6]));
	root_close(r);
	return rc;
}
