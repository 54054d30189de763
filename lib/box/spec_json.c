#include <string.h>

#include "box/spec.h"

json_t *box_spec_to_json(const struct box_spec *s, bool auto_remove)
{
	json_t *j = json_object(), *a = json_array(), *env = json_array();
	for (size_t i = 0; i < s->argv.n; i++)
		json_array_append_new(a, json_string(s->argv.v[i]));
	for (size_t i = 0; i < s->env.n; i++)
		json_array_append_new(env, json_string(s->env.v[i]));
	json_object_set_new(j, "Argv", a);
	json_object_set_new(j, "Env", env);
	json_object_set_new(j, "WorkingDir", json_string(s->workdir));
	json_object_set_new(j, "User", json_string(s->user));
	json_object_set_new(j, "Hostname", json_string(s->hostname));
	json_object_set_new(j, "Cpus", json_integer(s->cpus));
	json_object_set_new(j, "MemoryMiB", json_integer((json_int_t)s->mem_mib));
	json_object_set_new(j, "Network", json_string(s->net ? "default" : "none"));
	json_object_set_new(j, "Interactive", json_boolean(s->interactive));
	json_object_set_new(j, "Tty", json_boolean(s->tty));
	json_object_set_new(j, "AutoRemove", json_boolean(auto_remove));
	json_object_set_new(j, "Mounts", s->mounts ? json_deep_copy(s->mounts) : json_array());
	json_object_set_new(j, "ReadonlyRootfs", json_boolean(s->read_only));
	return j;
}

static int strings(const json_t *arr, struct strv *out)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return -1;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return -1;
		strv_push(out, json_string_value(v));
	}
	return 0;
}

int box_spec_from_json(const json_t *j, struct box_spec *s, struct err *e)
{
	const char *wd = json_string_value(json_object_get(j, "WorkingDir"));
	const char *user = json_string_value(json_object_get(j, "User"));
	const char *host = json_string_value(json_object_get(j, "Hostname"));
	const char *net = json_string_value(json_object_get(j, "Network"));
	memset(s, 0, sizeof(*s));
	if (strings(json_object_get(j, "Argv"), &s->argv) < 0 || !s->argv.n ||
	    strings(json_object_get(j, "Env"), &s->env) < 0 || !wd || !user || !host || !net) {
		box_spec_release(s);
		return err_set(e, "the box's recorded configuration is damaged");
	}
	s->workdir = xstrdup(wd);
	s->user = xstrdup(user);
	s->hostname = xstrdup(host);
	s->cpus = (unsigned)json_integer_value(json_object_get(j, "Cpus"));
	s->mem_mib = (uint64_t)json_integer_value(json_object_get(j, "MemoryMiB"));
	s->net = strcmp(net, "none") != 0;
	s->interactive = json_is_true(json_object_get(j, "Interactive"));
	s->read_only = json_is_true(json_object_get(j, "ReadonlyRootfs"));
	if (json_is_array(json_object_get(j, "Mounts")))
		s->mounts = json_deep_copy(json_object_get(j, "Mounts"));
	s->tty = json_is_true(json_object_get(j, "Tty"));
	if (!s->cpus)
		s->cpus = 1;
	if (!s->mem_mib)
		s->mem_mib = BOX_DEFAULT_MEM_MIB;
	return 0;
}
