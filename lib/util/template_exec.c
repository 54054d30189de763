/* Executor for the text/template subset (see template.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/template.h"
#include "util/template_int.h"
#include "util/xalloc.h"

#define MAX_DEPTH 100

/* Values are new json_t references; NULL is Go's "no value" (a missing map
 * key). A NULL dot means the top-level data, resolved through lookup. */
struct exec {
	template_lookup_fn lookup;
	void *data;
	FILE *out;
	struct err *e;
	int depth;
};

__attribute__((format(printf, 2, 3))) static int xerr(struct exec *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_setk(x->e, ERR_USAGE, "template: executing: %s", msg);
}

static const char *type_name(const json_t *v)
{
	if (!v)
		return "<no value>";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "map";
	case JSON_ARRAY: return "slice";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float64";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "nil";
	}
}

static void print_real(FILE *out, double d)
{
	char buf[64];
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	fputs(buf, out);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void template_print_value(FILE *out, const json_t *v)
{
	if (!v) {
		fputs("<no value>", out);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		fwrite(json_string_value(v), 1, json_string_length(v), out);
		break;
	case JSON_INTEGER:
		fprintf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		print_real(out, json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", out);
		break;
	case JSON_FALSE:
		fputs("false", out);
		break;
	case JSON_NULL:
		fputs("<nil>", out);
		break;
	case JSON_ARRAY:
		fputc('[', out);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				fputc(' ', out);
			template_print_value(out, json_array_get(v, i));
		}
		fputc(']', out);
		break;
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		const char **keys = xcalloc(n ? n : 1, sizeof(*keys));
		const char *k;
		json_t *val;
		json_object_foreach((json_t *)v, k, val) keys[i++] = k;
		qsort(keys, n, sizeof(*keys), cmp_keys);
		fputs("map[", out);
		for (i = 0; i < n; i++) {
			fprintf(out, "%s%s:", i ? " " : "", keys[i]);
			template_print_value(out, json_object_get(v, keys[i]));
		}
		fputc(']', out);
		free(keys);
		break;
	}
	}
}

/* %v of v as a malloc'd string. */
static char *to_str(const json_t *v, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		abort();
	template_print_value(f, v);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static json_t *str_json(const char *s, size_t n)
{
	return json_stringn_nocheck(s, n);
}

static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_TRUE: return true;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_OBJECT: return json_object_size(v) > 0;
	default: return false;
	}
}

static int field_path(struct exec *x, json_t *base, const struct strv *path, json_t **out)
{
	json_t *cur;
	size_t i = 0;
	if (base) {
		cur = json_incref(base);
	} else {
		cur = NULL;
		if (x->lookup(x->data, path->n ? path->v[0] : NULL, &cur) < 0)
			return xerr(x, "can't evaluate field %s", path->n ? path->v[0] : ".");
		i = path->n ? 1 : 0;
	}
	for (; i < path->n; i++) {
		json_t *next;
		if (!cur)
			return xerr(x, "nil pointer evaluating <no value>.%s", path->v[i]);
		if (!json_is_object(cur)) {
			char msg[256];
			snprintf(msg, sizeof(msg), "can't evaluate field %s in type %s", path->v[i], type_name(cur));
			json_decref(cur);
			return xerr(x, "%s", msg);
		}
		next = json_incref(json_object_get(cur, path->v[i]));
		json_decref(cur);
		cur = next;
	}
	*out = cur;
	return 0;
}

static int eval_pipe(struct exec *x, json_t *dot, const struct tpl_pipe *pp, json_t **out);
static int call(struct exec *x, const char *fn, json_t **argv, size_t argc, json_t **out);

static int eval_opnd(struct exec *x, json_t *dot, const struct tpl_opnd *o, json_t **out)
{
	static const struct strv empty = STRV_INIT;
	switch (o->kind) {
	case OP_DOT: return field_path(x, dot, &empty, out);
	case OP_FIELD: return field_path(x, dot, &o->path, out);
	case OP_VAR: return field_path(x, NULL, &o->path, out);
	case OP_STRING: *out = str_json(o->str, strlen(o->str)); return 0;
	case OP_INT: *out = json_integer(o->i); return 0;
	case OP_REAL: *out = json_real(o->d); return 0;
	case OP_BOOL: *out = json_boolean(o->i); return 0;
	case OP_NIL: *out = json_null(); return 0;
	case OP_PIPE: return eval_pipe(x, dot, o->pipe, out);
	case OP_IDENT: return call(x, o->str, NULL, 0, out);
	}
	return xerr(x, "%s", "bad operand");
}

static int eval_cmd(struct exec *x, json_t *dot, const struct tpl_cmd *c, json_t *piped, bool has_piped, json_t **out)
{
	json_t **argv;
	size_t argc = 0;
	int rc = 0;
	if (c->args[0].kind != OP_IDENT) {
		if (has_piped)
			return xerr(x, "%s", "can't give argument to non-function");
		return eval_opnd(x, dot, &c->args[0], out);
	}
	argv = xcalloc(c->n + 1, sizeof(*argv));
	for (size_t i = 1; i < c->n; i++) {
		if ((rc = eval_opnd(x, dot, &c->args[i], &argv[argc])) < 0)
			goto done;
		argc++;
	}
	if (has_piped)
		argv[argc++] = json_incref(piped);
	rc = call(x, c->args[0].str, argv, argc, out);
done:
	for (size_t i = 0; i < argc; i++)
		json_decref(argv[i]);
	free(argv);
	return rc;
}

static int eval_pipe(struct exec *x, json_t *dot, const struct tpl_pipe *pp, json_t **out)
{
	json_t *v = NULL;
	if (++x->depth > MAX_DEPTH) {
		x->depth--;
		return xerr(x, "%s", "template nested too deeply");
	}
	for (size_t i = 0; i < pp->n; i++) {
		json_t *next;
		if (eval_cmd(x, dot, &pp->cmds[i], v, i > 0, &next) < 0) {
			json_decref(v);
			x->depth--;
			return -1;
		}
		json_decref(v);
		v = next;
	}
	x->depth--;
	*out = v;
	return 0;
}

/* ---- functions ---- */

static int want(struct exec *x, const char *fn, size_t argc, size_t min, size_t max)
{
	if (argc < min || argc > max)
		return xerr(x, "wrong number of args for %s", fn);
	return 0;
}

static json_t *fn_json(const json_t *v)
{
	char *s = json_dumps(v ? v : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *r = str_json(s ? s : "null", s ? strlen(s) : 4);
	free(s);
	return r;
}

static json_t *fn_case(const json_t *v, int mode)
{
	size_t n;
	char *s = to_str(v, &n);
	bool start = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (mode == 'l')
			s[i] = (char)tolower(c);
		else if (mode == 'u')
			s[i] = (char)toupper(c);
		else {
			if (start && isalpha(c))
				s[i] = (char)toupper(c);
			start = !(isalnum(c) || c == '_' || c == '\'' || c >= 0x80);
		}
	}
	json_t *r = str_json(s, n);
	free(s);
	return r;
}

static int fn_join(struct exec *x, json_t **argv, json_t **out)
{
	char *buf = NULL, *sep;
	size_t n = 0, seplen;
	FILE *f;
	if (!json_is_array(argv[0]))
		return xerr(x, "join: expected a list, got %s", type_name(argv[0]));
	sep = to_str(argv[1], &seplen);
	f = open_memstream(&buf, &n);
	if (!f)
		abort();
	for (size_t i = 0; i < json_array_size(argv[0]); i++) {
		if (i)
			fwrite(sep, 1, seplen, f);
		template_print_value(f, json_array_get(argv[0], i));
	}
	fclose(f);
	*out = str_json(buf, n);
	free(buf);
	free(sep);
	return 0;
}

static json_t *fn_split(const json_t *sv, const json_t *sepv)
{
	size_t n, seplen;
	char *s = to_str(sv, &n), *sep = to_str(sepv, &seplen);
	json_t *arr = json_array();
	size_t i = 0, start = 0;
	if (seplen == 0) {
		while (i < n) {
			size_t j = i + 1;
			while (j < n && ((unsigned char)s[j] & 0xc0) == 0x80)
				j++;
			json_array_append_new(arr, str_json(s + i, j - i));
			i = j;
		}
	} else {
		for (i = 0; i + seplen <= n;) {
			if (!memcmp(s + i, sep, seplen)) {
				json_array_append_new(arr, str_json(s + start, i - start));
				i += seplen;
				start = i;
			} else {
				i++;
			}
		}
		json_array_append_new(arr, str_json(s + start, n - start));
	}
	free(s);
	free(sep);
	return arr;
}

static int fn_index(struct exec *x, json_t **argv, size_t argc, json_t **out)
{
	json_t *cur = json_incref(argv[0]);
	for (size_t i = 1; i < argc; i++) {
		json_t *next;
		if (json_is_array(cur) && json_is_integer(argv[i])) {
			json_int_t k = json_integer_value(argv[i]);
			if (k < 0 || (size_t)k >= json_array_size(cur)) {
				json_decref(cur);
				return xerr(x, "%s", "index out of range");
			}
			next = json_incref(json_array_get(cur, (size_t)k));
		} else if (json_is_object(cur) && json_is_string(argv[i])) {
			next = json_incref(json_object_get(cur, json_string_value(argv[i])));
		} else {
			char msg[128];
			snprintf(msg, sizeof(msg), "can't index item of type %s", type_name(cur));
			json_decref(cur);
			return xerr(x, "%s", msg);
		}
		json_decref(cur);
		cur = next;
	}
	*out = cur;
	return 0;
}

static json_t *fn_print(json_t **argv, size_t argc, bool ln)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		abort();
	for (size_t i = 0; i < argc; i++) {
		/* Sprint adds spaces between operands when neither is a string */
		if (i && (ln || (!json_is_string(argv[i - 1]) && !json_is_string(argv[i]))))
			fputc(' ', f);
		template_print_value(f, argv[i]);
	}
	if (ln)
		fputc('\n', f);
	fclose(f);
	json_t *r = str_json(buf, n);
	free(buf);
	return r;
}

static bool equal(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return a == b;
	return json_equal(a, b);
}

static int call(struct exec *x, const char *fn, json_t **argv, size_t argc, json_t **out)
{
	if (!strcmp(fn, "json")) {
		if (want(x, fn, argc, 1, 1) < 0)
			return -1;
		*out = fn_json(argv[0]);
	} else if (!strcmp(fn, "lower") || !strcmp(fn, "upper") || !strcmp(fn, "title")) {
		if (want(x, fn, argc, 1, 1) < 0)
			return -1;
		*out = fn_case(argv[0], fn[0] == 't' ? 't' : fn[0] == 'l' ? 'l' : 'u');
	} else if (!strcmp(fn, "join")) {
		if (want(x, fn, argc, 2, 2) < 0)
			return -1;
		return fn_join(x, argv, out);
	} else if (!strcmp(fn, "split")) {
		if (want(x, fn, argc, 2, 2) < 0)
			return -1;
		*out = fn_split(argv[0], argv[1]);
	} else if (!strcmp(fn, "truncate")) {
		size_t n;
		char *s;
		if (want(x, fn, argc, 2, 2) < 0)
			return -1;
		if (!json_is_integer(argv[1]) || json_integer_value(argv[1]) < 0)
			return xerr(x, "%s", "truncate: length must be a non-negative integer");
		s = to_str(argv[0], &n);
		if ((json_int_t)n > json_integer_value(argv[1]))
			n = (size_t)json_integer_value(argv[1]);
		*out = str_json(s, n);
		free(s);
	} else if (!strcmp(fn, "pad")) {
		size_t n;
		char *s, *r;
		json_int_t pre, suf;
		if (want(x, fn, argc, 3, 3) < 0)
			return -1;
		pre = json_integer_value(argv[1]);
		suf = json_integer_value(argv[2]);
		if (!json_is_integer(argv[1]) || !json_is_integer(argv[2]) || pre < 0 || suf < 0 || pre > 4096 ||
		    suf > 4096)
			return xerr(x, "%s", "pad: widths must be small non-negative integers");
		s = to_str(argv[0], &n);
		if (n == 0) {
			*out = str_json("", 0);
			free(s);
			return 0;
		}
		r = xasprintf("%*s%s%*s", (int)pre, "", s, (int)suf, "");
		*out = str_json(r, strlen(r));
		free(r);
		free(s);
	} else if (!strcmp(fn, "len")) {
		if (want(x, fn, argc, 1, 1) < 0)
			return -1;
		if (json_is_string(argv[0]))
			*out = json_integer((json_int_t)json_string_length(argv[0]));
		else if (json_is_array(argv[0]))
			*out = json_integer((json_int_t)json_array_size(argv[0]));
		else if (json_is_object(argv[0]))
			*out = json_integer((json_int_t)json_object_size(argv[0]));
		else
			return xerr(x, "len of type %s", type_name(argv[0]));
	} else if (!strcmp(fn, "index")) {
		if (want(x, fn, argc, 1, 64) < 0)
			return -1;
		return fn_index(x, argv, argc, out);
	} else if (!strcmp(fn, "print") || !strcmp(fn, "println")) {
		*out = fn_print(argv, argc, fn[5] == 'l');
	} else if (!strcmp(fn, "eq") || !strcmp(fn, "ne")) {
		bool eq = false;
		if (want(x, fn, argc, 2, fn[0] == 'e' ? 64 : 2) < 0)
			return -1;
		for (size_t i = 1; i < argc; i++)
			eq = eq || equal(argv[0], argv[i]);
		*out = json_boolean(fn[0] == 'e' ? eq : !eq);
	} else if (!strcmp(fn, "not")) {
		if (want(x, fn, argc, 1, 1) < 0)
			return -1;
		*out = json_boolean(!truthy(argv[0]));
	} else if (!strcmp(fn, "and") || !strcmp(fn, "or")) {
		size_t i;
		if (want(x, fn, argc, 1, 64) < 0)
			return -1;
		for (i = 0; i + 1 < argc; i++)
			if (truthy(argv[i]) == (fn[0] == 'o'))
				break;
		*out = json_incref(argv[i]);
	} else {
		return xerr(x, "function \"%s\" not defined", fn);
	}
	return 0;
}

/* ---- nodes ---- */

static int exec_list(struct exec *x, json_t *dot, const struct tpl_list *l);

static int exec_range(struct exec *x, json_t *dot, const struct tpl_node *n, json_t *v)
{
	if (json_is_array(v) && json_array_size(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			if (exec_list(x, json_array_get(v, i), &n->body) < 0)
				return -1;
		return 0;
	}
	if (json_is_object(v) && json_object_size(v)) {
		size_t cnt = json_object_size(v), i = 0;
		const char **keys = xcalloc(cnt, sizeof(*keys));
		const char *k;
		json_t *val;
		int rc = 0;
		json_object_foreach(v, k, val) keys[i++] = k;
		qsort(keys, cnt, sizeof(*keys), cmp_keys);
		for (i = 0; i < cnt && rc == 0; i++)
			rc = exec_list(x, json_object_get(v, keys[i]), &n->body);
		free(keys);
		return rc;
	}
	if (v && !json_is_array(v) && !json_is_object(v) && !json_is_null(v))
		return xerr(x, "range can't iterate over %s", type_name(v));
	return exec_list(x, dot, &n->alt);
}

static int exec_node(struct exec *x, json_t *dot, const struct tpl_node *n)
{
	json_t *v;
	int rc;
	if (n->kind == NODE_TEXT) {
		fputs(n->text, x->out);
		return 0;
	}
	if (eval_pipe(x, dot, n->pipe, &v) < 0)
		return -1;
	switch (n->kind) {
	case NODE_ACTION:
		template_print_value(x->out, v);
		rc = 0;
		break;
	case NODE_IF:
		rc = exec_list(x, dot, truthy(v) ? &n->body : &n->alt);
		break;
	case NODE_WITH:
		rc = truthy(v) ? exec_list(x, v, &n->body) : exec_list(x, dot, &n->alt);
		break;
	case NODE_RANGE:
		rc = exec_range(x, dot, n, v);
		break;
	default:
		rc = 0;
	}
	json_decref(v);
	return rc;
}

static int exec_list(struct exec *x, json_t *dot, const struct tpl_list *l)
{
	int rc = 0;
	if (++x->depth > MAX_DEPTH) {
		x->depth--;
		return xerr(x, "%s", "template nested too deeply");
	}
	for (size_t i = 0; i < l->n && rc == 0; i++)
		rc = exec_node(x, dot, &l->v[i]);
	x->depth--;
	return rc;
}

int template_exec(const struct template *t, template_lookup_fn lookup, void *data, FILE *out, struct err *e)
{
	struct exec x = {.lookup = lookup, .data = data, .out = out, .e = e};
	return exec_list(&x, NULL, &t->root);
}

int template_json_lookup(void *data, const char *field, json_t **out)
{
	json_t *obj = data;
	*out = json_incref(field ? json_object_get(obj, field) : obj);
	return 0;
}
