/* certs.d and registries.json. */
#include "registry/conf.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"

#define CONF_MAX (1 << 20)

char *reg_conf_dir(void)
{
	const char *d = getenv("A3S_BOX_CONFIG"), *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	if (d && *d)
		return xstrdup(d);
	if (x && *x)
		return xasprintf("%s/a3s-box", x);
	return xasprintf("%s/.config/a3s-box", h && *h ? h : "/root");
}

void reg_tls_release(struct reg_tls *t)
{
	strv_release(&t->ca_files);
	free(t->client_cert);
	free(t->client_key);
	memset(t, 0, sizeof(*t));
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && !strcmp(s + a - b, suf);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_dir(const char *dir, struct reg_tls *t)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strv names = STRV_INIT;
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strv_push(&names, de->d_name);
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		if (ends_with(n, ".crt")) {
			strv_push_owned(&t->ca_files, xasprintf("%s/%s", dir, n));
		} else if (ends_with(n, ".cert") && !t->client_cert) {
			char *key = xasprintf("%s/%.*s.key", dir, (int)(strlen(n) - 5), n);
			if (fs_exists(key)) {
				t->client_cert = xasprintf("%s/%s", dir, n);
				t->client_key = key;
			} else {
				free(key);
			}
		}
	}
	strv_release(&names);
}

static int insecure_listed(const char *conf, const char *host, bool *out, struct err *e)
{
	char *path = xasprintf("%s/registries.json", conf), *buf;
	size_t len;
	json_t *j, *a, *v;
	json_error_t je;
	size_t i;
	*out = false;
	if (!fs_exists(path)) {
		free(path);
		return 0;
	}
	if (fs_read_file(path, CONF_MAX, &buf, &len, e) < 0) {
		free(path);
		return -1;
	}
	j = json_loadb(buf, len, 0, &je);
	free(buf);
	a = json_object_get(j, "insecure-registries");
	if (!json_is_object(j) || (a && !json_is_array(a))) {
		json_decref(j);
		err_set(e, "invalid registry configuration '%s': expected {\"insecure-registries\": [\"host:port\", ...]}",
			path);
		free(path);
		return -1;
	}
	json_array_foreach(a, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), host))
			*out = true;
	}
	json_decref(j);
	free(path);
	return 0;
}

int reg_conf_load(const char *host, bool tls_verify, struct reg_tls *out, struct err *e)
{
	char *conf = reg_conf_dir(), *d;
	const char *sys = getenv("A3S_BOX_CERTS_D");
	bool listed;
	memset(out, 0, sizeof(*out));
	if (strchr(host, '/') || !strcmp(host, "..") || !strcmp(host, ".")) {
		free(conf);
		return err_set(e, "invalid registry host '%s'", host);
	}
	if (insecure_listed(conf, host, &listed, e) < 0) {
		free(conf);
		return -1;
	}
	out->insecure = listed || !tls_verify;
	d = xasprintf("%s/certs.d/%s", conf, host);
	scan_dir(d, out);
	free(d);
	d = xasprintf("%s/%s", sys && *sys ? sys : "/etc/docker/certs.d", host);
	scan_dir(d, out);
	free(d);
	free(conf);
	return 0;
}
