#include "box/exec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "box/frame.h"
#include "box/store.h"
#include "box/stream.h"
#include "util/io.h"
#include "util/xalloc.h"
#include "vsock/vsock.h"

#define RETRY_NS (20 * 1000000L)

int box_exec_check(const struct box_record *b, struct err *e)
{
	if (!strcmp(b->state, "paused"))
		return err_setk(e, ERR_CONFLICT, "box %s is paused, unpause the box before exec", b->id);
	if (strcmp(b->state, "running"))
		return err_setk(e, ERR_CONFLICT, "box %s is not running", b->id);
	return 0;
}

/* The EXEC payload: records "key\0value\0". */
static char *wire(const struct box_exec_req *req, size_t *len)
{
	char num[16], *out = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < req->argc; i++)
		frame_record_add(&out, &n, &cap, A3S_CFG_ARG, req->argv[i]);
	for (size_t i = 0; req->env && i < req->env->n; i++)
		frame_record_add(&out, &n, &cap, A3S_CFG_ENV, req->env->v[i]);
	if (req->workdir)
		frame_record_add(&out, &n, &cap, A3S_CFG_WORKDIR, req->workdir);
	if (req->user)
		frame_record_add(&out, &n, &cap, A3S_CFG_USER, req->user);
	if (req->interactive)
		frame_record_add(&out, &n, &cap, A3S_CFG_STDIN, "1");
	if (req->tty)
		frame_record_add(&out, &n, &cap, A3S_CFG_TTY, "1");
	if (req->tty && req->rows && req->cols) {
		snprintf(num, sizeof(num), "%u", req->rows);
		frame_record_add(&out, &n, &cap, A3S_CFG_ROWS, num);
		snprintf(num, sizeof(num), "%u", req->cols);
		frame_record_add(&out, &n, &cap, A3S_CFG_COLS, num);
	}
	if (req->detach)
		frame_record_add(&out, &n, &cap, A3S_EXEC_DETACH, "1");
	if (req->privileged)
		frame_record_add(&out, &n, &cap, A3S_EXEC_PRIVILEGED, "1");
	if (req->op)
		frame_record_add(&out, &n, &cap, A3S_EXEC_OP, req->op);
	*len = n;
	return out;
}

/*
 * A box started with -d may still be booting: the guest refuses (nothing
 * listens yet) until its init is up, so refusals are retried for a while.
 * A failure to reach the device itself (no monitor) is final at once.
 */
int box_vsock_connect(const char *vsock_path, uint32_t port, struct err *e)
{
	long long deadline = io_now_ms() + BOX_EXEC_CONNECT_MS;
	int dirfd, fd;
	char *name = fs_sock_path(vsock_path, &dirfd, e);
	if (!name)
		return -1;
	for (;;) {
		long long left = deadline - io_now_ms();
		fd = vsock_connect(name, port, left > 0 ? (int)left : 1, e);
		if (fd >= 0 || e->errnum || io_now_ms() >= deadline)
			break;
		nanosleep(&(struct timespec){0, RETRY_NS}, NULL);
	}
	if (dirfd >= 0)
		close(dirfd);
	free(name);
	return fd;
}

int box_exec_open(struct root *r, const struct box_record *b, const struct box_exec_req *req, struct err *e)
{
	char *dir = box_dir(r, b->id), *path = box_vsock_path(dir), *payload;
	int fd;
	size_t len;
	free(dir);
	fd = box_vsock_connect(path, req->tty ? A3S_VSOCK_PORT_PTY : A3S_VSOCK_PORT_EXEC, e);
	free(path);
	if (fd < 0)
		return err_wrap(e, "connecting to box %.12s", b->id);
	payload = wire(req, &len);
	if (len > A3S_FRAME_MAX) {
		err_setk(e, ERR_USAGE, "the exec request is too large (%zu bytes; limit %u)", len, A3S_FRAME_MAX);
		goto fail;
	}
	if (stream_send_frame(fd, A3S_FRAME_EXEC, payload, (uint32_t)len) < 0) {
		err_sys(e, errno, "sending the exec request to box %.12s", b->id);
		goto fail;
	}
	free(payload);
	return fd;
fail:
	free(payload);
	close(fd);
	return -1;
}
