/*
 * One foreground box session: boot the VM, hand the guest its config,
 * stream stdin/stdout/stderr over the control port, forward signals, collect
 * the exit code, and make sure the VM is gone when it returns.
 */
#ifndef A3S_BOX_SESSION_H
#define A3S_BOX_SESSION_H

#include <stdbool.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stddef.h>

#include "util/err.h"
#include "vmm/vmm.h"

struct session;

struct session_io {
	int in_fd; /* forwarded when interactive; -1 otherwise */
	int out_fd, err_fd; /* where output goes when output is NULL */
	/* Output sink (stream 1 = stdout, 2 = stderr), instead of the fds. */
	void (*output)(void *arg, int stream, const void *p, size_t n);
	/* State changes the session makes on request: "paused", "running". */
	void (*event)(void *arg, const char *what);
	/* The guest's init is up (HELLO). */
	void (*booted)(void *arg);
	/* The guest's answer to a stats request (A3S_FRAME_STATS text). */
	void (*stats)(void *arg, const char *text, size_t len);
	void *arg;
	/*
	 * Signal handling. Foreground (false): SIGINT, SIGTERM, SIGHUP and
	 * SIGQUIT are forwarded to the workload; a second one, or the workload
	 * still running SESSION_STOP_GRACE_MS later, stops the VM. Monitor
	 * (true): requests sent with sigqueue (docs/lifecycle.md): SIGTERM
	 * value = stop timeout in seconds, SIGUSR1 value = signal for the
	 * workload (SIGKILL stops the VM), SIGUSR2 value = 1 pause, 0 resume,
	 * 2 ask the guest for its resource use (answered through stats).
	 */
	bool monitor;
	/* The box's vsock device socket (box_vsock_path()); NULL: no vsock
	 * device (no exec). */
	const char *vsock_path;
	/* More descriptors to watch (the monitor's attach clients): fill up to
	 * max pollfds and return how many; poll_done gets them back with the
	 * session, to which it may send frames with session_send(). */
	int (*poll_fill)(void *arg, struct pollfd *p, int max);
	void (*poll_done)(void *arg, struct session *s, const struct pollfd *p, int n);
	/* The box is thrown away after the session (--rm): once EXIT is in
	 * (all output precedes it), kill the engine instead of waiting for the
	 * guest's clean shutdown of a disk nobody will read again. */
	bool discard;
};

struct session_result {
	int exit_code; /* docker convention */
	char *message; /* from the guest (exec failure etc.), or NULL; owned */
};

/* Queue a frame for the guest's main process (STDIN, RESIZE, SIGNAL). */
void session_send(struct session *s, uint8_t type, const void *p, uint32_t len);

/* Called once the VM process exists (to record its pid), may be NULL. */
typedef void (*session_started_fn)(void *arg, pid_t pid);

/*
 * Run the session. vmcfg's ctl_fd/qmp_fd are filled in here. Returns 0 when
 * the workload ran (its code in res), -1 with e on a runtime failure. Either
 * way no engine process is left. The caller blocks the signals of its mode
 * (session_signals()); the session reads them with a signalfd.
 */
#define SESSION_STOP_GRACE_MS 10000
#define SESSION_BOOT_TIMEOUT_MS 120000
/* The signals a session of this mode reads (to block before it starts). */
void session_signals(bool monitor, sigset_t *set);
int box_session_run(struct vm_config *vmcfg, const char *wire, size_t wire_len, const struct session_io *io,
		    session_started_fn started, void *arg, struct session_result *res, struct err *e);

#endif
