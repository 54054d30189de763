/* libFuzzer target: frame headers on the control stream (guest/init/frame.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t off = 0;
	struct frame f;
	ssize_t n;

	memcpy(buf, data, size);
	/* walk the input as a stream of frames, as the reader does */
	while ((n = frame_parse(buf + off, size - off, &f)) > 0) {
		if ((size_t)n > size - off || f.payload + f.len != buf + off + n)
			abort();
		off += (size_t)n;
	}
	free(buf);
	return 0;
}
