/* Unit tests: CONFIG record parsing and frame parsing (guest/init). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "cfg.h"
#include "frame.h"
#include "unit.h"

/* Build a payload from "k", "v", "k", "v", ..., NULL (sizeof-safe). */
static size_t build(char *buf, size_t cap, const char **kv)
{
	size_t n = 0;

	for (; *kv; kv++) {
		size_t l = strlen(*kv) + 1;

		if (n + l > cap)
			abort();
		memcpy(buf + n, *kv, l);
		n += l;
	}
	return n;
}

TEST(full_config)
{
	const char *kv[] = { "arg", "/bin/sh", "arg", "-c", "arg", "echo hi", "env", "A=1",
			     "env", "PATH=/bin", "workdir", "/w", "user", "1000:1000",
			     "hostname", "box", "stdin", "1", "net.ip", "10.0.2.15/24",
			     "net.gw", "10.0.2.2", "net.dns", "10.0.2.3", "net.dns", "1.1.1.1",
			     "rw", "1", "future.key", "ignored", NULL };
	char buf[1024];
	size_t n = build(buf, sizeof(buf), kv);
	struct cfg c;

	CHECK(cfg_parse(buf, n, &c) == 0);
	CHECK(c.argc == 3);
	CHECK_STR(c.argv[0], "/bin/sh");
	CHECK_STR(c.argv[2], "echo hi");
	CHECK(c.argv[3] == NULL);
	CHECK(c.envc == 2);
	CHECK_STR(c.env[1], "PATH=/bin");
	CHECK(c.env[2] == NULL);
	CHECK_STR(c.workdir, "/w");
	CHECK_STR(c.user, "1000:1000");
	CHECK_STR(c.hostname, "box");
	CHECK(c.stdin_open == 1);
	CHECK(c.rw == 1);
	CHECK_STR(c.net_ip, "10.0.2.15/24");
	CHECK_STR(c.net_gw, "10.0.2.2");
	CHECK(c.ndns == 2);
	CHECK_STR(c.dns[1], "1.1.1.1");
	CHECK(c.dns[2] == NULL);
	cfg_release(&c);
}

TEST(exec_and_tty_records)
{
	const char *kv[] = { "arg", "sh", "tty", "1", "rows", "40", "cols", "132", "detach", "1",
			     "privileged", "1", NULL };
	const char *bad[] = { "arg", "sh", "tty", "yes", "rows", "70000", "cols", "12x", NULL };
	char buf[256];
	size_t n = build(buf, sizeof(buf), kv);
	struct cfg c;

	CHECK(cfg_parse(buf, n, &c) == 0);
	CHECK(c.tty == 1 && c.rows == 40 && c.cols == 132);
	CHECK(c.detach == 1 && c.privileged == 1);
	cfg_release(&c);
	n = build(buf, sizeof(buf), bad);
	CHECK(cfg_parse(buf, n, &c) == 0);
	CHECK(c.tty == 0 && c.rows == 0 && c.cols == 0 && c.detach == 0);
	cfg_release(&c);
}

TEST(minimal_config_has_empty_arrays)
{
	const char *kv[] = { "arg", "true", NULL };
	char buf[64];
	size_t n = build(buf, sizeof(buf), kv);
	struct cfg c;

	CHECK(cfg_parse(buf, n, &c) == 0);
	CHECK(c.env && c.env[0] == NULL && c.envc == 0);
	CHECK(c.dns && c.dns[0] == NULL);
	CHECK(!c.workdir && !c.user && !c.hostname && !c.net_ip);
	CHECK(c.stdin_open == 0 && c.rw == 0);
	cfg_release(&c);
}

TEST(singular_keys_last_wins)
{
	const char *kv[] = { "arg", "x", "workdir", "/a", "workdir", "/b", "stdin", "1",
			     "stdin", "0", NULL };
	char buf[128];
	size_t n = build(buf, sizeof(buf), kv);
	struct cfg c;

	CHECK(cfg_parse(buf, n, &c) == 0);
	CHECK_STR(c.workdir, "/b");
	CHECK(c.stdin_open == 0);
	cfg_release(&c);
}

TEST(many_args_keep_order)
{
	size_t cap = 100000 * 12, n = 0;
	char *buf = malloc(cap);
	struct cfg c;
	int ok = 1;

	for (int i = 0; i < 100000; i++)
		n += (size_t)snprintf(buf + n, cap - n, "arg%c%d%c", 0, i, 0);
	CHECK(cfg_parse(buf, n, &c) == 0);
	CHECK(c.argc == 100000);
	for (int i = 0; i < 100000 && ok; i++)
		ok = atoi(c.argv[i]) == i;
	CHECK(ok);
	CHECK(c.argv[100000] == NULL);
	cfg_release(&c);
	free(buf);
}

static int rejects(const char *buf, size_t n)
{
	struct cfg c;

	c.error = NULL;
	return cfg_parse(buf, n, &c) < 0 && c.error && !c.argv && !c.env;
}

TEST(rejects_malformed)
{
	CHECK(rejects("", 0)); /* no arg */
	CHECK(rejects("arg\0x", 5)); /* value without NUL */
	CHECK(rejects("arg", 3)); /* key without NUL */
	CHECK(rejects("arg\0", 4)); /* no value at all */
	CHECK(rejects("\0x\0arg\0x\0", 9)); /* empty key */
	CHECK(rejects("env\0A=1\0", 8)); /* no arg */
	CHECK(rejects("arg\0\0", 5)); /* empty command */
	CHECK(rejects("arg\0x\0env\0NOEQ\0", 15));
	CHECK(rejects("arg\0x\0env\0=v\0", 13));
	CHECK(rejects("arg\0x\0workdir\0rel\0", 18));
}

TEST(mount_records)
{
	static const char rec[] = "arg\0x\0readonly\0001\0mount\0share 3 ro,copy /a b\0mount\0tmpfs - /t\0"
				  "mount\0tmpfs size=1,noexec /u\0";
	struct cfg c;
	struct cfg_mount m;
	const char *why;

	CHECK(cfg_parse(rec, sizeof(rec) - 1, &c) == 0);
	CHECK(c.read_only == 1 && c.nmounts == 3);
	CHECK(cfg_mount_parse(c.mounts[0], &m, &why) == 0);
	CHECK(m.share && m.index == 3 && m.ro && m.copy && !strcmp(m.dest, "/a b"));
	CHECK(cfg_mount_parse(c.mounts[1], &m, &why) == 0);
	CHECK(!m.share && !m.opts[0] && !strcmp(m.dest, "/t"));
	CHECK(cfg_mount_parse(c.mounts[2], &m, &why) == 0);
	CHECK(!strcmp(m.opts, "size=1,noexec") && !strcmp(m.dest, "/u"));
	cfg_release(&c);
	CHECK(cfg_mount_parse("share 0 rw /x", &m, &why) == 0 && !m.ro && !m.copy);
	CHECK(cfg_mount_parse("share 0 rw /", &m, &why) < 0);
	CHECK(cfg_mount_parse("share 0 rw x", &m, &why) < 0);
	CHECK(cfg_mount_parse("share x rw /x", &m, &why) < 0);
	CHECK(cfg_mount_parse("share 0 rx /x", &m, &why) < 0);
	CHECK(cfg_mount_parse("share 0 rw,cop /x", &m, &why) < 0);
	CHECK(cfg_mount_parse("share 0 rw", &m, &why) < 0);
	CHECK(cfg_mount_parse("share 999999999 rw /x", &m, &why) < 0);
	CHECK(cfg_mount_parse("tmpfs  /x", &m, &why) < 0);
	CHECK(cfg_mount_parse("bind 0 rw /x", &m, &why) < 0);
	CHECK(rejects("arg\0x\0mount\0nope\0", 19));
}

TEST(rejects_oversize)
{
	size_t n = A3S_FRAME_MAX + 1;
	char *buf = calloc(1, n);

	memcpy(buf, "arg\0x\0", 6);
	/* the rest are NULs: empty keys, but the size check comes first */
	CHECK(rejects(buf, n));
	free(buf);
}

/* Whatever the bytes, cfg_parse returns and leaves a consistent result. */
TEST(random_bytes)
{
	static const char alphabet[] = { 0, 0, 0, 'a', 'r', 'g', 'e', 'n', 'v', '=', '/', 'x' };
	uint32_t seed = 12345;
	char buf[64];

	for (int iter = 0; iter < 200000; iter++) {
		size_t n = (seed = seed * 1103515245 + 12345) % sizeof(buf);
		struct cfg c;

		for (size_t i = 0; i < n; i++)
			buf[i] = alphabet[((seed = seed * 1103515245 + 12345) >> 16) % sizeof(alphabet)];
		if (cfg_parse(buf, n, &c) == 0) {
			CHECK(c.argc > 0 && c.argv[0][0] && c.argv[c.argc] == NULL);
			cfg_release(&c);
		} else {
			CHECK(c.error != NULL);
		}
	}
}

static size_t hdr(uint8_t *b, uint8_t type, uint8_t ver, uint32_t len)
{
	uint32_t le = a3s_le32(len);

	b[0] = type;
	b[1] = ver;
	b[2] = b[3] = 0;
	memcpy(b + 4, &le, 4);
	return 8;
}

TEST(frame_parse_whole_and_partial)
{
	uint8_t b[32];
	struct frame f;
	size_t n = hdr(b, A3S_FRAME_STDIN, A3S_PROTO_VERSION, 3);

	memcpy(b + n, "abcXYZ", 6);
	CHECK(frame_parse(b, 0, &f) == 0);
	CHECK(frame_parse(b, 7, &f) == 0);
	CHECK(frame_parse(b, 10, &f) == 0);
	CHECK(frame_parse(b, 11, &f) == 11);
	CHECK(frame_parse(b, 14, &f) == 11);
	CHECK(f.type == A3S_FRAME_STDIN && f.len == 3 && !memcmp(f.payload, "abc", 3));

	hdr(b, A3S_FRAME_ACK, A3S_PROTO_VERSION, 0);
	CHECK(frame_parse(b, 8, &f) == 8 && f.len == 0);
}

TEST(frame_parse_rejects)
{
	uint8_t b[16];
	struct frame f;

	hdr(b, A3S_FRAME_STDIN, A3S_PROTO_VERSION + 1, 0);
	CHECK(frame_parse(b, 8, &f) == -1);
	hdr(b, 0, A3S_PROTO_VERSION, 0);
	CHECK(frame_parse(b, 8, &f) == -1);
	hdr(b, A3S_FRAME_TYPE_MAX + 1, A3S_PROTO_VERSION, 0);
	CHECK(frame_parse(b, 8, &f) == -1);
	hdr(b, A3S_FRAME_STDIN, A3S_PROTO_VERSION, A3S_FRAME_MAX + 1);
	CHECK(frame_parse(b, 8, &f) == -1);
	hdr(b, A3S_FRAME_STDIN, A3S_PROTO_VERSION, 0);
	b[3] = 1; /* reserved must be zero */
	CHECK(frame_parse(b, 8, &f) == -1);
	hdr(b, A3S_FRAME_STDIN, A3S_PROTO_VERSION, A3S_FRAME_MAX);
	CHECK(frame_parse(b, 8, &f) == 0); /* legal, just incomplete */
}

/* The reader hands out host frames and stops at one only a guest may send. */
TEST(frame_reader_direction)
{
	struct frame_reader r;
	struct frame f;
	int p[2];
	uint8_t b[32];
	size_t n = 0;

	CHECK(pipe(p) == 0);
	n += hdr(b + n, A3S_FRAME_STDIN, A3S_PROTO_VERSION, 2);
	memcpy(b + n, "hi", 2);
	n += 2;
	n += hdr(b + n, A3S_FRAME_STDOUT, A3S_PROTO_VERSION, 0);
	CHECK(write(p[1], b, n) == (ssize_t)n);
	close(p[1]);
	frame_reader_init(&r, p[0]);
	CHECK(frame_reader_fill(&r) == (ssize_t)n);
	CHECK(frame_reader_next(&r, &f) == 1 && f.type == A3S_FRAME_STDIN && f.len == 2);
	CHECK(frame_reader_next(&r, &f) == -1);
	CHECK(frame_reader_fill(&r) == 0); /* EOF */
	frame_reader_release(&r);
	close(p[0]);
}

int main(void)
{
	RUN(full_config);
	RUN(exec_and_tty_records);
	RUN(minimal_config_has_empty_arrays);
	RUN(singular_keys_last_wins);
	RUN(many_args_keep_order);
	RUN(rejects_malformed);
	RUN(mount_records);
	RUN(rejects_oversize);
	RUN(random_bytes);
	RUN(frame_parse_whole_and_partial);
	RUN(frame_parse_rejects);
	RUN(frame_reader_direction);
	return unit_done();
}
