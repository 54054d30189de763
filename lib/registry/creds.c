/* Docker's config.json and credential helpers. */
#include "registry/creds.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/io.h"
#include "util/xalloc.h"

#define CONFIG_MAX (1 << 20)
#define HELPER_OUT_MAX (1 << 16)
#define HUB_KEY "https://index.docker.io/v1/"

char *reg_creds_key(const char *domain)
{
	if (!strcmp(domain, "docker.io") || !strcmp(domain, "index.docker.io") ||
	    !strcmp(domain, "registry-1.docker.io"))
		return xstrdup(HUB_KEY);
	return xstrdup(domain);
}

static char *config_dir(void)
{
	const char *d = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	if (d && *d)
		return xstrdup(d);
	return xasprintf("%s/.docker", home && *home ? home : "/root");
}

char *reg_creds_path(void)
{
	char *d = config_dir(), *p = xasprintf("%s/config.json", d);
	free(d);
	return p;
}

void reg_cred_release(struct reg_cred *c)
{
	if (c->secret)
		explicit_bzero(c->secret, strlen(c->secret));
	free(c->user);
	free(c->secret);
	c->user = c->secret = NULL;
}

char *reg_b64_encode(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

char *reg_b64_decode(const char *s)
{
	size_t n = strlen(s), pad = 0;
	char *out;
	int m;
	if (n % 4 || n > CONFIG_MAX)
		return NULL;
	out = xmalloc(n / 4 * 3 + 1);
	m = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	if (m < 0) {
		free(out);
		return NULL;
	}
	if (n && s[n - 1] == '=')
		pad++;
	if (n > 1 && s[n - 2] == '=')
		pad++;
	out[m - (int)pad] = 0;
	if (strlen(out) != (size_t)m - pad) { /* embedded NUL */
		free(out);
		return NULL;
	}
	return out;
}

/* config.json as a JSON object; an absent file is an empty object. */
static json_t *load_config(const char *path, struct err *e)
{
	char *buf;
	size_t len;
	json_error_t je;
	json_t *j;
	if (!fs_exists(path))
		return json_object();
	if (fs_read_file(path, CONFIG_MAX, &buf, &len, e) < 0)
		return NULL;
	j = json_loadb(buf, len, 0, &je);
	free(buf);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		err_set(e, "'%s' is not valid JSON: %s", path, j ? "not an object" : je.text);
		return NULL;
	}
	return j;
}

static int save_config(const char *path, json_t *j, struct err *e)
{
	char *d = config_dir(), *text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	int rc;
	if (!text)
		abort();
	rc = fs_mkdir_p(d, 0700, e);
	if (rc == 0) {
		size_t n = strlen(text);
		text = xrealloc(text, n + 2);
		text[n] = '\n';
		text[n + 1] = 0;
		rc = fs_write_atomic(path, text, n + 1, 0600, e);
	}
	free(text);
	free(d);
	return rc < 0 ? err_wrap(e, "saving credentials") : 0;
}

/* The helper for key: credHelpers[key], else credsStore, else NULL. */
static const char *helper_for(json_t *cfg, const char *key)
{
	json_t *h = json_object_get(json_object_get(cfg, "credHelpers"), key);
	if (json_is_string(h) && json_string_length(h))
		return json_string_value(h);
	h = json_object_get(cfg, "credsStore");
	if (json_is_string(h) && json_string_length(h))
		return json_string_value(h);
	return NULL;
}

static int valid_helper_name(const char *n)
{
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return *n != 0;
}

/* Run docker-credential-<name> <verb> with input on stdin; its stdout into
 * *out (capped). 0 on exit status 0, 1 on another exit status (*out holds
 * its message), -1 when it could not be run. */
static int run_helper(const char *name, const char *verb, const char *input, char **out, struct err *e)
{
	int in[2], op[2], st;
	char *prog, *buf = xmalloc(HELPER_OUT_MAX + 1);
	size_t n = 0;
	pid_t pid;
	if (!valid_helper_name(name)) {
		free(buf);
		return err_set(e, "invalid credential helper name '%s'", name);
	}
	prog = xasprintf("docker-credential-%s", name);
	if (pipe2(in, O_CLOEXEC) < 0) {
		free(prog);
		free(buf);
		return err_sys(e, errno, "credential helper");
	}
	if (pipe2(op, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		free(prog);
		free(buf);
		return err_sys(e, errno, "credential helper");
	}
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(op[1], 1);
		execlp(prog, prog, verb, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(op[1]);
	if (pid < 0) {
		close(in[1]);
		close(op[0]);
		free(prog);
		free(buf);
		return err_sys(e, errno, "starting credential helper");
	}
	{
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		(void)io_write_all(in[1], input, strlen(input));
		signal(SIGPIPE, old);
	}
	close(in[1]);
	for (;;) {
		ssize_t r = read(op[0], buf + n, HELPER_OUT_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == HELPER_OUT_MAX)
			break;
	}
	close(op[0]);
	buf[n] = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		free(buf);
		err_set(e, "credential helper '%s' is not installed (not found in PATH)", prog);
		free(prog);
		return -1;
	}
	free(prog);
	*out = buf;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = 0;
}

static int helper_get(const char *name, const char *key, struct reg_cred *out, struct err *e)
{
	char *res = NULL;
	json_t *j, *u, *s;
	int rc = run_helper(name, "get", key, &res, e);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		chomp(res);
		/* docker-credential-helpers' "not found" message */
		if (strstr(res, "credentials not found")) {
			free(res);
			return 0;
		}
		err_set(e, "credential helper 'docker-credential-%s' failed: %.200s", name, res);
		free(res);
		return -1;
	}
	j = json_loads(res, 0, NULL);
	explicit_bzero(res, strlen(res));
	free(res);
	u = json_object_get(j, "Username");
	s = json_object_get(j, "Secret");
	if (!json_is_string(u) || !json_is_string(s)) {
		json_decref(j);
		return err_set(e, "credential helper 'docker-credential-%s' answered with invalid JSON", name);
	}
	out->user = xstrdup(json_string_value(u));
	out->secret = xstrdup(json_string_value(s));
	json_decref(j);
	return 1;
}

int reg_creds_get(const char *domain, struct reg_cred *out, struct err *e)
{
	char *path = reg_creds_path(), *key = reg_creds_key(domain), *dec;
	json_t *cfg = load_config(path, e), *a;
	const char *helper;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (!cfg) {
		free(path);
		free(key);
		return -1;
	}
	if ((helper = helper_for(cfg, key))) {
		rc = helper_get(helper, key, out, e);
		goto done;
	}
	a = json_object_get(json_object_get(json_object_get(cfg, "auths"), key), "auth");
	if (!a) {
		/* keys written with a scheme ("https://host") */
		char *k2 = xasprintf("https://%s", key);
		a = json_object_get(json_object_get(json_object_get(cfg, "auths"), k2), "auth");
		free(k2);
	}
	if (json_is_string(a) && json_string_length(a)) {
		char *colon;
		if (!(dec = reg_b64_decode(json_string_value(a))) || !(colon = strchr(dec, ':'))) {
			free(dec);
			rc = err_set(e, "invalid \"auth\" for '%s' in '%s': not base64 of user:password", key, path);
			goto done;
		}
		*colon = 0;
		out->user = xstrdup(dec);
		out->secret = xstrdup(colon + 1);
		explicit_bzero(colon + 1, strlen(colon + 1));
		free(dec);
		rc = 1;
	}
done:
	json_decref(cfg);
	free(path);
	free(key);
	return rc;
}

int reg_creds_store(const char *domain, const char *user, const char *secret, struct err *e)
{
	char *path = reg_creds_path(), *key = reg_creds_key(domain);
	json_t *cfg = load_config(path, e), *auths;
	const char *helper;
	int rc = -1;
	if (!cfg)
		goto out;
	if ((helper = helper_for(cfg, key))) {
		json_t *in = json_pack("{s:s, s:s, s:s}", "ServerURL", key, "Username", user, "Secret", secret);
		char *text = json_dumps(in, JSON_COMPACT), *res = NULL;
		json_decref(in);
		rc = run_helper(helper, "store", text, &res, e);
		explicit_bzero(text, strlen(text));
		free(text);
		if (rc == 1) {
			chomp(res);
			rc = err_set(e, "credential helper 'docker-credential-%s' failed to store credentials: %.200s",
				     helper, res);
		}
		free(res);
		goto out;
	}
	{
		char *pair = xasprintf("%s:%s", user, secret), *b64 = reg_b64_encode(pair);
		explicit_bzero(pair, strlen(pair));
		free(pair);
		auths = json_object_get(cfg, "auths");
		if (!json_is_object(auths)) {
			auths = json_object();
			json_object_set_new(cfg, "auths", auths);
		}
		json_object_set_new(auths, key, json_pack("{s:s}", "auth", b64));
		free(b64);
		rc = save_config(path, cfg, e);
	}
out:
	json_decref(cfg);
	free(path);
	free(key);
	return rc;
}

int reg_creds_erase(const char *domain, struct err *e)
{
	char *path = reg_creds_path(), *key = reg_creds_key(domain);
	json_t *cfg = load_config(path, e), *auths;
	const char *helper;
	int rc = -1;
	if (!cfg)
		goto out;
	if ((helper = helper_for(cfg, key))) {
		char *res = NULL;
		rc = run_helper(helper, "erase", key, &res, e);
		if (rc == 1) {
			chomp(res);
			rc = strstr(res, "not found") ? 0
						       : err_set(e, "credential helper 'docker-credential-%s' failed to erase credentials: %.200s",
								 helper, res);
		} else if (rc == 0) {
			rc = 1;
		}
		free(res);
		goto out;
	}
	auths = json_object_get(cfg, "auths");
	rc = 0;
	if (json_object_get(auths, key)) {
		json_object_del(auths, key);
		rc = save_config(path, cfg, e) < 0 ? -1 : 1;
	}
out:
	json_decref(cfg);
	free(path);
	free(key);
	return rc;
}
