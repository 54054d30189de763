/* Allocation that aborts on failure (as crun, git and redis do). */
#ifndef A3S_UTIL_XALLOC_H
#define A3S_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
/* Formatted allocation; never NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), returns_nonnull));

/* Cleanup attributes for locals. */
void cleanup_freep(void *p);
void cleanup_closep(int *fd);
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))

/* A growable array of owned strings, NULL-terminated (usable as argv). */
struct strv {
	char **v;
	size_t n, cap;
};
#define STRV_INIT {NULL, 0, 0}
void strv_push(struct strv *s, const char *str); /* copies str */
void strv_push_owned(struct strv *s, char *str); /* takes str */
void strv_release(struct strv *s);

#endif
