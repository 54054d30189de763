/*
 * The control stream outside the main loop: opening it and saying HELLO,
 * waiting for CONFIG, reporting EXIT and waiting for its ACK.
 */
#ifndef A3S_GUEST_CTL_H
#define A3S_GUEST_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "bbuf.h"
#include "frame.h"
#include "util.h"

struct ctl {
	int fd;
	struct frame_reader rd;
	/* workload stdin received but not yet written to its pipe */
	struct bbuf in;
	int in_eof; /* the empty STDIN frame (EOF) has arrived */
};

/*
 * Find the port (waiting up to timeout_ms for it; 0 looks once), open it
 * and send HELLO. Returns 0 or -1 with *e set; may be called again after a
 * failure.
 */
int ctl_open(struct ctl *c, int timeout_ms, struct ierr *e);

/* Set c up over an open stream (an exec connection). */
void ctl_init_fd(struct ctl *c, int fd);

/*
 * Read frames until one of the given type (CONFIG, EXEC), buffering STDIN
 * frames on the way. Returns the payload (malloc'd, NUL-terminated for
 * convenience, *len without the NUL), or NULL on timeout or a broken stream.
 */
char *ctl_wait_payload(struct ctl *c, uint8_t type, int timeout_ms, size_t *len);

/* Like ctl_wait_payload, for the first frame other than STDIN, of any type (*type). */
char *ctl_wait_request(struct ctl *c, int timeout_ms, uint8_t *type, size_t *len);

/* Queue a STDIN frame's payload; empty means EOF. Later data after EOF is dropped. */
void ctl_stdin(struct ctl *c, const struct frame *f);

/* Send EXIT, then wait up to timeout_ms for ACK (other frames are dropped). */
void ctl_exit(struct ctl *c, uint32_t code, const char *msg, int timeout_ms);

#endif
