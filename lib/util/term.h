/* The user's terminal: raw mode for interactive sessions, its size. */
#ifndef A3S_UTIL_TERM_H
#define A3S_UTIL_TERM_H

#include <stdbool.h>
#include <termios.h>

struct term_saved {
	int fd;
	bool raw;
	struct termios tio;
};

/* Put fd (a terminal) in raw mode, remembering its settings; 0 or -1. */
int term_raw(int fd, struct term_saved *s);
/* Put the settings back (no-op unless term_raw succeeded). */
void term_restore(struct term_saved *s);
/* The terminal's size; false when fd is not a terminal or has no size. */
bool term_size(int fd, unsigned short *rows, unsigned short *cols);

#endif
