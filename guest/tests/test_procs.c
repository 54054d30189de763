/* Unit tests: the ps options `top` understands (guest/init/procs.c). */
#include <string.h>

#include "a3s/proto.h"
#include "procs.h"
#include "unit.h"

static int cols(struct procs_fmt *f, const char *a0, const char *a1, const char *a2)
{
	char *args[3] = {(char *)a0, (char *)a1, (char *)a2};
	size_t n = a2 ? 3 : a1 ? 2 : a0 ? 1 : 0;
	return procs_columns(args, n, f);
}

static int titles(const struct procs_fmt *f, const char *want)
{
	char got[256] = "";
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, f->title[i]);
	}
	if (strcmp(got, want))
		fprintf(stderr, "  got '%s'\n", got);
	return !strcmp(got, want);
}

TEST(defaults_and_presets)
{
	struct procs_fmt f;
	CHECK(cols(&f, NULL, NULL, NULL) == 0 && titles(&f, "UID PID PPID C STIME TTY TIME CMD"));
	CHECK(cols(&f, "-ef", NULL, NULL) == 0 && titles(&f, "UID PID PPID C STIME TTY TIME CMD"));
	CHECK(cols(&f, "-e", "-f", NULL) == 0 && titles(&f, "UID PID PPID C STIME TTY TIME CMD"));
	CHECK(cols(&f, "-e", NULL, NULL) == 0 && titles(&f, "PID TTY TIME CMD"));
	CHECK(cols(&f, "aux", NULL, NULL) == 0 &&
	      titles(&f, "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND"));
	CHECK(cols(&f, "-x", NULL, NULL) == 0 && titles(&f, "PID TTY STAT TIME COMMAND"));
	CHECK(cols(&f, "ax", NULL, NULL) == 0 && titles(&f, "PID TTY STAT TIME COMMAND"));
}

TEST(column_lists)
{
	struct procs_fmt f;
	CHECK(cols(&f, "-o", "pid,comm", NULL) == 0 && titles(&f, "PID COMMAND"));
	CHECK(cols(&f, "-eo", "pid,ppid,user,args", NULL) == 0 && titles(&f, "PID PPID USER COMMAND"));
	CHECK(cols(&f, "-opid,%cpu,%mem,etime,stat", NULL, NULL) == 0 && titles(&f, "PID %CPU %MEM ELAPSED STAT"));
	CHECK(cols(&f, "o", "pid cmd", NULL) == 0 && titles(&f, "PID CMD"));
	CHECK(cols(&f, "-o", "pid,,comm", NULL) == 0 && titles(&f, "PID COMMAND"));
}

TEST(unknown_goes_to_the_image_ps)
{
	struct procs_fmt f;
	CHECK(cols(&f, "-T", NULL, NULL) < 0);
	CHECK(cols(&f, "--sort=pid", NULL, NULL) < 0);
	CHECK(cols(&f, "-o", NULL, NULL) < 0);
	CHECK(cols(&f, "-o", "pid,wchan", NULL) < 0);
	CHECK(cols(&f, "-o", "pid=P", NULL) < 0);
	CHECK(cols(&f, "-o", "a_very_long_field_name_that_does_not_fit_anywhere", NULL) < 0);
	CHECK(cols(&f, "-", NULL, NULL) < 0);
	CHECK(cols(&f, "ef", NULL, NULL) < 0); /* BSD e is not UNIX -e */
	CHECK(cols(&f, "-u", NULL, NULL) < 0);
}

TEST(op_record)
{
	static const char yes[] = "arg\0ps\0op\0ps\0";
	static const char no[] = "arg\0ps\0op\0other\0";
	static const char cut[] = "arg\0ps\0op\0ps";
	CHECK(procs_wanted(yes, sizeof(yes) - 1));
	CHECK(!procs_wanted(no, sizeof(no) - 1));
	CHECK(!procs_wanted(cut, sizeof(cut) - 1));
	CHECK(!procs_wanted("", 0));
}

int main(void)
{
	RUN(defaults_and_presets);
	RUN(column_lists);
	RUN(unknown_goes_to_the_image_ps);
	RUN(op_record);
	return unit_done();
}
