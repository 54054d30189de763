#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"

#define WORKLOAD_PIPE_SIZE (1024 * 1024)

/* What the child sends back through the CLOEXEC pipe when exec fails. */
struct start_err {
	int code;
	char msg[500];
};

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* c->env plus the variables docker adds when the image does not set them. */
static char **build_env(const struct cfg *c, const struct user_ids *u)
{
	char **env = xmalloc((c->envc + 4) * sizeof(*env));
	size_t n = 0;

	for (size_t i = 0; i < c->envc; i++)
		env[n++] = c->env[i];
	if (!env_get(c->env, "PATH"))
		env[n++] = "PATH=" WORKLOAD_DEFAULT_PATH;
	if (!env_get(c->env, "HOSTNAME") && c->hostname)
		env[n++] = xasprintf("HOSTNAME=%s", c->hostname);
	if (!env_get(c->env, "HOME"))
		env[n++] = xasprintf("HOME=%s", u->home);
	env[n] = NULL;
	return env;
}

/*
 * The child's half of an exec failure: report and exit. Runs between fork
 * and exec, so only async-signal-safe calls (snprintf is, in practice, in
 * glibc for these formats; the init is single-threaded anyway).
 */
static void __attribute__((noreturn, format(printf, 3, 4)))
child_fail(int fd, int code, const char *fmt, ...)
{
	struct start_err se = { .code = code };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(se.msg, sizeof(se.msg), fmt, ap);
	va_end(ap);
	(void)!write(fd, &se, sizeof(se));
	_exit(code);
}

/* Go's exec.LookPath test, as runc applies it: not a directory, some x bit. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
		return -EACCES;
	return 0;
}

static void __attribute__((noreturn))
child_exec(const struct cfg *c, char **env, int errfd)
{
	const char *name = c->argv[0], *path = env_get(env, "PATH");
	char buf[4096];
	int r;

	if (strchr(name, '/')) {
		r = executable(name);
		if (r == -ENOENT || r == -ENOTDIR)
			child_fail(errfd, 127, "exec: \"%s\": no such file or directory", name);
		if (r < 0)
			child_fail(errfd, 126, "exec: \"%s\": permission denied", name);
		snprintf(buf, sizeof(buf), "%s", name);
	} else {
		const char *p = path ? path : "";

		/* Go's LookPath, as runc uses it: "" searches nothing */
		for (r = -1; *p;) {
			size_t n = strcspn(p, ":");

			/* an empty element is the current directory */
			if (n)
				snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name);
			else
				snprintf(buf, sizeof(buf), "./%s", name);
			r = executable(buf);
			if (r == 0 || !p[n])
				break;
			p += n + 1;
		}
		if (r < 0)
			child_fail(errfd, 127, "exec: \"%s\": executable file not found in $PATH", name);
	}
	execve(buf, c->argv, env);
	if (errno == ENOENT) /* e.g. a script's interpreter or ELF loader is missing */
		child_fail(errfd, 127, "exec: \"%s\": no such file or directory", name);
	if (errno == EACCES)
		child_fail(errfd, 126, "exec: \"%s\": permission denied", name);
	child_fail(errfd, 126, "exec: \"%s\": %s", name, strerror(errno));
}

/* The child's terminal: the pty's other end becomes its controlling tty. */
static void child_tty(const char *pts, int errfd)
{
	int fd = open(pts, O_RDWR);

	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		child_fail(errfd, 125, "opening the terminal %s: %s", pts, strerror(errno));
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		child_fail(errfd, 125, "setting up the terminal: %s", strerror(errno));
	if (fd > 2)
		close(fd);
}

static void __attribute__((noreturn))
child(const struct cfg *c, const struct user_ids *u, const char *workdir, char **env,
      const char *pts, int in_r, int out_w, int err_w, int errfd)
{
	sigset_t none;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for SIGKILL, SIGSTOP, RT internals */
	umask(022);

	if (pts) {
		child_tty(pts, errfd);
	} else if (c->detach) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			child_fail(errfd, 125, "setting up stdio: %s", strerror(errno));
	} else {
		if (in_r < 0)
			in_r = open("/dev/null", O_RDONLY);
		if (in_r < 0 || dup2(in_r, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
			child_fail(errfd, 125, "setting up stdio: %s", strerror(errno));
	}

	if (setgroups(u->ngroups, u->groups) < 0)
		child_fail(errfd, 125, "setgroups: %s", strerror(errno));
	if (setgid(u->gid) < 0)
		child_fail(errfd, 125, "setgid %u: %s", (unsigned)u->gid, strerror(errno));
	if (setuid(u->uid) < 0)
		child_fail(errfd, 125, "setuid %u: %s", (unsigned)u->uid, strerror(errno));
	if (chdir(workdir) < 0)
		child_fail(errfd, errno == EACCES ? 126 : 125, "chdir to cwd (\"%s\"): %s", workdir,
			   strerror(errno));
	child_exec(c, env, errfd);
}

static int nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

/* A new pty: its master in *master, the path of its other end in pts. */
static int open_pty(const struct cfg *c, int *master, char *pts, size_t len, struct ierr *e)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, pts, len) != 0) {
		ierr_sys(e, errno, "allocating a terminal");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (c->rows && c->cols)
		workload_resize(fd, c->rows, c->cols);
	*master = fd;
	return 0;
}

void workload_resize(int master, unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	if (master >= 0 && rows && cols && ioctl(master, TIOCSWINSZ, &ws) < 0)
		log_err("resizing the terminal: %m");
}

int workload_start(const struct cfg *c, const struct user_ids *u, const char *workdir,
		   struct workload *w, int *code, struct ierr *e)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int master = -1;
	char **env = build_env(c, u), pts[64];
	struct start_err se;
	ssize_t n;
	pid_t pid;

	*code = 125;
	if (c->tty) {
		if (open_pty(c, &master, pts, sizeof(pts), e) < 0)
			goto fail;
	} else if ((c->stdin_open && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
		   pipe2(err, O_CLOEXEC) < 0) {
		ierr_sys(e, errno, "creating pipes");
		goto fail;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		ierr_sys(e, errno, "creating pipes");
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		ierr_sys(e, errno, "fork");
		goto fail;
	}
	if (pid == 0)
		child(c, u, workdir, env, master >= 0 ? pts : NULL, in[0], out[1], err[1], ep[1]);

	close(ep[1]);
	ep[1] = -1;
	do
		n = read(ep[0], &se, sizeof(se));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		waitpid(pid, NULL, 0);
		se.msg[sizeof(se.msg) - 1] = '\0';
		*code = n == sizeof(se) ? se.code : 125;
		ierr_set(e, "%s", n == sizeof(se) ? se.msg : "starting the command failed");
		goto fail;
	}
	log_dbg("workload %d started: %s", (int)pid, c->argv[0]);

	w->pid = pid;
	w->tty_fd = master;
	if (master >= 0) {
		/* one pty carries both ways; stdin gets its own descriptor so
		 * that its EOF can close it without ending the output */
		w->out_fd = master;
		w->err_fd = -1;
		w->in_fd = c->stdin_open ? fcntl(master, F_DUPFD_CLOEXEC, 3) : -1;
	} else {
		w->in_fd = in[1];
		w->out_fd = out[0];
		w->err_fd = err[0];
		/* fewer, larger reads and frames for bulk output */
		(void)fcntl(w->out_fd, F_SETPIPE_SZ, WORKLOAD_PIPE_SIZE);
		close(out[1]);
		close(err[1]);
		if (in[0] >= 0)
			close(in[0]);
	}
	close_pair(ep);
	if ((w->in_fd >= 0 && nonblock(w->in_fd) < 0) || nonblock(w->out_fd) < 0 ||
	    (w->err_fd >= 0 && nonblock(w->err_fd) < 0))
		log_err("making workload pipes non-blocking: %m");
	/* env strings we allocated live as long as the init; not worth freeing */
	free(env);
	return 0;
fail:
	if (master >= 0)
		close(master);
	close_pair(in);
	close_pair(out);
	close_pair(err);
	close_pair(ep);
	free(env);
	return -1;
}
