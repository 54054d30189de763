/* libFuzzer target: CONFIG payloads (guest/init/cfg.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy, so ASan sees reads past the exact end */
	char *buf = malloc(size ? size : 1);
	struct cfg c;

	memcpy(buf, data, size);
	if (cfg_parse(buf, size, &c) == 0) {
		/* touch everything the init will use */
		size_t n = 0;

		for (size_t i = 0; i < c.argc; i++)
			n += strlen(c.argv[i]);
		for (size_t i = 0; c.env[i]; i++)
			n += strlen(c.env[i]);
		for (size_t i = 0; c.dns[i]; i++)
			n += strlen(c.dns[i]);
		if (!c.argc || c.argv[c.argc] || !c.argv[0][0] || n > size)
			abort();
		cfg_release(&c);
	}
	free(buf);
	return 0;
}
