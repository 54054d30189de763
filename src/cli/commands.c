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

static const struct cli_cmd container_cmds[] = {
	{"ls", cmd_ps, CLI_NEED_ROOT, "[OPTIONS]", "List boxes", NULL},
	{"inspect", cmd_container_inspect, CLI_NEED_ROOT, "[OPTIONS] BOX [BOX...]",
	 "Display detailed information on one or more boxes", NULL},
	{"rename", cmd_rename, CLI_NEED_ROOT, "BOX NEW_NAME", "Rename a box", NULL},
	{"prune", cmd_container_prune, CLI_NEED_ROOT, "[OPTIONS]", "Remove all stopped boxes", NULL},
	{NULL, NULL, 0, NULL, NULL, NULL},
};

const struct cli_cmd cli_commands[] = {
	{"ps", cmd_ps, CLI_NEED_ROOT, "[OPTIONS]", "List boxes", NULL},
	{"inspect", cmd_inspect, CLI_NEED_ROOT, "[OPTIONS] NAME|ID [NAME|ID...]",
	 "Return low-level information on boxes and images", NULL},
	{"rename", cmd_rename, CLI_NEED_ROOT, "BOX NEW_NAME", "Rename a box", NULL},
	{"container", NULL, 0, "COMMAND", "Manage boxes", container_cmds},
	{"run", cmd_run, CLI_NEED_ROOT, "[OPTIONS] IMAGE [COMMAND] [ARG...]",
	 "Create and run a new box from an image", NULL},
	{"create", cmd_run, CLI_NEED_ROOT, "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new box", NULL},
	{"start", cmd_start, CLI_NEED_ROOT, "BOX [BOX...]", "Start one or more stopped boxes", NULL},
	{"stop", cmd_stop, CLI_NEED_ROOT, "[OPTIONS] BOX [BOX...]", "Stop one or more running boxes", NULL},
	{"restart", cmd_restart, CLI_NEED_ROOT, "[OPTIONS] BOX [BOX...]", "Restart one or more boxes", NULL},
	{"kill", cmd_kill, CLI_NEED_ROOT, "[OPTIONS] BOX [BOX...]", "Kill one or more running boxes", NULL},
	{"rm", cmd_rm, CLI_NEED_ROOT, "[OPTIONS] BOX [BOX...]", "Remove one or more boxes", NULL},
	{"wait", cmd_wait, CLI_NEED_ROOT, "BOX [BOX...]", "Block until boxes stop, then print their exit codes",
	 NULL},
	{"logs", cmd_logs, CLI_NEED_ROOT, "[OPTIONS] BOX", "Fetch the logs of a box", NULL},
	{"port", cmd_port, CLI_NEED_ROOT, "BOX [PRIVATE_PORT[/PROTO]]", "List port mappings of a box", NULL},
	{"pause", cmd_pause, CLI_NEED_ROOT, "BOX [BOX...]", "Pause the VMs of one or more boxes", NULL},
	{"unpause", cmd_unpause, CLI_NEED_ROOT, "BOX [BOX...]", "Resume the VMs of one or more boxes", NULL},
	{"__monitor", cmd_monitor, CLI_NEED_ROOT, "ID READY_FD", "(internal) a detached box's monitor", NULL},
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
