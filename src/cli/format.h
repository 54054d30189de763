/*
 * Docker-style --format handling shared by listing commands (images, ps):
 *   ""/NULL          the command's default ("table ...")
 *   "table TEMPLATE" a header row plus rows, aligned like Go's tabwriter
 *                    (minwidth 10, padding 3), "table" alone = the default
 *   "json"           {{json .}} per row
 *   anything else    the template per row
 * "\t" and "\n" written literally in the flag are turned into tab/newline.
 */
#ifndef A3S_CLI_FORMAT_H
#define A3S_CLI_FORMAT_H

#include <jansson.h>
#include <stdio.h>

#include "util/err.h"
#include "util/template.h"

struct cli_format;

/* header: object mapping field names to column titles ("ID" -> "IMAGE ID");
 * borrowed, must outlive f. */
int cli_format_new(const char *format, const char *default_format, json_t *header, struct cli_format **out,
		   struct err *e);
/* Render one row. */
int cli_format_row(struct cli_format *f, template_lookup_fn lookup, void *data, struct err *e);
/* Write everything to out and free f. */
void cli_format_finish(struct cli_format *f, FILE *out);
void cli_format_free(struct cli_format *f);

/* Go's text/tabwriter (minwidth, tabwidth 1, padding, ' ', no flags) over
 * text: cells end at '\t', lines at '\n'. Writes to out. */
void cli_tabwrite(FILE *out, const char *text, size_t len, int minwidth, int padding);

#endif
