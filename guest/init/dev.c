#include "dev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* Make sure /dev/<name> exists, from /sys/<cls>/<name>/dev ("maj:min"). */
static int ensure_node(const char *cls, const char *name, mode_t type, char *path,
		       size_t size)
{
	char attr[256], devno[32];
	unsigned int maj, min;

	snprintf(path, size, "/dev/%s", name);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(attr, sizeof(attr), "/sys/%s/%s/dev", cls, name);
	if (read_attr(attr, devno, sizeof(devno)) < 0 ||
	    sscanf(devno, "%u:%u", &maj, &min) != 2)
		return -1;
	if (mknod(path, type | 0600, makedev(maj, min)) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* One pass over /sys/block. Returns 0 if found, -1 if not (yet). */
static int scan_disks(const char *serial, char *path, size_t size)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d))) {
		char attr[300], val[64];

		if (strncmp(de->d_name, "vd", 2))
			continue;
		snprintf(attr, sizeof(attr), "/sys/block/%s/serial", de->d_name);
		if (read_attr(attr, val, sizeof(val)) < 0 || strcmp(val, serial))
			continue;
		if (ensure_node("block", de->d_name, S_IFBLK, path, size) == 0)
			found = 0;
	}
	closedir(d);
	return found;
}

/* One pass over /sys/class/virtio-ports. Returns an fd, or -1. */
static int scan_ports(const char *name)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *de;
	int fd = -1;

	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		char attr[300], val[128], path[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(attr, sizeof(attr), "/sys/class/virtio-ports/%s/name", de->d_name);
		if (read_attr(attr, val, sizeof(val)) < 0 || strcmp(val, name))
			continue;
		if (ensure_node("class/virtio-ports", de->d_name, S_IFCHR, path, sizeof(path)) < 0)
			continue;
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0)
			log_dbg("control port is %s", path);
	}
	closedir(d);
	return fd;
}

/*
 * A kernel uevent socket: any device event wakes the waiter up to rescan.
 * Without one (it cannot fail on our kernel, but still) we fall back to
 * short poll timeouts.
 */
static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void uevent_wait(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];

	poll(&p, fd >= 0 ? 1 : 0, ms);
	while (fd >= 0 && recv(fd, buf, sizeof(buf), 0) > 0)
		;
}

/*
 * Call scan(arg) until it returns >= 0 or timeout_ms passes. Device events
 * cut the wait short; the 10 ms cap covers changes that send no event (and
 * one that slipped in before the socket was opened: it is only opened once
 * the first scan failed, which in the common case it does not).
 */
static int wait_for(int (*scan)(void *), void *arg, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	int ev = -1, r;

	while ((r = scan(arg)) < 0 && now_ms() < deadline) {
		if (ev < 0)
			ev = uevent_open();
		uevent_wait(ev, 10);
	}
	if (ev >= 0)
		close(ev);
	return r;
}

struct disk_query {
	const char *serial;
	char *path;
	size_t size;
};

static int disk_scan(void *arg)
{
	struct disk_query *q = arg;

	return scan_disks(q->serial, q->path, q->size);
}

static int port_scan(void *arg)
{
	return scan_ports(arg);
}

int dev_find_disk(const char *serial, int timeout_ms, char *path, size_t size)
{
	struct disk_query q = { serial, path, size };

	if (wait_for(disk_scan, &q, timeout_ms) < 0) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int dev_open_port(const char *name, int timeout_ms)
{
	int fd = wait_for(port_scan, (void *)name, timeout_ms);

	if (fd < 0)
		errno = ENOENT;
	return fd;
}
