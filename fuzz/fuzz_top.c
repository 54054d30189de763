/* libFuzzer target: the process table a guest sends for `top` (parsed as
 * dockerd parses ps output, then laid out), and image Healthcheck configs
 * (merged and turned into a probe), and Go durations. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "box/health.h"
#include "box/top.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct box_top t = BOX_TOP_INIT;
	struct err e = ERR_INIT;
	json_t *j;
	int64_t ns;
	memcpy(text, data, size);
	text[size] = '\0';
	if (box_top_parse(text, &t, &e) == 0) {
		char *s = box_top_table(&t);
		if (t.cells.n != t.rows * t.titles.n)
			abort();
		free(s);
	}
	box_top_release(&t);
	if (box_go_duration_parse(text, &ns) == 0) {
		char buf[80];
		box_go_duration_string(ns, buf, sizeof(buf));
	}
	j = json_loadb(text, size, 0, NULL);
	if (j) {
		struct box_health_flags f = {0};
		struct box_health_probe p;
		struct box_health h;
		json_t *img = json_pack("{s:{s:O}}", "config", "Healthcheck", j), *cfg = json_object();
		if (box_health_config(&f, img, cfg, &e) == 0 && box_health_probe_get(cfg, &p))
			box_health_probe_release(&p);
		if (box_health_from_json(j, &h) == 0)
			box_health_release(&h);
		json_decref(cfg);
		json_decref(img);
		json_decref(j);
	}
	free(text);
	return 0;
}
