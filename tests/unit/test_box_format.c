/* ps/inspect formatting of boxes (lib/box/format.c, lib/box/inspect.c). */
#include <jansson.h>
#include <stdlib.h>

#include "box/format.h"
#include "box/inspect.h"
#include "unit.h"

#define SEC 1000000000LL
#define NOW (1700000000LL * SEC)

static struct box_record *box(const char *state, const char *argv_json)
{
	struct box_record *b = xcalloc(1, sizeof(*b));
	json_error_t je;
	snprintf(b->id, sizeof(b->id), "%s", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	b->name = xstrdup("web");
	b->image_id = xstrdup("sha256:aaaa");
	b->image_ref = xstrdup("busybox");
	b->config = json_pack("{s:o, s:s, s:i, s:i}", "Argv", json_loads(argv_json, 0, &je), "Network", "default",
			      "Cpus", 2, "MemoryMiB", 512);
	b->labels = json_pack("{s:s, s:s}", "b", "2", "a", "1");
	snprintf(b->state, sizeof(b->state), "%s", state);
	b->restart_policy = xstrdup("no");
	b->error = xstrdup("");
	b->created_at = NOW - 60 * SEC;
	return b;
}

#define CHECK_STATUS(b, want)                                                    \
	do {                                                                     \
		char sb_[96];                                                    \
		CHECK_STR(box_status_string(b, NOW, sb_, sizeof(sb_)), want);    \
	} while (0)

TEST(status_strings)
{
	struct box_record *b = box("created", "[\"sh\"]");
	CHECK_STATUS(b, "Created");
	snprintf(b->state, sizeof(b->state), "running");
	b->started_at = NOW - 5 * SEC;
	CHECK_STATUS(b, "Up 5 seconds");
	snprintf(b->state, sizeof(b->state), "paused");
	CHECK_STATUS(b, "Up 5 seconds (Paused)");
	b->started_at = NOW;
	snprintf(b->state, sizeof(b->state), "running");
	CHECK_STATUS(b, "Up Less than a second");
	snprintf(b->state, sizeof(b->state), "exited");
	b->exit_code = 3;
	b->finished_at = NOW - 3 * SEC;
	CHECK_STATUS(b, "Exited (3) 3 seconds ago");
	b->finished_at = NOW - 2 * 3600 * SEC;
	CHECK_STATUS(b, "Exited (3) 2 hours ago");
	snprintf(b->state, sizeof(b->state), "restarting");
	b->exit_code = 1;
	b->finished_at = NOW - 2 * SEC;
	CHECK_STATUS(b, "Restarting (1) 2 seconds ago");
	snprintf(b->state, sizeof(b->state), "dead");
	CHECK_STATUS(b, "Dead");
	/* exited without ever starting (a failed start) reads as docker's Created */
	snprintf(b->state, sizeof(b->state), "exited");
	b->started_at = 0;
	CHECK_STATUS(b, "Created");
	box_record_free(b);
}

TEST(command_column)
{
	struct box_record *b = box("running", "[\"sh\", \"-c\", \"echo hello; sleep 1000\"]");
	char *s = box_command_column(b, false);
	CHECK_STR(s, "\"sh -c echo hello; s\xe2\x80\xa6\"");
	free(s);
	s = box_command_column(b, true);
	free(s);
	box_record_free(b);
	b = box("running", "[\"sh\", \"-c\", \"echo \\\"hi\\\"\\n\"]");
	s = box_command_column(b, true);
	CHECK_STR(s, "\"sh -c echo \\\"hi\\\"\\n\"");
	free(s);
	box_record_free(b);
	b = box("running", "[\"top\"]");
	s = box_command_column(b, false);
	CHECK_STR(s, "\"top\"");
	free(s);
	box_record_free(b);
}

TEST(ellipsis_and_quote)
{
	char *s = box_ellipsis("12345678901234567890", 20);
	CHECK_STR(s, "12345678901234567890");
	free(s);
	s = box_ellipsis("123456789012345678901", 20);
	CHECK_STR(s, "1234567890123456789\xe2\x80\xa6");
	free(s);
	s = box_ellipsis("\xc3\xa9\xc3\xa9\xc3\xa9", 2); /* runes, not bytes */
	CHECK_STR(s, "\xc3\xa9\xe2\x80\xa6");
	free(s);
	s = box_go_quote("a\tb\\c\x01");
	CHECK_STR(s, "\"a\\tb\\\\c\\x01\"");
	free(s);
}

TEST(labels_and_vm_state)
{
	struct box_record *b = box("exited", "[\"sh\"]");
	char *s = box_labels_string(b);
	CHECK_STR(s, "a=1,b=2");
	free(s);
	CHECK_STR(box_vm_state("created"), "Created");
	CHECK_STR(box_vm_state("running"), "Busy");
	CHECK_STR(box_vm_state("paused"), "Busy");
	CHECK_STR(box_vm_state("exited"), "Stopped");
	CHECK_STR(box_vm_state("dead"), "Stopped");
	CHECK(box_state_valid("restarting"));
	CHECK(!box_state_valid("up"));
	box_record_free(b);
}

static bool match(const struct box_record *b, const char *const *specs)
{
	struct box_filter f = BOX_FILTER_INIT;
	struct err e = ERR_INIT;
	bool m;
	for (; *specs; specs++)
		if (box_filter_add(&f, *specs, &e) < 0)
			abort();
	m = box_filter_match(&f, b);
	box_filter_release(&f);
	return m;
}

TEST(filters)
{
	struct box_record *b = box("exited", "[\"sh\"]");
	b->exit_code = 2;
	CHECK(match(b, (const char *const[]){NULL}));
	CHECK(match(b, (const char *const[]){"name=web", NULL}));
	CHECK(match(b, (const char *const[]){"name=^/we", NULL}));
	CHECK(match(b, (const char *const[]){"name=^we", NULL}));
	CHECK(!match(b, (const char *const[]){"name=db", NULL}));
	CHECK(match(b, (const char *const[]){"name=db", "name=web", NULL})); /* alternatives */
	CHECK(match(b, (const char *const[]){"id=0123", NULL}));
	CHECK(!match(b, (const char *const[]){"id=ffff", NULL}));
	CHECK(match(b, (const char *const[]){"label=a", NULL}));
	CHECK(match(b, (const char *const[]){"label=a=1", "label=b", NULL}));
	CHECK(!match(b, (const char *const[]){"label=a=2", NULL}));
	CHECK(!match(b, (const char *const[]){"label=a", "label=c", NULL})); /* all must hold */
	CHECK(match(b, (const char *const[]){"status=exited", NULL}));
	CHECK(match(b, (const char *const[]){"status=running", "status=exited", NULL}));
	CHECK(!match(b, (const char *const[]){"status=running", NULL}));
	CHECK(match(b, (const char *const[]){"ancestor=busybox", NULL}));
	CHECK(!match(b, (const char *const[]){"ancestor=alpine", NULL}));
	CHECK(match(b, (const char *const[]){"exited=2", NULL}));
	CHECK(!match(b, (const char *const[]){"exited=0", NULL}));
	CHECK(!match(b, (const char *const[]){"name=web", "status=running", NULL})); /* keys AND */
	box_record_free(b);
}

TEST(filter_ancestor_ids)
{
	struct box_record *b = box("running", "[\"sh\"]");
	struct box_filter f = BOX_FILTER_INIT;
	struct err e = ERR_INIT;
	CHECK(box_filter_add(&f, "ancestor=sha256:aa", &e) == 0);
	CHECK(!box_filter_match(&f, b));
	strv_push(&f.ancestor_ids, "sha256:aaaa"); /* what the CLI resolved */
	CHECK(box_filter_match(&f, b));
	box_filter_release(&f);
	box_record_free(b);
}

TEST(bad_filters)
{
	struct box_filter f = BOX_FILTER_INIT;
	struct err e = ERR_INIT;
	CHECK(box_filter_add(&f, "status=up", &e) < 0 && e.kind == ERR_USAGE);
	CHECK_STR(e.msg, "invalid filter 'status=up'");
	CHECK(box_filter_add(&f, "color=red", &e) < 0);
	CHECK_STR(e.msg, "invalid filter 'color'");
	CHECK(box_filter_add(&f, "name", &e) < 0);
	CHECK(box_filter_add(&f, "name=(", &e) < 0);
	CHECK(box_filter_add(&f, "exited=x", &e) < 0);
	box_filter_release(&f);
}

TEST(inspect_json)
{
	struct box_record *b = box("running", "[\"sh\", \"-c\", \"x\"]");
	json_t *j;
	b->pid = 42;
	b->started_at = NOW;
	b->created_at = 1700000000LL * SEC + 123000000;
	j = box_inspect_json(b);
	CHECK_STR(json_string_value(json_object_get(j, "Name")), "/web");
	CHECK_STR(json_string_value(json_object_get(j, "Path")), "sh");
	CHECK(json_array_size(json_object_get(j, "Args")) == 2);
	CHECK_STR(json_string_value(json_object_get(j, "Created")), "2023-11-14T22:13:20.123Z");
	CHECK(json_is_true(json_object_get(json_object_get(j, "State"), "Running")));
	CHECK(json_integer_value(json_object_get(json_object_get(j, "State"), "Pid")) == 42);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "State"), "FinishedAt")),
		  "0001-01-01T00:00:00Z");
	CHECK(json_integer_value(json_object_get(json_object_get(j, "HostConfig"), "NanoCpus")) == 2000000000LL);
	CHECK(json_integer_value(json_object_get(json_object_get(j, "HostConfig"), "Memory")) == 512LL << 20);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "NetworkSettings"), "IPAddress")),
		  "10.0.2.15");
	CHECK(json_is_object(json_object_get(json_object_get(j, "NetworkSettings"), "Ports")));
	CHECK(json_is_null(json_object_get(json_object_get(j, "Config"), "Entrypoint")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "Config"), "Image")), "busybox");
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "VM"), "State")), "Busy");
	json_decref(j);
	box_record_free(b);
}

int main(void)
{
	RUN(status_strings);
	RUN(command_column);
	RUN(ellipsis_and_quote);
	RUN(labels_and_vm_state);
	RUN(filters);
	RUN(filter_ancestor_ids);
	RUN(bad_filters);
	RUN(inspect_json);
	return unit_done();
}
