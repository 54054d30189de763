/*
 * `cp` requests on the exec port (docs/cp.md): STAT_REQ, ARCHIVE_GET and
 * ARCHIVE_PUT, served in the connection's own process like an exec.
 */
#ifndef A3S_GUEST_XFER_H
#define A3S_GUEST_XFER_H

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

/* Is type one of the requests served here? */
int xfer_is_request(uint8_t type);

/*
 * Serve one request whose frame (type, payload of len bytes, owned) was
 * the first on c; ends the process.
 */
void xfer_serve(struct ctl *c, uint8_t type, char *payload, size_t len) __attribute__((noreturn));

/*
 * Find a record's value in a "key\0value\0" payload; NULL when absent or
 * when the payload is malformed. Pure.
 */
const char *xfer_record(const char *buf, size_t len, const char *key);

#endif
