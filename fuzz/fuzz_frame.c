/* libFuzzer target: the host's reader of frames from the guest. */
#include <stddef.h>
#include <stdint.h>

#include "box/frame.h"

static int sink(void *arg, uint8_t type, const uint8_t *p, uint32_t len)
{
	uint8_t x = 0;
	(void)arg;
	(void)type;
	/* touch the payload so ASan checks every page of it */
	for (uint32_t i = 0; i < len; i += 4096)
		x ^= p[i];
	return x == 0xff ? 0 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_reader r = {0};
	struct err e = ERR_INIT;
	/* split the input at a data-dependent point to exercise partial reads */
	size_t cut = size ? data[0] % (size + 1) : 0;
	if (frame_reader_feed(&r, data, cut, sink, NULL, &e) == 0)
		(void)frame_reader_feed(&r, data + cut, size - cut, sink, NULL, &e);
	frame_reader_release(&r);
	return 0;
}
