/* libFuzzer target: the guest's stats answer, and box log lines. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "box/logfile.h"
#include "box/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct box_stats st = {.pids = -1};
	struct box_log_entry en;
	json_t *row;
	memcpy(text, data, size);
	text[size] = '\0';
	box_stats_parse_guest(text, &st);
	row = box_stats_row("0123456789abcdef", "fuzz", &st);
	json_decref(row);
	if (box_log_parse_line(text, &en) == 0)
		box_log_entry_release(&en);
	free(text);
	return 0;
}
