/* libFuzzer target: docker history from an untrusted image config (the
 * config parser, then the history entries matched against its layers). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "image/history.h"
#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct image_config c;
	struct image_history_entry *v;
	size_t n;
	if (image_config_parse((const char *)data, size, &c, &e) < 0)
		return 0;
	if (image_history_parse(c.json, c.diff_ids.n, &v, &n, &e) == 0) {
		size_t layers = 0;
		for (size_t i = 0; i < n; i++) {
			/* newest first: layer indexes count down and stay in range */
			if (v[i].layer >= (int)c.diff_ids.n || (v[i].layer < 0) != v[i].empty_layer ||
			    !v[i].created_by || !v[i].comment)
				__builtin_trap();
			layers += v[i].layer >= 0;
		}
		if (layers > c.diff_ids.n)
			__builtin_trap();
		image_history_free(v, n);
	}
	image_config_release(&c);
	return 0;
}
