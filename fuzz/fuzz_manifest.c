/* libFuzzer target: the image JSON parsers (index, manifest, manifest.json,
 * config, oci-layout). The first byte picks the parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	const char *buf = (const char *)data + 1;
	size_t len;
	if (size < 1)
		return 0;
	len = size - 1;
	switch (data[0] % 5) {
	case 0: {
		struct image_index x;
		if (image_index_parse(buf, len, &x, &e) == 0) {
			(void)image_index_pick(&x, "linux", "amd64", &e);
			for (size_t i = 0; i < x.n; i++)
				(void)(image_desc_is_index(&x.v[i]) || image_desc_is_manifest(&x.v[i]));
			image_index_release(&x);
		}
		break;
	}
	case 1: {
		struct image_manifest m;
		if (image_manifest_parse(buf, len, &m, &e) == 0)
			image_manifest_release(&m);
		break;
	}
	case 2: {
		struct docker_manifest_list l;
		if (docker_manifest_parse(buf, len, &l, &e) == 0)
			docker_manifest_release(&l);
		break;
	}
	case 3: {
		struct image_config c;
		if (image_config_parse(buf, len, &c, &e) == 0)
			image_config_release(&c);
		break;
	}
	default:
		(void)image_layout_parse(buf, len, &e);
	}
	/* every failure leaves a message, one printable line once cleaned */
	image_err_printable(&e);
	if (e.msg[0] && strchr(e.msg, '\n'))
		__builtin_trap();
	return 0;
}
