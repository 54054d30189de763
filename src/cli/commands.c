#include "cli.h"

static const struct cli_cmd image_cmds[] = {
	{"ls", cmd_images, CLI_NEED_ROOT, "[OPTIONS] [REPOSITORY[:TAG]]", "List images", NULL},
	{"inspect", cmd_image_inspect, CLI_NEED_ROOT, "[OPTIONS] IMAGE [IMAGE...]",
	 "Display detailed information on one or more images", NULL},
	{"load", cmd_load, CLI_NEED_ROOT, "[OPTIONS]", "Load an image from a tar archive or STDIN", NULL},
	{"tag", cmd_tag, CLI_NEED_ROOT, "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
	 "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", NULL},
	{"rm", cmd_rmi, CLI_NEED_ROOT, "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images", NULL},
	{NULL, NULL, 0, NULL, NULL, NULL},
};

const struct cli_cmd cli_commands[] = {
	{"run", cmd_run, CLI_NEED_ROOT, "[OPTIONS] IMAGE [COMMAND] [ARG...]",
	 "Create and run a new box from an image", NULL},
	{"images", cmd_images, CLI_NEED_ROOT, "[OPTIONS] [REPOSITORY[:TAG]]", "List images", NULL},
	{"load", cmd_load, CLI_NEED_ROOT, "[OPTIONS]", "Load an image from a tar archive or STDIN", NULL},
	{"tag", cmd_tag, CLI_NEED_ROOT, "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
	 "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", NULL},
	{"rmi", cmd_rmi, CLI_NEED_ROOT, "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images", NULL},
	{"image", NULL, 0, "COMMAND", "Manage images", image_cmds},
	{"info", cmd_info, CLI_NEED_ROOT, "[OPTIONS]", "Display system-wide information", NULL},
	{"version", cmd_version, 0, "", "Show the a3s-box version information", NULL},
	{NULL, NULL, 0, NULL, NULL, NULL},
};
