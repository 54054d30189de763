#include "vmm/qmp.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/io.h"
#include "util/xalloc.h"

#define QMP_LINE_MAX (1024 * 1024)

/* Read one '\n'-terminated JSON message. Byte-at-a-time is fine: QMP
 * traffic here is a handful of short lines. */
static int read_msg(int fd, json_t **out, long long deadline, struct err *e)
{
	char *buf = xmalloc(4096);
	size_t n = 0, cap = 4096;
	json_error_t jerr;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - io_now_ms();
		ssize_t r;
		char c;
		if (left <= 0) {
			free(buf);
			return err_set(e, "QMP: timed out waiting for QEMU");
		}
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return err_sys(e, errno, "QMP");
		}
		if (!p.revents)
			continue;
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return err_set(e, "QMP: QEMU closed the connection");
		}
		if (c == '\n')
			break;
		if (n + 1 >= cap) {
			if (cap >= QMP_LINE_MAX) {
				free(buf);
				return err_set(e, "QMP: message too large");
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	*out = json_loads(buf, 0, &jerr);
	free(buf);
	if (!*out)
		return err_set(e, "QMP: malformed message from QEMU: %s", jerr.text);
	return 0;
}

static int send_cmd(int fd, const char *command, json_t *args, struct err *e)
{
	json_t *msg = json_pack("{s:s}", "execute", command);
	char *s;
	int rc;
	if (args)
		json_object_set(msg, "arguments", args);
	s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	rc = io_write_all(fd, s, strlen(s));
	if (rc == 0)
		rc = io_write_all(fd, "\n", 1);
	free(s);
	if (rc < 0)
		return err_sys(e, errno, "QMP: sending '%s'", command);
	return 0;
}

static int wait_reply(int fd, const char *command, json_t **ret, long long deadline, struct err *e)
{
	for (;;) {
		json_t *m;
		json_t *r, *er;
		if (read_msg(fd, &m, deadline, e) < 0)
			return -1;
		if ((r = json_object_get(m, "return"))) {
			if (ret)
				*ret = json_incref(r);
			json_decref(m);
			return 0;
		}
		if ((er = json_object_get(m, "error"))) {
			const char *desc = json_string_value(json_object_get(er, "desc"));
			err_set(e, "QMP '%s': %s", command, desc ? desc : "error");
			json_decref(m);
			return -1;
		}
		json_decref(m); /* an event */
	}
}

int qmp_handshake(int fd, int timeout_ms, struct err *e)
{
	long long deadline = io_now_ms() + timeout_ms;
	json_t *greeting;
	if (read_msg(fd, &greeting, deadline, e) < 0)
		return -1;
	if (!json_object_get(greeting, "QMP")) {
		json_decref(greeting);
		return err_set(e, "QMP: unexpected greeting from QEMU");
	}
	json_decref(greeting);
	if (send_cmd(fd, "qmp_capabilities", NULL, e) < 0)
		return -1;
	return wait_reply(fd, "qmp_capabilities", NULL, deadline, e);
}

int qmp_execute(int fd, const char *command, json_t *args, json_t **ret, int timeout_ms, struct err *e)
{
	if (send_cmd(fd, command, args, e) < 0)
		return -1;
	return wait_reply(fd, command, ret, io_now_ms() + timeout_ms, e);
}

void qmp_quit_nowait(int fd)
{
	static const char msg[] = "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n";
	if (fd >= 0)
		(void)io_write_all(fd, msg, sizeof(msg) - 1);
}
