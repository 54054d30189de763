/* The Go-template subset (lib/util/template*.c). */
#include <stdlib.h>

#include "unit.h"
#include "util/template.h"

/* Render src over the JSON document data; returns malloc'd output or NULL
 * (then *msg holds the error). */
static char *render(const char *src, const char *data, char *msg, size_t msglen)
{
	struct template *t;
	struct err e = ERR_INIT;
	json_t *j = json_loads(data, 0, NULL);
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int rc;
	if (template_parse(src, &t, &e) < 0) {
		snprintf(msg, msglen, "%.500s", e.msg);
		json_decref(j);
		return NULL;
	}
	f = open_memstream(&buf, &n);
	rc = template_exec(t, template_json_lookup, j, f, &e);
	fclose(f);
	template_free(t);
	json_decref(j);
	if (rc < 0) {
		snprintf(msg, msglen, "%.500s", e.msg);
		free(buf);
		return NULL;
	}
	return buf;
}

#define DOC "{\"Id\":\"sha256:abc\",\"Size\":42,\"Real\":1.5,\"Tags\":[\"a:1\",\"b:2\"],\"Empty\":[]," \
	    "\"Config\":{\"WorkingDir\":\"/w\",\"Env\":[\"A=1\"],\"Labels\":{\"z\":\"1\",\"a\":\"<x>\"}}," \
	    "\"Nil\":null,\"T\":true,\"Name\":\"Hello World\"}"

#define CHECK_RENDER(src, want)                                                   \
	do {                                                                      \
		char m_[512] = "";                                                \
		char *got_ = render(src, DOC, m_, sizeof(m_));                    \
		int ok_ = got_ && !strcmp(got_, want);                            \
		if (!ok_)                                                         \
			fprintf(stderr, "  render(%s) = '%s' (%s), want '%s'\n", src, got_ ? got_ : "", m_, want); \
		free(got_);                                                       \
		CHECK(ok_);                                                       \
	} while (0)

#define CHECK_FAILS(src, msgpart)                                                 \
	do {                                                                      \
		char m_[512] = "";                                                \
		char *got_ = render(src, DOC, m_, sizeof(m_));                    \
		if (got_ || !strstr(m_, msgpart))                                 \
			fprintf(stderr, "  render(%s) = '%s' msg '%s'\n", src, got_ ? got_ : "(null)", m_); \
		CHECK(!got_ && strstr(m_, msgpart));                              \
		free(got_);                                                       \
	} while (0)

TEST(fields_and_text)
{
	CHECK_RENDER("", "");
	CHECK_RENDER("plain", "plain");
	CHECK_RENDER("{{.Id}}", "sha256:abc");
	CHECK_RENDER("id={{.Id}} size={{.Size}}", "id=sha256:abc size=42");
	CHECK_RENDER("{{.Config.WorkingDir}}", "/w");
	CHECK_RENDER("{{ .Config.WorkingDir }}", "/w");
	CHECK_RENDER("{{.Real}}", "1.5");
	CHECK_RENDER("{{.Tags}}", "[a:1 b:2]");
	CHECK_RENDER("{{.Config.Labels}}", "map[a:<x> z:1]");
	CHECK_RENDER("{{.Missing}}", "<no value>");
	CHECK_RENDER("{{.Config.Missing}}", "<no value>");
	CHECK_RENDER("{{.Nil}}", "<nil>");
	CHECK_RENDER("{{.T}}", "true");
	CHECK_RENDER("{{$.Id}}", "sha256:abc");
}

TEST(functions)
{
	CHECK_RENDER("{{json .Config.Env}}", "[\"A=1\"]");
	CHECK_RENDER("{{json .Config.Labels}}", "{\"z\":\"1\",\"a\":\"<x>\"}");
	CHECK_RENDER("{{.Config.Env | json}}", "[\"A=1\"]");
	CHECK_RENDER("{{json .Id}}", "\"sha256:abc\"");
	CHECK_RENDER("{{json .Missing}}", "null");
	CHECK_RENDER("{{join .Tags \", \"}}", "a:1, b:2");
	CHECK_RENDER("{{upper .Name}} {{lower .Name}}", "HELLO WORLD hello world");
	CHECK_RENDER("{{title \"hello big world\"}}", "Hello Big World");
	CHECK_RENDER("{{truncate .Id 6}}", "sha256");
	CHECK_RENDER("{{pad .Id 1 2}}|", " sha256:abc  |");
	CHECK_RENDER("{{len .Tags}} {{len .Empty}} {{len .Id}}", "2 0 10");
	CHECK_RENDER("{{index .Tags 1}}", "b:2");
	CHECK_RENDER("{{index .Config.Labels \"z\"}}", "1");
	CHECK_RENDER("{{split \"a,b,c\" \",\"}}", "[a b c]");
	CHECK_RENDER("{{println .Size \"x\"}}", "42 x\n");
	CHECK_RENDER("{{print \"a\" \"b\" 1 2}}", "ab1 2");
	CHECK_RENDER("{{eq .Size 42}} {{ne .Size 42}} {{not .T}}", "true false false");
	CHECK_RENDER("{{or .Missing \"dflt\"}} {{and .T .Size}}", "dflt 42");
	CHECK_RENDER("{{json (index .Tags 0)}}", "\"a:1\"");
	CHECK_RENDER("{{`raw\\n`}}", "raw\\n");
	CHECK_RENDER("{{\"q\\t\\\"\\u00e9\"}}", "q\t\"\xc3\xa9");
}

TEST(control_flow)
{
	CHECK_RENDER("{{if .T}}yes{{else}}no{{end}}", "yes");
	CHECK_RENDER("{{if .Empty}}yes{{else}}no{{end}}", "no");
	CHECK_RENDER("{{if .Missing}}a{{else if .Size}}b{{else}}c{{end}}", "b");
	CHECK_RENDER("{{range .Tags}}[{{.}}]{{end}}", "[a:1][b:2]");
	CHECK_RENDER("{{range .Empty}}x{{else}}none{{end}}", "none");
	CHECK_RENDER("{{range .Config.Labels}}{{.}},{{end}}", "<x>,1,");
	CHECK_RENDER("{{with .Config}}{{.WorkingDir}} {{$.Size}}{{end}}", "/w 42");
	CHECK_RENDER("{{with .Missing}}x{{else}}y{{end}}", "y");
	CHECK_RENDER("a {{- \" b \" -}} c", "a b c");
	CHECK_RENDER("a\n  {{- .Size -}}\n  b", "a42b");
	CHECK_RENDER("x{{/* comment */}}y", "xy");
}

TEST(errors)
{
	CHECK_FAILS("{{.Id", "unclosed action");
	CHECK_FAILS("{{nosuch .Id}}", "function \"nosuch\" not defined");
	CHECK_FAILS("{{if .T}}x", "unexpected EOF");
	CHECK_FAILS("{{end}}", "unexpected {{end}}");
	CHECK_FAILS("{{else}}", "unexpected {{else}}");
	CHECK_FAILS("{{.Size.Foo}}", "can't evaluate field Foo");
	CHECK_FAILS("{{\"abc}}", "unterminated");
	CHECK_FAILS("{{.Id .Size}}", "non-function");
	CHECK_FAILS("{{index .Tags 5}}", "out of range");
	CHECK_FAILS("{{range .Size}}x{{end}}", "range can't iterate");
	CHECK_FAILS("{{(.Id}}", "paren");
	CHECK_FAILS("{{}}", "missing value");
	CHECK_FAILS("{{$x := 1}}", "variables are not supported");
	CHECK_FAILS("{{json}}", "wrong number of args");
}

static int strict_lookup(void *data, const char *field, json_t **out)
{
	(void)data;
	if (field && strcmp(field, "ID"))
		return -1;
	*out = json_string("x");
	return 0;
}

TEST(strict_lookup_errors)
{
	struct template *t;
	struct err e = ERR_INIT;
	FILE *f = fopen("/dev/null", "w");
	CHECK(template_parse("{{.ID}}{{.Nope}}", &t, &e) == 0);
	CHECK(template_exec(t, strict_lookup, NULL, f, &e) < 0);
	fclose(f);
	template_free(t);
	CHECK(strstr(e.msg, "can't evaluate field Nope") != NULL);
}

TEST(deep_nesting_is_refused)
{
	char src[4096] = "{{";
	struct template *t;
	struct err e = ERR_INIT;
	memset(src + 2, '(', 500);
	CHECK(template_parse(src, &t, &e) < 0);
}

int main(void)
{
	RUN(fields_and_text);
	RUN(functions);
	RUN(control_flow);
	RUN(errors);
	RUN(strict_lookup_errors);
	RUN(deep_nesting_is_refused);
	return unit_done();
}
