/* Parser for the text/template subset described in template.h. */
#include "util/template.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/template_int.h"
#include "util/xalloc.h"

#define MAX_DEPTH 64

enum tok_kind { TK_END, TK_DOT, TK_FIELD, TK_VAR, TK_IDENT, TK_STRING, TK_INT, TK_REAL, TK_PIPE, TK_LPAREN, TK_RPAREN };

struct tok {
	enum tok_kind kind;
	struct strv path;
	char *str;
	long long i;
	double d;
	bool trim; /* TK_END written as "-}}" */
};

struct parser {
	const char *p;
	struct err *e;
	int depth;
	bool trim_next; /* the previous action ended with "-}}" */
};

/* Terminators of a node list. */
enum { T_EOF, T_END, T_ELSE, T_ELSEIF };

static const char *const funcs[] = {"json", "join", "split", "lower", "upper", "title", "truncate", "pad",
				    "len", "index", "print", "println", "eq", "ne", "not", "and", "or", NULL};

static int perr(struct parser *ps, const char *msg, const char *arg)
{
	return err_setk(ps->e, ERR_USAGE, "template parsing error: %s%s%s%s", msg, arg ? " \"" : "",
			arg ? arg : "", arg ? "\"" : "");
}

static void tok_release(struct tok *t)
{
	strv_release(&t->path);
	free(t->str);
	t->str = NULL;
}

static bool is_ident(int c)
{
	return isalnum(c) || c == '_';
}

static void read_path(struct parser *ps, struct strv *path)
{
	while (*ps->p == '.' && is_ident((unsigned char)ps->p[1])) {
		const char *s = ++ps->p;
		while (is_ident((unsigned char)*ps->p))
			ps->p++;
		strv_push_owned(path, xstrndup(s, (size_t)(ps->p - s)));
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(char *buf, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		buf[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		buf[(*n)++] = (char)(0xc0 | (cp >> 6));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		buf[(*n)++] = (char)(0xe0 | (cp >> 12));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int lex_string(struct parser *ps, struct tok *t)
{
	const char *s = ++ps->p;
	char *buf = xmalloc(strlen(s) * 3 + 1);
	size_t n = 0;
	for (;;) {
		char c = *ps->p++;
		if (c == '\0' || c == '\n') {
			free(buf);
			return perr(ps, "unterminated quoted string", NULL);
		}
		if (c == '"')
			break;
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		c = *ps->p++;
		switch (c) {
		case 'n': buf[n++] = '\n'; break;
		case 't': buf[n++] = '\t'; break;
		case 'r': buf[n++] = '\r'; break;
		case '\\': buf[n++] = '\\'; break;
		case '"': buf[n++] = '"'; break;
		case '\'': buf[n++] = '\''; break;
		case 'x':
		case 'u': {
			int len = c == 'x' ? 2 : 4;
			unsigned cp = 0;
			for (int i = 0; i < len; i++) {
				int h = hexval((unsigned char)ps->p[i]);
				if (h < 0) {
					free(buf);
					return perr(ps, "invalid escape in string", NULL);
				}
				cp = cp * 16 + (unsigned)h;
			}
			ps->p += len;
			put_utf8(buf, &n, cp);
			break;
		}
		default:
			free(buf);
			return perr(ps, "invalid escape in string", NULL);
		}
	}
	buf[n] = '\0';
	t->kind = TK_STRING;
	t->str = buf;
	return 0;
}

static int lex_number(struct parser *ps, struct tok *t)
{
	char *end;
	const char *s = ps->p;
	long long i;
	errno = 0;
	i = strtoll(s, &end, 0);
	if (errno == 0 && end != s && !strchr(".eE", *end) && !is_ident((unsigned char)*end)) {
		t->kind = TK_INT;
		t->i = i;
		ps->p = end;
		return 0;
	}
	t->d = strtod(s, &end);
	if (end == s || is_ident((unsigned char)*end))
		return perr(ps, "bad number syntax", NULL);
	t->kind = TK_REAL;
	ps->p = end;
	return 0;
}

static int lex(struct parser *ps, struct tok *t)
{
	const char *p;
	memset(t, 0, sizeof(*t));
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
	p = ps->p;
	if (p[0] == '-' && p[1] == '}' && p[2] == '}') {
		ps->p += 3;
		t->kind = TK_END;
		t->trim = true;
		return 0;
	}
	if (p[0] == '}' && p[1] == '}') {
		ps->p += 2;
		t->kind = TK_END;
		return 0;
	}
	switch (*p) {
	case '\0':
		return perr(ps, "unclosed action", NULL);
	case '.':
		if (is_ident((unsigned char)p[1]) && !isdigit((unsigned char)p[1])) {
			t->kind = TK_FIELD;
			read_path(ps, &t->path);
		} else {
			ps->p++;
			t->kind = TK_DOT;
		}
		return 0;
	case '$':
		ps->p++;
		if (is_ident((unsigned char)*ps->p))
			return perr(ps, "variables are not supported", NULL);
		t->kind = TK_VAR;
		read_path(ps, &t->path);
		return 0;
	case '"':
		return lex_string(ps, t);
	case '`': {
		const char *end = strchr(p + 1, '`');
		if (!end)
			return perr(ps, "unterminated raw quoted string", NULL);
		t->kind = TK_STRING;
		t->str = xstrndup(p + 1, (size_t)(end - p - 1));
		ps->p = end + 1;
		return 0;
	}
	case '|':
	case '(':
	case ')':
		t->kind = *p == '|' ? TK_PIPE : *p == '(' ? TK_LPAREN : TK_RPAREN;
		ps->p++;
		return 0;
	default:
		break;
	}
	if (isdigit((unsigned char)*p) || ((*p == '-' || *p == '+') && isdigit((unsigned char)p[1])))
		return lex_number(ps, t);
	if (isalpha((unsigned char)*p) || *p == '_') {
		while (is_ident((unsigned char)*ps->p))
			ps->p++;
		t->kind = TK_IDENT;
		t->str = xstrndup(p, (size_t)(ps->p - p));
		return 0;
	}
	{
		char c[2] = {*p, '\0'};
		return perr(ps, "unexpected character in action:", c);
	}
}

static void tpl_pipe_free(struct tpl_pipe *pp);
static void tpl_list_release(struct tpl_list *l);

static void opnd_release(struct tpl_opnd *o)
{
	strv_release(&o->path);
	free(o->str);
	tpl_pipe_free(o->pipe);
}

static void tpl_pipe_free(struct tpl_pipe *pp)
{
	if (!pp)
		return;
	for (size_t i = 0; i < pp->n; i++) {
		for (size_t j = 0; j < pp->cmds[i].n; j++)
			opnd_release(&pp->cmds[i].args[j]);
		free(pp->cmds[i].args);
	}
	free(pp->cmds);
	free(pp);
}

static void node_release(struct tpl_node *n)
{
	free(n->text);
	tpl_pipe_free(n->pipe);
	tpl_list_release(&n->body);
	tpl_list_release(&n->alt);
}

static void tpl_list_release(struct tpl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		node_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void list_push(struct tpl_list *l, const struct tpl_node *n)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = *n;
}

static bool known_func(const char *name)
{
	for (size_t i = 0; funcs[i]; i++)
		if (!strcmp(funcs[i], name))
			return true;
	return false;
}

static int parse_pipe(struct parser *ps, enum tok_kind close, struct tpl_pipe **out, bool *trim);

/* Turn token t (consumed) into an operand. */
static int make_opnd(struct parser *ps, struct tok *t, bool first, struct tpl_opnd *o)
{
	memset(o, 0, sizeof(*o));
	switch (t->kind) {
	case TK_DOT:
		o->kind = OP_DOT;
		return 0;
	case TK_FIELD:
	case TK_VAR:
		o->kind = t->kind == TK_FIELD ? OP_FIELD : OP_VAR;
		o->path = t->path;
		t->path = (struct strv)STRV_INIT;
		return 0;
	case TK_STRING:
		o->kind = OP_STRING;
		o->str = t->str;
		t->str = NULL;
		return 0;
	case TK_INT:
		o->kind = OP_INT;
		o->i = t->i;
		return 0;
	case TK_REAL:
		o->kind = OP_REAL;
		o->d = t->d;
		return 0;
	case TK_LPAREN:
		o->kind = OP_PIPE;
		return parse_pipe(ps, TK_RPAREN, &o->pipe, NULL);
	case TK_IDENT:
		if (!strcmp(t->str, "true") || !strcmp(t->str, "false")) {
			o->kind = OP_BOOL;
			o->i = t->str[0] == 't';
			return 0;
		}
		if (!strcmp(t->str, "nil")) {
			o->kind = OP_NIL;
			return 0;
		}
		if (!known_func(t->str))
			return err_setk(ps->e, ERR_USAGE, "template parsing error: function \"%s\" not defined", t->str);
		if (!first)
			return perr(ps, "function must come first in a command:", t->str);
		o->kind = OP_IDENT;
		o->str = t->str;
		t->str = NULL;
		return 0;
	default:
		return perr(ps, "unexpected token in command", NULL);
	}
}

static int parse_pipe(struct parser *ps, enum tok_kind close, struct tpl_pipe **out, bool *trim)
{
	struct tpl_pipe *pp = xcalloc(1, sizeof(*pp));
	struct tpl_cmd *cmd = NULL;
	if (++ps->depth > MAX_DEPTH) {
		ps->depth--;
		free(pp);
		return perr(ps, "template nested too deeply", NULL);
	}
	for (;;) {
		struct tok t;
		if (lex(ps, &t) < 0)
			goto fail;
		if (t.kind == TK_END || t.kind == TK_RPAREN || t.kind == TK_PIPE) {
			if ((t.kind == TK_END || t.kind == TK_RPAREN) && t.kind != close) {
				perr(ps, t.kind == TK_END ? "unclosed left paren" : "unexpected right paren", NULL);
				goto fail;
			}
			if (!cmd || cmd->n == 0) {
				perr(ps, pp->n == 0 && t.kind != TK_PIPE ? "missing value for command" : "missing command in pipeline", NULL);
				goto fail;
			}
			if (t.kind == TK_PIPE) {
				cmd = NULL;
				continue;
			}
			if (trim)
				*trim = t.trim;
			break;
		}
		if (!cmd) {
			pp->cmds = xrealloc(pp->cmds, (pp->n + 1) * sizeof(*pp->cmds));
			cmd = &pp->cmds[pp->n++];
			memset(cmd, 0, sizeof(*cmd));
		}
		cmd->args = xrealloc(cmd->args, (cmd->n + 1) * sizeof(*cmd->args));
		if (make_opnd(ps, &t, cmd->n == 0, &cmd->args[cmd->n]) < 0) {
			tok_release(&t);
			goto fail;
		}
		cmd->n++;
		tok_release(&t);
		if (cmd->n > 1 && cmd->args[0].kind != OP_IDENT) {
			perr(ps, "can't give argument to non-function", NULL);
			goto fail;
		}
	}
	ps->depth--;
	*out = pp;
	return 0;
fail:
	ps->depth--;
	tpl_pipe_free(pp);
	return -1;
}

static int parse_list(struct parser *ps, struct tpl_list *l, int *term, struct tpl_pipe **elseif);

/* After {{if P}}/{{range P}}/{{with P}}: the body, an optional else branch
 * and {{end}}. "else if" nests an if node in the else branch. */
static int parse_control(struct parser *ps, struct tpl_node *n)
{
	struct tpl_pipe *eip = NULL;
	int term;
	if (++ps->depth > MAX_DEPTH) {
		ps->depth--;
		return perr(ps, "template nested too deeply", NULL);
	}
	if (parse_list(ps, &n->body, &term, &eip) < 0)
		goto fail;
	if (term == T_ELSE) {
		if (parse_list(ps, &n->alt, &term, &eip) < 0)
			goto fail;
		if (term != T_END) {
			tpl_pipe_free(eip);
			perr(ps, term == T_EOF ? "unexpected EOF" : "expected end; found else", NULL);
			goto fail;
		}
	} else if (term == T_ELSEIF) {
		struct tpl_node sub = {.kind = NODE_IF, .pipe = eip};
		if (parse_control(ps, &sub) < 0) {
			node_release(&sub);
			goto fail;
		}
		list_push(&n->alt, &sub);
	} else if (term == T_EOF) {
		perr(ps, "unexpected EOF", NULL);
		goto fail;
	}
	ps->depth--;
	return 0;
fail:
	ps->depth--;
	return -1;
}

static int expect_end(struct parser *ps, const char *what)
{
	struct tok t;
	if (lex(ps, &t) < 0)
		return -1;
	tok_release(&t);
	if (t.kind != TK_END)
		return perr(ps, "unexpected token after", what);
	ps->trim_next = t.trim;
	return 0;
}

static int skip_comment(struct parser *ps)
{
	const char *end = strstr(ps->p, "*/");
	if (!end)
		return perr(ps, "unclosed comment", NULL);
	ps->p = end + 2;
	return expect_end(ps, "comment");
}

/* One action after "{{". Adds a node to l, or reports a terminator. */
static int parse_action(struct parser *ps, struct tpl_list *l, int *term, struct tpl_pipe **elseif)
{
	const char *start;
	struct tok t;
	const char *kw;
	bool trim = false;

	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
	if (ps->p[0] == '/' && ps->p[1] == '*')
		return skip_comment(ps);
	start = ps->p;
	if (lex(ps, &t) < 0)
		return -1;
	kw = t.kind == TK_IDENT ? t.str : "";
	if (!strcmp(kw, "end") || !strcmp(kw, "else")) {
		bool is_else = kw[1] == 'l';
		tok_release(&t);
		if (is_else) {
			const char *save = ps->p;
			if (lex(ps, &t) < 0)
				return -1;
			if (t.kind == TK_IDENT && !strcmp(t.str, "if")) {
				tok_release(&t);
				if (parse_pipe(ps, TK_END, elseif, &trim) < 0)
					return -1;
				ps->trim_next = trim;
				*term = T_ELSEIF;
				return 0;
			}
			tok_release(&t);
			ps->p = save;
		}
		*term = is_else ? T_ELSE : T_END;
		return expect_end(ps, is_else ? "else" : "end");
	}
	if (!strcmp(kw, "if") || !strcmp(kw, "range") || !strcmp(kw, "with")) {
		struct tpl_node n = {.kind = kw[0] == 'i' ? NODE_IF : kw[0] == 'r' ? NODE_RANGE : NODE_WITH};
		tok_release(&t);
		if (parse_pipe(ps, TK_END, &n.pipe, &trim) < 0)
			return -1;
		ps->trim_next = trim;
		if (parse_control(ps, &n) < 0) {
			node_release(&n);
			return -1;
		}
		list_push(l, &n);
		return 0;
	}
	tok_release(&t);
	ps->p = start;
	{
		struct tpl_node n = {.kind = NODE_ACTION};
		if (parse_pipe(ps, TK_END, &n.pipe, &trim) < 0)
			return -1;
		ps->trim_next = trim;
		list_push(l, &n);
	}
	return 0;
}

static int parse_list(struct parser *ps, struct tpl_list *l, int *term, struct tpl_pipe **elseif)
{
	for (;;) {
		const char *open = strstr(ps->p, "{{");
		const char *text = ps->p, *text_end = open ? open : ps->p + strlen(ps->p);
		bool trim_left = open && open[2] == '-' && (open[3] == ' ' || open[3] == '\t' || open[3] == '\n');

		if (ps->trim_next)
			while (text < text_end && isspace((unsigned char)*text))
				text++;
		ps->trim_next = false;
		if (trim_left)
			while (text_end > text && isspace((unsigned char)text_end[-1]))
				text_end--;
		if (text_end > text) {
			struct tpl_node n = {.kind = NODE_TEXT, .text = xstrndup(text, (size_t)(text_end - text))};
			list_push(l, &n);
		}
		if (!open) {
			*term = T_EOF;
			return 0;
		}
		ps->p = open + (trim_left ? 3 : 2);
		*term = T_EOF;
		if (parse_action(ps, l, term, elseif) < 0)
			return -1;
		if (*term != T_EOF)
			return 0;
	}
}

int template_parse(const char *src, struct template **out, struct err *e)
{
	struct parser ps = {.p = src, .e = e};
	struct template *t = xcalloc(1, sizeof(*t));
	struct tpl_pipe *eip = NULL;
	int term;
	if (parse_list(&ps, &t->root, &term, &eip) < 0) {
		template_free(t);
		return -1;
	}
	if (term != T_EOF) {
		tpl_pipe_free(eip);
		template_free(t);
		return perr(&ps, term == T_END ? "unexpected {{end}}" : "unexpected {{else}}", NULL);
	}
	*out = t;
	return 0;
}

void template_free(struct template *t)
{
	if (!t)
		return;
	tpl_list_release(&t->root);
	free(t);
}
