/* Unit tests: the guest's tar codec and extraction (guest/init/tar.c, untar.c). */
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tar.h"
#include "unit.h"
#include "untar.h"

struct seen {
	int n;
	char names[8][5000];
	char links[8][5000];
	char types[8];
	uint64_t sizes[8];
	char data[256];
	size_t dlen;
};

static int on_entry(void *arg, const struct tar_entry *e)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", e->name);
		snprintf(s->links[s->n], sizeof(s->links[0]), "%s", e->link);
		s->types[s->n] = e->type;
		s->sizes[s->n] = e->size;
	}
	s->n++;
	return 0;
}

static int on_data(void *arg, const uint8_t *p, size_t n)
{
	struct seen *s = arg;

	if (s->dlen + n <= sizeof(s->data)) {
		memcpy(s->data + s->dlen, p, n);
		s->dlen += n;
	}
	return 0;
}

static const struct tar_sink sink = { on_entry, on_data };

/* Append an entry (header + data + padding) to buf at *n. */
static void add(uint8_t *buf, size_t *n, const char *name, mode_t mode, const char *link, const char *data)
{
	struct stat st = { .st_mode = mode, .st_size = data ? (off_t)strlen(data) : 0, .st_mtime = 1700000000 };

	*n += tar_header(name, &st, link, buf + *n);
	if (data) {
		size_t len = strlen(data);

		memcpy(buf + *n, data, len);
		memset(buf + *n + len, 0, (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK);
		*n += len + (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK;
	}
}

TEST(round_trip_byte_by_byte)
{
	static uint8_t buf[64 * 1024];
	static struct seen s;
	char longname[300], longlink[200];
	struct tar_reader r;
	size_t n = 0;
	int rc = 0;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memset(longlink, 'l', sizeof(longlink) - 1);
	longlink[sizeof(longlink) - 1] = '\0';
	add(buf, &n, "dir/", S_IFDIR | 0755, NULL, NULL);
	add(buf, &n, "dir/file with spaces", S_IFREG | 04755, NULL, "hello");
	add(buf, &n, longname, S_IFREG | 0600, NULL, "");
	add(buf, &n, "dir/link", S_IFLNK | 0777, longlink, NULL);
	memset(buf + n, 0, 1024);
	n += 1024;
	tar_reader_init(&r);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = tar_reader_feed(&r, buf + i, 1, &sink, &s);
	tar_reader_release(&r);
	CHECK(rc == 1);
	CHECK(s.n == 4);
	CHECK_STR(s.names[0], "dir/");
	CHECK(s.types[0] == '5');
	CHECK_STR(s.names[1], "dir/file with spaces");
	CHECK(s.types[1] == '0' && s.sizes[1] == 5);
	CHECK_STR(s.names[2], longname);
	CHECK(s.types[3] == '2');
	CHECK_STR(s.links[3], longlink);
	CHECK(s.dlen == 5 && !memcmp(s.data, "hello", 5));
}

TEST(rejects_bad_checksum)
{
	static uint8_t buf[4096];
	static struct seen s;
	struct tar_reader r;
	size_t n = 0;

	add(buf, &n, "f", S_IFREG | 0644, NULL, "x");
	buf[0] = 'g';
	tar_reader_init(&r);
	CHECK(tar_reader_feed(&r, buf, n, &sink, &s) == -1);
	CHECK(strstr(r.error, "checksum") != NULL);
	tar_reader_release(&r);
}

TEST(clean_names)
{
	char out[64];

	CHECK(tar_clean_name("./a//b/", out) == 0);
	CHECK_STR(out, "a/b");
	CHECK(tar_clean_name(".", out) == 0);
	CHECK_STR(out, "");
	CHECK(tar_clean_name("a/./b", out) == 0);
	CHECK_STR(out, "a/b");
	CHECK(tar_clean_name("/etc/passwd", out) == -1);
	CHECK(tar_clean_name("a/../../b", out) == -1);
	CHECK(tar_clean_name("..", out) == -1);
	CHECK(tar_clean_name("a/..b", out) == 0);
	CHECK_STR(out, "a/..b");
}

TEST(symlink_rule)
{
	CHECK(untar_link_inside("a", "b"));
	CHECK(untar_link_inside("d/a", "../b"));
	CHECK(!untar_link_inside("a", "../b"));
	CHECK(!untar_link_inside("d/a", "../../b"));
	CHECK(untar_link_inside("a", "/etc/passwd")); /* docker: relative to the link's directory */
	CHECK(!untar_link_inside("a", "/../etc"));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

TEST(extract_refuses_symlink_escape)
{
	static uint8_t buf[8192];
	char top[] = "/tmp/test-untar-XXXXXX", dest[64], outside[64];
	struct tar_reader r;
	struct untar u;
	size_t n = 0;
	int root, rc;
	struct stat st;

	CHECK(mkdtemp(top));
	snprintf(dest, sizeof(dest), "%s/d", top);
	snprintf(outside, sizeof(outside), "%s/x", top);
	mkdir(dest, 0755);
	mkdir(outside, 0755);
	add(buf, &n, "ok/file", S_IFREG | 0640, NULL, "data");
	add(buf, &n, "esc", S_IFLNK | 0777, "/", NULL); /* allowed: points at d/ itself */
	add(buf, &n, "esc/x/owned", S_IFREG | 0644, NULL, "bad");
	memset(buf + n, 0, 1024);
	n += 1024;
	root = open(dest, O_PATH | O_DIRECTORY);
	tar_reader_init(&r);
	untar_init(&u, root, 0);
	rc = tar_reader_feed(&r, buf, n, &untar_sink, &u);
	CHECK(rc == -1);
	CHECK(strstr(u.err.msg, "not a directory") != NULL);
	untar_release(&u);
	tar_reader_release(&r);
	close(root);
	snprintf(outside, sizeof(outside), "%s/d/ok/file", top);
	CHECK(stat(outside, &st) == 0 && (st.st_mode & 07777) == 0640 && st.st_mtime == 1700000000);
	snprintf(outside, sizeof(outside), "%s/x/owned", top);
	CHECK(stat(outside, &st) < 0);
	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	RUN(round_trip_byte_by_byte);
	RUN(rejects_bad_checksum);
	RUN(clean_names);
	RUN(symlink_rule);
	RUN(extract_refuses_symlink_escape);
	return unit_done();
}
