/*
 * Detach keys (docker's --detach-keys): a sequence typed on the attached
 * terminal that leaves the box running and ends the client. Format: a comma
 * list of single characters or "ctrl-X" (X one of a-z @ [ \ ] ^ _); the
 * default is "ctrl-p,ctrl-q".
 */
#ifndef A3S_BOX_DETACHKEYS_H
#define A3S_BOX_DETACHKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
#define DETACH_KEYS_MAX 16
/* the most bytes detach_keys_feed() takes at once */
#define DETACH_KEYS_BUF 4096

struct detach_keys {
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len; /* 0: detaching is off */
	size_t matched; /* how much of seq the input has matched so far */
};

/* Parse spec (NULL or "" = the default); -1 with a usage error. */
int detach_keys_parse(const char *spec, struct detach_keys *k, struct err *e);

/*
 * Filter n (at most DETACH_KEYS_BUF) input bytes in place: bytes that may begin the sequence are held
 * back until the next bytes decide. Returns true when the whole sequence has
 * been typed (the bytes before it are in buf[0..*out)). Otherwise *out is how
 * many bytes of buf to forward (held bytes that turn out not to be the
 * sequence are put back in front, so buf must have room for
 * n + DETACH_KEYS_MAX bytes).
 */
bool detach_keys_feed(struct detach_keys *k, unsigned char *buf, size_t n, size_t *out);

#endif
