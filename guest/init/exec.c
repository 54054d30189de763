#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "procs.h"
#include "user.h"
#include "util.h"
#include "workload.h"
#include "xfer.h"

/* how long a new connection may take to send its request */
#define REQUEST_TIMEOUT_MS 10000

static void __attribute__((noreturn)) refuse(int conn, int code, const char *msg)
{
	if (frame_write_exit(conn, (uint32_t)code, msg) < 0)
		log_dbg("exec: reporting failure: %m");
	_exit(0);
}

/* The box's environment with the request's variables added or replaced. */
static char **merge_env(char **box, char **extra, size_t *count)
{
	size_t nb = 0, nx = 0, n = 0;
	char **env;

	while (box[nb])
		nb++;
	while (extra[nx])
		nx++;
	env = xmalloc((nb + nx + 1) * sizeof(*env));
	for (size_t i = 0; i < nb; i++) {
		size_t k = strcspn(box[i], "=");
		int replaced = 0;

		for (size_t j = 0; j < nx && !replaced; j++)
			replaced = !strncmp(extra[j], box[i], k) && extra[j][k] == '=';
		if (!replaced)
			env[n++] = box[i];
	}
	for (size_t j = 0; j < nx; j++)
		env[n++] = extra[j];
	env[n] = NULL;
	*count = n;
	return env;
}

static void __attribute__((noreturn)) detached(int conn, const struct workload *w)
{
	uint32_t pid = a3s_le32((uint32_t)w->pid);

	/* the process is PID 1's to reap once this one is gone */
	(void)frame_write(conn, A3S_FRAME_STARTED, &pid, sizeof(pid));
	_exit(0);
}

void exec_serve(int conn, int pty, const struct cfg *box, int sigfd)
{
	struct loop_hooks hooks = { .kill_all = 0 };
	struct ierr e = { { 0 } };
	struct user_ids u;
	struct workload w;
	struct ctl c;
	struct cfg x;
	const char *workdir;
	char *raw, **extra;
	size_t len;
	uint32_t pid;
	uint8_t type;
	int code;

	ctl_init_fd(&c, conn);
	raw = ctl_wait_request(&c, REQUEST_TIMEOUT_MS, &type, &len);
	if (!raw)
		_exit(0);
	if (!pty && xfer_is_request(type))
		xfer_serve(&c, type, raw, len); /* cp: docs/cp.md */
	if (type != A3S_FRAME_EXEC)
		refuse(conn, 125, "invalid request on the exec port");
	if (cfg_parse(raw, len, &x) < 0) {
		char msg[200];

		snprintf(msg, sizeof(msg), "invalid exec request: %s", x.error);
		refuse(conn, 125, msg);
	}
	if (procs_wanted(raw, len))
		procs_serve(conn, &x); /* returns for options only the image's ps knows */
	if (pty)
		x.tty = 1;
	if (x.detach)
		x.tty = x.stdin_open = 0;
	extra = x.env;
	x.env = merge_env(box->env, extra, &x.envc);
	free(extra);
	x.hostname = box->hostname;
	if (user_resolve_files(x.user ? x.user : box->user, &u, &e) < 0)
		refuse(conn, 125, e.msg);
	workdir = x.workdir ? x.workdir : box->workdir && *box->workdir ? box->workdir : "/";
	if (workload_start(&x, &u, workdir, &w, &code, &e) < 0)
		refuse(conn, code, e.msg);
	if (!x.stdin_open) {
		bbuf_release(&c.in);
		c.in_eof = 1;
	}
	if (x.detach)
		detached(conn, &w);
	pid = a3s_le32((uint32_t)w.pid);
	if (frame_write(conn, A3S_FRAME_STARTED, &pid, sizeof(pid)) < 0)
		_exit(0);
	code = loop_run(&c, &w, sigfd, &hooks);
	if (code >= 0 && frame_write_exit(conn, (uint32_t)code, NULL) < 0)
		log_dbg("exec: reporting exit: %m");
	_exit(0);
}

/* Which TEE the guest runs in, as far as the guest can tell. */
static const char *tee_name(void)
{
	if (access("/dev/sev-guest", F_OK) == 0)
		return "sev-snp";
	if (access("/dev/tdx_guest", F_OK) == 0)
		return "tdx";
	return "none";
}

void attest_serve(int conn)
{
	struct ctl c;

	ctl_init_fd(&c, conn);
	for (;;) {
		char text[128];
		size_t len;
		char *req = ctl_wait_payload(&c, A3S_FRAME_ATTEST_REQ, REQUEST_TIMEOUT_MS, &len);
		int n;

		if (!req)
			_exit(0);
		free(req);
		n = snprintf(text, sizeof(text), "tee %s\nversion %d\n", tee_name(), A3S_PROTO_VERSION);
		if (frame_write(conn, A3S_FRAME_ATTEST, text, (size_t)n) < 0)
			_exit(0);
	}
}
