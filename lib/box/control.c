#include "box/control.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "box/store.h"
#include "util/io.h"

bool box_is_active(const struct box_record *b)
{
	return !strcmp(b->state, "running") || !strcmp(b->state, "paused") || !strcmp(b->state, "restarting");
}

static int request(const struct box_record *b, int sig, int value, struct err *e)
{
	union sigval v = {.sival_int = value};
	if (b->monitor_pid <= 0)
		return err_setk(e, ERR_CONFLICT, "box '%s' is not managed by a monitor (it runs in the foreground)",
				b->name);
	if (sigqueue(b->monitor_pid, sig, v) < 0 && errno != ESRCH)
		return err_sys(e, errno, "signalling the monitor of box '%s'", b->name);
	return 0;
}

int box_wait_monitor(struct root *r, const char *id, long long timeout_ms, struct err *e)
{
	long long deadline = timeout_ms < 0 ? -1 : io_now_ms() + timeout_ms;
	for (;;) {
		struct box_record *b = NULL;
		bool done;
		if (box_store_find(r, id, &b, e) < 0)
			return e->kind == ERR_NOT_FOUND ? 0 : -1; /* removed (--rm): done */
		done = !box_monitor_alive(b->monitor_pid, b->id) && !box_is_active(b);
		box_record_free(b);
		if (done)
			return 0;
		if (deadline >= 0 && io_now_ms() >= deadline)
			return err_set(e, "timed out waiting for box '%.12s' to stop", id);
		nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
	}
}

int box_control_stop(struct root *r, const struct box_record *b, int timeout_s, struct err *e)
{
	if (!box_is_active(b))
		return 0;
	if (box_store_set_stopped_by_user(r, b->id, true, e) < 0)
		return -1;
	if (!strcmp(b->state, "paused") && request(b, SIGUSR2, 0, e) < 0)
		return -1;
	if (request(b, SIGTERM, timeout_s < 0 ? 0 : timeout_s, e) < 0)
		return -1;
	box_event(r, b->id, "stop", NULL);
	return box_wait_monitor(r, b->id, (timeout_s < 0 ? 0 : timeout_s) * 1000LL + 30000, e);
}

int box_control_kill(struct root *r, const struct box_record *b, int signo, struct err *e)
{
	if (!box_is_active(b))
		return err_setk(e, ERR_CONFLICT, "cannot kill box '%s': it is not running", b->name);
	if (box_store_set_stopped_by_user(r, b->id, true, e) < 0 || request(b, SIGUSR1, signo, e) < 0)
		return -1;
	box_event(r, b->id, "kill", json_pack("{s:i}", "signal", signo));
	if (signo == SIGKILL)
		return box_wait_monitor(r, b->id, 30000, e);
	return 0;
}

int box_control_pause(struct root *r, const struct box_record *b, bool pause, struct err *e)
{
	const char *want = pause ? "paused" : "running";
	long long deadline = io_now_ms() + 10000;
	if (pause && strcmp(b->state, "running"))
		return err_setk(e, ERR_CONFLICT, "box '%s' is not running", b->name);
	if (!pause && strcmp(b->state, "paused"))
		return err_setk(e, ERR_CONFLICT, "box '%s' is not paused", b->name);
	if (request(b, SIGUSR2, pause ? 1 : 0, e) < 0)
		return -1;
	for (;;) {
		struct box_record *n = NULL;
		bool done;
		if (box_store_find(r, b->id, &n, e) < 0)
			return -1;
		done = !strcmp(n->state, want) || !box_is_active(n);
		box_record_free(n);
		if (done)
			return 0;
		if (io_now_ms() >= deadline)
			return err_set(e, "timed out waiting for box '%s' to %s", b->name, pause ? "pause" : "resume");
		nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
	}
}
