#include "etc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"

/* hostname used when the config has none (the kernel's is "(none)") */
#define DEFAULT_HOSTNAME "localhost"

/*
 * Write /etc/<name> on the initramfs and bind it over <root>/etc/<name>.
 * The image's file is the mount point; a missing one is created, and a
 * symlink (which the mount would follow, possibly out of the root) is
 * replaced.
 */
static int provide(const char *root, const char *name, const char *data, struct ierr *e)
{
	char src[64], dst[4096];
	struct stat st;

	snprintf(src, sizeof(src), "/etc/%s", name);
	snprintf(dst, sizeof(dst), "%s/etc/%s", root, name);
	if (write_file(src, data, strlen(data), 0644) < 0)
		return ierr_sys(e, errno, "writing '%s'", src);
	if (lstat(dst, &st) == 0 && !S_ISREG(st.st_mode) && unlink(dst) < 0)
		return ierr_sys(e, errno, "replacing '/etc/%s'", name);
	/* mknod, not open: opening an image file for writing would copy it up */
	if (mknod(dst, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
		return ierr_sys(e, errno, "creating '/etc/%s'", name);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return ierr_sys(e, errno, "mounting '/etc/%s'", name);
	return 0;
}

static char *hosts(const struct cfg *c, const char *host)
{
	char ip[64] = "127.0.1.1";

	if (c->net_ip)
		net_ip_addr(c->net_ip, ip, sizeof(ip));
	return xasprintf("127.0.0.1\tlocalhost\n"
			 "::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "fe00::0\tip6-localnet\n"
			 "ff00::0\tip6-mcastprefix\n"
			 "ff02::1\tip6-allnodes\n"
			 "ff02::2\tip6-allrouters\n"
			 "%s\t%s\n",
			 ip, host);
}

static char *resolv(const struct cfg *c)
{
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);

	buf[0] = '\0';
	for (size_t i = 0; i < c->ndns; i++) {
		size_t need = strlen(c->dns[i]) + sizeof("nameserver \n");

		while (len + need > cap)
			buf = xrealloc(buf, cap *= 2);
		len += (size_t)snprintf(buf + len, cap - len, "nameserver %s\n", c->dns[i]);
	}
	return buf;
}

int etc_setup(const struct cfg *c, const char *root, struct ierr *e)
{
	const char *host = c->hostname && *c->hostname ? c->hostname : DEFAULT_HOSTNAME;
	char dir[4096], *buf;
	int r;

	if (sethostname(host, strlen(host)) < 0)
		return ierr_sys(e, errno, "setting hostname '%s'", host);
	snprintf(dir, sizeof(dir), "%s/etc", root);
	if (mkdir_p(dir, 0755) < 0 || (mkdir("/etc", 0755) < 0 && errno != EEXIST))
		return ierr_sys(e, errno, "creating '/etc'");

	buf = xasprintf("%s\n", host);
	r = provide(root, "hostname", buf, e);
	free(buf);
	if (r < 0)
		return -1;
	buf = hosts(c, host);
	r = provide(root, "hosts", buf, e);
	free(buf);
	if (r < 0 || !c->ndns)
		return r;
	buf = resolv(c);
	r = provide(root, "resolv.conf", buf, e);
	free(buf);
	return r;
}
