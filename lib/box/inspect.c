#include "box/inspect.h"

#include "box/ports.h"

#include <string.h>

#include "box/format.h"
#include "util/timefmt.h"

static json_t *time_json(int64_t ns)
{
	char buf[64];
	if (!ns)
		return json_string("0001-01-01T00:00:00Z");
	return json_string(time_format_rfc3339nano(ns / 1000000000LL, (int32_t)(ns % 1000000000LL), buf, sizeof(buf)));
}

static bool is(const struct box_record *b, const char *state)
{
	return !strcmp(b->state, state);
}

static json_t *state_json(const struct box_record *b)
{
	bool running = is(b, "running") || is(b, "paused") || is(b, "restarting");
	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:I, s:i, s:s, s:o, s:o}", "Status", b->state, "Running",
			 running, "Paused", is(b, "paused"), "Restarting", is(b, "restarting"), "OOMKilled", 0,
			 "Dead", is(b, "dead"), "Pid", (json_int_t)(running ? b->pid : 0), "ExitCode", b->exit_code,
			 "Error", b->error ? b->error : "", "StartedAt", time_json(b->started_at), "FinishedAt",
			 time_json(b->finished_at));
}

static json_t *get_or(const json_t *cfg, const char *key, json_t *dflt)
{
	json_t *v = json_object_get(cfg, key);
	if (!v)
		return dflt;
	json_decref(dflt);
	return json_deep_copy(v);
}

static const char *str_or(const json_t *cfg, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(cfg, key));
	return s ? s : dflt;
}

static json_t *config_json(const struct box_record *b)
{
	const json_t *cfg = b->config;
	bool interactive = json_is_true(json_object_get(cfg, "Interactive"));
	bool tty = json_is_true(json_object_get(cfg, "Tty"));
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:o, s:o, s:s, s:o, s:s, s:n, s:o}",
			 "Hostname", str_or(cfg, "Hostname", ""), "Domainname", "", "User", str_or(cfg, "User", ""),
			 "AttachStdin", interactive, "AttachStdout", 1, "AttachStderr", 1, "Tty", tty, "OpenStdin",
			 interactive, "StdinOnce", interactive, "Env", get_or(cfg, "Env", json_array()), "Cmd",
			 get_or(cfg, "Argv", json_array()), "Image", b->image_ref, "Volumes", json_null(),
			 "WorkingDir", str_or(cfg, "WorkingDir", ""), "Entrypoint", "Labels", json_deep_copy(b->labels));
}

static json_t *host_config_json(const struct box_record *b)
{
	const json_t *cfg = b->config;
	json_int_t cpus = json_integer_value(json_object_get(cfg, "Cpus"));
	json_int_t mib = json_integer_value(json_object_get(cfg, "MemoryMiB"));
	return json_pack("{s:b, s:b, s:{s:s, s:i}, s:I, s:I, s:s}", "ReadonlyRootfs",
			 json_is_true(json_object_get(cfg, "ReadonlyRootfs")), "AutoRemove",
			 json_is_true(json_object_get(cfg, "AutoRemove")), "RestartPolicy", "Name",
			 b->restart_policy && *b->restart_policy ? b->restart_policy : "no", "MaximumRetryCount",
			 b->restart_max, "NanoCpus", cpus * 1000000000LL, "Memory", mib * 1024 * 1024,
			 "NetworkMode", str_or(cfg, "Network", "default"));
}

/* docker's Mounts: the recorded entries without a3s-box's own keys */
static json_t *mounts_json(const struct box_record *b)
{
	static const char *const keep[] = {"Type", "Name", "Source", "Destination", "Driver", "Mode", "RW", "Propagation"};
	json_t *out = json_array(), *m;
	size_t i;
	json_array_foreach(json_object_get(b->config, "Mounts"), i, m) {
		json_t *o = json_object();
		for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
			if (json_object_get(m, keep[k]))
				json_object_set(o, keep[k], json_object_get(m, keep[k]));
		json_array_append_new(out, o);
	}
	return out;
}

static json_t *network_json(const struct box_record *b)
{
	bool net = strcmp(str_or(b->config, "Network", "default"), "none") != 0;
	const json_t *ports = json_object_get(b->config, "Ports");
	return json_pack("{s:o, s:s}", "Ports", json_is_array(ports) ? box_ports_docker(ports) : json_object(), "IPAddress",
			 net ? "10.0.2.15" : "");
}

json_t *box_inspect_json(const struct box_record *b)
{
	const json_t *argv = json_object_get(b->config, "Argv");
	json_t *args = json_array(), *vm;
	char *name = xasprintf("/%s", b->name);
	json_t *j;
	for (size_t i = 1; i < json_array_size(argv); i++)
		json_array_append(args, json_array_get(argv, i));
	vm = json_pack("{s:s}", "State", box_vm_state(b->state));
	if (json_is_string(json_object_get(b->config, "Accelerator")))
		json_object_set(vm, "Accelerator", json_object_get(b->config, "Accelerator"));
	j = json_pack("{s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o}", "Id", b->id,
		      "Created", time_json(b->created_at), "Path", "",
		      "Args", args, "State", state_json(b), "Image", b->image_id, "Name", name, "RestartCount",
		      b->restart_count, "Platform", "linux", "Config", config_json(b), "HostConfig",
		      host_config_json(b), "NetworkSettings", network_json(b), "Mounts", mounts_json(b), "VM", vm);
	if (json_is_string(json_array_get(argv, 0)))
		json_object_set(j, "Path", json_array_get(argv, 0));
	free(name);
	return j;
}
