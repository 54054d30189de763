/* a3s-box info: accelerator and why, engine and kernel versions, data root. */
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "box/boot.h"
#include "cli.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "vmm/qemu_args.h"

static char *first_line_of_command(const char *cmd)
{
	char buf[512];
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	if (!p)
		return NULL;
	if (fgets(buf, sizeof(buf), p)) {
		buf[strcspn(buf, "\n")] = '\0';
		out = xstrdup(buf);
	}
	pclose(p);
	return out;
}

static char *kernel_release(const char *kernel)
{
	char real[PATH_MAX], *rel, *text = NULL;
	struct err e = ERR_INIT;
	if (!realpath(kernel, real))
		return NULL;
	rel = xasprintf("%s/release", dirname(real));
	if (fs_read_file(rel, 256, &text, NULL, &e) == 0)
		text[strcspn(text, "\n")] = '\0';
	free(rel);
	return text;
}

static long long count(struct root *r, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int cmd_info(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
	const char *format = NULL;
	struct boot_paths b = {0};
	enum accel acc = ACCEL_AUTO;
	char why[256] = "";
	char *qemu_ver, *kver = NULL, *cmd, *cmdline;
	const char *kernel_path;
	int c, rc = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'H')
			return cli_help(ctx);
		else
			return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
	}
	if (accel_resolve(ACCEL_AUTO, &acc, why, sizeof(why), &ctx->err) < 0)
		return cli_fail(ctx);
	cmd = xasprintf("%s --version 2>/dev/null", qemu_binary());
	qemu_ver = first_line_of_command(cmd);
	free(cmd);
	if (boot_paths_resolve(acc, &b, &ctx->err) == 0) {
		kernel_path = b.kernel;
		kver = kernel_release(b.kernel);
	} else {
		kernel_path = ctx->err.msg;
	}
	cmdline = qemu_kernel_cmdline(acc, NULL);
	if (format && !strcmp(format, "json")) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "Accelerator", accel_name(acc),
				      "AcceleratorReason", why, "EngineVersion", qemu_ver ? qemu_ver : "not found",
				      "KernelVersion", kver ? kver : "unknown", "Kernel", kernel_path, "KernelCmdline",
				      cmdline, "Machine", QEMU_MACHINE, "DataRoot",
				      ctx->root->path, "Images", (json_int_t)count(ctx->root, "SELECT count(*) FROM images"),
				      "Boxes", (json_int_t)count(ctx->root, "SELECT count(*) FROM boxes"));
		char *s = json_dumps(j, JSON_COMPACT);
		puts(s);
		free(s);
		json_decref(j);
	} else if (format) {
		rc = cli_usage_error(ctx, "unsupported --format '%s': use 'json'", format);
	} else {
		printf("Accelerator: %s\n", accel_name(acc));
		printf(" Reason: %s\n", why);
		printf("Engine: %s\n", qemu_ver ? qemu_ver : "QEMU not found (apt-get install qemu-system-x86)");
		printf("Guest kernel: %s\n", kver ? kver : "unknown");
		printf(" Path: %s\n", kernel_path);
		printf(" Command line: %s\n", cmdline);
		printf("Machine: %s\n", QEMU_MACHINE);
		printf("Data root: %s\n", ctx->root->path);
		printf("Images: %lld\n", count(ctx->root, "SELECT count(*) FROM images"));
		printf("Boxes: %lld\n", count(ctx->root, "SELECT count(*) FROM boxes"));
	}
	free(qemu_ver);
	free(kver);
	free(cmdline);
	boot_paths_release(&b);
	return rc;
}
