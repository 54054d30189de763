#include "box/ports.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_port(const char *s, size_t n, int *out)
{
	long v = 0;
	if (!n || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (int)v;
	return 0;
}

int box_port_parse(const char *spec, json_t *arr, struct err *e)
{
	char *s = xstrdup(spec), *proto = strchr(s, '/'), *parts[3];
	int n = 0, cport, hport = 0;
	const char *ip = "0.0.0.0";
	struct in_addr a;
	if (proto) {
		*proto++ = '\0';
		if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
			goto bad;
	}
	for (char *p = s, *c; n < 3; p = c + 1) {
		parts[n++] = p;
		if (!(c = strchr(p, ':')))
			break;
		*c = '\0';
	}
	if (strchr(parts[n - 1], ':'))
		goto bad;
	if (parse_port(parts[n - 1], strlen(parts[n - 1]), &cport) < 0)
		goto bad;
	if (n >= 2 && *parts[n - 2] && parse_port(parts[n - 2], strlen(parts[n - 2]), &hport) < 0)
		goto bad;
	if (n == 3) {
		if (*parts[0] && inet_pton(AF_INET, parts[0], &a) != 1)
			goto bad;
		if (*parts[0])
			ip = parts[0];
	}
	{
		char hp[8] = "", cp[8];
		if (hport)
			snprintf(hp, sizeof(hp), "%d", hport);
		snprintf(cp, sizeof(cp), "%d", cport);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "HostIp", ip, "HostPort", hp, "ContainerPort",
						     cp, "Protocol", proto ? proto : "tcp"));
	}
	free(s);
	return 0;
bad:
	free(s);
	return err_setk(e, ERR_USAGE, "invalid port specification: '%s': use [ip:][hostport:]port[/tcp|udp]", spec);
}

void box_ports_expose_all(const json_t *image_config, json_t *arr)
{
	const json_t *ex = json_object_get(json_object_get(image_config, "config"), "ExposedPorts");
	const char *key;
	json_t *v;
	if (!json_is_object(ex))
		return;
	json_object_foreach((json_t *)ex, key, v) {
		struct err e = ERR_INIT;
		(void)box_port_parse(key, arr, &e); /* malformed image entries are skipped */
	}
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* Bind ip:port (0 = any) to check it is free; the chosen port in *out. */
static int try_bind(const char *ip, int port, bool udp, int *out)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0), one = 1, rc = -1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, ip, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0) {
		*out = ntohs(sa.sin_port);
		rc = 0;
	}
	close(fd);
	return rc;
}

int box_ports_bind(const json_t *ports, json_t **out, struct err *e)
{
	json_t *res = json_array();
	size_t i;
	const json_t *p;
	json_array_foreach(ports, i, p) {
		const char *ip = str(p, "HostIp"), *hp = str(p, "HostPort"), *proto = str(p, "Protocol");
		int want = *hp ? atoi(hp) : 0, got = 0;
		char buf[8];
		if (try_bind(ip, want, !strcmp(proto, "udp"), &got) < 0) {
			json_decref(res);
			if (!want)
				return err_sys(e, errno, "no free %s port on %s", proto, ip);
			return err_set(e, "Bind for %s:%d failed: port is already allocated", ip, want);
		}
		snprintf(buf, sizeof(buf), "%d", got);
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:s}", "HostIp", ip, "HostPort", buf,
						     "ContainerPort", str(p, "ContainerPort"), "Protocol", proto));
	}
	*out = res;
	return 0;
}

char *box_ports_hostfwd(const json_t *bound)
{
	char *s = xstrdup("");
	size_t i;
	const json_t *p;
	json_array_foreach(bound, i, p) {
		char *n = xasprintf("%s,hostfwd=%s:%s:%s-:%s", s, str(p, "Protocol"), str(p, "HostIp"), str(p, "HostPort"),
				    str(p, "ContainerPort"));
		free(s);
		s = n;
	}
	return s;
}

char *box_ports_summary(const json_t *ports)
{
	char *s = xstrdup("");
	size_t i;
	const json_t *p;
	json_array_foreach(ports, i, p) {
		char *n;
		if (*str(p, "HostPort"))
			n = xasprintf("%s%s%s:%s->%s/%s", s, *s ? ", " : "", str(p, "HostIp"), str(p, "HostPort"),
				      str(p, "ContainerPort"), str(p, "Protocol"));
		else
			n = xasprintf("%s%s%s/%s", s, *s ? ", " : "", str(p, "ContainerPort"), str(p, "Protocol"));
		free(s);
		s = n;
	}
	return s;
}

json_t *box_ports_docker(const json_t *ports)
{
	json_t *o = json_object();
	size_t i;
	const json_t *p;
	json_array_foreach(ports, i, p) {
		char *key = xasprintf("%s/%s", str(p, "ContainerPort"), str(p, "Protocol"));
		json_t *list = json_object_get(o, key);
		if (!list) {
			list = json_array();
			json_object_set_new(o, key, list);
		}
		if (*str(p, "HostPort"))
			json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp", str(p, "HostIp"), "HostPort",
							      str(p, "HostPort")));
		free(key);
	}
	return o;
}
