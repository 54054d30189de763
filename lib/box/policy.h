/* Restart policies and labels as the CLI gives them (pure; unit-tested). */
#ifndef A3S_BOX_POLICY_H
#define A3S_BOX_POLICY_H

#include <jansson.h>

#include "util/err.h"
#include "util/xalloc.h"

/* "no", "always", "unless-stopped", "on-failure[:N]" -> name and N (0 = no
 * limit). NULL means "no". */
int box_policy_parse(const char *s, const char **name, int *max, struct err *e);
/* -l KEY[=VALUE] entries -> a JSON object (later keys win). */
int box_labels_parse(const struct strv *labels, json_t **out, struct err *e);

#endif
