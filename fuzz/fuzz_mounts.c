/* libFuzzer target: the storage flags (-v, --mount, --tmpfs; the first
 * byte picks one) and the mount list checks. Checks that what parses has
 * a clean absolute destination other than "/" and that the guest records
 * built from it are well formed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "box/mounts.h"
#include "box/spec.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int (*const parsers[])(const char *, json_t *, struct err *) = {
		box_mount_parse_volume, box_mount_parse_mount, box_mount_parse_tmpfs};
	struct box_spec s = {0};
	struct err e = ERR_INIT;
	json_t *l;
	char *spec, *buf;
	size_t len, off = 0, i;
	json_t *m;
	if (!size)
		return 0;
	l = json_array();
	spec = xstrndup((const char *)data + 1, size - 1);
	/* several flags: split on newlines */
	for (char *p = spec, *nl; p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		(void)parsers[data[0] % 3](p, l, &e);
	}
	json_array_foreach(l, i, m) {
		const char *d = json_string_value(json_object_get(m, "Destination"));
		char *c = d ? box_path_clean(d) : NULL;
		if (!c || strcmp(c, d) || !strcmp(d, "/"))
			__builtin_trap();
		free(c);
	}
	if (box_mounts_check(l, &e) == 0) {
		strv_push(&s.argv, "x");
		s.workdir = xstrdup("/");
		s.user = xstrdup("");
		s.hostname = xstrdup("h");
		s.mounts = json_incref(l);
		box_spec_wire(&s, false, &buf, &len);
		while (off < len) {
			const char *k = buf + off, *v = k + strlen(k) + 1;
			off = (size_t)(v - buf) + strlen(v) + 1;
			if (!strcmp(k, "mount") && strncmp(v, "share ", 6) && strncmp(v, "tmpfs ", 6))
				__builtin_trap();
			if (!strcmp(k, "mount") && !strstr(v, " /"))
				__builtin_trap();
		}
		free(buf);
		box_spec_release(&s);
	}
	json_decref(l);
	free(spec);
	return 0;
}
