/*
 * Per-registry transport settings (docs/registry.md):
 *
 *   - CA certificates: every *.crt in <dir>/<host[:port]>/ for dir in
 *     <config>/certs.d and $A3S_BOX_CERTS_D (default /etc/docker/certs.d),
 *     added to the system's trust store; a *.cert with a matching *.key there
 *     is a client certificate (Docker's layout).
 *   - Insecure registries: <config>/registries.json
 *     {"insecure-registries": ["host:port", ...]} (Docker's daemon.json
 *     key), or --tls-verify=false: HTTPS without verification, falling back
 *     to plain HTTP when the server does not speak TLS.
 *
 * <config> is $A3S_BOX_CONFIG, else $XDG_CONFIG_HOME/a3s-box, else
 * ~/.config/a3s-box.
 */
#ifndef A3S_REGISTRY_CONF_H
#define A3S_REGISTRY_CONF_H

#include <stdbool.h>

#include "util/err.h"
#include "util/xalloc.h"

struct reg_tls {
	bool insecure; /* no verification, plain HTTP allowed */
	struct strv ca_files;
	char *client_cert, *client_key;
};

/* The a3s-box configuration directory. Caller frees. */
char *reg_conf_dir(void);
/* Settings for host ("localhost:5000"); tls_verify false forces insecure. */
int reg_conf_load(const char *host, bool tls_verify, struct reg_tls *out, struct err *e);
void reg_tls_release(struct reg_tls *t);

#endif
