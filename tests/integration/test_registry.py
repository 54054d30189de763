"""pull / push / login against Debian's reference registry (docker-registry),
cross-checked with skopeo: plain HTTP (--tls-verify=false and the insecure
registries file), TLS with a CA made here plus htpasswd, and token auth
through a token server the tests run. Each test has its own registry on a
free port, its own config dirs, and stops everything when it ends."""
import base64
import json
import os
import stat
import subprocess

import pytest

from imagebuild import build_image
from registry import Registry, skopeo
from regenv import LAYERS, env, inspect_digest, one_line, seed  # noqa: F401 (env is a fixture)


def test_plain_http_pull_run_push_and_skopeo(env, workdir):
    with Registry(os.path.join(workdir, "reg")) as reg:
        digest = seed(reg, workdir)
        name = reg.host + "/test/img:v1"
        # HTTPS is the default: a plain-HTTP registry is refused with one clear line
        p = env.run("pull", name)
        assert p.returncode == 125
        assert "registry '%s' is not reachable" % reg.host in one_line(p)
        # --tls-verify=false: docker-like lines, the reference last
        out = env.ok("pull", "--tls-verify=false", name)
        lines = out.splitlines()
        assert lines[0] == "v1: Pulling from test/img"
        assert "Digest: " + digest in lines
        assert "Status: Downloaded newer image for " + name in lines
        assert lines[-1] == name
        assert sum(l.endswith(": Pull complete") for l in lines) == 2
        # again: up to date, nothing fetched
        out = env.ok("pull", "--tls-verify=false", name)
        assert "Status: Image is up to date for " + name in out and "Pulling fs layer" not in out
        # -q: only the reference
        assert env.ok("pull", "-q", "--tls-verify=false", name) == name + "\n"
        # the digest is recorded like docker's
        rows = env.ok("images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}").splitlines()
        assert rows == ["%s/test/img v1 %s" % (reg.host, digest)]
        info = json.loads(env.ok("image", "inspect", name))[0]
        assert info["RepoDigests"] == ["%s/test/img@%s" % (reg.host, digest)]
        # by digest, and through the insecure-registries file with run --pull always
        env.ok("rmi", name)
        env.ok("pull", "--tls-verify=false", "%s/test/img@%s" % (reg.host, digest))
        env.insecure(reg.host)
        p = env.run("run", "--rm", "--pull", "always", name, "cat", "/etc/hello")
        assert p.returncode == 0, p.stderr
        assert p.stdout == b"hello from the registry\n"
        assert b"Status: " in p.stderr  # pull progress goes to stderr under run

        # push under another repository: blobs are mounted, the manifest keeps its digest
        other = reg.host + "/other/img:v2"
        env.ok("tag", name, other)
        out = env.ok("push", other)
        assert "The push refers to repository [%s/other/img]" % reg.host in out
        assert "Mounted from test/img" in out
        last = out.splitlines()[-1]
        assert last.startswith("v2: digest: sha256:") and " size: " in last
        pushed = last.split()[2]
        assert pushed == digest == inspect_digest(reg, "other/img:v2")
        # skopeo copies what a3s-box pushed, with the same digest
        oci = os.path.join(workdir, "oci-out")
        skopeo("copy", "--src-tls-verify=false", "docker://" + other, "oci:" + oci + ":x")
        idx = json.load(open(os.path.join(oci, "index.json")))
        assert idx["manifests"][0]["digest"] == pushed


def test_push_loaded_image_chunked_and_pull_back(env, workdir):
    """A docker-save image has no manifest: push writes one (OCI), chunked
    uploads when asked; skopeo accepts it; a fresh root pulls and runs it."""
    with Registry(os.path.join(workdir, "reg")) as reg:
        env.insecure(reg.host)
        tar = build_image(LAYERS, fmt="docker", tag="local/img:v1", workdir=workdir)
        env.ok("load", "-i", tar)
        name = reg.host + "/pushed/img:v1"
        env.ok("tag", "local/img:v1", name)
        out = env.ok("push", name, env={"A3S_BOX_PUSH_CHUNK": "100000"})
        lines = out.splitlines()
        assert sum(l.endswith(": Pushed") for l in lines) == 2, out
        digest = lines[-1].split()[2]
        assert inspect_digest(reg, "pushed/img:v1") == digest
        raw = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + name))
        assert raw["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
        # pushed again: everything is there already
        out = env.ok("push", name)
        assert sum(l.endswith(": Layer already exists") for l in out.splitlines()) == 2
        assert out.splitlines()[-1].split()[2] == digest
        # the image now records the digest
        info = json.loads(env.ok("image", "inspect", name))[0]
        assert "%s/pushed/img@%s" % (reg.host, digest) in info["RepoDigests"]
        # a fresh data root pulls and runs it
        env.ok("rmi", name, "local/img:v1")
        p = env.run("run", "--rm", name, "cat", "/etc/hello")
        assert p.returncode == 0, p.stderr
        assert p.stdout == b"hello from the registry\n"
        assert b"Unable to find image '%s' locally" % name.encode() in p.stderr


def test_push_errors(env, workdir):
    p = env.run("push", "127.0.0.1:1/nothing/here:v1")
    assert p.returncode == 1
    assert one_line(p) == "a3s-box: An image does not exist locally with the tag: 127.0.0.1:1/nothing/here:v1"
    p = env.run("pull", "--platform", "linux", "x")
    assert p.returncode == 125 and "invalid platform 'linux'" in one_line(p)
    p = env.run("run", "--pull", "sometimes", "x")
    assert p.returncode == 125 and "invalid pull option" in p.stderr.decode()
    p = env.run("run", "--pull", "never", "127.0.0.1:1/nothing/here:v1", "true")
    assert p.returncode == 125 and "No such image: 127.0.0.1:1/nothing/here:v1" in one_line(p)


def test_tls_ca_and_htpasswd_login(env, workdir):
    with Registry(os.path.join(workdir, "reg"), tls=True, htpasswd={"alice": "s3cret"}) as reg:
        seed(reg, workdir, creds="alice:s3cret")
        name = reg.host + "/test/img:v1"
        # the CA is unknown: verification fails
        p = env.run("pull", name)
        assert p.returncode == 125
        assert "certificate" in one_line(p).lower(), one_line(p)
        env.trust(reg.host, reg.ca)
        # trusted now, but no credentials
        p = env.run("pull", name)
        assert p.returncode == 125 and "unauthorized" in one_line(p), one_line(p)
        # a wrong password stores nothing
        p = env.run("login", "-u", "alice", "--password-stdin", reg.host, input=b"wrong\n")
        assert p.returncode == 125 and "unauthorized: incorrect username or password" in one_line(p)
        cfg = os.path.join(env.env["DOCKER_CONFIG"], "config.json")
        assert not os.path.exists(cfg)
        out = env.ok("login", "-u", "alice", "--password-stdin", reg.host, input=b"s3cret\n")
        assert out == "Login Succeeded\n"
        assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o600
        auths = json.load(open(cfg))["auths"]
        assert base64.b64decode(auths[reg.host]["auth"]) == b"alice:s3cret"
        env.ok("pull", name)
        env.ok("tag", name, reg.host + "/alice/img:v1")
        out = env.ok("push", reg.host + "/alice/img:v1")
        assert out.splitlines()[-1].startswith("v1: digest: sha256:")
        # the CA from the a3s-box config dir works as well
        os.rename(os.path.join(env.env["A3S_BOX_CERTS_D"], reg.host),
                  os.path.join(workdir, "moved"))
        os.makedirs(os.path.join(env.env["A3S_BOX_CONFIG"], "certs.d"), exist_ok=True)
        os.rename(os.path.join(workdir, "moved"), os.path.join(env.env["A3S_BOX_CONFIG"], "certs.d", reg.host))
        env.ok("rmi", name)
        env.ok("pull", "-q", name)
        assert env.ok("logout", reg.host) == "Removing login credentials for %s\n" % reg.host
        assert reg.host not in json.load(open(cfg)).get("auths", {})
        assert env.ok("logout", reg.host) == "Not logged in to %s\n" % reg.host
        p = env.run("pull", name)
        assert p.returncode == 125 and "unauthorized" in one_line(p)


def test_token_auth_and_credential_helper(env, workdir):
    with Registry(os.path.join(workdir, "reg"), token={"alice": "pw"}) as reg:
        env.insecure(reg.host)
        digest = seed(reg, workdir, creds="alice:pw")
        name = reg.host + "/test/img:v1"
        # anonymous pull: the token server grants pull
        n = len(reg.token.requests)
        env.ok("pull", name)
        ours = reg.token.requests[n:]
        assert [r[0] for r in ours] == ["/token?service=a3s-test-registry&scope=repository%3Atest%2Fimg%3Apull"]
        assert all(a is None for _, a in ours)
        # anonymous push is refused with one line
        env.ok("tag", name, reg.host + "/mine/img:v1")
        p = env.run("push", reg.host + "/mine/img:v1")
        assert p.returncode == 125 and ("unauthorized" in one_line(p) or "denied" in one_line(p)), one_line(p)
        # a credential helper keeps the password (docker-credential-<name> on PATH)
        bindir = os.path.join(workdir, "bin")
        os.makedirs(bindir)
        store = os.path.join(workdir, "helper-store.json")
        helper = os.path.join(bindir, "docker-credential-test")
        with open(helper, "w") as f:
            f.write("""#!/usr/bin/python3
import json, os, sys
path = %r
data = json.load(open(path)) if os.path.exists(path) else {}
verb = sys.argv[1]
inp = sys.stdin.read()
if verb == "store":
    d = json.loads(inp); data[d["ServerURL"]] = d
elif verb == "get":
    key = inp.strip()
    if key not in data:
        print("credentials not found in native keychain"); sys.exit(1)
    print(json.dumps(data[key]))
elif verb == "erase":
    data.pop(inp.strip(), None)
json.dump(data, open(path, "w"))
""" % store)
        os.chmod(helper, 0o755)
        os.makedirs(env.env["DOCKER_CONFIG"])
        with open(os.path.join(env.env["DOCKER_CONFIG"], "config.json"), "w") as f:
            json.dump({"credHelpers": {reg.host: "test"}, "other": "kept"}, f)
        path_env = {"PATH": bindir + ":" + os.environ["PATH"]}
        p = env.run("login", "-u", "alice", "-p", "bad", reg.host, env=path_env)
        assert p.returncode == 125 and "incorrect username or password" in one_line(p)
        env.ok("login", "-u", "alice", "-p", "pw", reg.host, env=path_env)
        assert json.load(open(store))[reg.host]["Secret"] == "pw"
        cfg = json.load(open(os.path.join(env.env["DOCKER_CONFIG"], "config.json")))
        assert cfg == {"credHelpers": {reg.host: "test"}, "other": "kept"}  # nothing in auths
        n = len(reg.token.requests)
        out = env.ok("push", reg.host + "/mine/img:v1", env=path_env)
        assert out.splitlines()[-1].split()[2] == digest
        # one token per scope for the whole push, sent with the helper's credentials
        new = reg.token.requests[n:]
        assert new and all(a and a.startswith("Basic ") for _, a in new)
        assert len(new) <= 3, new
        assert inspect_digest(reg, "mine/img:v1", creds="alice:pw") == digest
        env.ok("logout", reg.host, env=path_env)
        assert reg.host not in json.load(open(store))


def test_pull_all_tags(env, workdir):
    with Registry(os.path.join(workdir, "reg")) as reg:
        seed(reg, workdir, "multi/img:a")
        digest_b = seed(reg, workdir, "multi/img:b", fmt="docker")
        # the same image loaded from the docker-save tar first: the pull only
        # tags it and records its manifest digest
        env.ok("load", "-i", os.path.join(workdir, "seed-docker.tar"))
        p = env.run("pull", "-a", "--tls-verify=false", reg.host + "/multi/img:a")
        assert p.returncode == 125 and "tag can't be used with --all-tags/-a" in one_line(p)
        out = env.ok("pull", "-a", "--tls-verify=false", reg.host + "/multi/img")
        assert out.splitlines()[-1] == reg.host + "/multi/img"
        rows = env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").split()
        assert sorted(rows) == [reg.host + "/multi/img:a", reg.host + "/multi/img:b", "test/img:latest"]
        info = json.loads(env.ok("image", "inspect", reg.host + "/multi/img:b"))[0]
        assert "%s/multi/img@%s" % (reg.host, digest_b) in info["RepoDigests"]
