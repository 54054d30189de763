"""Signatures over the registry: pull --verify-key / keyless flags / the
signature policy against cosign .sig manifests made independently
(cosignfix.py: openssl CLI + Python) and pushed to Debian's docker-registry
on loopback; push --sign-key checked with openssl and skopeo and verified by
a3s-box itself. Every refusal leaves the store and its tmp dir empty. No VM
boots here."""
import base64
import json
import os
import shutil
import tempfile
import urllib.request

import pytest

import cosignfix as cf
from imagebuild import build_image, dir_, file
from registry import Registry, skopeo
from regenv import LAYERS, env, inspect_digest, one_line, seed  # noqa: F401 (env is a fixture)

EMAIL = "alice@example.com"
ISSUER = "https://issuer.example"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="a3s-regsign-")
    try:
        yield cf.Pki(d)
    finally:
        shutil.rmtree(d)


def http(reg, method, path, data=None, headers=None):
    url = path if path.startswith("http") else "http://%s%s" % (reg.host, path)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, dict(r.headers), r.read()


def upload(reg, repo, data):
    d = cf.digest(data)
    _, h, _ = http(reg, "POST", "/v2/%s/blobs/uploads/" % repo, data=b"")
    loc = h["Location"]
    http(reg, "PUT", loc + ("&" if "?" in loc else "?") + "digest=" + d, data=data,
         headers={"Content-Type": "application/octet-stream"})
    return d


def sig_tag(digest):
    return digest.replace(":", "-") + ".sig"


def put_sig(reg, repo, image_digest, oci, manifest_path):
    """Push a .sig manifest made by cosignfix (its blobs first)."""
    m = json.load(open(manifest_path))
    for desc in [m["config"]] + m["layers"]:
        upload(reg, repo, oci.blob(desc["digest"]))
    http(reg, "PUT", "/v2/%s/manifests/%s" % (repo, sig_tag(image_digest)), data=open(manifest_path, "rb").read(),
         headers={"Content-Type": OCI_MANIFEST})


def get_sig(reg, repo, image_digest):
    _, _, body = http(reg, "GET", "/v2/%s/manifests/%s" % (repo, sig_tag(image_digest)),
                      headers={"Accept": OCI_MANIFEST})
    return json.loads(body)


def key_layer(oci, key, ref, digest, payload=None):
    p = payload or cf.payload(ref, digest)
    return oci.layer(p, cf.sign(key, p))


def keyless_layer(pki, oci, leaf, ref, digest):
    key, cert = leaf
    p = cf.payload(ref, digest)
    sig = cf.sign(key, p)
    return oci.layer(p, sig, cert=cert, chain=pki.inter_pem(), bundle=pki.bundle(p, sig, cert))


def refused(env, p, text):
    """Exit 125, one line naming the problem, and nothing stored."""
    err = p.stderr.decode()
    assert p.returncode == 125, err
    assert text in one_line(p), err
    assert_nothing_stored(env)
    return one_line(p)


def assert_nothing_stored(env):
    assert env.ok("images", "-q") == ""
    root = env.a3s.root
    for sub in ("blobs/sha256", "tmp", "rootfs"):
        d = os.path.join(root, sub)
        assert not os.path.isdir(d) or os.listdir(d) == [], "%s: %s" % (sub, os.listdir(d))


def seed_other(reg, workdir, repo):
    """A second, different image."""
    tar = build_image([[dir_("etc"), file("etc/other", "another image\n")]], gzip_layers=True,
                      tag="test/other:latest", workdir=workdir, name="other.tar")
    skopeo("copy", "--dest-tls-verify=false", "oci-archive:" + tar, "docker://%s/%s" % (reg.host, repo))
    return inspect_digest(reg, repo)


def test_verify_key_pull(env, workdir, pki):
    good_key, good_pub = pki.keypair("signer")
    bad_key, _ = pki.keypair("mallory")
    oci = cf.OciDir(os.path.join(workdir, "oci"))
    with Registry(os.path.join(workdir, "reg")) as reg:
        env.insecure(reg.host)
        digest = seed(reg, workdir, "app/img:v1")
        other = seed_other(reg, workdir, "other/img:v1")
        assert digest != other
        name = reg.host + "/app/img:v1"
        ref = reg.host + "/app/img"
        full = "%s@%s" % (ref, digest)

        # unsigned: no .sig tag
        p = env.run("pull", "--verify-key", good_pub, name)
        refused(env, p, "image '%s' is not signed" % full)
        # signed by another key
        put_sig(reg, "app/img", digest, oci, oci.manifest([key_layer(oci, bad_key, ref, digest)]))
        line = refused(env, p=env.run("pull", "--verify-key", good_pub, name),
                       text="signature does not verify with key '%s'" % good_pub)
        assert line.startswith("a3s-box: verifying the signature of '%s'" % full), line
        # a good signature of another image, copied to this image's .sig tag
        sig_other = oci.manifest([key_layer(oci, good_key, reg.host + "/other/img", other)])
        put_sig(reg, "other/img", other, oci, sig_other)
        env.ok("pull", "--verify-key", good_pub, reg.host + "/other/img:v1")
        env.ok("rmi", reg.host + "/other/img:v1")
        assert_nothing_stored(env)
        put_sig(reg, "app/img", digest, oci, sig_other)
        refused(env, env.run("pull", "--verify-key", good_pub, name),
                "signed payload is for '%s', not '%s'" % (other, digest))
        # the payload changed after signing (the blob's digest follows it)
        signed = cf.payload(ref, digest)
        sig = cf.sign(good_key, signed)
        tampered = cf.payload(ref, digest, optional={"note": "changed"})
        put_sig(reg, "app/img", digest, oci, oci.manifest([oci.layer(tampered, sig)]))
        refused(env, env.run("pull", "--verify-key", good_pub, name), "signature does not verify with key")
        # the signature manifest is listed as broken for the other ones
        put_sig(reg, "app/img", digest, oci,
                oci.manifest([key_layer(oci, bad_key, ref, digest), oci.layer(tampered, sig)]))
        refused(env, env.run("pull", "--verify-key", good_pub, name),
                "none of the 2 signatures of '%s' verifies" % full)

        # good: the bad signature first, a good one after it (one suffices, as for cosign)
        put_sig(reg, "app/img", digest, oci,
                oci.manifest([key_layer(oci, bad_key, ref, digest), key_layer(oci, good_key, ref, digest)]))
        out = env.ok("pull", "--verify-key", good_pub, name)
        lines = out.splitlines()
        assert "Signature verified: %s (--verify-key %s)" % (full, good_pub) in lines, out
        assert lines[-1] == name
        assert env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").split() == [name]
        # by digest too
        env.ok("rmi", name)
        env.ok("pull", "-q", "--verify-key", good_pub, full)

        # usage errors are one line, before anything is fetched
        p = env.run("pull", "--verify-key", good_pub, "--certificate-identity", EMAIL, name)
        assert p.returncode == 125 and "--verify-key cannot be combined" in one_line(p)
        p = env.run("pull", "--rekor-key", pki.rekor_pub, name)
        assert p.returncode == 125 and "need --verify-key or --certificate-identity" in one_line(p)
        p = env.run("pull", "--verify-key", os.path.join(workdir, "missing.pub"), "%s/other/img:v1" % reg.host)
        assert p.returncode == 125 and "missing.pub" in one_line(p), one_line(p)


def test_keyless_pull(env, workdir, pki):
    oci = cf.OciDir(os.path.join(workdir, "oci"))
    with Registry(os.path.join(workdir, "reg")) as reg:
        env.insecure(reg.host)
        digest = seed(reg, workdir, "app/img:v1")
        name, ref = reg.host + "/app/img:v1", reg.host + "/app/img"
        leaf = pki.leaf("email:" + EMAIL, ISSUER)
        put_sig(reg, "app/img", digest, oci, oci.manifest([keyless_layer(pki, oci, leaf, ref, digest)]))
        trust = ["--fulcio-root", pki.root, "--rekor-key", pki.rekor_pub]
        # wrong identity, wrong issuer: refused
        refused(env, env.run("pull", "--certificate-identity", "bob@example.com",
                             "--certificate-oidc-issuer", ISSUER, *trust, name),
                "certificate identity '%s' does not match 'bob@example.com'" % EMAIL)
        refused(env, env.run("pull", "--certificate-identity", EMAIL,
                             "--certificate-oidc-issuer", "https://other.example", *trust, name),
                "certificate issuer")
        # no trust material configured: one line saying what to give
        p = env.run("pull", "--certificate-identity", EMAIL, "--certificate-oidc-issuer", ISSUER, name)
        refused(env, p, "keyless verification needs --fulcio-root FILE")
        p = env.run("pull", "--certificate-identity", EMAIL, name)
        refused(env, p, "keyless verification needs --certificate-oidc-issuer")
        # good, with the flags
        out = env.ok("pull", "--certificate-identity", EMAIL, "--certificate-oidc-issuer", ISSUER, *trust, name)
        assert "Signature verified: %s@%s (keyless, identity '%s')" % (ref, digest, EMAIL) in out
        env.ok("rmi", name)
        # good, with regexps and the trust material from the config dir
        sigstore = os.path.join(env.env["A3S_BOX_CONFIG"], "sigstore")
        os.makedirs(sigstore)
        shutil.copy(pki.root, os.path.join(sigstore, "fulcio.pem"))
        shutil.copy(pki.rekor_pub, os.path.join(sigstore, "rekor.pub"))
        env.ok("pull", "-q", "--certificate-identity-regexp", "@example\\.com$",
               "--certificate-oidc-issuer-regexp", "^https://issuer\\.", name)


def test_policy_requires_signature(env, workdir, pki):
    key, pub = pki.keypair("policy-signer")
    oci = cf.OciDir(os.path.join(workdir, "oci"))
    with Registry(os.path.join(workdir, "reg")) as reg:
        env.insecure(reg.host)
        digest = seed(reg, workdir, "secure/img:v1")
        seed(reg, workdir, "open/img:v1")
        conf = env.env["A3S_BOX_CONFIG"]
        shutil.copy(pub, os.path.join(conf, "signer.pub"))
        policy = os.path.join(conf, "signature-policy.json")
        with open(policy, "w") as f:
            json.dump({"default": {"require": "none"},
                       "scopes": {reg.host + "/secure": {"require": "key", "key": "signer.pub"}}}, f)
        name = reg.host + "/secure/img:v1"
        full = "%s/secure/img@%s" % (reg.host, digest)
        # unsigned, in a scope that requires a key: refused without any flag
        line = refused(env, env.run("pull", name), "image '%s' is not signed" % full)
        assert "required by the signature policy '%s', scope '%s/secure'" % (policy, reg.host) in line, line
        # run/create pull through the same policy (nothing boots: the pull fails first)
        refused(env, env.run("run", "--rm", name, "true"), "is not signed")
        refused(env, env.run("create", "--pull", "always", name), "is not signed")
        # outside the scope: nothing required
        env.ok("pull", "-q", reg.host + "/open/img:v1")
        env.ok("rmi", reg.host + "/open/img:v1")
        # signed: the policy's key verifies it, no flag needed
        put_sig(reg, "secure/img", digest, oci,
                oci.manifest([key_layer(oci, key, reg.host + "/secure/img", digest)]))
        out = env.ok("pull", name)
        assert "Signature verified: %s (policy '%s', scope '%s/secure')" % (full, policy, reg.host) in out, out
        env.ok("rmi", name)
        # another policy through the environment: a default requiring another key
        _, other_pub = pki.keypair("policy-other")
        strict = os.path.join(workdir, "strict.json")
        with open(strict, "w") as f:
            json.dump({"default": {"require": "key", "key": other_pub}}, f)
        refused(env, env.run("pull", name, env={"A3S_BOX_SIGNATURE_POLICY": strict}),
                "signature does not verify with key '%s'" % other_pub)
        refused(env, env.run("pull", reg.host + "/open/img:v1", env={"A3S_BOX_SIGNATURE_POLICY": strict}),
                "is not signed")
        # --verify-key overrides the policy for this pull
        env.ok("pull", "-q", "--verify-key", pub, name, env={"A3S_BOX_SIGNATURE_POLICY": strict})
        env.ok("rmi", name)
        # a broken or missing policy is an error, not a silent "none"
        with open(policy, "w") as f:
            json.dump({"scopes": {reg.host: {"require": "key", "kye": "x.pub"}}}, f)
        refused(env, env.run("pull", reg.host + "/open/img:v1"), "signature policy")
        p = env.run("pull", "--signature-policy", os.path.join(workdir, "nope.json"), reg.host + "/open/img:v1")
        refused(env, p, "nope.json")


def test_signed_push_then_verified_pull(env, workdir, pki):
    key, pub = pki.keypair("pusher")
    with Registry(os.path.join(workdir, "reg")) as reg:
        env.insecure(reg.host)
        tar = build_image(LAYERS, fmt="oci", gzip_layers=True, tag="local/img:v1", workdir=workdir)
        env.ok("load", "-i", tar)
        name = reg.host + "/signed/img:v1"
        ref = reg.host + "/signed/img"
        env.ok("tag", "local/img:v1", name)
        p = env.run("push", "--sign-key", os.path.join(workdir, "missing.key"), name)
        assert p.returncode == 125 and "cannot read the signing key" in one_line(p)
        out = env.ok("push", "--sign-key", key, name)
        lines = out.splitlines()
        digest = lines[-2].split()[2]
        assert lines[-1] == "Signed %s@%s: pushed %s" % (ref, digest, sig_tag(digest)), out
        assert inspect_digest(reg, "signed/img:v1") == digest
        # skopeo sees the .sig tag and its manifest
        raw = json.loads(skopeo("inspect", "--raw", "--tls-verify=false",
                                "docker://%s:%s" % (ref, sig_tag(digest))))
        assert raw["mediaType"] == OCI_MANIFEST and len(raw["layers"]) == 1
        tags = json.loads(skopeo("list-tags", "--tls-verify=false", "docker://" + ref))["Tags"]
        assert sorted(tags) == sorted(["v1", sig_tag(digest)])
        # the payload names this image, and openssl verifies the signature over it
        layer = raw["layers"][0]
        assert layer["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json"
        _, _, payload = http(reg, "GET", "/v2/signed/img/blobs/" + layer["digest"])
        assert cf.digest(payload) == layer["digest"]
        doc = json.loads(payload)
        assert doc["critical"]["image"]["docker-manifest-digest"] == digest
        assert doc["critical"]["identity"]["docker-reference"] == ref
        sig = base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"])
        assert cf.openssl_verify(pub, payload, sig, workdir)
        # what a3s-box signs, a3s-box verifies (in a fresh store)
        env.ok("rmi", name, "local/img:v1")
        assert_nothing_stored(env)
        out = env.ok("pull", "--verify-key", pub, name)
        assert "Signature verified: %s@%s" % (ref, digest) in out
        # signing again appends, as cosign does; a third key matches none of them
        key2, pub2 = pki.keypair("pusher2")
        env.ok("push", "-q", "--sign-key", key2, name)
        assert len(get_sig(reg, "signed/img", digest)["layers"]) == 2
        env.ok("rmi", name)
        env.ok("pull", "-q", "--verify-key", pub2, name)
        env.ok("rmi", name)
        _, pub3 = pki.keypair("pusher3")
        refused(env, env.run("pull", "--verify-key", pub3, name), "none of the 2 signatures")
        # pull -a skips the .sig tag (not an image) and verifies every tag
        out = env.ok("pull", "-a", "--verify-key", pub, ref)
        assert out.splitlines()[-1] == ref and "Signature verified: %s@%s" % (ref, digest) in out
        assert env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").split() == [name]
        env.ok("rmi", name)

        # the cache cap after a pull: the pulled image stays, older ones go
        other = seed_other(reg, workdir, "other/img:v1")
        assert other
        env.ok("pull", "-q", name)
        env.ok("pull", "-q", reg.host + "/other/img:v1", env={"A3S_BOX_IMAGE_CACHE_SIZE": "1"})
        rows = env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").split()
        assert rows == [reg.host + "/other/img:v1"], rows


def test_index_signature_is_the_index_digest(env, workdir, pki):
    """cosign signs the digest the tag points to: for a multi-arch image,
    the index (--recursive adds one per platform manifest). A pull verifies
    the index digest; a signature on the platform manifest only is not one
    on the index."""
    key, pub = pki.keypair("index-signer")
    oci = cf.OciDir(os.path.join(workdir, "oci"))
    with Registry(os.path.join(workdir, "reg")) as reg:
        env.insecure(reg.host)
        man_digest = seed(reg, workdir, "multi/img:single")
        _, _, man = http(reg, "GET", "/v2/multi/img/manifests/" + man_digest, headers={"Accept": OCI_MANIFEST})
        index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": [{"mediaType": OCI_MANIFEST, "digest": man_digest, "size": len(man),
                                           "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
        http(reg, "PUT", "/v2/multi/img/manifests/v1", data=index,
             headers={"Content-Type": "application/vnd.oci.image.index.v1+json"})
        idx_digest = cf.digest(index)
        name, ref = reg.host + "/multi/img:v1", reg.host + "/multi/img"
        # only the platform manifest is signed
        put_sig(reg, "multi/img", man_digest, oci, oci.manifest([key_layer(oci, key, ref, man_digest)]))
        refused(env, env.run("pull", "--verify-key", pub, name),
                "image '%s@%s' is not signed" % (ref, idx_digest))
        # the index is signed: the pull verifies it and records the index digest
        put_sig(reg, "multi/img", idx_digest, oci, oci.manifest([key_layer(oci, key, ref, idx_digest)]))
        out = env.ok("pull", "--verify-key", pub, name, env={"A3S_BOX_PLATFORM": "linux/amd64"})
        assert "Signature verified: %s@%s" % (ref, idx_digest) in out
        assert "Digest: " + idx_digest in out
        # a pull of the platform manifest by digest checks that digest's signature
        env.ok("rmi", name)
        env.ok("pull", "-q", "--verify-key", pub, "%s@%s" % (ref, man_digest))
