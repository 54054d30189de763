/*
 * Published ports on the default (NAT) network: parsing docker's -p forms,
 * choosing host ports, and turning them into QEMU user-networking forwards.
 * Recorded in the box config as "Ports": [{HostIp, HostPort, ContainerPort,
 * Protocol}], HostPort "" until the box starts (a random port).
 */
#ifndef A3S_BOX_PORTS_H
#define A3S_BOX_PORTS_H

#include <jansson.h>

#include "util/err.h"
#include "util/xalloc.h"

/*
 * "[ip:][hostport:]containerport[/tcp|/udp]" (a range is not supported)
 * -> appends {HostIp, HostPort, ContainerPort, Protocol} to arr.
 */
int box_port_parse(const char *spec, json_t *arr, struct err *e);
/* -P: every ExposedPorts entry of the image config ("80/tcp") with a
 * random host port. */
void box_ports_expose_all(const json_t *image_config, json_t *arr);
/*
 * Give every port a host port (a free one for ""), checking each is free on
 * the host now; a taken port fails with docker's message. Returns the
 * bound list (a new array) in *out.
 */
int box_ports_bind(const json_t *ports, json_t **out, struct err *e);
/* ",hostfwd=tcp:IP:HP-:CP..." for QEMU's -netdev user; caller frees. */
char *box_ports_hostfwd(const json_t *bound);
/* "0.0.0.0:8080->80/tcp, 53/udp" as docker's ps PORTS; caller frees. */
char *box_ports_summary(const json_t *ports);
/* NetworkSettings.Ports: {"80/tcp": [{"HostIp": ..., "HostPort": ...}]}. */
json_t *box_ports_docker(const json_t *ports);

#endif
