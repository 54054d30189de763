/*
 * The attach service of a box's monitor: clients (`attach`, `run -t`)
 * connect to boxes/<id>/attach.sock and speak the process-stream framing
 * (include/a3s/proto.h): they send STDIN, RESIZE and SIGNAL frames for the
 * main process and receive its STDOUT/STDERR frames and, when it ends, one
 * EXIT frame. Any number of clients may watch at once; output is not
 * replayed to late comers (as docker attach). docs/exec.md.
 */
#ifndef A3S_BOX_ATTACH_H
#define A3S_BOX_ATTACH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* A client that falls this far behind is dropped rather than buffered. */
#define ATTACH_CLIENT_MAX_BUF (8u * 1024 * 1024)
#define ATTACH_MAX_CLIENTS 64

struct attach_client;

struct attach_srv {
	int lfd; /* listening socket, -1 when closed */
	int dirfd; /* keeps a long socket path usable, or -1 */
	char *name; /* the socket's (possibly /proc/self/fd) name, or NULL */
	struct attach_client *clients;
	size_t nclients;
	bool stdin_open; /* the main process takes STDIN frames */
};

/* Frames clients send for the main process go through this callback. */
typedef void (*attach_send_fn)(void *arg, uint8_t type, const void *p, uint32_t len);

/* Before open: lfd and dirfd -1, the rest zero. */
#define ATTACH_SRV_INIT {.lfd = -1, .dirfd = -1}

/* Listen on path (mode 0600). */
int attach_srv_open(struct attach_srv *s, const char *path, struct err *e);
/*
 * Add a connected client (e.g. the CLI of `run -t`, which handed the
 * monitor one end of a socketpair). An owner stays connected until
 * attach_srv_close(), after the EXIT frame: its EOF tells the CLI the
 * monitor is done with the box.
 */
void attach_srv_add(struct attach_srv *s, int fd, bool owner);
/* Fill up to max pollfds; returns how many. */
int attach_srv_poll_fill(struct attach_srv *s, struct pollfd *p, int max);
/* Handle the n pollfds filled by attach_srv_poll_fill(). */
void attach_srv_poll_done(struct attach_srv *s, const struct pollfd *p, int n, attach_send_fn send, void *arg);
/* Output of the main process, to every client. */
void attach_srv_output(struct attach_srv *s, int stream, const void *p, size_t n);
/* The main process ended: EXIT to every client (flushed, bounded), then
 * every client is disconnected, owners only if all (the box restarts:
 * nobody waits for the monitor's end). */
void attach_srv_exit(struct attach_srv *s, int code, bool all);
/* Disconnect everyone, remove the socket. Owners' descriptors stay open
 * until the process exits. Safe on a never-opened server. */
void attach_srv_close(struct attach_srv *s);

/* Connect to a box's attach socket (path may be long). */
int attach_connect(const char *path, struct err *e);

#endif
