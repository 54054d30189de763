#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xalloc.h"

extern char **environ;

char *proc_find(const char *prog)
{
	const char *d = getenv("PATH");
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
	if (!d || !*d)
		d = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (;;) {
		const char *end = strchrnul(d, ':');
		char *p = end > d ? xasprintf("%.*s/%s", (int)(end - d), d, prog) : xstrdup(prog);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
		if (!*end)
			return NULL;
		d = end + 1;
	}
}

/* Read fd to EOF, keeping the last bytes (that is where errors are). */
static size_t read_tail(int fd, char *msg, size_t cap)
{
	size_t n = 0;
	for (;;) {
		char buf[512];
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			if (n == cap - 1) {
				memmove(msg, msg + cap / 2, n - cap / 2);
				n -= cap / 2;
			}
			msg[n++] = buf[i];
		}
	}
	msg[n] = '\0';
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return n;
}

int proc_run(char *const argv[], struct err *e)
{
	char *copy = xstrdup(argv[0]), msg[1024];
	const char *name = basename(copy);
	posix_spawn_file_actions_t fa;
	int pipefd[2], status, rc;
	size_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		err_sys(e, errno, "running %s", name);
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		err_sys(e, rc, "running '%s'", argv[0]);
		goto fail;
	}
	n = read_tail(pipefd[0], msg, sizeof(msg));
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			err_sys(e, errno, "waiting for %s", name);
			goto fail;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err_set(e, "%s failed (%s %d)%s%s", name, WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), n ? ": " : "", msg);
		goto fail;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	return -1;
}
