/* Internal: the parsed form of a template, shared by the parser and executor. */
#ifndef A3S_UTIL_TEMPLATE_INT_H
#define A3S_UTIL_TEMPLATE_INT_H

#include <stddef.h>

#include "util/xalloc.h"

enum tpl_opnd_kind {
	OP_DOT, /* . */
	OP_FIELD, /* .A.B (path) */
	OP_VAR, /* $ or $.A.B (path) */
	OP_STRING,
	OP_INT,
	OP_REAL,
	OP_BOOL,
	OP_NIL,
	OP_IDENT, /* a function name */
	OP_PIPE, /* ( pipeline ) */
};

struct tpl_pipe;

struct tpl_opnd {
	enum tpl_opnd_kind kind;
	struct strv path;
	char *str;
	long long i;
	double d;
	struct tpl_pipe *pipe;
};

struct tpl_cmd {
	struct tpl_opnd *args;
	size_t n;
};

struct tpl_pipe {
	struct tpl_cmd *cmds;
	size_t n;
};

enum tpl_node_kind { NODE_TEXT, NODE_ACTION, NODE_IF, NODE_RANGE, NODE_WITH };

struct tpl_node;

struct tpl_list {
	struct tpl_node *v;
	size_t n;
};

struct tpl_node {
	enum tpl_node_kind kind;
	char *text; /* NODE_TEXT */
	struct tpl_pipe *pipe; /* all other kinds */
	struct tpl_list body, alt; /* alt: the else branch */
};

struct template {
	struct tpl_list root;
};

#endif
