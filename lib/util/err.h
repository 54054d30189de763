/*
 * The error contract (docs/errors.md).
 *
 * A fallible function returns a negative value (or NULL) and fills a
 * caller-provided struct err. Callers add context with err_wrap() as the error
 * travels up ("loading image 'x': ..."); only main() prints it and picks the
 * exit code. Messages: what is wrong first, objects named in single quotes,
 * no trailing full stop, what to do when it is not obvious.
 */
#ifndef A3S_UTIL_ERR_H
#define A3S_UTIL_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 2048

/* Exit-code classes (docker's conventions). */
enum err_kind {
	ERR_RUNTIME = 0, /* runtime failure: exit 125 */
	ERR_NOT_FOUND = 1, /* an object the user named does not exist */
	ERR_USAGE = 2, /* bad flag or argument: exit 125 */
	ERR_CONFLICT = 3, /* name in use, image in use, ... */
};

struct err {
	int errnum; /* errno when a system call failed, else 0 */
	enum err_kind kind;
	char msg[ERR_MSG_MAX];
};

#define ERR_INIT {0, ERR_RUNTIME, {0}}

/* Set the message (replacing any previous one). Always returns -1. */
int err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like err_set with kind. Always returns -1. */
int err_setk(struct err *e, enum err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* err_set followed by ": strerror(errnum)"; records errnum. Returns -1. */
int err_sys(struct err *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefix context: "context: previous message". Returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);

#endif
