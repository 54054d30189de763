/*
 * A subset of Go's text/template, enough for docker's --format flags:
 *
 *   {{.Field}} {{.A.B}} {{.}} {{$}} {{$.A}}  fields (dotted paths)
 *   {{json .}} {{join .L ","}} {{split .S ","}} {{upper .}} {{lower .}}
 *   {{title .}} {{truncate .S 12}} {{pad .S 1 1}} {{len .}} {{index .M "k"}}
 *   {{println ...}} {{print ...}} {{eq a b}} {{ne a b}} {{not a}} {{and ..}} {{or ..}}
 *   pipelines {{.X | json}}, parentheses, "strings", `raw`, numbers, true/false/nil
 *   {{if P}}..{{else if P}}..{{else}}..{{end}}, {{range P}}..{{else}}..{{end}},
 *   {{with P}}..{{end}}, comment actions, {{- and -}} trimming
 *
 * Values are JSON (jansson). The top-level "dot" is resolved through a
 * caller-supplied lookup, so a caller can compute fields lazily; anything
 * below the first field is walked as JSON. Printing follows Go's %v:
 * strings raw, arrays "[a b]", objects "map[k:v]", a missing map key
 * "<no value>".
 */
#ifndef A3S_UTIL_TEMPLATE_H
#define A3S_UTIL_TEMPLATE_H

#include <jansson.h>
#include <stdio.h>

#include "util/err.h"

struct template;

/* Resolve top-level field `field` of `data` (the whole of it when field is
 * NULL): return 0 with a new reference in *out, or with *out NULL for "no
 * value" (printed "<no value>", as Go does for a missing map key); return
 * -1 when there is no such field, which fails execution with "can't
 * evaluate field" (as Go does for a struct). */
typedef int (*template_lookup_fn)(void *data, const char *field, json_t **out);

/* Parse src. Errors read "template parsing error: ..." (ERR_USAGE). */
int template_parse(const char *src, struct template **out, struct err *e);
/* Execute t writing to out. Output written before an error stays written. */
int template_exec(const struct template *t, template_lookup_fn lookup, void *data, FILE *out, struct err *e);
void template_free(struct template *t);

/* A lookup over a JSON object passed as data (a json_t *); a missing key
 * is "no value". */
int template_json_lookup(void *data, const char *field, json_t **out);

/* Print v as Go's %v would (used for {{.X}} output). */
void template_print_value(FILE *out, const json_t *v);

#endif
