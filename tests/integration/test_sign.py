"""lib/sign against signatures made independently (openssl CLI + Python,
cosignfix.py), and lib/sign's own signatures checked by openssl. Drives
a3s-sign-tool; no VM, no registry: blobs come from a directory."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import BUILD
import cosignfix as cf

TOOL = os.path.join(BUILD, "tests", "unit", "a3s-sign-tool")
REPO = "docker.io/library/busybox"
DIGEST = cf.digest(b"the image manifest")
OTHER = cf.digest(b"another image manifest")
EMAIL = "alice@example.com"
ISSUER = "https://issuer.example"


def tool(*args):
    p = subprocess.run([TOOL] + [str(a) for a in args], capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def verify(manifest, d, *trust, digest=DIGEST, repo=REPO):
    return tool("verify", manifest, d.dir, repo, digest, *trust)


def ok(res):
    rc, out, err = res
    assert rc == 0, err
    return json.loads(out)


def fails(res, text):
    rc, out, err = res
    assert rc != 0, out
    assert text in err, err
    assert err.count("\n") == 1  # one line
    return err


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="a3s-sign-")
    try:
        yield cf.Pki(d)
    finally:
        shutil.rmtree(d)


@pytest.fixture
def work():
    d = tempfile.mkdtemp(prefix="a3s-sign-")
    try:
        yield d
    finally:
        shutil.rmtree(d)


@pytest.fixture
def oci(work):
    return cf.OciDir(os.path.join(work, "oci"))


# --- key mode -----------------------------------------------------------

def test_key_good(pki, oci):
    key, pub = pki.keypair("k-good")
    p = cf.payload("index.docker.io/library/busybox", DIGEST)
    m = oci.manifest([oci.layer(p, cf.sign(key, p))])
    v = ok(verify(m, oci, "--key", pub))
    assert v["layer"] == 0 and v["docker-reference"] == "index.docker.io/library/busybox"
    # cosign ignores docker-reference; --match-reference checks it
    ok(verify(m, oci, "--key", pub, "--match-reference"))
    fails(verify(m, oci, "--key", pub, "--match-reference", repo="docker.io/library/alpine"),
          "signed payload names 'index.docker.io/library/busybox', not 'docker.io/library/alpine'")


def test_unsigned(pki, oci):
    _, pub = pki.keypair("k-unsigned")
    m = oci.manifest([])
    fails(verify(m, oci, "--key", pub), "image '%s@%s' is not signed" % (REPO, DIGEST))
    # no .sig manifest at all: the registry client reports the same error
    fails(tool("verify", "-", oci.dir, REPO, DIGEST, "--key", pub), "image '%s@%s' is not signed" % (REPO, DIGEST))
    # layers of other media types are not signatures
    p = b"{}"
    layer = oci.layer(p, b"x")
    layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar"
    fails(verify(oci.manifest([layer]), oci, "--key", pub), "is not signed")


def test_wrong_key(pki, oci):
    key, _ = pki.keypair("k-signer")
    _, other = pki.keypair("k-other")
    p = cf.payload(REPO, DIGEST)
    m = oci.manifest([oci.layer(p, cf.sign(key, p))])
    fails(verify(m, oci, "--key", other), "signature does not verify with key '%s'" % other)


def test_wrong_digest(pki, oci):
    key, pub = pki.keypair("k-digest")
    p = cf.payload(REPO, OTHER)  # a good signature for another image
    m = oci.manifest([oci.layer(p, cf.sign(key, p))])
    fails(verify(m, oci, "--key", pub), "signed payload is for '%s', not '%s'" % (OTHER, DIGEST))


def test_tampered_payload(pki, oci):
    key, pub = pki.keypair("k-tamper")
    p = cf.payload(REPO, DIGEST)
    sig = cf.sign(key, p)
    # the blob changed under its digest (a lying registry)
    layer = oci.layer(p, sig)
    path = os.path.join(oci.dir, "blobs", "sha256", layer["digest"][7:])
    with open(path, "wb") as f:
        f.write(p.replace(b"busybox", b"busyb0x"))
    fails(verify(oci.manifest([layer]), oci, "--key", pub), "payload blob does not match its digest")
    # a consistent manifest for a changed payload: the signature breaks
    p2 = cf.payload(REPO, DIGEST, optional={"x": "y"})
    fails(verify(oci.manifest([oci.layer(p2, sig)]), oci, "--key", pub), "signature does not verify with key")


def test_tampered_signature(pki, oci):
    key, pub = pki.keypair("k-sig")
    p = cf.payload(REPO, DIGEST)
    sig = bytearray(cf.sign(key, p))
    sig[-1] ^= 1
    fails(verify(oci.manifest([oci.layer(p, bytes(sig))]), oci, "--key", pub), "signature does not verify")
    fails(verify(oci.manifest([oci.layer(p, "not base64!")]), oci, "--key", pub), "signature annotation is not base64")
    layer = oci.layer(p, b"x")
    del layer["annotations"]
    fails(verify(oci.manifest([layer]), oci, "--key", pub), "layer has no 'dev.cosignproject.cosign/signature'")


def test_strict_payload(pki, oci):
    key, pub = pki.keypair("k-strict")
    bad = {
        b'{"critical":{"identity":{"docker-reference":"x"},"image":{"docker-manifest-digest":"%s"},'
        b'"type":"atomic container signature"},"optional":null}' % DIGEST.encode(): "has type 'atomic container",
        b'{"critical":{"identity":{"docker-reference":"x"},"image":{"docker-manifest-digest":"%s"},'
        b'"type":"cosign container image signature","extra":1},"optional":null}' % DIGEST.encode(): "unknown field 'extra'",
        b'{"critical":{"identity":{"docker-reference":"x"},"image":{"docker-manifest-digest":"%s",'
        b'"docker-manifest-digest":"%s"},"type":"cosign container image signature"}}' % (OTHER.encode(), DIGEST.encode()):
            "not valid JSON",
        b'{"critical":{"image":{"docker-manifest-digest":"%s"},'
        b'"type":"cosign container image signature"}}' % DIGEST.encode(): "no object 'critical.identity'",
    }
    for p, text in bad.items():
        fails(verify(oci.manifest([oci.layer(p, cf.sign(key, p))]), oci, "--key", pub), text)


def test_one_good_among_several(pki, oci):
    key, pub = pki.keypair("k-multi")
    other, _ = pki.keypair("k-multi-other")
    p = cf.payload(REPO, DIGEST)
    m = oci.manifest([oci.layer(p, cf.sign(other, p)), oci.layer(p + b" ", cf.sign(key, p + b" "))])
    # p + b" " is still valid JSON; the second layer verifies
    assert ok(verify(m, oci, "--key", pub))["layer"] == 1
    m = oci.manifest([oci.layer(p, cf.sign(other, p)), oci.layer(cf.payload(REPO, OTHER), cf.sign(key, p))])
    err = fails(verify(m, oci, "--key", pub), "none of the 2 signatures of")
    assert "(signature 1)" in err and "(signature 2)" in err


def test_made_by_lib_is_cosign_layout_and_verifies_with_openssl(pki, work):
    key, pub = pki.keypair("k-make")
    out = os.path.join(work, "out")
    rc, tag, err = tool("make", key, REPO, DIGEST, out)
    assert rc == 0, err
    assert tag.strip() == "sha256-%s.sig" % DIGEST[7:]
    d = cf.OciDir(out)
    m = json.load(open(os.path.join(out, "manifest.json")))
    assert m["schemaVersion"] == 2 and m["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert m["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
    [layer] = m["layers"]
    assert layer["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json"
    # the payload is byte for byte what cosign writes for this image
    p = d.blob(layer["digest"])
    assert p == cf.payload("index.docker.io/library/busybox", DIGEST)
    assert layer["size"] == len(p)
    config = d.blob(m["config"]["digest"])
    assert config == ('{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":'
                      '"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["%s"]},'
                      '"config":{}}' % layer["digest"]).encode()
    sig = base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"])
    assert cf.openssl_verify(pub, p, sig, work)
    assert not cf.openssl_verify(pub, p + b" ", sig, work)
    ok(verify(os.path.join(out, "manifest.json"), d, "--key", pub))


def test_append_to_existing(pki, work):
    k1, pub1 = pki.keypair("k-app1")
    k2, pub2 = pki.keypair("k-app2")
    out = os.path.join(work, "out")
    assert tool("make", k1, REPO, DIGEST, out)[0] == 0
    first = os.path.join(work, "first.json")
    shutil.copy(os.path.join(out, "manifest.json"), first)
    rc, _, err = tool("make", k2, REPO, DIGEST, out, "--existing", first, "--annotation", "owner=ci",
                      "--annotation", "a=<&>")
    assert rc == 0, err
    d = cf.OciDir(out)
    m = json.load(open(os.path.join(out, "manifest.json")))
    assert len(m["layers"]) == 2 and m["layers"][0] == json.load(open(first))["layers"][0]
    config = json.loads(d.blob(m["config"]["digest"]))
    assert config["rootfs"]["diff_ids"] == [l["digest"] for l in m["layers"]]
    assert len(config["history"]) == 2
    # Go's encoding/json escapes <, > and & in strings
    assert b'"optional":{"a":"\\u003c\\u0026\\u003e","owner":"ci"}' in d.blob(m["layers"][1]["digest"])
    assert ok(verify(os.path.join(out, "manifest.json"), d, "--key", pub1))["layer"] == 0
    assert ok(verify(os.path.join(out, "manifest.json"), d, "--key", pub2))["layer"] == 1


def test_private_key_formats(pki, work):
    key, pub = pki.keypair("k-fmt")
    enc = os.path.join(work, "enc.pem")
    cf.sh("openssl", "pkcs8", "-topk8", "-in", key, "-out", enc, "-passout", "pass:secret")
    sec1 = os.path.join(work, "sec1.pem")
    cf.sh("openssl", "ec", "-in", key, "-out", sec1)
    for k, extra in ((enc, ["--passphrase", "secret"]), (sec1, [])):
        out = os.path.join(work, os.path.basename(k) + ".out")
        rc, _, err = tool("make", k, REPO, DIGEST, out, *extra)
        assert rc == 0, err
        ok(tool("verify", os.path.join(out, "manifest.json"), out, REPO, DIGEST, "--key", pub))
    fails(tool("make", enc, REPO, DIGEST, os.path.join(work, "x"), "--passphrase", "wrong"),
          "not a PEM private key (or the passphrase is wrong)")
    rsa = os.path.join(work, "rsa.pem")
    cf.sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa)
    fails(tool("make", rsa, REPO, DIGEST, os.path.join(work, "x")), "is not an ECDSA key")


def test_key_with_rekor_bundle(pki, oci):
    key, pub = pki.keypair("k-rekor")
    p = cf.payload(REPO, DIGEST)
    sig = cf.sign(key, p)
    pem = open(pub).read()
    good = oci.manifest([oci.layer(p, sig, bundle=pki.bundle(p, sig, pem, integrated_time=1700000000))])
    v = ok(verify(good, oci, "--key", pub, "--rekor", pki.rekor_pub))
    assert v["integratedTime"] == 1700000000 and v["logIndex"] == 7
    # without --rekor the bundle is not needed; with it, it is
    fails(verify(oci.manifest([oci.layer(p, sig)]), oci, "--key", pub, "--rekor", pki.rekor_pub),
          "signature has no Rekor bundle")
    _, other = pki.keypair("k-rekor-other")
    wrong = oci.manifest([oci.layer(p, sig, bundle=pki.bundle(p, sig, open(other).read()))])
    fails(verify(wrong, oci, "--key", pub, "--rekor", pki.rekor_pub), "Rekor entry records another key")


# --- keyless ------------------------------------------------------------

def keyless_trust(pki, identity=EMAIL, issuer=ISSUER, roots=None):
    return ["--roots", roots or pki.root, "--identity", identity, "--issuer", issuer, "--rekor", pki.rekor_pub]


def keyless_layer(pki, oci, leaf, p=None, chain=True, **bundle_kw):
    key, cert = leaf
    p = p or cf.payload(REPO, DIGEST)
    sig = cf.sign(key, p)
    return oci.layer(p, sig, cert=cert, chain=pki.inter_pem() if chain else None,
                     bundle=pki.bundle(p, sig, cert, **bundle_kw))


@pytest.fixture(scope="module")
def alice(pki):
    return pki.leaf("email:" + EMAIL, ISSUER)


def test_keyless_good(pki, oci, alice):
    m = oci.manifest([keyless_layer(pki, oci, alice)])
    v = ok(verify(m, oci, *keyless_trust(pki)))
    assert v["identity"] == EMAIL and v["issuer"] == ISSUER and v["logIndex"] == 7
    # regexps (unanchored, as cosign's), and the rekord entry kind
    ok(verify(m, oci, "--roots", pki.root, "--identity-regexp", "@example\\.com$",
              "--issuer-regexp", "^https://issuer", "--rekor", pki.rekor_pub))
    m = oci.manifest([keyless_layer(pki, oci, alice, kind="rekord")])
    ok(verify(m, oci, *keyless_trust(pki)))
    # the intermediate may instead be configured as trusted
    both = os.path.join(pki.dir, "both.pem")
    with open(both, "w") as f:
        f.write(open(pki.root).read() + pki.inter_pem())
    ok(verify(oci.manifest([keyless_layer(pki, oci, alice, chain=False)]), oci, *keyless_trust(pki, roots=both)))


def test_keyless_uri_identity_and_v2_issuer_only(pki, oci):
    uri = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main"
    leaf = pki.leaf("URI:" + uri, "https://token.actions.githubusercontent.com", issuer_v1=False)
    m = oci.manifest([keyless_layer(pki, oci, leaf)])
    ok(verify(m, oci, *keyless_trust(pki, identity=uri, issuer="https://token.actions.githubusercontent.com")))
    leaf = pki.leaf("URI:" + uri, "https://old.example", issuer_v2=False)
    ok(verify(oci.manifest([keyless_layer(pki, oci, leaf)]), oci,
              *keyless_trust(pki, identity=uri, issuer="https://old.example")))


def test_keyless_wrong_identity(pki, oci, alice):
    m = oci.manifest([keyless_layer(pki, oci, alice)])
    fails(verify(m, oci, *keyless_trust(pki, identity="mallory@example.com")),
          "certificate identity '%s' does not match 'mallory@example.com'" % EMAIL)
    fails(verify(m, oci, "--roots", pki.root, "--identity-regexp", "^alice@example\\.org$", "--issuer", ISSUER,
                 "--rekor", pki.rekor_pub), "does not match")


def test_keyless_wrong_issuer(pki, oci, alice):
    m = oci.manifest([keyless_layer(pki, oci, alice)])
    fails(verify(m, oci, *keyless_trust(pki, issuer="https://accounts.google.com")),
          "certificate issuer '%s' does not match 'https://accounts.google.com'" % ISSUER)


def test_keyless_wrong_root(pki, oci, alice, work):
    other = cf.Pki(os.path.join(work, "other"), name="other")
    m = oci.manifest([keyless_layer(pki, oci, alice)])
    fails(verify(m, oci, *keyless_trust(pki, roots=other.root)), "certificate is not issued by the configured Fulcio roots")
    # a certificate from another CA, chain and all, is not trusted either
    mallory = other.leaf("email:" + EMAIL, ISSUER)
    m = oci.manifest([keyless_layer(other, oci, mallory)])
    fails(verify(m, oci, *keyless_trust(pki)), "certificate is not issued by the configured Fulcio roots")
    # ... and a bundle from another log does not verify with the configured key
    m = oci.manifest([keyless_layer(other, oci, mallory)])
    fails(verify(m, oci, *keyless_trust(pki, roots=other.root)), "Rekor bundle is from log '%s'" % other.log_id)


def test_keyless_bad_set(pki, oci, alice, work):
    key, cert = alice
    p = cf.payload(REPO, DIGEST)
    sig = cf.sign(key, p)
    # SET by another key claiming the configured log's ID
    other_key, _ = pki.keypair("fake-rekor")
    m = oci.manifest([oci.layer(p, sig, cert=cert, chain=pki.inter_pem(),
                                bundle=pki.bundle(p, sig, cert, rekor_key=other_key))])
    fails(verify(m, oci, *keyless_trust(pki)), "signed entry timestamp does not verify with the configured Rekor key")
    # a good SET whose fields were edited afterwards
    b = json.loads(pki.bundle(p, sig, cert))
    b["Payload"]["logIndex"] += 1
    m = oci.manifest([oci.layer(p, sig, cert=cert, chain=pki.inter_pem(), bundle=json.dumps(b))])
    fails(verify(m, oci, *keyless_trust(pki)), "signed entry timestamp does not verify")
    # an entry about another payload, and one with another signature
    other_p = cf.payload(REPO, OTHER)
    m = oci.manifest([oci.layer(p, sig, cert=cert, chain=pki.inter_pem(), bundle=pki.bundle(other_p, sig, cert))])
    fails(verify(m, oci, *keyless_trust(pki)), "Rekor entry records another payload")
    m = oci.manifest([oci.layer(p, sig, cert=cert, chain=pki.inter_pem(),
                                bundle=pki.bundle(p, cf.sign(key, p + b"x"), cert))])
    fails(verify(m, oci, *keyless_trust(pki)), "Rekor entry records another signature")
    # no bundle at all
    m = oci.manifest([oci.layer(p, sig, cert=cert, chain=pki.inter_pem())])
    fails(verify(m, oci, *keyless_trust(pki)), "signature has no Rekor bundle")


def test_keyless_cert_not_valid_at_integration_time(pki, oci, alice):
    late = int(time.time()) + 3 * 86400  # the leaf is valid for one day
    m = oci.manifest([keyless_layer(pki, oci, alice, integrated_time=late)])
    fails(verify(m, oci, *keyless_trust(pki)), "certificate was not valid at the Rekor integration time")
    early = int(time.time()) - 86400
    m = oci.manifest([keyless_layer(pki, oci, alice, integrated_time=early)])
    fails(verify(m, oci, *keyless_trust(pki)), "certificate was not valid at the Rekor integration time")


def test_keyless_cert_checks(pki, oci, alice):
    key, cert = alice
    p = cf.payload(REPO, DIGEST)
    # signed by another key than the certificate's
    other, _ = pki.keypair("k-notcert")
    sig = cf.sign(other, p)
    m = oci.manifest([oci.layer(p, sig, cert=cert, chain=pki.inter_pem(), bundle=pki.bundle(p, sig, cert))])
    fails(verify(m, oci, *keyless_trust(pki)), "signature does not verify with its certificate")
    # no certificate
    sig = cf.sign(key, p)
    m = oci.manifest([oci.layer(p, sig, bundle=pki.bundle(p, sig, cert))])
    fails(verify(m, oci, *keyless_trust(pki)), "signature has no certificate")
    # a certificate not for code signing
    leaf = pki.leaf("email:" + EMAIL, ISSUER, eku="serverAuth")
    fails(verify(oci.manifest([keyless_layer(pki, oci, leaf)]), oci, *keyless_trust(pki)),
          "does not allow code signing")
    # no issuer extension
    leaf = pki.leaf("email:" + EMAIL, ISSUER, issuer_v1=False, issuer_v2=False)
    fails(verify(oci.manifest([keyless_layer(pki, oci, leaf)]), oci, *keyless_trust(pki)),
          "certificate has no OIDC issuer extension")
    # the digest check still applies to keyless signatures
    m = oci.manifest([keyless_layer(pki, oci, alice, p=cf.payload(REPO, OTHER))])
    fails(verify(m, oci, *keyless_trust(pki)), "signed payload is for '%s'" % OTHER)


def test_trust_configuration_errors(pki, oci, alice):
    m = oci.manifest([keyless_layer(pki, oci, alice)])
    fails(verify(m, oci, "--roots", pki.root, "--issuer", ISSUER, "--rekor", pki.rekor_pub),
          "keyless verification needs an expected identity")
    fails(verify(m, oci, "--roots", pki.root, "--identity", EMAIL, "--issuer", ISSUER),
          "needs the Rekor public key")
    fails(verify(m, oci, "--key", "/nonexistent.pub"), "reading '/nonexistent.pub'")
    fails(verify(m, oci, "--key", pki.root), "is not a PEM public key")


# --- canonical JSON and policy ------------------------------------------

def test_canonical_json_matches_python(work):
    doc = {"z": [1, -2, {"b": "\u00e9\u20ac", "a": "q\"\\\n\t\x01\x7f"}], "body": "x/y<&>", "A": None,
           "m": True, "logIndex": 9007199254740992}
    path = os.path.join(work, "in.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    rc, out, err = tool("canon", path)
    assert rc == 0, err
    assert out.encode() == cf.canonical(doc)


def test_policy(work):
    keys = os.path.join(work, "keys")
    os.makedirs(keys)
    pol = os.path.join(keys, "policy.json")
    with open(pol, "w") as f:
        json.dump({"default": {"require": "key", "key": "default.pub"},
                   "scopes": {"ghcr.io": {"require": "none"},
                              "ghcr.io/acme": {"require": "key", "key": "/etc/acme.pub", "rekorKey": "r.pub"},
                              "ghcr.io/acme/app": {"require": "keyless", "identity": EMAIL, "issuer": ISSUER,
                                                   "fulcioRoots": "fulcio.pem", "rekorKey": "rekor.pub"},
                              "index.docker.io/library": {"require": "none"}}}, f)

    def look(name):
        rc, out, err = tool("policy", pol, name)
        assert rc == 0, err
        return out.split()

    assert look("ghcr.io/acme/app") == ["keyless", "ghcr.io/acme/app", keys + "/fulcio.pem"]
    assert look("ghcr.io/acme/app:v1") == ["keyless", "ghcr.io/acme/app", keys + "/fulcio.pem"]
    assert look("ghcr.io/acme/app/sub@" + DIGEST) == ["keyless", "ghcr.io/acme/app", keys + "/fulcio.pem"]
    assert look("ghcr.io/acme/application") == ["key", "ghcr.io/acme", "/etc/acme.pub"]
    assert look("ghcr.io/other/x") == ["none", "ghcr.io", "-"]
    assert look("docker.io/library/busybox") == ["none", "docker.io/library", "-"]
    assert look("quay.io/x/y") == ["key", "-", keys + "/default.pub"]

    for bad, text in [({"scopes": {"ghcr.io": {"require": "key"}}}, "needs 'key'"),
                      ({"scopes": {"ghcr.io": {"require": "sometimes"}}}, "'require' is 'sometimes'"),
                      ({"scopes": {"ghcr.io": {"require": "key", "kye": "x"}}}, "unknown field 'kye'"),
                      ({"scopes": {"ghcr.io": {"require": "keyless", "identity": "a", "issuer": "b",
                                               "fulcioRoots": "f"}}}, "needs 'fulcioRoots' and 'rekorKey'"),
                      ({"scopes": {"ghcr.io/": {"require": "none"}}}, "is not a registry or repository name"),
                      ({"scopes": {"ghcr.io": {"require": "none"}, "ghcr.io/x": {"require": "keyless",
                        "identityRegexp": "(", "issuer": "i", "fulcioRoots": "f", "rekorKey": "r"}}},
                       "'identityRegexp' is not a valid"),
                      ({"defaults": {}}, "unknown field 'defaults'")]:
        with open(pol, "w") as f:
            json.dump(bad, f)
        fails(tool("policy", pol, "ghcr.io/x"), text)
