#include "util/term.h"

#include <sys/ioctl.h>
#include <unistd.h>

int term_raw(int fd, struct term_saved *s)
{
	struct termios raw;
	s->fd = fd;
	s->raw = false;
	if (tcgetattr(fd, &s->tio) < 0)
		return -1;
	raw = s->tio;
	cfmakeraw(&raw);
	/* keep output post-processing off too: the box's terminal does it */
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return -1;
	s->raw = true;
	return 0;
}

void term_restore(struct term_saved *s)
{
	if (s->raw)
		(void)tcsetattr(s->fd, TCSANOW, &s->tio);
	s->raw = false;
}

bool term_size(int fd, unsigned short *rows, unsigned short *cols)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}
