"""Image store black-box tests: load, images, inspect, tag, rmi, rootfs builds.

No VM needed. Root filesystems are checked by mounting the erofs image
(root) or, failing that, with fsck.erofs --extract.
"""
import contextlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading

import pytest

from conftest import BUILD
import imagebuild as ib

TOOL = os.environ.get("A3S_TEST_TOOL", os.path.join(BUILD, "tests", "unit", "a3s-test-tool"))
DEFAULT_TAR = os.path.join(BUILD, "share", "a3s-box", "default-image.tar")
HEXID = re.compile(r"^[0-9a-f]{12}$")


def tool(a3s, *args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([TOOL, a3s.root] + list(args), capture_output=True, text=True, env=e, timeout=300)


def rootfs(a3s, image):
    p = tool(a3s, "rootfs", image)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def blobs(a3s):
    return sorted(os.listdir(os.path.join(a3s.root, "blobs", "sha256")))


def assert_nothing_stored(a3s):
    assert a3s.out("images", "-q") == ""
    assert blobs(a3s) == []
    assert os.listdir(os.path.join(a3s.root, "tmp")) == []


def load(a3s, path, **kw):
    return a3s.run("load", "-i", path, **kw)


@contextlib.contextmanager
def erofs_tree(image):
    """Yield (dir, full): full is False when only fsck.erofs extraction was possible
    (it loses hard links, setuid bits and xattrs)."""
    d = tempfile.mkdtemp(prefix="a3s-erofs-")
    try:
        if os.geteuid() == 0 and subprocess.run(["mount", "-t", "erofs", "-o", "loop,ro", image, d],
                                                capture_output=True).returncode == 0:
            try:
                yield d, True
            finally:
                subprocess.run(["umount", d], check=True)
        else:
            out = os.path.join(d, "x")
            subprocess.run(["fsck.erofs", "--extract=" + out, image], check=True, capture_output=True)
            yield out, False
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---- loading ----

SIMPLE = [[ib.dir_("etc"), ib.file("etc/hello", "hello\n"), ib.busybox_file(), ib.symlink("bin/sh", "busybox")]]


@pytest.mark.parametrize("fmt", ["oci", "docker"])
@pytest.mark.parametrize("layers", [None, "gzip", "zstd"])
@pytest.mark.parametrize("outer_gzip", [False, True])
def test_load_formats(a3s, workdir, fmt, layers, outer_gzip):
    tar = ib.build_image(SIMPLE + [[ib.file("etc/second", "2")]], fmt=fmt, compress=layers,
                         outer_gzip=outer_gzip, tag="test/fmt:v1", workdir=workdir)
    img = ib.build_image.last
    p = load(a3s, tar)
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode() == "Loaded image: test/fmt:v1\n"
    inspect = json.loads(a3s.out("image", "inspect", "test/fmt:v1"))[0]
    assert inspect["Id"] == img.id
    assert inspect["RootFS"] == {"Type": "layers", "Layers": [ib.sha(r) for r in img.raw_layers]}
    assert inspect["Size"] == sum(len(r) for r in img.raw_layers)
    assert sorted(blobs(a3s)) == sorted({ib.sha(b)[7:] for b in img.blobs} | {img.id[7:]} |
                                        ({ib.sha(img.manifest())[7:]} if fmt == "oci" else set()))
    assert os.listdir(os.path.join(a3s.root, "tmp")) == []


def test_load_from_stdin_and_quiet(a3s, workdir):
    tar = ib.build_image(SIMPLE, tag="stdin/img:1", workdir=workdir)
    with open(tar, "rb") as f:
        p = a3s.run("load", "-q", input=f.read())
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode() == "Loaded image: stdin/img:1\n"


def test_load_untagged_and_multiple(a3s, workdir):
    tar = ib.build_image(SIMPLE, tag=None, workdir=workdir, extra=[([[ib.file("x", "other")]], "busybox:1.0")])
    img = ib.build_image.last
    out = a3s.out("load", "-i", tar)
    assert out == "Loaded image ID: %s\nLoaded image: busybox:1.0\n" % img.id
    rows = a3s.out("images", "--format", "{{.Repository}}:{{.Tag}}").split()
    assert sorted(rows) == ["<none>:<none>", "busybox:1.0"]


def test_reload_is_idempotent_and_moves_tags(a3s, workdir):
    t1 = ib.build_image(SIMPLE, tag="app:latest", workdir=workdir, name="a.tar")
    first = ib.build_image.last.id
    assert a3s.out("load", "-i", t1) == "Loaded image: app:latest\n"
    assert a3s.out("load", "-i", t1) == "Loaded image: app:latest\n"
    t2 = ib.build_image([[ib.file("new", "x")]], tag="app:latest", workdir=workdir, name="b.tar")
    out = a3s.out("load", "-i", t2)
    assert out == ("The image app:latest already exists, renaming the old one with ID %s to empty string\n"
                   "Loaded image: app:latest\n" % first)
    rows = a3s.out("images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}").splitlines()
    assert "<none> <none> %s" % first[7:19] in rows


def test_load_default_image(a3s):
    out = a3s.out("load", "-i", DEFAULT_TAR)
    assert out == "Loaded image: a3s-box/busybox:latest\n"
    info = json.loads(a3s.out("image", "inspect", "a3s-box/busybox"))[0]
    assert info["Config"]["Cmd"] == ["sh"]
    assert info["Created"] == "2024-01-01T00:00:00Z"
    path = rootfs(a3s, "a3s-box/busybox")
    with erofs_tree(path) as (d, full):
        assert os.readlink(os.path.join(d, "bin/sh")) == "/bin/busybox"
        st = os.lstat(os.path.join(d, "home/a3s"))
        assert (st.st_uid, st.st_gid) == (1000, 1000)
        assert os.lstat(os.path.join(d, "tmp")).st_mode & 0o7777 == 0o1777
        assert "a3s:x:1000:1000:" in open(os.path.join(d, "etc/passwd")).read()
        assert os.path.getsize(os.path.join(d, "bin/busybox")) == os.path.getsize("/bin/busybox")


def test_default_image_is_reproducible_and_ensured(a3s, workdir):
    out = os.path.join(workdir, "again.tar")
    subprocess.run(["/usr/bin/python3", os.path.join(ib.__file__.rsplit("/", 3)[0], "images", "mkdefault.py"),
                    "--output", out], check=True)
    with open(out, "rb") as a, open(DEFAULT_TAR, "rb") as b:
        assert a.read() == b.read()
    # image_store_ensure_default imports it once, found through the share dir
    env = {"A3S_BOX_SHARE": os.path.dirname(DEFAULT_TAR)}
    assert tool(a3s, "ensure-default", env=env).returncode == 0
    assert tool(a3s, "ensure-default", env={"A3S_BOX_SHARE": "/nonexistent"}).returncode == 0
    assert a3s.out("images", "--format", "{{.Repository}}:{{.Tag}}") == "a3s-box/busybox:latest\n"


def test_share_dir_from_build_tree(a3s):
    p = tool(a3s, "share-dir")
    assert p.stdout.strip() == os.path.realpath(os.path.join(BUILD, "share", "a3s-box"))


# ---- refusing bad archives ----

def replace_blob(members, old, new):
    """Swap blob `old` for bytes `new`, repointing every descriptor (OCI)."""
    del members["blobs/sha256/" + ib.sha(old)[7:]]
    members["blobs/sha256/" + ib.sha(new)[7:]] = new
    for name in list(members):
        data = members[name]
        if isinstance(data, bytes) and ib.sha(old).encode() in data and name.endswith(("index.json",)) or (
                name.startswith("blobs/") and isinstance(data, bytes) and ib.sha(old).encode() in data):
            j = json.loads(data)
            replace_desc(j, ib.sha(old), ib.sha(new), len(new))
            updated = ib.dumps(j)
            if name.startswith("blobs/"):
                replace_blob(members, data, updated)
            else:
                members[name] = updated


def replace_desc(j, old, new, size):
    if isinstance(j, dict):
        if j.get("digest") == old:
            j["digest"], j["size"] = new, size
        for v in j.values():
            replace_desc(v, old, new, size)
    elif isinstance(j, list):
        for v in j:
            replace_desc(v, old, new, size)


def flip_byte(data, at=-100):
    b = bytearray(data)
    b[at] ^= 0xFF
    return bytes(b)


def corrupt_layer_same_name(members):
    name = next(n for n in members if n.startswith("blobs/") and len(members[n]) > 10000)
    members[name] = flip_byte(members[name])


def truncate_layer(members):
    name = next(n for n in members if n.startswith("blobs/") and len(members[n]) > 10000)
    members[name] = members[name][:-500]


def corrupt_docker_layer(members):
    name = next(n for n in members if n.endswith("layer.tar"))
    members[name] = flip_byte(members[name], 600)


@pytest.mark.parametrize("fmt,mutate,message", [
    ("oci", corrupt_layer_same_name, "digest mismatch for 'layer 1 (sha256:"),
    ("oci", truncate_layer, "size mismatch for layer sha256:"),
    ("docker", corrupt_docker_layer, "does not match the image config"),
    ("oci", lambda m: m.__setitem__("index.json", b"{\"schemaVersion\": 2, "), "malformed JSON"),
    ("oci", lambda m: m.pop("oci-layout"), "neither a docker save archive"),
    ("oci", lambda m: m.__setitem__("oci-layout", b"{\"imageLayoutVersion\":\"9\"}"), "unsupported OCI image layout"),
    ("docker", lambda m: m.__setitem__("manifest.json", b"[{]"), "invalid manifest.json: malformed JSON"),
    ("docker", lambda m: m.__setitem__("manifest.json", b"{}"), "expected a non-empty JSON array"),
])
def test_bad_archives_store_nothing(a3s, workdir, fmt, mutate, message):
    tar = ib.build_image(SIMPLE, fmt=fmt, compress="gzip" if fmt == "oci" else None, workdir=workdir,
                         mutate=mutate)
    p = load(a3s, tar)
    assert p.returncode == 125
    err = p.stderr.decode()
    assert message in err, err
    assert err.count("\n") == 1  # one line
    assert_nothing_stored(a3s)


def test_bad_manifest_and_config_documents(a3s, workdir):
    cases = [
        # (mutate the parsed manifest, expected message)
        (lambda m: m.update(mediaType="application/vnd.oci.image.index.v1+json"), "unexpected mediaType"),
        (lambda m: m["layers"][0].update(mediaType="text/plain"), "unsupported layer media type"),
        (lambda m: m["config"].update(mediaType="application/vnd.cncf.helm.config.v1+json"),
         "unsupported config media type"),
        (lambda m: m.update(schemaVersion=1), "schemaVersion"),
        (lambda m: m["layers"].append(dict(m["layers"][0])), "has 2 layers but the config lists 1 diff_ids"),
    ]
    for i, (change, message) in enumerate(cases):
        def mutate(members, change=change):
            img = ib.build_image.last
            old = img.manifest()
            j = json.loads(old)
            change(j)
            replace_blob(members, old, ib.dumps(j))
        tar = ib.build_image(SIMPLE, workdir=workdir, name="m%d.tar" % i, mutate=mutate)
        p = load(a3s, tar)
        assert p.returncode == 125 and message in p.stderr.decode(), (message, p.stderr)
        assert_nothing_stored(a3s)


def test_bad_config(a3s, workdir):
    cases = [
        ({"rootfs": {"type": "layers", "diff_ids": []}}, "lists 1 layers but the config lists 0 diff_ids"),
        ({"rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}}, "does not match the image config"),
        ({"created": "last tuesday"}, "'created' is not an RFC 3339 time"),
        ({"rootfs": {"type": "squashfs", "diff_ids": []}}, "rootfs.type"),
        ({"pad": "x" * (5 << 20)}, "larger than 4194304 bytes"),
    ]
    for i, (config, message) in enumerate(cases):
        tar = ib.build_image(SIMPLE, fmt="docker", config=config, workdir=workdir, name="c%d.tar" % i)
        p = load(a3s, tar)
        assert p.returncode == 125 and message in p.stderr.decode(), (message, p.stderr)
        assert_nothing_stored(a3s)


def test_config_name_digest_checked(a3s, workdir):
    def mutate(members):
        cfg = next(n for n in members if n.endswith(".json") and n != "manifest.json")
        members[cfg] = members[cfg].replace(b'"os":"linux"', b'"os":"linux","x":1')
    tar = ib.build_image(SIMPLE, fmt="docker", workdir=workdir, mutate=mutate)
    p = load(a3s, tar)
    assert p.returncode == 125 and "digest mismatch for image config" in p.stderr.decode()
    assert_nothing_stored(a3s)


def test_not_a_tar_and_missing_file(a3s, workdir):
    junk = os.path.join(workdir, "junk")
    with open(junk, "wb") as f:
        f.write(b"definitely not a tar archive\n" * 100)
    p = load(a3s, junk)
    assert p.returncode == 125 and "not a tar archive" in p.stderr.decode()
    p = load(a3s, os.path.join(workdir, "missing.tar"))
    assert p.returncode == 125 and "No such file or directory" in p.stderr.decode()
    assert_nothing_stored(a3s)


def test_archive_symlink_escape_refused(a3s, workdir):
    tar = ib.build_image(SIMPLE, fmt="docker", workdir=workdir,
                         mutate=lambda m: m.__setitem__("manifest.json", ("symlink", "../../../../etc/passwd")))
    p = load(a3s, tar)
    assert p.returncode == 125 and "points outside the archive" in p.stderr.decode()
    assert_nothing_stored(a3s)


# ---- images ----

def load_simple(a3s, workdir, tag="test/img:latest", **kw):
    tar = ib.build_image(SIMPLE, tag=tag, workdir=workdir, name=tag.replace("/", "_") + ".tar", **kw)
    a3s.out("load", "-i", tar)
    return ib.build_image.last


def test_images_table(a3s, workdir):
    img = load_simple(a3s, workdir, tag="busybox:latest")
    lines = a3s.out("images").splitlines()
    assert re.match(r"^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$", lines[0])
    # go tabwriter: each column is its widest cell + 3, at least 10
    assert lines[0].startswith("REPOSITORY   TAG       IMAGE ID       CREATED")
    cells = re.split(r"  +", lines[1])
    assert cells[:3] == ["busybox", "latest", img.id[7:19]]
    assert cells[3].endswith(" ago")
    assert re.match(r"^\d+(\.\d+)?(B|kB|MB)$", cells[4])


def test_images_formats(a3s, workdir):
    img = load_simple(a3s, workdir)
    short = img.id[7:19]
    assert a3s.out("images", "-q") == short + "\n"
    assert a3s.out("images", "-q", "--no-trunc") == img.id + "\n"
    assert a3s.out("images", "--format", "{{.ID}}\\t{{.Repository}}") == short + "\ttest/img\n"
    out = a3s.out("images", "--format", "table {{.Repository}}\\t{{.Tag}}")
    assert out == "REPOSITORY   TAG\ntest/img     latest\n"
    row = json.loads(a3s.out("images", "--format", "json"))
    assert sorted(row) == ["Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository",
                           "SharedSize", "Size", "Tag", "UniqueSize", "VirtualSize"]
    assert row["ID"] == short and row["Tag"] == "latest" and row["Digest"].startswith("sha256:")
    assert json.loads(a3s.out("images", "--format", "{{json .}}")) == row
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+$", row["CreatedAt"])
    out = a3s.out("images", "--digests").splitlines()
    assert out[0].split() == ["REPOSITORY", "TAG", "DIGEST", "IMAGE", "ID", "CREATED", "SIZE"]
    p = a3s.run("images", "--format", "{{.Nope}}")
    assert p.returncode == 125 and "can't evaluate field Nope" in p.stderr.decode()
    p = a3s.run("images", "--format", "{{.ID")
    assert p.returncode == 125 and "template parsing error" in p.stderr.decode()


def test_images_filters(a3s, workdir):
    load_simple(a3s, workdir, tag="one/a:1")
    a3s.out("tag", "one/a:1", "two/b:2")
    a3s.out("tag", "one/a:1", "localhost:5000/c:3")
    fmt = ("--format", "{{.Repository}}:{{.Tag}}")
    assert a3s.out("images", *fmt, "one/a") == "one/a:1\n"
    assert a3s.out("images", *fmt, "two/b:2") == "two/b:2\n"
    assert a3s.out("images", *fmt, "two/b:9") == ""
    assert a3s.out("images", *fmt, "*/b") == "two/b:2\n"
    assert a3s.out("images", *fmt, "localhost:5000/c") == "localhost:5000/c:3\n"
    assert a3s.out("images", *fmt, "--filter", "reference=one/*") == "one/a:1\n"
    assert a3s.out("images", *fmt, "--filter", "dangling=true") == ""
    assert a3s.run("images", "--filter", "bogus=1").returncode == 125


# ---- tag, rmi, inspect ----

def test_tag_and_rmi(a3s, workdir):
    img = load_simple(a3s, workdir, tag="busybox:latest")
    assert a3s.run("tag", "busybox", "mine:v1").returncode == 0
    assert a3s.run("tag", img.id[7:15], "mine:v2").returncode == 0
    tags = json.loads(a3s.out("image", "inspect", "mine:v1"))[0]["RepoTags"]
    assert tags == ["busybox:latest", "mine:v1", "mine:v2"]
    assert json.loads(a3s.out("image", "inspect", "mine:v1"))[0]["Metadata"]["LastTagTime"] != \
        "0001-01-01T00:00:00Z"
    p = a3s.run("tag", "nothere", "x")
    assert p.returncode == 1 and "No such image: nothere" in p.stderr.decode()
    p = a3s.run("tag", "busybox", "Bad:Name")
    assert p.returncode == 125 and "must be lowercase" in p.stderr.decode()
    assert a3s.run("tag", "busybox").returncode == 125
    p = a3s.run("rmi", img.id[7:19])
    assert p.returncode != 0 and "image is referenced in multiple repositories" in p.stderr.decode()
    assert a3s.out("rmi", "mine:v1") == "Untagged: mine:v1\n"
    assert a3s.out("rmi", "mine:v2", "busybox") == (
        "Untagged: mine:v2\nUntagged: busybox:latest\nDeleted: %s\n" % img.id)
    assert blobs(a3s) == []
    p = a3s.run("rmi", "busybox")
    assert p.returncode == 1 and "No such image: busybox" in p.stderr.decode()


def test_rmi_force_by_id_and_partial_failure(a3s, workdir):
    img = load_simple(a3s, workdir, tag="a:1")
    a3s.out("tag", "a:1", "b:1")
    p = a3s.run("rmi", "-f", img.id, "nothere")
    assert p.stdout.decode() == "Untagged: a:1\nUntagged: b:1\nDeleted: %s\n" % img.id
    assert p.returncode == 1 and "No such image: nothere" in p.stderr.decode()
    assert blobs(a3s) == []


def test_rmi_keeps_shared_layers(a3s, workdir):
    load_simple(a3s, workdir, tag="a:1")
    tar = ib.build_image(SIMPLE + [[ib.file("more", "x")]], tag="b:1", workdir=workdir, name="b.tar")
    b = ib.build_image.last
    a3s.out("load", "-i", tar)
    a3s.out("rmi", "a:1")
    assert sorted(blobs(a3s)) == sorted({ib.sha(x)[7:] for x in b.blobs} | {b.id[7:], ib.sha(b.manifest())[7:]})
    rootfs(a3s, "b:1")
    a3s.out("rmi", "b:1")
    assert blobs(a3s) == [] and os.listdir(os.path.join(a3s.root, "rootfs")) == []


def test_inspect(a3s, workdir):
    img = load_simple(a3s, workdir, config={"config": {"WorkingDir": "/srv", "Cmd": ["sh"], "Env": ["A=1"]},
                                            "author": "me"})
    out = a3s.out("image", "inspect", "test/img")
    assert out.startswith("[\n    {\n        \"Id\": ")
    info = json.loads(out)
    assert len(info) == 1
    i = info[0]
    for key in ["Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Config", "Architecture",
                "Os", "Size", "RootFS", "Metadata"]:
        assert key in i
    assert i["Author"] == "me" and i["Created"] == ib.CREATED and i["Architecture"] == "amd64"
    assert i["RepoDigests"] == ["test/img@" + ib.sha(img.manifest())]
    f = lambda t: a3s.out("image", "inspect", "-f", t, "test/img")  # noqa: E731
    assert f("{{.Id}}") == img.id + "\n"
    assert f("{{.Size}}") == "%d\n" % i["Size"]
    assert f("{{.Config.WorkingDir}}") == "/srv\n"
    assert json.loads(f("{{json .Config}}")) == {"WorkingDir": "/srv", "Cmd": ["sh"], "Env": ["A=1"]}
    assert f("{{.Os}}/{{.Architecture}} {{index .RepoTags 0}} {{len .RootFS.Layers}}") == \
        "linux/amd64 test/img:latest 1\n"
    assert f("{{.Nope}}") == "<no value>\n"
    # by manifest digest, by id prefix; and "image inspect" of several
    assert f("{{.Id}}").strip() == img.id
    assert a3s.out("image", "inspect", "-f", "{{.Id}}", "test/img@" + ib.sha(img.manifest())) == img.id + "\n"
    assert json.loads(a3s.out("image", "inspect", img.id[7:13], img.id))[1]["Id"] == img.id


def test_inspect_missing(a3s, workdir):
    p = a3s.run("image", "inspect", "nothere")
    assert p.returncode == 1
    assert p.stdout.decode() == "[]\n"
    assert "No such image: nothere" in p.stderr.decode()
    load_simple(a3s, workdir)
    p = a3s.run("image", "inspect", "-f", "{{.Os}}", "test/img", "nothere")
    assert p.returncode == 1 and p.stdout.decode() == "linux\n"


def test_ambiguous_prefix(a3s, workdir):
    # make two images whose ids share a 4-digit prefix
    seen, i = {}, 0
    while True:
        tar = ib.build_image(SIMPLE, config={"comment": str(i)}, tag=None, workdir=workdir, name="%d.tar" % i)
        pre = ib.build_image.last.id[7:11]
        if pre in seen:
            a3s.out("load", "-i", seen[pre])
            a3s.out("load", "-i", tar)
            break
        seen[pre] = tar
        i += 1
    p = a3s.run("image", "inspect", pre)
    assert p.returncode == 125 and "ambiguous" in p.stderr.decode()


# ---- root filesystems ----

def test_rootfs_layers_whiteouts_and_metadata(a3s, workdir):
    l1 = [
        ib.dir_("etc"), ib.file("etc/keep", "keep"), ib.file("etc/gone", "gone"),
        ib.dir_("opq"), ib.file("opq/lower", "lower"), ib.dir_("opq/sub"), ib.file("opq/sub/deep", "d"),
        ib.dir_("home/u", uid=1000, gid=1001, mode=0o750),
        ib.file("bin/suid", "#!/bin/sh\n", mode=0o4755),
        ib.file("data", "x" * 5000, uid=7, gid=8, mode=0o640, mtime=1234567890,
                xattrs={"user.a3s": "yes"}),
        ib.hardlink("data-link", "data"),
        ib.symlink("abs-link", "/etc/keep"),
        ib.device("dev/null", "c", 1, 3, 0o666), ib.device("dev/loopx", "b", 7, 0, 0o660),
        ib.fifo("run/fifo"),
        ib.file("replaced", "file first"),
    ]
    l2 = [
        ib.whiteout("etc/gone"),
        ib.file("opq/upper", "upper"),
        ib.opaque("opq"),
        ib.dir_("replaced"), ib.file("replaced/inner", "now a dir"),
        ib.file("etc/new", "new"),
    ]
    l3 = [ib.whiteout("opq/upper"), ib.file("etc/keep", "changed")]
    tar = ib.build_image([l1, l2, l3], compress=["gzip", "zstd", None], workdir=workdir)
    a3s.out("load", "-i", tar)
    path = rootfs(a3s, "test/img")
    assert path == os.path.join(a3s.root, "rootfs", ib.build_image.last.id[7:] + ".erofs")
    assert os.listdir(os.path.join(a3s.root, "tmp")) == []
    with erofs_tree(path) as (d, full):
        j = lambda *p: os.path.join(d, *p)  # noqa: E731
        assert sorted(os.listdir(j("etc"))) == ["keep", "new"]
        assert open(j("etc/keep")).read() == "changed"
        assert os.listdir(j("opq")) == []  # lower hidden by the opaque marker, upper whited out later
        assert open(j("replaced/inner")).read() == "now a dir"
        st = os.lstat(j("home/u"))
        assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (1000, 1001, 0o750)
        st = os.lstat(j("data"))
        assert (st.st_uid, st.st_gid, int(st.st_mtime)) == (7, 8, 1234567890)
        assert os.readlink(j("abs-link")) == "/etc/keep"
        st = os.lstat(j("dev/null"))
        assert os.major(st.st_rdev) == 1 and os.minor(st.st_rdev) == 3 and (st.st_mode & 0o170000) == 0o020000
        assert (os.lstat(j("dev/loopx")).st_mode & 0o170000) == 0o060000
        assert (os.lstat(j("run/fifo")).st_mode & 0o170000) == 0o010000
        if full:
            assert os.lstat(j("bin/suid")).st_mode & 0o7777 == 0o4755
            assert os.lstat(j("data")).st_mode & 0o7777 == 0o640
            assert os.lstat(j("data")).st_ino == os.lstat(j("data-link")).st_ino
            assert os.getxattr(j("data"), "user.a3s") == b"yes"


def test_rootfs_is_built_once_and_concurrently(a3s, workdir):
    load_simple(a3s, workdir)
    results = []
    threads = [threading.Thread(target=lambda: results.append(tool(a3s, "rootfs", "test/img")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(p.returncode == 0 for p in results), [p.stderr for p in results]
    assert len({p.stdout for p in results}) == 1
    assert os.listdir(os.path.join(a3s.root, "rootfs")) == [os.path.basename(results[0].stdout.strip())]
    mtime = os.stat(results[0].stdout.strip()).st_mtime
    rootfs(a3s, "test/img")
    assert os.stat(results[0].stdout.strip()).st_mtime == mtime


@pytest.mark.parametrize("layers,message", [
    ([[ib.symlink("evil", "/etc"), ib.file("evil/passwd", "pwned")]], "goes through symlink 'evil'"),
    ([[ib.symlink("evil", "/tmp")], [ib.file("evil/a3s-pwned", "x")]], "goes through symlink 'evil'"),
    ([[ib.raw("../escape", tarfile.REGTYPE, content=b"x")]], "'..' component"),
    ([[ib.raw("/abs-escape", tarfile.REGTYPE, content=b"x")]], "absolute path"),
    ([[ib.hardlink("h", "../../../etc/shadow")]], "'..' component"),
    ([[ib.symlink("evil", "/etc")], [ib.whiteout("evil/passwd")]], "goes through symlink 'evil'"),
    ([[ib.file("f", "x"), ib.file("f/child", "y")]], "not a directory"),
])
def test_rootfs_refuses_escapes(a3s, workdir, layers, message):
    tar = ib.build_image(layers, workdir=workdir)
    assert load(a3s, tar).returncode == 0  # layers are only walked when the rootfs is built
    p = tool(a3s, "rootfs", "test/img")
    assert p.returncode == 125
    assert message in p.stderr and "building the root filesystem of image" in p.stderr
    assert os.listdir(os.path.join(a3s.root, "rootfs")) == []
    assert os.listdir(os.path.join(a3s.root, "tmp")) == []
    assert not os.path.exists("/tmp/a3s-pwned") and not os.path.exists("/abs-escape")


def test_rootfs_without_mkfs_erofs(a3s, workdir):
    load_simple(a3s, workdir)
    p = tool(a3s, "rootfs", "test/img", env={"PATH": "/nonexistent"})
    assert p.returncode == 125 and "mkfs.erofs not found: install erofs-utils" in p.stderr
    assert os.listdir(os.path.join(a3s.root, "tmp")) == []


def test_rootfs_records_last_used(a3s, workdir):
    load_simple(a3s, workdir)
    import sqlite3
    db = sqlite3.connect(os.path.join(a3s.root, "a3s.db"))
    assert db.execute("SELECT last_used FROM images").fetchone()[0] == 0
    rootfs(a3s, "test/img")
    assert db.execute("SELECT last_used FROM images").fetchone()[0] > 0
