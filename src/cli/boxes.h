/* Helpers shared by the commands that act on named boxes. */
#ifndef A3S_CLI_BOXES_H
#define A3S_CLI_BOXES_H

#include "box/attachcli.h"
#include "box/record.h"
#include "cli.h"

/*
 * For each name in argv[first..argc): find the box and call fn; print the
 * name as given on success (docker does), "a3s-box: <error>" otherwise.
 * Returns 0 when all succeeded, else 1.
 */
int cli_each_box(struct cli_ctx *ctx, int argc, char **argv, int first, bool print_name,
		 int (*fn)(struct cli_ctx *ctx, struct box_record *b, void *arg), void *arg);

/*
 * Start box id under a monitor whose first attach client is this process
 * (nothing the box prints is missed) and stream it here until it exits
 * (returns its code, once the monitor is done with the box: with --rm it is
 * gone) or the user detaches (0, at once). -1 with ctx->err if the box
 * could not start.
 */
int cli_start_attached(struct cli_ctx *ctx, const char *id, struct attach_cli_opts *ao);

#endif
