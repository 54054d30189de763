#include <jansson.h>

#include "box/spec.h"
#include "unit.h"

static const char *fake_env(const char *name)
{
	if (!strcmp(name, "HOSTVAR"))
		return "fromhost";
	return NULL;
}

static json_t *image(const char *js)
{
	json_error_t je;
	return json_loads(js, 0, &je);
}

static const char *env_get(const struct box_spec *s, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < s->env.n; i++)
		if (!strncmp(s->env.v[i], name, n) && s->env.v[i][n] == '=')
			return s->env.v[i] + n + 1;
	return NULL;
}

static const char *ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(entrypoint_and_cmd)
{
	json_t *img = image("{\"config\":{\"Entrypoint\":[\"/ep\",\"x\"],\"Cmd\":[\"c1\",\"c2\"]}}");
	struct box_opts o = {0};
	struct box_spec s;
	struct err e = ERR_INIT;
	char *args[] = {"a1"};
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) == 0);
	CHECK(s.argv.n == 4 && !strcmp(s.argv.v[0], "/ep") && !strcmp(s.argv.v[3], "c2"));
	box_spec_release(&s);
	o.args = args;
	o.nargs = 1;
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) == 0);
	CHECK(s.argv.n == 3 && !strcmp(s.argv.v[2], "a1"));
	box_spec_release(&s);
	/* --entrypoint drops the image's Cmd */
	o.nargs = 0;
	o.entrypoint_set = true;
	o.entrypoint = "/bin/other";
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) == 0);
	CHECK(s.argv.n == 1 && !strcmp(s.argv.v[0], "/bin/other"));
	box_spec_release(&s);
	/* --entrypoint "" with no command: an error */
	o.entrypoint = "";
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) < 0);
	CHECK(strstr(e.msg, "no command specified") != NULL);
	json_decref(img);
}

TEST(env_merge_order)
{
	json_t *img = image("{\"config\":{\"Env\":[\"PATH=/img\",\"A=img\",\"B=img\"],\"Cmd\":[\"sh\"]}}");
	struct box_opts o = {0};
	struct box_spec s;
	struct err e = ERR_INIT;
	strv_push(&o.env_files, "B=file");
	strv_push(&o.env_files, "C=file");
	strv_push(&o.env, "C=flag");
	strv_push(&o.env, "HOSTVAR");
	strv_push(&o.env, "UNSET_ON_HOST");
	strv_push(&o.env, "A");
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) == 0);
	CHECK_STR(env_get(&s, "PATH"), "/img");
	CHECK(env_get(&s, "A") == NULL); /* "A" alone, unset on host: dropped */
	CHECK_STR(env_get(&s, "B"), "file");
	CHECK_STR(env_get(&s, "C"), "flag");
	CHECK_STR(env_get(&s, "HOSTVAR"), "fromhost");
	CHECK(env_get(&s, "UNSET_ON_HOST") == NULL);
	CHECK_STR(env_get(&s, "HOSTNAME"), "0123456789ab");
	box_spec_release(&s);
	box_opts_release(&o);
	json_decref(img);
}

TEST(defaults_and_validation)
{
	json_t *img = image("{\"config\":{\"Cmd\":[\"sh\"],\"WorkingDir\":\"/app\",\"User\":\"app\"}}");
	struct box_opts o = {0};
	struct box_spec s;
	struct err e = ERR_INIT;
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) == 0);
	CHECK_STR(s.workdir, "/app");
	CHECK_STR(s.user, "app");
	CHECK_STR(s.hostname, "0123456789ab");
	CHECK_STR(env_get(&s, "PATH"), BOX_DEFAULT_PATH);
	CHECK(s.cpus == 1 && s.mem_mib == BOX_DEFAULT_MEM_MIB && s.net);
	box_spec_release(&s);
	o.workdir = "relative";
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) < 0);
	CHECK(strstr(e.msg, "absolute path") != NULL);
	o.workdir = NULL;
	o.hostname = "bad host";
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) < 0);
	o.hostname = NULL;
	o.network = "weird";
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) < 0);
	o.network = "none";
	o.cpus_milli = 1500;
	o.mem_bytes = 256ULL << 20;
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) == 0);
	CHECK(!s.net && s.cpus == 2 && s.mem_mib == 256);
	box_spec_release(&s);
	o.mem_bytes = 1 << 20;
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) < 0);
	json_decref(img);
}

TEST(env_file)
{
	struct strv out = STRV_INIT;
	struct err e = ERR_INIT;
	CHECK(box_env_file_parse("f", "# c\n\nA=1\r\n  B=two words\nHOSTVAR\nNOPE\n", fake_env, &out, &e) == 0);
	CHECK(out.n == 3);
	CHECK_STR(out.v[0], "A=1");
	CHECK_STR(out.v[1], "B=two words");
	CHECK_STR(out.v[2], "HOSTVAR=fromhost");
	strv_release(&out);
	CHECK(box_env_file_parse("f", "=bad\n", fake_env, &out, &e) < 0);
	strv_release(&out);
}

TEST(wire_records)
{
	json_t *img = image("{\"config\":{\"Cmd\":[\"echo\",\"hi\"]}}");
	struct box_opts o = {0};
	struct box_spec s;
	struct err e = ERR_INIT;
	char *buf;
	size_t len, nrec = 0;
	CHECK(box_spec_build(&o, img, ID, fake_env, &s, &e) == 0);
	box_spec_wire(&s, true, &buf, &len);
	CHECK(len > 0 && buf[len - 1] == '\0');
	for (size_t i = 0; i < len; i++)
		nrec += buf[i] == '\0';
	CHECK(nrec % 2 == 0);
	CHECK(!memcmp(buf, "arg\0echo\0arg\0hi\0", 16));
	free(buf);
	box_spec_release(&s);
	json_decref(img);
}

int main(void)
{
	RUN(entrypoint_and_cmd);
	RUN(env_merge_order);
	RUN(defaults_and_validation);
	RUN(env_file);
	RUN(wire_records);
	return unit_done();
}
