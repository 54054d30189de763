/* libFuzzer target: image reference parsing. Checks that normalising is
 * idempotent: parse(string(parse(x))) == parse(x), and the same for the
 * familiar form. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/ref.h"
#include "util/xalloc.h"

static void roundtrip(const char *s, const char *want)
{
	struct image_ref r;
	struct err e;
	char *again;
	if (image_ref_parse(s, &r, &e) < 0)
		__builtin_trap();
	again = image_ref_string(&r);
	if (strcmp(again, want))
		__builtin_trap();
	free(again);
	image_ref_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct image_ref r;
	struct err e;
	if (image_ref_parse(s, &r, &e) == 0) {
		char *full = image_ref_string(&r), *fam = image_ref_familiar_string(&r);
		roundtrip(full, full);
		roundtrip(fam, full);
		free(full);
		free(fam);
		image_ref_release(&r);
	}
	free(s);
	return 0;
}
