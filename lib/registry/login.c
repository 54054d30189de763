/* Verify and store registry credentials. */
#include "registry/login.h"

#include <stdlib.h>
#include <string.h>

#include "registry/client.h"
#include "registry/creds.h"
#include "util/xalloc.h"

char *reg_login_domain(const char *server)
{
	const char *s = server, *end;
	if (!s || !*s)
		return xstrdup("docker.io");
	if (!strncmp(s, "https://", 8))
		s += 8;
	else if (!strncmp(s, "http://", 7))
		s += 7;
	end = strchr(s, '/');
	{
		char *d = end ? xstrndup(s, (size_t)(end - s)) : xstrdup(s);
		if (!strcmp(d, "index.docker.io") || !strcmp(d, "registry-1.docker.io")) {
			free(d);
			d = xstrdup("docker.io");
		}
		return d;
	}
}

int registry_login(const char *domain, const char *user, const char *secret, bool tls_verify, struct err *e)
{
	struct reg_opts o = {.tls_verify = tls_verify, .user = user, .secret = secret};
	struct reg_client *c;
	struct reg_resp r;
	int rc;
	if (reg_client_new(domain, &o, &c, e) < 0)
		return -1;
	if (reg_client_ping(c, e) < 0) {
		reg_client_free(c);
		return -1;
	}
	if (c->chal.scheme == REG_AUTH_BEARER) {
		char *h = NULL;
		rc = reg_auth_header(c, "", true, &h, e);
		if (h)
			explicit_bzero(h, strlen(h));
		free(h);
		if (rc < 0 && strstr(e->msg, "unauthorized"))
			err_set(e, "login to '%s' failed: unauthorized: incorrect username or password", domain);
	} else {
		rc = reg_request(c, "GET", "/v2/", NULL, NULL, NULL, 4096, &r, e);
		if (rc == 0) {
			if (r.status == 401)
				rc = err_set(e, "login to '%s' failed: unauthorized: incorrect username or password", domain);
			else if (r.status != 200)
				rc = reg_resp_error(&r, "login: ", e);
			reg_resp_release(&r);
		}
	}
	reg_client_free(c);
	if (rc < 0)
		return -1;
	return reg_creds_store(domain, user, secret, e);
}

int registry_logout(const char *domain, struct err *e)
{
	return reg_creds_erase(domain, e);
}
