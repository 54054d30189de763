/* Unit tests: docker-style user resolution (guest/init/user.c). */
#include <string.h>

#include "unit.h"
#include "user.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"\n"
	"  \n"
	"broken line without colons\n"
	"bad:x:notanumber:0::/nowhere:/bin/sh\n"
	"app:x:1000:1000:App User:/home/app:/bin/sh\r\n"
	"nohome:x:1001:1001:::/bin/sh\n"
	"dup:x:2000:2000::/first:/bin/sh\n"
	"dup:x:2001:2001::/second:/bin/sh"; /* no final newline */

static const char group[] =
	"root:x:0:\n"
	"wheel:x:10:root,app\n"
	"app:x:1000:\n"
	"audio:x:29:app\n"
	"staff:x:50:other,app,more\n"
	"video:x:44:application\n"
	"dup:x:2000:\n";

struct res {
	int r;
	struct user_ids u;
	struct ierr e;
};

static struct res resolve(const char *spec)
{
	struct res x;

	memset(&x, 0, sizeof(x));
	x.r = user_resolve(spec, passwd, strlen(passwd), group, strlen(group), &x.u, &x.e);
	return x;
}

TEST(empty_is_root)
{
	struct res x = resolve("");

	CHECK(x.r == 0 && x.u.uid == 0 && x.u.gid == 0);
	CHECK_STR(x.u.home, "/root");
	CHECK(x.u.ngroups == 1 && x.u.groups[0] == 10); /* wheel lists root */
	user_ids_release(&x.u);
	x = resolve(NULL);
	CHECK(x.r == 0 && x.u.uid == 0);
	user_ids_release(&x.u);
}

TEST(by_name)
{
	struct res x = resolve("app");

	CHECK(x.r == 0 && x.u.uid == 1000 && x.u.gid == 1000);
	CHECK_STR(x.u.home, "/home/app");
	/* wheel, audio, staff; not video ("application" is not "app") */
	CHECK(x.u.ngroups == 3);
	CHECK(x.u.groups[0] == 10 && x.u.groups[1] == 29 && x.u.groups[2] == 50);
	user_ids_release(&x.u);
}

TEST(by_uid_in_passwd)
{
	struct res x = resolve("1000");

	CHECK(x.r == 0 && x.u.uid == 1000 && x.u.gid == 1000 && x.u.ngroups == 3);
	CHECK_STR(x.u.home, "/home/app");
	user_ids_release(&x.u);
}

TEST(by_uid_not_in_passwd)
{
	struct res x = resolve("4242");

	CHECK(x.r == 0 && x.u.uid == 4242 && x.u.gid == 0 && x.u.ngroups == 0);
	CHECK_STR(x.u.home, "/");
	user_ids_release(&x.u);
}

TEST(uid_and_gid)
{
	struct res x = resolve("4242:4343");

	CHECK(x.r == 0 && x.u.uid == 4242 && x.u.gid == 4343 && x.u.ngroups == 0);
	user_ids_release(&x.u);
	x = resolve("app:50");
	CHECK(x.r == 0 && x.u.uid == 1000 && x.u.gid == 50);
	CHECK(x.u.ngroups == 0); /* explicit group: no supplementary groups */
	CHECK_STR(x.u.home, "/home/app");
	user_ids_release(&x.u);
}

TEST(name_and_group_name)
{
	struct res x = resolve("app:audio");

	CHECK(x.r == 0 && x.u.uid == 1000 && x.u.gid == 29 && x.u.ngroups == 0);
	user_ids_release(&x.u);
	x = resolve("daemon:wheel");
	CHECK(x.r == 0 && x.u.uid == 1 && x.u.gid == 10);
	CHECK_STR(x.u.home, "/usr/sbin");
	user_ids_release(&x.u);
	x = resolve(":audio"); /* root, group audio */
	CHECK(x.r == 0 && x.u.uid == 0 && x.u.gid == 29);
	user_ids_release(&x.u);
}

TEST(unknown_names_fail_like_docker)
{
	struct res x = resolve("nobody");

	CHECK(x.r == -1);
	CHECK_STR(x.e.msg, "unable to find user nobody: no matching entries in passwd file");
	CHECK(x.u.home == NULL && x.u.groups == NULL);
	x = resolve("app:nogroup");
	CHECK(x.r == -1);
	CHECK_STR(x.e.msg, "unable to find group nogroup: no matching entries in group file");
	x = resolve("-1");
	CHECK(x.r == -1);
	x = resolve("2147483648"); /* above runc's range */
	CHECK(x.r == -1);
}

TEST(first_match_wins_and_empty_home)
{
	struct res x = resolve("dup");

	CHECK(x.r == 0 && x.u.uid == 2000);
	CHECK_STR(x.u.home, "/first");
	user_ids_release(&x.u);
	x = resolve("nohome");
	CHECK(x.r == 0 && x.u.uid == 1001);
	CHECK_STR(x.u.home, "/");
	user_ids_release(&x.u);
}

TEST(malformed_lines_are_skipped)
{
	struct res x = resolve("bad");

	CHECK(x.r == -1);
	x = resolve("broken line without colons");
	CHECK(x.r == -1);
}

TEST(missing_files)
{
	struct user_ids u;
	struct ierr e;

	CHECK(user_resolve("", NULL, 0, NULL, 0, &u, &e) == 0);
	CHECK(u.uid == 0 && u.gid == 0 && u.ngroups == 0);
	CHECK_STR(u.home, "/root"); /* docker's default for root */
	user_ids_release(&u);
	CHECK(user_resolve("7:8", NULL, 0, NULL, 0, &u, &e) == 0);
	CHECK(u.uid == 7 && u.gid == 8);
	CHECK_STR(u.home, "/");
	user_ids_release(&u);
	CHECK(user_resolve("root", NULL, 0, NULL, 0, &u, &e) == -1);
}

TEST(buffers_need_no_nul)
{
	/* the length, not a NUL, ends the data: "app" must not be seen */
	const char pw[] = "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/h:/bin/sh";
	struct user_ids u;
	struct ierr e;

	CHECK(user_resolve("app", pw, 26, NULL, 0, &u, &e) == -1);
	CHECK(user_resolve("root", pw, 26, NULL, 0, &u, &e) == 0);
	CHECK(u.uid == 0);
	user_ids_release(&u);
}

int main(void)
{
	RUN(empty_is_root);
	RUN(by_name);
	RUN(by_uid_in_passwd);
	RUN(by_uid_not_in_passwd);
	RUN(uid_and_gid);
	RUN(name_and_group_name);
	RUN(unknown_names_fail_like_docker);
	RUN(first_match_wins_and_empty_home);
	RUN(malformed_lines_are_skipped);
	RUN(missing_files);
	RUN(buffers_need_no_nul);
	return unit_done();
}
