/* Layer paths: cleaning, whiteout names, symlink escapes, and applying
 * small layers built in memory (lib/image/path.c, layer.c). */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/layer.h"
#include "image/path.h"
#include "unit.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *clean(const char *in)
{
	char *out;
	struct err e;
	return image_path_clean(in, &out, &e) < 0 ? NULL : out;
}

#define CHECK_CLEAN(in, want)                         \
	do {                                          \
		char *c_ = clean(in);                 \
		int ok_ = c_ && !strcmp(c_, want);    \
		if (!ok_)                             \
			fprintf(stderr, "  clean(%s) = %s\n", in, c_ ? c_ : "(error)"); \
		free(c_);                             \
		CHECK(ok_);                           \
	} while (0)
#define CHECK_UNCLEAN(in)               \
	do {                            \
		char *c_ = clean(in);   \
		free(c_);               \
		CHECK(c_ == NULL);      \
	} while (0)

TEST(clean_paths)
{
	CHECK_CLEAN("a/b", "a/b");
	CHECK_CLEAN("./a/b", "a/b");
	CHECK_CLEAN("a//b/", "a/b");
	CHECK_CLEAN("./", "");
	CHECK_CLEAN(".", "");
	CHECK_CLEAN("a/./b/.", "a/b");
	CHECK_CLEAN("..a/b..", "..a/b..");
	CHECK_CLEAN("...", "...");
	CHECK_UNCLEAN("/etc/passwd");
	CHECK_UNCLEAN("../x");
	CHECK_UNCLEAN("a/../../x");
	CHECK_UNCLEAN("a/..");
	CHECK_UNCLEAN("./..");
}

static int kind_of(const char *p, char **target)
{
	enum image_whiteout k;
	struct err e;
	if (image_whiteout_kind(p, &k, target, &e) < 0)
		return -1;
	return (int)k;
}

TEST(whiteout_names)
{
	char *t = NULL;
	CHECK(kind_of("a/b", &t) == WH_NONE && !t);
	CHECK(kind_of("a/.wh.b", &t) == WH_FILE);
	CHECK_STR(t, "a/b");
	free(t);
	CHECK(kind_of(".wh.top", &t) == WH_FILE);
	CHECK_STR(t, "top");
	free(t);
	CHECK(kind_of("d/e/.wh..wh..opq", &t) == WH_OPAQUE);
	CHECK_STR(t, "d/e");
	free(t);
	CHECK(kind_of(".wh..wh..opq", &t) == WH_OPAQUE);
	CHECK_STR(t, "");
	free(t);
	CHECK(kind_of("x/.wh..wh.plnk", &t) == WH_META && !t);
	CHECK(kind_of("x/.wh.", &t) < 0);
	CHECK(kind_of("x/.wh..", &t) < 0);
	CHECK(kind_of("x/.wh...", &t) < 0);
	CHECK(kind_of("x/.whx", &t) == WH_NONE);
}

static char *mkroot(void)
{
	char tmpl[] = "/tmp/a3s-unit-XXXXXX";
	char *d = mkdtemp(tmpl), buf[4096];
	return d ? xstrdup(realpath(d, buf)) : NULL;
}

static void rmroot(char *d)
{
	struct err e;
	fs_rmtree(d, &e);
	free(d);
}

TEST(parents_must_be_real_directories)
{
	char *root = mkroot();
	struct err e = ERR_INIT;
	int fd;
	char *p;
	CHECK(root);
	fd = open(root, O_RDONLY | O_DIRECTORY);
	p = xasprintf("%s/dir", root);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/evil", root);
	CHECK(symlink("/etc", p) == 0);
	free(p);
	p = xasprintf("%s/file", root);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	free(p);
	CHECK(image_path_check_parents(fd, "dir/x", &e) == 0);
	CHECK(image_path_check_parents(fd, "missing/x/y", &e) == 0);
	CHECK(image_path_check_parents(fd, "evil", &e) == 0); /* the link itself may be replaced */
	CHECK(image_path_check_parents(fd, "evil/passwd", &e) < 0);
	CHECK(strstr(e.msg, "symlink 'evil'") != NULL);
	CHECK(image_path_check_parents(fd, "file/x", &e) < 0);
	CHECK(strstr(e.msg, "not a directory") != NULL);
	close(fd);
	rmroot(root);
}

/* ---- layers built in memory ---- */

struct tarbuf {
	struct archive *a;
	char buf[1 << 16];
	size_t used;
};

static void tb_open(struct tarbuf *t)
{
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	archive_write_open_memory(t->a, t->buf, sizeof(t->buf), &t->used);
}

static void tb_add(struct tarbuf *t, const char *name, mode_t type, mode_t perm, const char *data,
		   const char *link, int hard)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, 1000000000, 0);
	if (link && hard)
		archive_entry_set_hardlink(e, link);
	else if (link)
		archive_entry_set_symlink(e, link);
	archive_entry_set_size(e, data ? (la_int64_t)strlen(data) : 0);
	archive_write_header(t->a, e);
	if (data)
		archive_write_data(t->a, data, strlen(data));
	archive_entry_free(e);
}

static void tb_close(struct tarbuf *t)
{
	archive_write_close(t->a);
	archive_write_free(t->a);
}

#define FILE_(t, n, d) tb_add(t, n, AE_IFREG, 0644, d, NULL, 0)
#define DIR_(t, n) tb_add(t, n, AE_IFDIR, 0755, NULL, NULL, 0)
#define SYM_(t, n, l) tb_add(t, n, AE_IFLNK, 0777, NULL, l, 0)
#define HARD_(t, n, l) tb_add(t, n, AE_IFREG, 0644, NULL, l, 1)

static int exists(const char *root, const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	int r = fs_exists(p);
	free(p);
	return r;
}

static int apply(const char *root, struct tarbuf *t, struct err *e)
{
	return layer_apply_memory(root, t->buf, t->used, e);
}

TEST(whiteouts_and_opaque_dirs)
{
	char *root = mkroot();
	struct tarbuf *l1 = xcalloc(1, sizeof(*l1)), *l2 = xcalloc(1, sizeof(*l2));
	struct err e = ERR_INIT;
	CHECK(root);
	tb_open(l1);
	DIR_(l1, "a");
	FILE_(l1, "a/gone", "x");
	FILE_(l1, "a/kept", "x");
	DIR_(l1, "o");
	FILE_(l1, "o/lower", "x");
	DIR_(l1, "o/sub");
	FILE_(l1, "o/sub/deep", "x");
	FILE_(l1, "top", "x");
	tb_close(l1);
	tb_open(l2);
	/* the opaque marker comes after this layer's own file: both stay */
	FILE_(l2, "o/upper", "y");
	FILE_(l2, "o/.wh..wh..opq", "");
	FILE_(l2, "a/.wh.gone", "");
	FILE_(l2, ".wh.top", "");
	FILE_(l2, ".wh.never-existed", "");
	tb_close(l2);
	CHECK(apply(root, l1, &e) == 0);
	CHECK(apply(root, l2, &e) == 0);
	CHECK(!exists(root, "a/gone") && exists(root, "a/kept"));
	CHECK(!exists(root, "top"));
	CHECK(exists(root, "o/upper") && !exists(root, "o/lower") && !exists(root, "o/sub"));
	CHECK(!exists(root, "o/.wh..wh..opq") && !exists(root, "a/.wh.gone"));
	free(l1);
	free(l2);
	rmroot(root);
}

TEST(replacing_entries)
{
	char *root = mkroot();
	struct tarbuf *l1 = xcalloc(1, sizeof(*l1)), *l2 = xcalloc(1, sizeof(*l2));
	struct err e = ERR_INIT;
	struct stat st;
	char *p;
	tb_open(l1);
	DIR_(l1, "d");
	FILE_(l1, "d/f", "x");
	FILE_(l1, "f", "x");
	SYM_(l1, "s", "/etc");
	tb_close(l1);
	tb_open(l2);
	FILE_(l2, "d", "now a file"); /* a file over a directory */
	DIR_(l2, "f"); /* a directory over a file */
	DIR_(l2, "s"); /* a directory over a symlink */
	FILE_(l2, "s/inside", "ok");
	HARD_(l2, "hl", "s/inside");
	tb_close(l2);
	CHECK(apply(root, l1, &e) == 0);
	CHECK(apply(root, l2, &e) == 0);
	p = xasprintf("%s/d", root);
	CHECK(lstat(p, &st) == 0 && S_ISREG(st.st_mode));
	free(p);
	p = xasprintf("%s/s", root);
	CHECK(lstat(p, &st) == 0 && S_ISDIR(st.st_mode));
	free(p);
	p = xasprintf("%s/hl", root);
	CHECK(lstat(p, &st) == 0 && st.st_nlink == 2);
	free(p);
	free(l1);
	free(l2);
	rmroot(root);
}

/* Each of these layers must fail and leave nothing outside root. "VICTIM"
 * in a link stands for a directory outside root holding "passwd" and
 * "x/file"; with `lower`, the first entry is applied as a layer of its own
 * first (whiteouts only act on lower layers). */
TEST(escapes_are_refused)
{
	static const struct {
		const char *what;
		int n, lower, ok; /* ok: accepted, but must touch nothing outside */
		const char *names[3], *links[3];
		int kinds[3]; /* 0 file, 1 symlink, 2 hard link */
	} cases[] = {
		{"dotdot", 1, 0, 0, {"../escape"}, {NULL}, {0}},
		{"absolute", 1, 0, 0, {"/tmp/a3s-escape"}, {NULL}, {0}},
		{"through symlink", 2, 0, 0, {"evil", "evil/planted"}, {"VICTIM", NULL}, {1, 0}},
		{"through symlink, next layer", 2, 1, 0, {"evil", "evil/planted"}, {"VICTIM", NULL}, {1, 0}},
		{"through relative symlink", 2, 0, 0, {"evil", "evil/planted"}, {"../../../../VICTIM", NULL}, {1, 0}},
		{"hard link out", 1, 0, 0, {"h"}, {"../../etc/passwd"}, {2}},
		{"hard link absolute", 1, 0, 0, {"h"}, {"/etc/passwd"}, {2}},
		{"hard link through symlink", 2, 0, 0, {"evil", "h"}, {"VICTIM", "evil/passwd"}, {1, 2}},
		{"whiteout through symlink", 2, 1, 0, {"evil", "evil/.wh.passwd"}, {"VICTIM", NULL}, {1, 0}},
		{"opaque through symlink", 2, 1, 0, {"evil", "evil/x/.wh..wh..opq"}, {"VICTIM", NULL}, {1, 0}},
		{"opaque marker on a symlink", 2, 1, 1, {"d/evil", "d/evil/.wh..wh..opq"}, {"VICTIM", NULL}, {1, 0}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *root = mkroot(), *victim = mkroot();
		char *vfile = xasprintf("%s/passwd", victim), *vdir = xasprintf("%s/x", victim);
		char *vdeep = xasprintf("%s/x/file", victim), *planted = xasprintf("%s/planted", victim);
		struct tarbuf *lo = xcalloc(1, sizeof(*lo)), *t = xcalloc(1, sizeof(*t));
		struct err e = ERR_INIT;
		int rc = 0;
		close(open(vfile, O_CREAT | O_WRONLY, 0644));
		mkdir(vdir, 0755);
		close(open(vdeep, O_CREAT | O_WRONLY, 0644));
		tb_open(lo);
		tb_open(t);
		for (int j = 0; j < cases[i].n; j++) {
			struct tarbuf *dst = j == 0 && cases[i].lower ? lo : t;
			const char *link = cases[i].links[j];
			char *l = NULL;
			if (link && strstr(link, "VICTIM"))
				l = xasprintf("%.*s%s", (int)(strstr(link, "VICTIM") - link), link,
					      victim + (link[0] == '.' ? 1 : 0));
			if (cases[i].kinds[j] == 0)
				FILE_(dst, cases[i].names[j], "x");
			else if (cases[i].kinds[j] == 1)
				SYM_(dst, cases[i].names[j], l ? l : link);
			else
				HARD_(dst, cases[i].names[j], l ? l : link);
			free(l);
		}
		tb_close(lo);
		tb_close(t);
		if (cases[i].lower)
			rc = apply(root, lo, &e);
		if (rc == 0)
			rc = apply(root, t, &e);
		if ((rc == 0) != cases[i].ok)
			fprintf(stderr, "  case '%s': rc %d (%s)\n", cases[i].what, rc, e.msg);
		CHECK((rc == 0) == cases[i].ok);
		CHECK(!fs_exists("/tmp/a3s-escape") && !fs_exists(planted));
		CHECK(fs_exists(vfile) && fs_exists(vdeep));
		free(lo);
		free(t);
		free(vfile);
		free(vdir);
		free(vdeep);
		free(planted);
		rmroot(victim);
		rmroot(root);
	}
}

TEST(empty_and_garbage_layers)
{
	char *root = mkroot();
	struct err e = ERR_INIT;
	CHECK(layer_apply_memory(root, "", 0, &e) == 0);
	CHECK(layer_apply_memory(root, "this is not a tar archive at all, not even close....", 52, &e) < 0);
	rmroot(root);
}

int main(void)
{
	RUN(clean_paths);
	RUN(whiteout_names);
	RUN(parents_must_be_real_directories);
	RUN(whiteouts_and_opaque_dirs);
	RUN(replacing_entries);
	RUN(escapes_are_refused);
	RUN(empty_and_garbage_layers);
	return unit_done();
}
