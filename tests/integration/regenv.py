"""Shared by the registry tests (test_registry.py, test_registry_sign.py):
an a3s-box runner with its own config dirs, and images seeded into a
registry with skopeo."""
import json
import os

import pytest

from imagebuild import build_image, busybox_file, dir_, file, symlink
from registry import skopeo

LAYERS = [[dir_("bin"), busybox_file(), symlink("bin/sh", "busybox"), symlink("bin/cat", "busybox")],
          [dir_("etc"), file("etc/hello", "hello from the registry\n")]]


class Env:
    """a3s with its config dirs (a3s-box config, docker config, certs.d) in workdir."""

    def __init__(self, a3s, workdir):
        self.a3s, self.dir = a3s, workdir
        self.env = {"DOCKER_CONFIG": os.path.join(workdir, "docker"),
                    "A3S_BOX_CONFIG": os.path.join(workdir, "a3s-config"),
                    "A3S_BOX_CERTS_D": os.path.join(workdir, "certs.d")}

    def run(self, *args, **kw):
        env = dict(self.env)
        env.update(kw.pop("env", {}))
        return self.a3s.run(*args, env=env, **kw)

    def ok(self, *args, **kw):
        p = self.run(*args, **kw)
        assert p.returncode == 0, "a3s-box %s: %s" % (" ".join(map(str, args)), p.stderr.decode())
        return p.stdout.decode()

    def insecure(self, host):
        d = self.env["A3S_BOX_CONFIG"]
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "registries.json"), "w") as f:
            json.dump({"insecure-registries": [host]}, f)

    def trust(self, host, ca):
        d = os.path.join(self.env["A3S_BOX_CERTS_D"], host)
        os.makedirs(d, exist_ok=True)
        with open(ca) as s, open(os.path.join(d, "ca.crt"), "w") as f:
            f.write(s.read())


@pytest.fixture
def env(a3s, workdir):
    return Env(a3s, workdir)


def one_line(p):
    return p.stderr.decode().strip().splitlines()[-1]


def seed(reg, workdir, repo="test/img:v1", creds=None, tls=False, fmt="oci"):
    """Push a test-built image with skopeo; returns its manifest digest."""
    tar = build_image(LAYERS, gzip_layers=True, tag="test/img:latest", workdir=workdir,
                      name="seed-%s.tar" % fmt, fmt=fmt)
    args = ["copy", "--dest-tls-verify=false"]
    if creds:
        args += ["--dest-creds", creds]
    skopeo(*args, ("oci-archive:" if fmt == "oci" else "docker-archive:") + tar,
           "docker://%s/%s" % (reg.host, repo))
    return inspect_digest(reg, repo, creds)


def inspect_digest(reg, repo, creds=None):
    args = ["inspect", "--tls-verify=false"]
    if creds:
        args += ["--creds", creds]
    return json.loads(skopeo(*args, "docker://%s/%s" % (reg.host, repo)))["Digest"]
