#include "box/format.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/humanize.h"

static const char *const states[] = {"created", "running", "paused", "restarting", "exited", "dead", NULL};

bool box_state_valid(const char *state)
{
	for (size_t i = 0; states[i]; i++)
		if (!strcmp(states[i], state))
			return true;
	return false;
}

static char *since(int64_t now_ns, int64_t then_ns, char *buf, size_t len)
{
	int64_t d = now_ns > then_ns ? (now_ns - then_ns) / 1000000000LL : 0;
	return human_duration(d, buf, len);
}

char *box_status_string(const struct box_record *b, int64_t now_ns, char *buf, size_t len)
{
	char d[64];
	if (!strcmp(b->state, "running"))
		snprintf(buf, len, "Up %s", since(now_ns, b->started_at, d, sizeof(d)));
	else if (!strcmp(b->state, "paused"))
		snprintf(buf, len, "Up %s (Paused)", since(now_ns, b->started_at, d, sizeof(d)));
	else if (!strcmp(b->state, "restarting"))
		snprintf(buf, len, "Restarting (%d) %s ago", b->exit_code, since(now_ns, b->finished_at, d, sizeof(d)));
	else if (!strcmp(b->state, "dead"))
		snprintf(buf, len, "Dead");
	else if (!b->started_at)
		snprintf(buf, len, "Created");
	else if (!b->finished_at)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "Exited (%d) %s ago", b->exit_code, since(now_ns, b->finished_at, d, sizeof(d)));
	return buf;
}

char *box_command_line(const struct box_record *b)
{
	const json_t *argv = json_object_get(b->config, "Argv");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	size_t i;
	const json_t *v;
	if (!m)
		abort();
	json_array_foreach(argv, i, v) {
		if (i)
			fputc(' ', m);
		fputs(json_string_value(v) ? json_string_value(v) : "", m);
	}
	fclose(m);
	return buf;
}

static size_t rune_count(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

char *box_ellipsis(const char *s, size_t width)
{
	const char *p = s;
	size_t n = 0;
	if (width == 0)
		return xstrdup("");
	if (rune_count(s) <= width)
		return xstrdup(s);
	/* keep width-1 runes, then "…" */
	while (*p && n < width - 1) {
		p++;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		n++;
	}
	return xasprintf("%.*s\xe2\x80\xa6", (int)(p - s), s);
}

char *box_go_quote(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		abort();
	fputc('"', m);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\a': fputs("\\a", m); break;
		case '\b': fputs("\\b", m); break;
		case '\f': fputs("\\f", m); break;
		case '\n': fputs("\\n", m); break;
		case '\r': fputs("\\r", m); break;
		case '\t': fputs("\\t", m); break;
		case '\v': fputs("\\v", m); break;
		case '\\': fputs("\\\\", m); break;
		case '"': fputs("\\\"", m); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(m, "\\x%02x", *p);
			else
				fputc(*p, m);
		}
	}
	fputc('"', m);
	fclose(m);
	return buf;
}

char *box_command_column(const struct box_record *b, bool no_trunc)
{
	char *cmd = box_command_line(b), *q;
	if (!no_trunc) {
		char *cut = box_ellipsis(cmd, 20);
		free(cmd);
		cmd = cut;
	}
	q = box_go_quote(cmd);
	free(cmd);
	return q;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *box_labels_string(const struct box_record *b)
{
	struct strv kv = STRV_INIT;
	const char *k;
	json_t *v;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	json_object_foreach(b->labels, k, v)
		strv_push_owned(&kv, xasprintf("%s=%s", k, json_string_value(v) ? json_string_value(v) : ""));
	if (kv.n)
		qsort(kv.v, kv.n, sizeof(*kv.v), cmp_str);
	m = open_memstream(&buf, &len);
	if (!m)
		abort();
	for (size_t i = 0; i < kv.n; i++)
		fprintf(m, "%s%s", i ? "," : "", kv.v[i]);
	fclose(m);
	strv_release(&kv);
	return buf;
}

const char *box_vm_state(const char *state)
{
	if (!strcmp(state, "created"))
		return "Created";
	if (!strcmp(state, "running") || !strcmp(state, "paused"))
		return "Busy";
	return "Stopped"; /* exited, dead, and restarting between two VMs */
}

/* ---- filters ---- */

static int check_regex(const char *key, const char *re, struct err *e)
{
	regex_t rx;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return err_setk(e, ERR_USAGE, "invalid filter '%s=%s': bad regular expression", key, re);
	regfree(&rx);
	return 0;
}

int box_filter_add(struct box_filter *f, const char *spec, struct err *e)
{
	const char *eq = strchr(spec, '=');
	char *key;
	const char *val;
	int rc = 0;
	if (!eq)
		return err_setk(e, ERR_USAGE, "bad format of filter (expected name=value)");
	key = xstrndup(spec, (size_t)(eq - spec));
	val = eq + 1;
	if (!strcmp(key, "name") || !strcmp(key, "id")) {
		rc = check_regex(key, val, e);
		if (rc == 0)
			strv_push(!strcmp(key, "name") ? &f->name : &f->id, val);
	} else if (!strcmp(key, "label")) {
		strv_push(&f->label, val);
	} else if (!strcmp(key, "status")) {
		if (!box_state_valid(val))
			rc = err_setk(e, ERR_USAGE, "invalid filter 'status=%s'", val);
		else
			strv_push(&f->status, val);
	} else if (!strcmp(key, "ancestor")) {
		strv_push(&f->ancestor, val);
	} else if (!strcmp(key, "exited")) {
		char *end;
		long v = strtol(val, &end, 10);
		if (!*val || *end || v < 0 || v > 255)
			rc = err_setk(e, ERR_USAGE, "invalid filter 'exited=%s'", val);
		else
			strv_push(&f->exited, val);
	} else {
		rc = err_setk(e, ERR_USAGE, "invalid filter '%s'", key);
	}
	free(key);
	return rc;
}

static bool regex_search(const char *re, const char *s)
{
	regex_t rx;
	bool m;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	m = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

static bool any_name(const struct strv *res, const char *name)
{
	char *slashed;
	bool m = false;
	if (!res->n)
		return true;
	slashed = xasprintf("/%s", name);
	for (size_t i = 0; i < res->n && !m; i++)
		m = !strcmp(res->v[i], name) || !strcmp(res->v[i], slashed) || regex_search(res->v[i], slashed) ||
		    regex_search(res->v[i], name);
	free(slashed);
	return m;
}

static bool any_id(const struct strv *res, const char *id)
{
	if (!res->n)
		return true;
	for (size_t i = 0; i < res->n; i++)
		if (!strcmp(res->v[i], id) || regex_search(res->v[i], id))
			return true;
	return false;
}

static bool any_exact(const struct strv *vals, const char *s)
{
	if (!vals->n)
		return true;
	for (size_t i = 0; i < vals->n; i++)
		if (!strcmp(vals->v[i], s))
			return true;
	return false;
}

static bool labels_match(const struct strv *want, const json_t *labels)
{
	for (size_t i = 0; i < want->n; i++) {
		const char *eq = strchr(want->v[i], '=');
		char *k = eq ? xstrndup(want->v[i], (size_t)(eq - want->v[i])) : xstrdup(want->v[i]);
		const json_t *v = json_object_get(labels, k);
		free(k);
		if (!v)
			return false;
		if (eq && (!json_is_string(v) || strcmp(json_string_value(v), eq + 1)))
			return false;
	}
	return true;
}

static bool ancestor_match(const struct box_filter *f, const struct box_record *b)
{
	if (!f->ancestor.n)
		return true;
	for (size_t i = 0; i < f->ancestor.n; i++)
		if (!strcmp(f->ancestor.v[i], b->image_ref))
			return true;
	for (size_t i = 0; i < f->ancestor_ids.n; i++)
		if (!strcmp(f->ancestor_ids.v[i], b->image_id))
			return true;
	return false;
}

static bool exited_match(const struct strv *vals, const struct box_record *b)
{
	char code[16];
	if (!vals->n)
		return true;
	if (strcmp(b->state, "exited"))
		return false;
	snprintf(code, sizeof(code), "%d", b->exit_code);
	return any_exact(vals, code);
}

bool box_filter_match(const struct box_filter *f, const struct box_record *b)
{
	return any_name(&f->name, b->name) && any_id(&f->id, b->id) && labels_match(&f->label, b->labels) &&
	       any_exact(&f->status, b->state) && ancestor_match(f, b) && exited_match(&f->exited, b);
}

void box_filter_release(struct box_filter *f)
{
	strv_release(&f->name);
	strv_release(&f->id);
	strv_release(&f->label);
	strv_release(&f->status);
	strv_release(&f->ancestor);
	strv_release(&f->exited);
	strv_release(&f->ancestor_ids);
}
