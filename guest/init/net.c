#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define ETH "eth0"

static void set_sin(struct sockaddr *sa, in_addr_t addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = addr };

	memcpy(sa, &sin, sizeof(sin));
}

static int if_up(int s, const char *ifname, struct ierr *e)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return ierr_sys(e, errno, "reading flags of '%s'", ifname);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return ierr_sys(e, errno, "bringing '%s' up", ifname);
	return 0;
}

int net_lo_up(struct ierr *e)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;

	if (s < 0)
		return ierr_sys(e, errno, "creating a socket");
	r = if_up(s, "lo", e);
	close(s);
	return r;
}

/* "a.b.c.d/prefix" -> address and netmask (network byte order). */
static int parse_cidr(const char *ip, in_addr_t *addr, in_addr_t *mask)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	struct in_addr a;
	long prefix;

	size_t n = strlen(ip);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, ip, n + 1);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	errno = 0;
	prefix = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || prefix < 0 || prefix > 32)
		return -1;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*addr = a.s_addr;
	*mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
	return 0;
}

void net_ip_addr(const char *ip, char *buf, size_t size)
{
	size_t n = strcspn(ip, "/");

	snprintf(buf, size, "%.*s", (int)n, ip);
}

int net_eth_up(const char *ip, const char *gw, struct ierr *e)
{
	struct ifreq ifr = { 0 };
	struct rtentry rt = { 0 };
	in_addr_t addr, mask;
	struct in_addr g;
	int s, r = -1;

	if (parse_cidr(ip, &addr, &mask) < 0)
		return ierr_set(e, "invalid net.ip '%s': want a.b.c.d/prefix", ip);
	if (gw && inet_pton(AF_INET, gw, &g) != 1)
		return ierr_set(e, "invalid net.gw '%s'", gw);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return ierr_sys(e, errno, "creating a socket");

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ETH);
	set_sin(&ifr.ifr_addr, addr);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0) {
		ierr_sys(e, errno, "setting address '%s' on '%s'", ip, ETH);
		goto out;
	}
	set_sin(&ifr.ifr_netmask, mask);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) {
		ierr_sys(e, errno, "setting netmask of '%s'", ETH);
		goto out;
	}
	if (if_up(s, ETH, e) < 0)
		goto out;
	if (gw) {
		set_sin(&rt.rt_dst, INADDR_ANY);
		set_sin(&rt.rt_genmask, INADDR_ANY);
		set_sin(&rt.rt_gateway, g.s_addr);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = (char *)ETH;
		if (ioctl(s, SIOCADDRT, &rt) < 0) {
			ierr_sys(e, errno, "adding default route via '%s'", gw);
			goto out;
		}
	}
	r = 0;
out:
	close(s);
	return r;
}
