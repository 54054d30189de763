#include "box/maint.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "box/boot.h"
#include "box/session.h"
#include "box/mounts.h"
#include "box/spec.h"
#include "box/store.h"
#include "box/xfer.h"
#include "image/rootfs.h"
#include "util/io.h"
#include "util/xalloc.h"

/* how long the guest may take from HELLO to answering on its exec port */
#define READY_MS 60000

struct box_maint {
	pthread_t thread;
	bool thread_started;
	struct box_spec spec;
	struct boot_paths boot;
	struct box_vm vm;
	char *dir, *rootfs, *rw, *vsock, *wire;
	size_t wire_len;
	struct session_io io;
	struct session_result res;
	struct err err;
	int rc;
	int ready[2]; /* the thread writes 'h' at HELLO, 'x' when the session ended */
	sigset_t old;
};

static void on_output(void *arg, int stream, const void *p, size_t n)
{
	(void)arg, (void)stream, (void)p, (void)n; /* no workload, no output */
}

static void on_booted(void *arg)
{
	struct box_maint *m = arg;
	(void)!write(m->ready[1], "h", 1);
}

static void *run(void *arg)
{
	struct box_maint *m = arg;
	m->rc = box_session_run(&m->vm.vc, m->wire, m->wire_len, &m->io, NULL, NULL, &m->res, &m->err);
	(void)!write(m->ready[1], "x", 1);
	return NULL;
}

static void release(struct box_maint *m)
{
	if (m->ready[0] >= 0)
		close(m->ready[0]);
	if (m->ready[1] >= 0)
		close(m->ready[1]);
	box_vm_release(&m->vm);
	boot_paths_release(&m->boot);
	box_spec_release(&m->spec);
	free(m->res.message);
	free(m->dir);
	free(m->rootfs);
	free(m->rw);
	free(m->vsock);
	free(m->wire);
	pthread_sigmask(SIG_SETMASK, &m->old, NULL);
	free(m);
}

/* Wait until the guest answers on its exec port (or its session ended). */
static int wait_ready(struct box_maint *m, struct err *e)
{
	long long deadline = io_now_ms() + READY_MS;
	for (;;) {
		struct pollfd p = {m->ready[0], POLLIN, 0};
		struct xfer_stat st = {0};
		struct err pe = ERR_INIT;
		if (xfer_stat(m->vsock, "/", &st, &pe) == 0) {
			xfer_stat_release(&st);
			return 0;
		}
		if (poll(&p, 1, 0) > 0)
			return err_set(e, "the maintenance VM ended before its exec port answered");
		if (io_now_ms() >= deadline) {
			*e = pe;
			return err_wrap(e, "the maintenance VM's exec port did not answer within %d s", READY_MS / 1000);
		}
		poll(NULL, 0, 100);
	}
}

/* End the session thread: the guest powers off on a SIGNAL frame. */
static int join(struct box_maint *m, struct err *e)
{
	if (!m->thread_started)
		return 0;
	pthread_kill(m->thread, SIGTERM);
	pthread_join(m->thread, NULL);
	m->thread_started = false;
	if (m->rc < 0) {
		*e = m->err;
		return err_wrap(e, "stopping the maintenance VM");
	}
	return 0;
}

int box_maint_start(struct root *r, const struct box_record *b, struct box_maint **out, struct err *e)
{
	struct box_maint *m = xcalloc(1, sizeof(*m));
	sigset_t set;
	char c = 0;
	static const char maint_rec[] = A3S_CFG_MAINT "\0" "1";

	m->ready[0] = m->ready[1] = -1;
	session_signals(false, &set);
	pthread_sigmask(SIG_BLOCK, &set, &m->old);
	/* the box's volumes and workspace are mounted as when it runs: cp
	 * into a volume's path writes into the volume, as docker's does */
	if (box_spec_from_json(b->config, &m->spec, e) < 0 || image_rootfs_existing(r, b->image_id, &m->rootfs, e) < 0 ||
	    boot_paths_resolve(ACCEL_AUTO, &m->boot, e) < 0 || box_mounts_prepare(m->spec.mounts, e) < 0)
		goto fail;
	if (pipe2(m->ready, O_CLOEXEC) < 0) {
		err_sys(e, errno, "creating a pipe");
		goto fail;
	}
	m->dir = box_dir(r, b->id);
	m->rw = xasprintf("%s/rw.img", m->dir);
	m->vsock = xasprintf("%s/maint.sock", m->dir);
	m->spec.net = false; /* files only: no network device, no network config */
	box_spec_wire(&m->spec, true, &m->wire, &m->wire_len);
	m->wire = xrealloc(m->wire, m->wire_len + sizeof(maint_rec));
	memcpy(m->wire + m->wire_len, maint_rec, sizeof(maint_rec));
	m->wire_len += sizeof(maint_rec);
	box_vm_init(&m->vm, &m->boot, &m->spec, m->dir, m->rootfs, m->rw);
	/* the box's own logs stay the workload's */
	free(m->vm.console_log);
	free(m->vm.engine_log);
	m->vm.console_log = xasprintf("%s/maint-console.log", m->dir);
	m->vm.engine_log = xasprintf("%s/maint-engine.log", m->dir);
	m->vm.vc.console_log = m->vm.console_log;
	m->vm.vc.engine_log = m->vm.engine_log;
	m->vm.vc.net_user = false;
	m->io = (struct session_io){.in_fd = -1, .out_fd = -1, .err_fd = -1, .output = on_output,
				   .booted = on_booted, .arg = m, .vsock_path = m->vsock};
	if (pthread_create(&m->thread, NULL, run, m) != 0) {
		err_set(e, "starting the maintenance VM thread");
		goto fail;
	}
	m->thread_started = true;
	while (read(m->ready[0], &c, 1) < 0 && errno == EINTR)
		;
	if (c != 'h') {
		pthread_join(m->thread, NULL);
		m->thread_started = false;
		*e = m->err;
		if (m->rc == 0)
			err_set(e, "the maintenance VM ended before its init was up%s%s",
				m->res.message ? ": " : "", m->res.message ? m->res.message : "");
		goto fail;
	}
	if (wait_ready(m, e) < 0) {
		struct err ignored = ERR_INIT;
		(void)join(m, &ignored);
		goto fail;
	}
	*out = m;
	return 0;
fail:
	err_wrap(e, "booting box %.12s for maintenance", b->id);
	release(m);
	return -1;
}

const char *box_maint_vsock(const struct box_maint *m)
{
	return m->vsock;
}

int box_maint_stop(struct box_maint *m, struct err *e)
{
	int rc;
	if (!m)
		return 0;
	rc = join(m, e);
	release(m);
	return rc;
}
