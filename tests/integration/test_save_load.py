"""save / load round trips, cross-checked with skopeo and umoci; history;
image prune; the image cache cap.

`save` writes one tar that is both a docker-archive (manifest.json,
repositories) and an OCI image layout (oci-layout, index.json), as docker 25+
does. Only test_save_rmi_load_run boots a VM.
"""
import hashlib
import json
import os
import pty
import sqlite3
import subprocess
import tarfile
import time

import pytest

import imagebuild as ib

HISTORY_CONFIG = {"history": [
    {"created": "2023-11-14T22:13:20Z", "created_by": "/bin/sh -c #(nop) ADD file:0123456789abcdef in / "},
    {"created": "2023-11-14T22:13:21Z", "created_by": "/bin/sh -c #(nop)  ENV\tGREETING=hello world",
     "empty_layer": True},
    {"created": "2023-11-14T22:13:22Z", "created_by": "RUN /bin/sh -c echo two > /etc/two # buildkit cache",
     "comment": "buildkit.dockerfile.v0"},
], "config": {"Cmd": ["sh"], "Labels": {"team": "a3s", "tier": "dev"}}}

LAYERS = [[ib.dir_("etc"), ib.file("etc/hello", "hello\n")], [ib.file("etc/two", "two\n")]]


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def members(path):
    with tarfile.open(path) as t:
        return {m.name: (t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()}


def load_tagged(a3s, workdir, tag="test/img:v1", layers=LAYERS, config=HISTORY_CONFIG, compress="gzip",
                fmt="oci", name="in.tar"):
    tar = ib.build_image(layers, config=config, fmt=fmt, compress=compress, tag=tag, workdir=workdir, name=name)
    a3s.out("load", "-i", tar)
    return ib.Image(layers, config, compress).id


def image_ids(a3s):
    return sorted(set(a3s.out("images", "-q", "--no-trunc").split()))


def store_blobs(a3s):
    d = os.path.join(a3s.root, "blobs", "sha256")
    return {n: open(os.path.join(d, n), "rb").read() for n in os.listdir(d)}


# ---- save: the archive ----

@pytest.mark.parametrize("fmt,compress", [("oci", "gzip"), ("docker", None), ("oci", "zstd")])
def test_save_writes_both_layouts(a3s, workdir, fmt, compress):
    img_id = load_tagged(a3s, workdir, fmt=fmt, compress=compress)
    a3s.out("tag", "test/img:v1", "test/img:v2")
    out = os.path.join(workdir, "out.tar")
    p = a3s.run("save", "-o", out, "test/img")
    assert p.returncode == 0 and p.stdout == b"", p.stderr
    m = members(out)
    assert json.loads(m["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    # every blob is what the store holds, named by its digest: layers as loaded (compressed)
    stored = store_blobs(a3s)
    blobs = {k[len("blobs/sha256/"):]: v for k, v in m.items() if k.startswith("blobs/sha256/") and v is not None}
    for hexd, data in blobs.items():
        assert sha(data) == "sha256:" + hexd
    cfg = json.loads(stored[img_id[7:]])
    # manifest.json: docker save's entry with both tags, paths into blobs/
    dm = json.loads(m["manifest.json"])
    assert len(dm) == 1
    assert dm[0]["Config"] == "blobs/sha256/" + img_id[7:]
    assert sorted(dm[0]["RepoTags"]) == ["test/img:v1", "test/img:v2"]
    layer_hexes = [p.split("/")[-1] for p in dm[0]["Layers"]]
    assert all(stored[h] == blobs[h] for h in layer_hexes)
    if compress == "gzip":
        assert all(blobs[h][:2] == b"\x1f\x8b" for h in layer_hexes)
    # index.json: one entry per tag, docker's annotations
    idx = json.loads(m["index.json"])
    assert idx["schemaVersion"] == 2
    names = sorted((d["annotations"]["io.containerd.image.name"], d["annotations"]["org.opencontainers.image.ref.name"])
                   for d in idx["manifests"])
    assert names == [("docker.io/test/img:v1", "v1"), ("docker.io/test/img:v2", "v2")]
    man_hex = idx["manifests"][0]["digest"][7:]
    man = json.loads(blobs[man_hex])
    assert man["config"]["digest"] == img_id
    assert [l["digest"][7:] for l in man["layers"]] == layer_hexes
    assert len(cfg["rootfs"]["diff_ids"]) == len(layer_hexes)
    if fmt == "oci":  # the manifest is the one that was loaded
        assert man_hex in stored
    assert json.loads(m["repositories"]) == {"test/img": {"v1": layer_hexes[-1], "v2": layer_hexes[-1]}}
    # saving writes no temporary file next to the output, nothing in the data root's tmp
    assert sorted(os.listdir(workdir)) == ["in.tar", "out.tar"]
    # load reads both halves back: the whole archive (OCI layout preferred) and
    # the docker-archive half alone
    docker_only = os.path.join(workdir, "docker-only.tar")
    with tarfile.open(out) as src, tarfile.open(docker_only, "w") as dst:
        for mem in src.getmembers():
            if mem.name not in ("index.json", "oci-layout"):
                dst.addfile(mem, src.extractfile(mem) if mem.isfile() else None)
    for path in (out, docker_only):
        a3s.out("rmi", "test/img:v1", "test/img:v2")
        assert image_ids(a3s) == []
        lines = sorted(a3s.out("load", "-i", path).splitlines())
        assert lines == ["Loaded image: test/img:v1", "Loaded image: test/img:v2"]
        assert image_ids(a3s) == [img_id]


def test_save_names_ids_and_several_images(a3s, workdir):
    a_id = load_tagged(a3s, workdir, tag="test/a:1")
    b_id = load_tagged(a3s, workdir, tag=None, layers=[[ib.file("b", "b\n")]], config=None, name="b.tar")
    a3s.out("tag", "test/a:1", "test/a:2")
    out = os.path.join(workdir, "out.tar")
    # a tag saves only that tag; an id saves the image untagged
    a3s.out("save", "-o", out, "test/a:2", b_id[7:19])
    m = members(out)
    dm = {e["Config"].split("/")[-1]: e for e in json.loads(m["manifest.json"])}
    assert dm[a_id[7:]]["RepoTags"] == ["test/a:2"]
    assert dm[b_id[7:]]["RepoTags"] is None
    idx = json.loads(m["index.json"])["manifests"]
    assert len(idx) == 2
    assert sum("annotations" not in d for d in idx) == 1
    # load it into a fresh store: same ids, the tag back, the other image untagged
    a3s.out("rmi", "-f", "test/a:1", "test/a:2", b_id)
    assert image_ids(a3s) == []
    out_lines = a3s.out("load", "-i", out).splitlines()
    assert sorted(out_lines) == sorted(["Loaded image: test/a:2", "Loaded image ID: " + b_id])
    assert image_ids(a3s) == sorted([a_id, b_id])


def test_save_errors_leave_nothing(a3s, workdir):
    load_tagged(a3s, workdir)
    out = os.path.join(workdir, "out.tar")
    p = a3s.run("save", "-o", out, "test/img:v1", "nope:1")
    assert p.returncode == 1
    assert p.stderr.decode().strip() == "a3s-box: No such image: nope:1"
    assert sorted(os.listdir(workdir)) == ["in.tar"]
    p = a3s.run("save", "-o", os.path.join(workdir, "missing-dir", "x.tar"), "test/img:v1")
    assert p.returncode == 125 and "missing-dir" in p.stderr.decode()
    p = a3s.run("save")
    assert p.returncode == 125 and "requires at least 1 argument" in p.stderr.decode()


def test_save_to_stdout_and_refuses_a_terminal(a3s, workdir):
    load_tagged(a3s, workdir)
    out = os.path.join(workdir, "out.tar")
    a3s.out("save", "-o", out, "test/img:v1")
    p = a3s.run("save", "test/img:v1")
    assert p.returncode == 0
    assert p.stdout == open(out, "rb").read()  # the archive is reproducible
    # stdout a terminal: docker's refusal, exit 1
    master, slave = pty.openpty()
    try:
        p = subprocess.run(a3s.cmd("save", "test/img:v1"), stdout=slave, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(slave)
        os.close(master)
    assert p.returncode == 1
    assert p.stderr.decode() == "a3s-box: cowardly refusing to save to a terminal. Use the -o flag or redirect\n"


# ---- other tools read what save writes; load reads what they write ----

def test_skopeo_and_umoci_read_the_archive(a3s, workdir):
    img_id = load_tagged(a3s, workdir)
    out = os.path.join(workdir, "out.tar")
    a3s.out("save", "-o", out, "test/img:v1")
    cfg = json.loads(store_blobs(a3s)[img_id[7:]])
    # docker-archive: skopeo reports the diff_ids as layers
    p = subprocess.run(["skopeo", "inspect", "docker-archive:" + out], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)
    assert info["Layers"] == cfg["rootfs"]["diff_ids"]
    assert info["Architecture"] == "amd64" and info["Labels"] == {"team": "a3s", "tier": "dev"}
    # oci-archive, by its ref name, copied to an OCI layout directory
    oci = os.path.join(workdir, "oci")
    p = subprocess.run(["skopeo", "copy", "oci-archive:%s:v1" % out, "oci:%s:copied" % oci],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    # the extracted archive is an OCI layout umoci unpacks by tag
    ext = os.path.join(workdir, "ext")
    os.mkdir(ext)
    with tarfile.open(out) as t:
        t.extractall(ext)
    bundle = os.path.join(workdir, "bundle")
    p = subprocess.run(["umoci", "unpack", "--image", ext + ":v1", bundle], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert open(os.path.join(bundle, "rootfs", "etc", "hello")).read() == "hello\n"
    assert open(os.path.join(bundle, "rootfs", "etc", "two")).read() == "two\n"
    # skopeo verifies every blob's digest while copying out of the extracted layout
    p = subprocess.run(["skopeo", "copy", "oci:%s:v1" % ext, "dir:" + os.path.join(workdir, "dir")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr


def test_load_what_skopeo_writes(a3s, workdir):
    img_id = load_tagged(a3s, workdir)
    out = os.path.join(workdir, "out.tar")
    a3s.out("save", "-o", out, "test/img:v1")
    a3s.out("rmi", "test/img:v1")
    darch, oarch = os.path.join(workdir, "d.tar"), os.path.join(workdir, "o.tar")
    for dst in ("docker-archive:%s:sk/docker:1" % darch, "oci-archive:%s:sk/oci:1" % oarch):
        p = subprocess.run(["skopeo", "copy", "oci-archive:%s:v1" % out, dst], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr
    assert a3s.out("load", "-i", darch).strip() == "Loaded image: sk/docker:1"
    with open(oarch, "rb") as f:  # stdin, quiet
        assert a3s.out("load", "-q", input=f.read()).strip() == "Loaded image: sk/oci:1"
    # skopeo re-encodes nothing here: the same config, so the same image
    assert image_ids(a3s) == [img_id]
    assert sorted(a3s.out("images", "--format", "{{.Repository}}:{{.Tag}}").split()) == ["sk/docker:1", "sk/oci:1"]


def test_load_oci_archive_with_nested_index(a3s, workdir):
    """An index.json entry pointing at an image index (a multi-platform image)."""
    img = ib.Image(LAYERS, None, "gzip")
    other = ib.Image([[ib.file("arm", "arm\n")]], {"architecture": "arm64"}, "gzip")

    def nest(mem):
        mans = []
        for im, arch in ((other, "arm64"), (img, "amd64")):
            man = im.manifest()
            for b in im.blobs + [im.config, man]:
                mem["blobs/sha256/" + ib.sha(b)[7:]] = b
            mans.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ib.sha(man),
                         "size": len(man), "platform": {"architecture": arch, "os": "linux"}})
        inner = ib.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                          "manifests": mans})
        mem["blobs/sha256/" + ib.sha(inner)[7:]] = inner
        mem["index.json"] = ib.dumps({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": ib.sha(inner), "size": len(inner),
             "annotations": {"io.containerd.image.name": "docker.io/multi/arch:1",
                             "org.opencontainers.image.ref.name": "1"}}]})
    tar = ib.build_image(LAYERS, compress="gzip", tag=None, workdir=workdir, mutate=nest)
    assert a3s.out("load", "-i", tar).strip() == "Loaded image: multi/arch:1"
    assert image_ids(a3s) == [img.id]


def test_save_rmi_load_run(a3s, workdir):
    layers = [[ib.dir_("bin"), ib.busybox_file(), ib.symlink("bin/sh", "busybox"), ib.symlink("bin/cat", "busybox")],
              [ib.dir_("etc"), ib.file("etc/msg", "saved and loaded\n")]]
    load_tagged(a3s, workdir, tag="test/run:1", layers=layers, config={"config": {"Cmd": ["cat", "/etc/msg"],
                                                                                   "Env": ["PATH=/bin"]}})
    out = os.path.join(workdir, "out.tar")
    a3s.out("save", "-o", out, "test/run:1")
    a3s.out("rmi", "test/run:1")
    assert os.listdir(os.path.join(a3s.root, "blobs", "sha256")) == []
    a3s.out("load", "-i", out)
    p = a3s.run("run", "--rm", "test/run:1", timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"saved and loaded\n"


# ---- history ----

def test_history(a3s, workdir):
    img_id = load_tagged(a3s, workdir)
    raw = [ib.layer_tar(l) for l in LAYERS]
    lines = a3s.out("history", "test/img:v1").splitlines()
    assert lines[0].split() == ["IMAGE", "CREATED", "CREATED", "BY", "SIZE", "COMMENT"]
    rows = lines[1:]
    assert len(rows) == 3
    assert rows[0].startswith(img_id[7:19] + " ")
    assert rows[1].startswith("<missing> ") and rows[2].startswith("<missing> ")
    assert "years ago" in rows[0]
    # CREATED BY is cut at 45 characters, "…" included, tabs become spaces
    assert "RUN /bin/sh -c echo two > /etc/two # buildkit cache" not in rows[0]
    assert "RUN /bin/sh -c echo two > /etc/two # buildki…" in rows[0]
    assert len("RUN /bin/sh -c echo two > /etc/two # buildki…") == 45
    assert "buildkit.dockerfile.v0" in rows[0]
    assert "/bin/sh -c #(nop)  ENV GREETING=hello world" in rows[1]
    assert "0B" in rows[1].split()
    p = a3s.out("history", "--no-trunc", "-H=false", "--format",
                "{{.ID}}|{{.CreatedSince}}|{{.CreatedAt}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}", "test/img:v1")
    assert p.splitlines() == [
        "%s|2023-11-14T22:13:22Z|2023-11-14T22:13:22Z|RUN /bin/sh -c echo two > /etc/two # buildkit cache|%d|"
        "buildkit.dockerfile.v0" % (img_id, len(raw[1])),
        "<missing>|2023-11-14T22:13:21Z|2023-11-14T22:13:21Z|/bin/sh -c #(nop)  ENV GREETING=hello world|0|",
        "<missing>|2023-11-14T22:13:20Z|2023-11-14T22:13:20Z|/bin/sh -c #(nop) ADD file:0123456789abcdef in / |%d|"
        % len(raw[0]),
    ]
    assert a3s.out("history", "-q", "test/img:v1").split() == [img_id[7:19], "<missing>", "<missing>"]
    assert a3s.out("history", "-q", "--no-trunc", "test/img:v1").split()[0] == img_id
    j = json.loads(a3s.out("history", "--format", "json", "test/img:v1").splitlines()[0])
    assert sorted(j) == ["Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size"]
    p = a3s.run("history", "nope")
    assert p.returncode == 1 and p.stderr.decode().strip() == "a3s-box: No such image: nope"


def test_history_too_many_layers(a3s, workdir):
    cfg = {"history": [{"created_by": "a"}, {"created_by": "b"}, {"created_by": "c"}]}
    load_tagged(a3s, workdir, config=cfg)
    p = a3s.run("history", "test/img:v1")
    assert p.returncode == 125
    assert "too many non-empty layers in History section" in p.stderr.decode()


# ---- image prune ----

def prune(a3s, *args, input=None):
    return a3s.run("image", "prune", *args, input=input)


def test_image_prune(a3s, workdir):
    tagged = load_tagged(a3s, workdir, tag="test/kept:1")
    dangling = load_tagged(a3s, workdir, tag=None, layers=[[ib.file("d", "d\n")]], config=None, name="d.tar")
    used = load_tagged(a3s, workdir, tag=None, layers=[[ib.dir_("bin"), ib.busybox_file(),
                                                        ib.symlink("bin/sh", "busybox")]],
                       config=None, name="u.tar")
    a3s.out("create", "--name", "user", used)
    # no -f: docker's prompt, answered from stdin; anything but y/yes keeps everything
    p = prune(a3s, input=b"n\n")
    assert p.returncode == 0
    assert p.stdout.decode() == ("WARNING! This will remove all dangling images.\n"
                                 "Are you sure you want to continue? [y/N] ")
    p = prune(a3s, input=b"")
    assert p.returncode == 0 and "Deleted" not in p.stdout.decode()
    assert image_ids(a3s) == sorted([tagged, dangling, used])
    p = prune(a3s, input=b"y\n")
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr
    assert out.startswith("WARNING! This will remove all dangling images.\n"
                          "Are you sure you want to continue? [y/N] Deleted Images:\ndeleted: %s\n\n" % dangling)
    assert out.splitlines()[-1].startswith("Total reclaimed space: ")
    assert out.splitlines()[-1] != "Total reclaimed space: 0B"
    assert image_ids(a3s) == sorted([tagged, used])
    # nothing left to prune
    assert prune(a3s, "-f").stdout.decode() == "Total reclaimed space: 0B\n"
    # -a: every image no box uses, tags first; never the box's image
    p = prune(a3s, "-a", "-f")
    assert p.stdout.decode().startswith("Deleted Images:\nuntagged: test/kept:1\ndeleted: %s\n\n" % tagged)
    assert image_ids(a3s) == [used]
    p = prune(a3s, "-a", input=b"yes\n")
    assert p.stdout.decode().startswith(
        "WARNING! This will remove all images without at least one container associated to them.\n")
    assert image_ids(a3s) == [used]
    a3s.out("rm", "user")
    prune(a3s, "-af")
    assert image_ids(a3s) == []
    assert os.listdir(os.path.join(a3s.root, "blobs", "sha256")) == []
    assert [f for f in os.listdir(os.path.join(a3s.root, "rootfs")) if f.endswith(".erofs")] == []


def test_image_prune_filters(a3s, workdir):
    old = load_tagged(a3s, workdir, tag="t/old:1", config={"created": "2020-01-01T00:00:00Z",
                                                           "config": {"Labels": {"keep": "yes"}}})
    new = load_tagged(a3s, workdir, tag="t/new:1", layers=[[ib.file("n", "n\n")]],
                      config={"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              "config": {"Labels": {"keep": "no"}}}, name="n.tar")
    assert "deleted" not in prune(a3s, "-af", "--filter", "label=keep=maybe").stdout.decode()
    assert "deleted" not in prune(a3s, "-af", "--filter", "until=2019-01-01T00:00:00Z").stdout.decode()
    out = prune(a3s, "-af", "--filter", "until=24h").stdout.decode()
    assert "deleted: " + old in out and new not in out
    assert image_ids(a3s) == [new]
    out = prune(a3s, "-af", "--filter", "label!=keep=no").stdout.decode()
    assert "deleted" not in out
    out = prune(a3s, "-af", "--filter", "label=keep").stdout.decode()
    assert "deleted: " + new in out
    p = prune(a3s, "-f", "--filter", "color=red")
    assert p.returncode == 125 and "invalid filter 'color=red'" in p.stderr.decode()


# ---- the image cache cap ----

BASE = [ib.dir_("base"), ib.file("base/data", os.urandom(8192))]


def usage(a3s):
    total = 0
    for d, suffix in (("blobs/sha256", ""), ("rootfs", ".erofs")):
        p = os.path.join(a3s.root, d)
        for f in os.listdir(p) if os.path.isdir(p) else []:
            if f.endswith(suffix) and not f.startswith("."):
                total += os.path.getsize(os.path.join(p, f))
    return total


def cache_images(a3s, workdir, env):
    """Load three images sharing a base layer, one second apart; img1 is then
    used (its rootfs requested) so that img2 is the least recently used."""
    ids = []
    sizes = (2000, 30000, 1000)
    for i, size in enumerate(sizes):
        layers = [BASE, [ib.file("own%d" % i, os.urandom(size))]]
        tar = ib.build_image(layers, tag="cache/img%d:1" % (i + 1), workdir=workdir, name="c%d.tar" % i)
        ids.append(ib.Image(layers).id)
        if i == 2:
            return ids, tar
        a3s.out("load", "-i", tar, env=env)
        time.sleep(1.1)
        if i == 1:
            a3s.out("create", "--name", "c1", "cache/img1:1")  # builds the rootfs, sets last_used
            a3s.out("rm", "c1")


def test_image_cache_evicts_least_recently_used(a3s, workdir):
    ids, tar3 = cache_images(a3s, workdir, {"A3S_BOX_IMAGE_CACHE_SIZE": "0"})
    cap = usage(a3s)
    out = a3s.out("load", "-i", tar3, env={"A3S_BOX_IMAGE_CACHE_SIZE": str(cap)})
    assert out.strip() == "Loaded image: cache/img3:1"
    # img2 was the least recently used: gone, with its own blobs; the shared base stays
    assert image_ids(a3s) == sorted([ids[0], ids[2]])
    assert usage(a3s) <= cap
    db = sqlite3.connect(os.path.join(a3s.root, "a3s.db"))
    referenced = set()
    for layers, man in db.execute("SELECT layers, coalesce(manifest_digest, '') FROM images"):
        referenced.update(json.loads(layers))
        referenced.add(man)
    referenced.update(r[0] for r in db.execute("SELECT id FROM images"))
    for hexd in os.listdir(os.path.join(a3s.root, "blobs", "sha256")):
        assert "sha256:" + hexd in referenced
    db.close()
    # the image built last is kept even when it alone is over the cap; a box's image is never evicted
    a3s.out("create", "--name", "holder", "cache/img1:1")
    big = ib.build_image([[ib.file("big", os.urandom(50000))]], tag="cache/big:1", workdir=workdir, name="big.tar")
    a3s.out("load", "-i", big, env={"A3S_BOX_IMAGE_CACHE_SIZE": "1k"})
    tags = sorted(a3s.out("images", "--format", "{{.Repository}}").split())
    assert tags == ["cache/big", "cache/img1"]
    a3s.out("rm", "holder")


def test_image_cache_size_from_config_file(a3s, workdir):
    ids, tar3 = cache_images(a3s, workdir, {"A3S_BOX_IMAGE_CACHE_SIZE": "0"})
    with open(os.path.join(a3s.root, "config.json"), "w") as f:
        json.dump({"imageCacheSize": "1KiB"}, f)
    a3s.out("load", "-i", tar3)
    assert image_ids(a3s) == [ids[2]]
    # the environment wins over the file; 0 turns eviction off
    a3s.out("load", "-i", os.path.join(workdir, "c0.tar"), env={"A3S_BOX_IMAGE_CACHE_SIZE": "0"})
    assert image_ids(a3s) == sorted([ids[0], ids[2]])
    # a malformed cap is an error before anything is loaded
    with open(os.path.join(a3s.root, "config.json"), "w") as f:
        json.dump({"imageCacheSize": "lots"}, f)
    p = a3s.run("load", "-i", os.path.join(workdir, "c1.tar"))
    assert p.returncode == 125
    assert "invalid size: 'lots'" in p.stderr.decode() and "imageCacheSize" in p.stderr.decode()
    p = a3s.run("load", "-i", os.path.join(workdir, "c1.tar"), env={"A3S_BOX_IMAGE_CACHE_SIZE": "-1"})
    assert p.returncode == 125 and "A3S_BOX_IMAGE_CACHE_SIZE" in p.stderr.decode()
    assert image_ids(a3s) == sorted([ids[0], ids[2]])
    # the default cap is far away
    os.unlink(os.path.join(a3s.root, "config.json"))
    a3s.out("load", "-i", os.path.join(workdir, "c1.tar"))
    assert len(image_ids(a3s)) == 3
