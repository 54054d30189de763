/*
 * Network interfaces, configured with the classic ioctls (no netlink, no
 * external tools): lo always, eth0 from the net.ip / net.gw records.
 */
#ifndef A3S_GUEST_NET_H
#define A3S_GUEST_NET_H

#include "util.h"

/* Bring lo up (the kernel adds 127.0.0.1/8 and ::1 itself). */
int net_lo_up(struct ierr *e);

/*
 * Give eth0 the address ip ("a.b.c.d/prefix"), bring it up and, if gw is
 * not NULL, add a default route through gw. Returns 0 or -1 with *e set.
 */
int net_eth_up(const char *ip, const char *gw, struct ierr *e);

/* The address part of "a.b.c.d/prefix" into buf (for /etc/hosts). */
void net_ip_addr(const char *ip, char *buf, size_t size);

#endif
