/* a3s-box login [-u USER] [-p PASS | --password-stdin] [--tls-verify=false] [SERVER]; a3s-box logout [SERVER] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "registry/login.h"
#include "util/xalloc.h"

#define SECRET_MAX 4096

/* One line from f without its newline (the whole input for stdin). */
static char *read_secret(FILE *f, bool whole)
{
	char *buf = xmalloc(SECRET_MAX + 1);
	size_t n = whole ? fread(buf, 1, SECRET_MAX, f) : 0;
	if (!whole) {
		if (!fgets(buf, SECRET_MAX, f)) {
			free(buf);
			return NULL;
		}
		n = strlen(buf);
	}
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	return buf;
}

static char *prompt(const char *what, bool echo)
{
	struct termios t, saved;
	char *s;
	bool tty = isatty(0);
	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	if (!echo && tty && tcgetattr(0, &saved) == 0) {
		t = saved;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &t);
	}
	s = read_secret(stdin, false);
	if (!echo && tty) {
		tcsetattr(0, TCSANOW, &saved);
		fputc('\n', stderr);
	}
	return s;
}

int cmd_login(struct cli_ctx *ctx, int argc, char **argv)
{
	enum { OPT_STDIN = 256, OPT_TLS };
	static const struct option opts[] = {
		{"username", required_argument, NULL, 'u'},
		{"password", required_argument, NULL, 'p'},
		{"password-stdin", no_argument, NULL, OPT_STDIN},
		{"tls-verify", optional_argument, NULL, OPT_TLS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *user_flag = NULL, *pass_flag = NULL;
	bool from_stdin = false, verify = true;
	char *user = NULL, *pass = NULL, *domain;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+u:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u': user_flag = optarg; break;
		case 'p': pass_flag = optarg; break;
		case OPT_STDIN: from_stdin = true; break;
		case OPT_TLS:
			if (cli_parse_bool(ctx, "tls-verify", optarg, &verify) < 0)
				return 125;
			break;
		case 'h': return cli_help(ctx);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind + 1 < argc)
		return cli_usage_error(ctx, "\"%s\" requires at most 1 argument", ctx->cmd_name);
	if (from_stdin && pass_flag)
		return cli_usage_error(ctx, "--password and --password-stdin are mutually exclusive");
	if (from_stdin && !user_flag)
		return cli_usage_error(ctx, "Must provide --username with --password-stdin");
	if (pass_flag)
		fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
	domain = reg_login_domain(optind < argc ? argv[optind] : NULL);
	user = user_flag ? xstrdup(user_flag) : prompt("Username", true);
	if (from_stdin)
		pass = read_secret(stdin, true);
	else if (pass_flag)
		pass = xstrdup(pass_flag);
	else
		pass = prompt("Password", false);
	if (!user || !*user || !pass || !*pass) {
		if (user && !*user)
			err_set(&ctx->err, "username is required");
		else if (pass && !*pass)
			err_set(&ctx->err, "password is required");
		else
			err_set(&ctx->err, "cannot perform an interactive login from a non TTY device: use --username and --password-stdin");
		free(user);
		free(pass);
		free(domain);
		return cli_fail(ctx);
	}
	rc = registry_login(domain, user, pass, verify, &ctx->err);
	explicit_bzero(pass, strlen(pass));
	free(pass);
	free(user);
	free(domain);
	if (rc < 0)
		return cli_fail(ctx);
	printf("Login Succeeded\n");
	return 0;
}

int cmd_logout(struct cli_ctx *ctx, int argc, char **argv)
{
	char *domain;
	int rc;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return cli_help(ctx);
	if (argc > 2)
		return cli_usage_error(ctx, "\"%s\" requires at most 1 argument", ctx->cmd_name);
	domain = reg_login_domain(argc > 1 ? argv[1] : NULL);
	rc = registry_logout(domain, &ctx->err);
	if (rc < 0) {
		free(domain);
		return cli_fail(ctx);
	}
	if (rc == 0)
		printf("Not logged in to %s\n", domain);
	else
		printf("Removing login credentials for %s\n", domain);
	free(domain);
	return 0;
}
