#include <jansson.h>
#include <stdlib.h>

#include "box/mounts.h"
#include "box/spec.h"
#include "unit.h"

static const char *str(const json_t *m, const char *k)
{
	return json_string_value(json_object_get(m, k));
}

static json_t *one(int (*fn)(const char *, json_t *, struct err *), const char *spec)
{
	json_t *l = json_array(), *m;
	struct err e = ERR_INIT;
	if (fn(spec, l, &e) < 0 || json_array_size(l) != 1) {
		fprintf(stderr, "  %s: %s\n", spec, e.msg);
		json_decref(l);
		return NULL;
	}
	m = json_incref(json_array_get(l, 0));
	json_decref(l);
	return m;
}

static const char *fails(int (*fn)(const char *, json_t *, struct err *), const char *spec)
{
	static struct err e;
	json_t *l = json_array();
	int rc;
	err_clear(&e);
	rc = fn(spec, l, &e);
	json_decref(l);
	return rc < 0 && e.kind == ERR_USAGE ? e.msg : NULL;
}

TEST(path_clean)
{
	const char *cases[][2] = {{"/", "/"}, {"/a/", "/a"}, {"//a//b/./c/..", "/a/b"}, {"/..", "/"},
				  {"/a/../../b", "/b"}, {"/a b/c", "/a b/c"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *c = box_path_clean(cases[i][0]);
		CHECK_STR(c, cases[i][1]);
		free(c);
	}
	CHECK(box_path_clean("rel") == NULL);
	CHECK(box_path_clean("") == NULL);
}

TEST(volume_names)
{
	CHECK(box_volume_name_valid("ab"));
	CHECK(box_volume_name_valid("a_b.c-d9"));
	CHECK(!box_volume_name_valid("a"));
	CHECK(!box_volume_name_valid("_ab"));
	CHECK(!box_volume_name_valid("a/b"));
	CHECK(!box_volume_name_valid("a:b"));
}

TEST(dash_v_forms)
{
	json_t *m = one(box_mount_parse_volume, "/host/dir/:/data:ro");
	CHECK(m);
	CHECK_STR(str(m, "Type"), "bind");
	CHECK_STR(str(m, "Source"), "/host/dir");
	CHECK_STR(str(m, "Destination"), "/data");
	CHECK(json_is_false(json_object_get(m, "RW")));
	CHECK(json_is_true(json_object_get(m, "Create")));
	json_decref(m);
	m = one(box_mount_parse_volume, "named:/v:nocopy");
	CHECK(m);
	CHECK_STR(str(m, "Type"), "volume");
	CHECK_STR(str(m, "Name"), "named");
	CHECK(json_is_true(json_object_get(m, "NoCopy")) && json_is_true(json_object_get(m, "RW")));
	json_decref(m);
	m = one(box_mount_parse_volume, "/anon/");
	CHECK(m);
	CHECK_STR(str(m, "Name"), "");
	CHECK_STR(str(m, "Destination"), "/anon");
	json_decref(m);
	CHECK(fails(box_mount_parse_volume, "/a:/b:c:d"));
	CHECK(fails(box_mount_parse_volume, "/a:ro"));
	CHECK(fails(box_mount_parse_volume, "/a:/"));
	CHECK(fails(box_mount_parse_volume, "/a:b"));
	CHECK(fails(box_mount_parse_volume, "./a:/b"));
	CHECK(fails(box_mount_parse_volume, "/a:/b:ro,rw"));
	CHECK(fails(box_mount_parse_volume, "/a:/b:nocopy"));
	CHECK(fails(box_mount_parse_volume, ":/b"));
	CHECK(fails(box_mount_parse_volume, ""));
}

TEST(mount_forms)
{
	json_t *m = one(box_mount_parse_mount, "type=bind,src=/h,dst=/g,readonly,bind-propagation=rslave");
	CHECK(m);
	CHECK_STR(str(m, "Source"), "/h");
	CHECK_STR(str(m, "Propagation"), "rslave");
	CHECK(json_is_false(json_object_get(m, "RW")));
	CHECK(!json_object_get(m, "Create"));
	json_decref(m);
	m = one(box_mount_parse_mount, "source=vol,target=/v,volume-nocopy,\"volume-label=a=b,c\"");
	CHECK(m);
	CHECK_STR(str(m, "Type"), "volume");
	CHECK_STR(str(json_object_get(m, "VolumeLabels"), "a"), "b,c");
	json_decref(m);
	m = one(box_mount_parse_mount, "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=700,readonly=true");
	CHECK(m);
	CHECK_STR(str(m, "Options"), "size=1048576,mode=700,ro");
	CHECK(json_is_false(json_object_get(m, "RW")));
	json_decref(m);
	CHECK(fails(box_mount_parse_mount, "type=bind,target=/x"));
	CHECK(fails(box_mount_parse_mount, "type=bind,source=rel,target=/x"));
	CHECK(fails(box_mount_parse_mount, "type=bind,source=/x,target=/x,volume-nocopy"));
	CHECK(fails(box_mount_parse_mount, "type=volume,target=/x,tmpfs-size=1"));
	CHECK(fails(box_mount_parse_mount, "type=tmpfs,source=x,target=/x"));
	CHECK(fails(box_mount_parse_mount, "type=nfs,target=/x"));
	CHECK(fails(box_mount_parse_mount, "source=v1"));
	CHECK(fails(box_mount_parse_mount, "target=/x,bogus=1"));
	CHECK(fails(box_mount_parse_mount, "target=/x,bogus"));
	CHECK(fails(box_mount_parse_mount, "target=/x,readonly=maybe"));
	CHECK(fails(box_mount_parse_mount, "target=/"));
}

TEST(tmpfs_forms)
{
	json_t *m = one(box_mount_parse_tmpfs, "/run:rw,noexec,nosuid,size=64k,uid=5");
	CHECK(m);
	CHECK_STR(str(m, "Options"), "rw,noexec,nosuid,size=65536,uid=5");
	CHECK(json_is_true(json_object_get(m, "RW")));
	json_decref(m);
	m = one(box_mount_parse_tmpfs, "/ro:ro");
	CHECK(m && json_is_false(json_object_get(m, "RW")));
	json_decref(m);
	m = one(box_mount_parse_tmpfs, "/plain");
	CHECK(m);
	CHECK_STR(str(m, "Options"), "");
	json_decref(m);
	CHECK(fails(box_mount_parse_tmpfs, "/t:size=lots"));
	CHECK(fails(box_mount_parse_tmpfs, "/t:mode=9"));
	CHECK(fails(box_mount_parse_tmpfs, "/t:mode=17777"));
	CHECK(fails(box_mount_parse_tmpfs, "/t:exec=1"));
	CHECK(fails(box_mount_parse_tmpfs, "/"));
	CHECK(fails(box_mount_parse_tmpfs, "rel"));
}

TEST(check_orders_and_refuses_duplicates)
{
	json_t *l = json_array();
	struct err e = ERR_INIT;
	CHECK(box_mount_parse_volume("/h1:/a/b/c", l, &e) == 0);
	CHECK(box_mount_parse_tmpfs("/a", l, &e) == 0);
	CHECK(box_mount_parse_volume("v1:/a/b", l, &e) == 0);
	CHECK(box_mount_parse_volume("/h2:/z", l, &e) == 0);
	CHECK(box_mounts_check(l, &e) == 0);
	CHECK_STR(str(json_array_get(l, 0), "Destination"), "/a");
	CHECK_STR(str(json_array_get(l, 1), "Destination"), "/z");
	CHECK_STR(str(json_array_get(l, 2), "Destination"), "/a/b");
	CHECK_STR(str(json_array_get(l, 3), "Destination"), "/a/b/c");
	CHECK(box_mount_parse_volume("/h3:/z/", l, &e) == 0);
	CHECK(box_mounts_check(l, &e) < 0);
	CHECK_STR(e.msg, "Duplicate mount point: /z");
	json_decref(l);
}

TEST(wire_records_number_the_shares)
{
	struct box_spec s = {0};
	struct err e = ERR_INIT;
	char *buf;
	size_t len, off = 0;
	const char *want[] = {"tmpfs size=1024 /a", "share 0 ro /h", "share 1 rw,copy /v", NULL};
	int found = 0, ro = 0;
	strv_push(&s.argv, "true");
	s.workdir = strdup("/");
	s.user = strdup("");
	s.hostname = strdup("h");
	s.read_only = true;
	s.mounts = json_array();
	CHECK(box_mount_parse_tmpfs("/a:size=1k", s.mounts, &e) == 0);
	CHECK(box_mount_parse_volume("/x:/h:ro", s.mounts, &e) == 0);
	CHECK(box_mount_parse_volume("vol:/v", s.mounts, &e) == 0);
	box_spec_wire(&s, false, &buf, &len);
	while (off < len) {
		const char *k = buf + off, *v = k + strlen(k) + 1;
		off = (size_t)(v - buf) + strlen(v) + 1;
		if (!strcmp(k, "mount")) {
			CHECK(want[found] && !strcmp(v, want[found]));
			found++;
		} else if (!strcmp(k, "readonly")) {
			CHECK(!strcmp(v, "1"));
			ro++;
		}
	}
	CHECK(found == 3 && ro == 1);
	free(buf);
	box_spec_release(&s);
}

int main(void)
{
	RUN(path_clean);
	RUN(volume_names);
	RUN(dash_v_forms);
	RUN(mount_forms);
	RUN(tmpfs_forms);
	RUN(check_orders_and_refuses_duplicates);
	RUN(wire_records_number_the_shares);
	return unit_done();
}
