/* Unit tests: docker's cp path rules (lib/box/cppath.c, lib/box/cparchive.c). */
#include <stdlib.h>

#include "box/cparchive.h"
#include "box/cppath.h"
#include "unit.h"

#define EQ(call, want)                      \
	do {                                \
		char *got_ = (call);        \
		int ok_ = !strcmp(got_, want); \
		if (!ok_)                   \
			fprintf(stderr, "  got '%s'\n", got_); \
		free(got_);                 \
		CHECK(ok_);                 \
	} while (0)

TEST(clean_like_go)
{
	EQ(cp_path_clean(""), ".");
	EQ(cp_path_clean("/"), "/");
	EQ(cp_path_clean("/a//b/./c/"), "/a/b/c");
	EQ(cp_path_clean("/../a/.."), "/");
	EQ(cp_path_clean("a/../../b"), "../b");
	EQ(cp_path_clean("./"), ".");
	EQ(cp_path_clean("a/b/../c/."), "a/c");
}

TEST(base_and_dir)
{
	EQ(cp_path_base("/a/b/"), "b");
	EQ(cp_path_base("/"), "/");
	EQ(cp_path_base("/a/."), ".");
	EQ(cp_path_dir("/a/b"), "/a");
	EQ(cp_path_dir("/a"), "/");
	EQ(cp_path_dir("a"), ".");
}

TEST(norm_keeps_trailing_dot_and_slash)
{
	EQ(cp_path_norm("/a//b/."), "/a/b/.");
	EQ(cp_path_norm("/a/b/"), "/a/b/");
	EQ(cp_path_norm("/a/./b"), "/a/b");
	EQ(cp_path_norm("/."), "/.");
	CHECK(cp_path_asserts_dir("/a/"));
	CHECK(cp_path_asserts_dir("/a/."));
	CHECK(!cp_path_asserts_dir("/a"));
}

TEST(split_dir_entry)
{
	char *d, *b;
	cp_path_split("/a/b/.", &d, &b);
	CHECK_STR(d, "/a/b");
	CHECK_STR(b, ".");
	free(d);
	free(b);
	cp_path_split("/a/b/", &d, &b);
	CHECK_STR(d, "/a");
	CHECK_STR(b, "b");
	free(d);
	free(b);
}

TEST(rebase_name)
{
	char *rb = NULL;
	EQ(cp_path_rebase_name("/x/link", "/y/target", &rb), "/y/target");
	CHECK_STR(rb, "link");
	free(rb);
	EQ(cp_path_rebase_name("/x/link/.", "/y/target", &rb), "/y/target/.");
	CHECK(rb == NULL);
	EQ(cp_path_rebase_name("/x/same", "/y/same", &rb), "/y/same");
	CHECK(rb == NULL);
}

TEST(join)
{
	EQ(cp_path_join("/a/b", "../c"), "/a/c");
	EQ(cp_path_join("/a/b", "/etc/x"), "/etc/x");
}

TEST(docker_symlink_rule)
{
	CHECK(cp_link_inside("a", "b"));
	CHECK(cp_link_inside("d/a", "../b"));
	CHECK(!cp_link_inside("a", "../b"));
	CHECK(cp_link_inside("a", "/etc/passwd"));
	CHECK(!cp_link_inside("a", "/../x"));
}

int main(void)
{
	RUN(clean_like_go);
	RUN(base_and_dir);
	RUN(norm_keeps_trailing_dot_and_slash);
	RUN(split_dir_entry);
	RUN(rebase_name);
	RUN(join);
	RUN(docker_symlink_rule);
	return unit_done();
}
