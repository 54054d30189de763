"""A registry that misbehaves (tests/integration/registry.py FakeRegistry):
wrong digests, truncated blobs, oversized or malformed manifests, a 401 loop,
a redirect to another host, a stalled connection. Each ends with one clear
line, in bounded time, with nothing stored."""
import base64
import json
import os
import time

import pytest

from imagebuild import Image, dir_, file
from registry import FakeRegistry, sha

LAYERS = [[dir_("etc"), file("etc/a", os.urandom(200000))], [file("etc/b", os.urandom(300000))]]


@pytest.fixture
def image():
    return Image(LAYERS, compress_="gzip")


def env_for(workdir, **extra):
    d = os.path.join(workdir, "a3s-config")
    os.makedirs(d, exist_ok=True)
    e = {"DOCKER_CONFIG": os.path.join(workdir, "docker"), "A3S_BOX_CONFIG": d,
         "A3S_BOX_CERTS_D": os.path.join(workdir, "certs.d")}
    e.update(extra)
    return e


def pull(a3s, workdir, reg, ref=None, **extra):
    env = env_for(workdir, **extra)
    with open(os.path.join(env["A3S_BOX_CONFIG"], "registries.json"), "w") as f:
        json.dump({"insecure-registries": [reg.host]}, f)
    t = time.time()
    p = a3s.run("pull", ref or "%s/%s:%s" % (reg.host, reg.repo, reg.tag), env=env, timeout=90)
    if os.environ.get("A3S_SHOW_ERRORS"):
        print(reg.mode, p.stderr.decode().strip().splitlines()[-1:])
    return p, time.time() - t


def nothing_stored(a3s):
    assert a3s.out("images", "-a", "-q") == ""
    assert os.listdir(os.path.join(a3s.root, "blobs", "sha256")) == []
    assert os.listdir(os.path.join(a3s.root, "tmp")) == []


def last(p):
    return p.stderr.decode().strip().splitlines()[-1]


def test_wrong_blob_digest(a3s, workdir, image):
    with FakeRegistry(image, "wrong_blob") as reg:
        p, _ = pull(a3s, workdir, reg)
    assert p.returncode == 125
    assert "digest mismatch for blob sha256:" in last(p) and "the registry sent content with digest" in last(p)
    assert len(p.stderr.decode().strip().splitlines()) == 1
    nothing_stored(a3s)


def test_wrong_manifest_digest(a3s, workdir, image):
    with FakeRegistry(image, "wrong_manifest") as reg:
        p, _ = pull(a3s, workdir, reg, "%s/%s@%s" % (reg.host, reg.repo, sha(image.manifest())))
        assert p.returncode == 125 and "has the wrong digest" in last(p), last(p)
    nothing_stored(a3s)


@pytest.mark.parametrize("mode,msg", [("big_manifest", "larger than 4194304 bytes"),
                                      ("malformed_manifest", "invalid manifest")])
def test_bad_manifest(a3s, workdir, image, mode, msg):
    with FakeRegistry(image, mode) as reg:
        p, _ = pull(a3s, workdir, reg)
    assert p.returncode == 125 and msg in last(p), last(p)
    nothing_stored(a3s)


def test_truncated_blob_is_resumed(a3s, workdir, image):
    with FakeRegistry(image, "truncate_once") as reg:
        p, _ = pull(a3s, workdir, reg)
        assert p.returncode == 0, p.stderr
        ranges = [r for _, _, _, r in reg.log if r]
    # each layer was resumed from where the connection broke
    assert sorted(ranges) == sorted("bytes=%d-" % (len(b) // 2) for b in image.blobs)
    assert a3s.out("images", "-q").strip() == image.id[7:19]


def test_truncated_blob_always(a3s, workdir, image):
    with FakeRegistry(image, "truncate_always") as reg:
        p, t = pull(a3s, workdir, reg)
    assert p.returncode == 125
    assert "failed 5 times" in last(p) and "closed" in last(p) or "Transferred a partial file" in last(p), last(p)
    assert t < 40
    nothing_stored(a3s)


def test_401_loop_is_bounded(a3s, workdir, image):
    with FakeRegistry(image, "auth_loop") as reg:
        p, t = pull(a3s, workdir, reg)
        n = len(reg.log)
    assert p.returncode == 125 and "unauthorized" in last(p), last(p)
    assert n <= 6 and t < 20
    nothing_stored(a3s)


def test_redirect_to_another_host_gets_no_credentials(a3s, workdir, image):
    with FakeRegistry(image, "redirect", user="bob:pw") as reg, FakeRegistry(image) as storage:
        reg.redirect_to = storage
        os.makedirs(os.path.join(workdir, "docker"))
        with open(os.path.join(workdir, "docker", "config.json"), "w") as f:
            json.dump({"auths": {reg.host: {"auth": base64.b64encode(b"bob:pw").decode()}}}, f)
        p, _ = pull(a3s, workdir, reg)
        assert p.returncode == 0, p.stderr
        assert any(a for _, _, a, _ in reg.log)  # the registry got the credentials
        assert storage.log and all(a is None for _, _, a, _ in storage.log)  # the other host did not
    assert a3s.out("images", "-q").strip() == image.id[7:19]


def test_stalled_connection_times_out(a3s, workdir, image):
    with FakeRegistry(image, "stall") as reg:
        p, t = pull(a3s, workdir, reg, A3S_BOX_REGISTRY_STALL_TIMEOUT="1")
    assert p.returncode == 125
    assert "failed 5 times" in last(p) and "Operation too slow" in last(p), last(p)
    assert t < 40, t
    nothing_stored(a3s)


def test_layer_compressions_and_diff_ids(a3s, workdir):
    """zstd, plain and gzip layers: diff_ids are computed as they arrive."""
    img = Image(LAYERS + [[file("etc/c", b"c" * 100000)]], compress_=["zstd", None, "gzip"])
    with FakeRegistry(img) as reg:
        p, _ = pull(a3s, workdir, reg)
        assert p.returncode == 0, p.stderr
    info = json.loads(a3s.out("image", "inspect", "%s/%s:%s" % (reg.host, reg.repo, reg.tag)))[0]
    assert info["Id"] == img.id
    assert info["RootFS"]["Layers"] == [sha(r) for r in img.raw_layers]


def test_diff_id_mismatch(a3s, workdir):
    img = Image(LAYERS, compress_="gzip", config={"rootfs": {"type": "layers", "diff_ids": [
        sha(b"not this"), sha(b"nor this")]}})
    with FakeRegistry(img) as reg:
        p, _ = pull(a3s, workdir, reg)
    assert p.returncode == 125
    assert "layer 1 (sha256:" in last(p) and "does not match the image config" in last(p), last(p)
    nothing_stored(a3s)


def test_index_platforms(a3s, workdir):
    """A Docker manifest list: the host's platform by default, --platform
    with variants, and docker's message when nothing matches."""
    amd = Image([[file("arch", "amd64\n")]], compress_="gzip")
    arm = Image([[file("arch", "arm64\n")]], compress_="gzip", config={"architecture": "arm64"})
    v7 = Image([[file("arch", "armv7\n")]], compress_="gzip", config={"architecture": "arm"})
    with FakeRegistry(amd, platforms={"linux/arm64/v8": arm, "linux/amd64": amd, "linux/arm/v7": v7}) as reg:
        name = "%s/%s:%s" % (reg.host, reg.repo, reg.tag)
        p, _ = pull(a3s, workdir, reg)
        assert p.returncode == 0, p.stderr
        assert "Digest: " + sha(reg.index) in p.stdout.decode()
        info = json.loads(a3s.out("image", "inspect", name))[0]
        assert info["Id"] == amd.id
        assert info["RepoDigests"] == ["%s/%s@%s" % (reg.host, reg.repo, sha(reg.index))]
        env = env_for(workdir)
        for plat, img in (("linux/arm64", arm), ("linux/arm/v7", v7)):
            p = a3s.run("pull", "--platform", plat, name, env=env)
            assert p.returncode == 0, p.stderr
            assert json.loads(a3s.out("image", "inspect", name))[0]["Id"] == img.id
        p = a3s.run("pull", "--platform", "linux/s390x", name, env=env)
        assert p.returncode == 1
        assert last(p) == "a3s-box: no matching manifest for linux/s390x in the manifest list entries"


def test_interrupted_pull_leaves_nothing(a3s, workdir, image):
    import signal
    import subprocess
    with FakeRegistry(image, "stall") as reg:
        env = env_for(workdir)
        with open(os.path.join(env["A3S_BOX_CONFIG"], "registries.json"), "w") as f:
            json.dump({"insecure-registries": [reg.host]}, f)
        p = subprocess.Popen(a3s.cmd("pull", "%s/%s:%s" % (reg.host, reg.repo, reg.tag)),
                             env=dict(os.environ, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while not any(path.startswith("/v2/%s/blobs/" % reg.repo) and m == "GET" for m, path, _, _ in reg.log[2:]):
            assert time.time() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        t = time.time()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        assert time.time() - t < 3
    assert p.returncode == 125
    assert err.decode().strip().splitlines()[-1].endswith("interrupted"), err
    nothing_stored(a3s)
