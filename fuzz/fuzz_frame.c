/*
 * libFuzzer target: the host's frame reader, for each peer it reads from:
 * the guest's control stream, an exec stream (STARTED/STDOUT/STDERR/EXIT)
 * and an attach client (STDIN/RESIZE/SIGNAL), fed in two data-dependent
 * pieces; the callback stops the feed at data-dependent frames too.
 */
#include <stddef.h>
#include <stdint.h>

#include "box/frame.h"

static int sink(void *arg, uint8_t type, const uint8_t *p, uint32_t len)
{
	uint8_t x = 0;
	(void)arg;
	/* touch the payload so ASan checks every page of it */
	for (uint32_t i = 0; i < len; i += 4096)
		x ^= p[i];
	return (type ^ x) == 0x5a ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t masks[] = {
		0,
		FRAME_BIT(A3S_FRAME_STARTED) | FRAME_BIT(A3S_FRAME_STDOUT) | FRAME_BIT(A3S_FRAME_STDERR) |
			FRAME_BIT(A3S_FRAME_EXIT),
		FRAME_BIT(A3S_FRAME_STDIN) | FRAME_BIT(A3S_FRAME_RESIZE) | FRAME_BIT(A3S_FRAME_SIGNAL),
	};
	struct frame_reader r = {0};
	struct err e = ERR_INIT;
	size_t cut;
	if (!size)
		return 0;
	r.allow = masks[data[0] % 3];
	r.peer = "fuzz";
	data++;
	size--;
	/* split the input at a data-dependent point to exercise partial reads */
	cut = size ? data[0] % (size + 1) : 0;
	if (frame_reader_feed(&r, data, cut, sink, NULL, &e) == 0)
		(void)frame_reader_feed(&r, data + cut, size - cut, sink, NULL, &e);
	frame_reader_release(&r);
	return 0;
}
