/*
 * One exec or attestation connection, served in its own process (forked
 * from PID 1 by vsrv_accept). Neither returns: the process exits.
 */
#ifndef A3S_GUEST_EXEC_H
#define A3S_GUEST_EXEC_H

#include "cfg.h"

/*
 * Read the EXEC request, start the process (with a terminal when pty or
 * the request asks for one) with the box's environment, user and workdir
 * unless the request overrides them, then relay its stdio until it exits
 * and report EXIT. See include/a3s/proto.h.
 */
void __attribute__((noreturn)) exec_serve(int conn, int pty, const struct cfg *box, int sigfd);

/* Answer ATTEST_REQ frames with the guest's TEE status until EOF. */
void __attribute__((noreturn)) attest_serve(int conn);

#endif
