/* Which signature a pull needs: the command-line flags, else the policy file. */
#include <stdlib.h>
#include <string.h>

#include "registry/conf.h"
#include "registry/sig.h"
#include "util/fs.h"
#include "util/xalloc.h"

static bool keyless_flags(const struct reg_verify *v)
{
	return v->identity || v->identity_regexp || v->issuer || v->issuer_regexp;
}

int reg_verify_check(const struct reg_verify *v, struct err *e)
{
	if (!v)
		return 0;
	if (v->key && keyless_flags(v))
		return err_setk(e, ERR_USAGE, "--verify-key cannot be combined with the --certificate-* flags: use one mode");
	if (v->key && v->fulcio_root)
		return err_setk(e, ERR_USAGE, "--fulcio-root is for keyless verification: drop it with --verify-key");
	if (keyless_flags(v)) {
		if (!v->identity && !v->identity_regexp)
			return err_setk(e, ERR_USAGE,
					"keyless verification needs --certificate-identity or --certificate-identity-regexp");
		if (!v->issuer && !v->issuer_regexp)
			return err_setk(e, ERR_USAGE,
					"keyless verification needs --certificate-oidc-issuer or --certificate-oidc-issuer-regexp");
	} else if (!v->key && (v->fulcio_root || v->rekor_key)) {
		return err_setk(e, ERR_USAGE,
				"--fulcio-root and --rekor-key need --verify-key or --certificate-identity[-regexp]");
	}
	return 0;
}

/* A configured default file, or an error saying how to give one. */
static int default_file(const char *given, const char *rel, const char *flag, char **held, const char **out,
			struct err *e)
{
	char *dir, *p;
	if (given) {
		*out = given;
		return 0;
	}
	dir = reg_conf_dir();
	p = xasprintf("%s/%s", dir, rel);
	free(dir);
	if (!fs_exists(p)) {
		err_setk(e, ERR_USAGE, "keyless verification needs %s FILE (or the file '%s')", flag, p);
		free(p);
		return -1;
	}
	*held = p;
	*out = p;
	return 0;
}

static int load_policy(const struct reg_verify *v, struct reg_sig_req *out, char **path, struct err *e)
{
	const char *env = getenv(REG_SIG_POLICY_ENV);
	bool must = true;
	if (v && v->policy) {
		*path = xstrdup(v->policy);
	} else if (env && *env) {
		*path = xstrdup(env);
	} else {
		char *dir = reg_conf_dir();
		*path = xasprintf("%s/%s", dir, REG_SIG_POLICY_FILE);
		free(dir);
		must = false;
	}
	if (!must && !fs_exists(*path))
		return 0;
	if (sign_policy_load(*path, &out->policy, e) < 0)
		return err_wrap(e, "signature policy");
	return 0;
}

int reg_sig_req_get(const struct reg_verify *v, const char *name, struct reg_sig_req *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (reg_verify_check(v, e) < 0)
		return -1;
	if (v && v->key) {
		out->own.pubkey_path = v->key;
		out->own.rekor_pubkey_path = v->rekor_key;
		out->trust = &out->own;
		out->source = xasprintf("--verify-key %s", v->key);
		return 0;
	}
	if (v && keyless_flags(v)) {
		out->own.identity = v->identity;
		out->own.identity_regexp = v->identity_regexp;
		out->own.issuer = v->issuer;
		out->own.issuer_regexp = v->issuer_regexp;
		if (default_file(v->fulcio_root, REG_SIG_FULCIO_FILE, "--fulcio-root", &out->fulcio,
				 &out->own.fulcio_roots_path, e) < 0 ||
		    default_file(v->rekor_key, REG_SIG_REKOR_FILE, "--rekor-key", &out->rekor,
				 &out->own.rekor_pubkey_path, e) < 0) {
			reg_sig_req_release(out);
			return -1;
		}
		out->trust = &out->own;
		out->source = xasprintf("keyless, identity '%s'", v->identity ? v->identity : v->identity_regexp);
		return 0;
	}
	{
		char *path = NULL;
		const char *scope = NULL;
		enum sign_require req;
		if (load_policy(v, out, &path, e) < 0) {
			free(path);
			return -1;
		}
		req = sign_policy_lookup(out->policy, name, &out->trust, &scope);
		if (req != SIGN_REQUIRE_NONE)
			out->source = scope ? xasprintf("policy '%s', scope '%s'", path, scope)
					    : xasprintf("policy '%s', default", path);
		else
			out->trust = NULL;
		free(path);
	}
	return 0;
}

void reg_sig_req_release(struct reg_sig_req *r)
{
	sign_policy_free(r->policy);
	free(r->fulcio);
	free(r->rekor);
	free(r->source);
	memset(r, 0, sizeof(*r));
}
