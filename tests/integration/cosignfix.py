"""Cosign-layout signatures made independently of lib/sign: keys and
certificates from the openssl CLI, signatures from `openssl dgst -sign`,
JSON from Python. Standard library only. Nothing here is committed key
material: every test run generates its own.

    pki = Pki(tmpdir)                       # test Fulcio root + intermediate, Rekor key
    key = pki.keypair("signer")             # -> (private path, public path)
    leaf = pki.leaf("alice@example.com", "https://issuer.example")
    d = OciDir(tmpdir)                      # blobs/sha256/<hex>
    layer = d.layer(payload(REPO, DIGEST), sign(key[0], ...), cert=..., bundle=...)
    path = d.manifest([layer])
"""
import base64
import hashlib
import json
import os
import subprocess
import time


def sh(*args, input=None):
    p = subprocess.run([str(a) for a in args], input=input, capture_output=True)
    if p.returncode != 0:
        raise AssertionError("%s failed: %s" % (args[0:3], p.stderr.decode(errors="replace")))
    return p.stdout


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def b64(data):
    return base64.b64encode(data).decode()


def payload(docker_reference, manifest_digest, optional=None):
    """cosign's payload bytes: Go's json.Marshal of SimpleContainerImage."""
    doc = {"critical": {"identity": {"docker-reference": docker_reference},
                        "image": {"docker-manifest-digest": manifest_digest},
                        "type": "cosign container image signature"},
           "optional": optional}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def sign(key_path, data):
    """ECDSA-SHA256 DER signature by the openssl CLI."""
    return sh("openssl", "dgst", "-sha256", "-sign", key_path, input=data)


def openssl_verify(pub_path, data, sig, workdir):
    sig_path = os.path.join(workdir, "sig.der")
    with open(sig_path, "wb") as f:
        f.write(sig)
    p = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub_path, "-signature", sig_path],
                       input=data, capture_output=True)
    return p.returncode == 0 and b"Verified OK" in p.stdout


def canonical(obj):
    """RFC 8785 for the objects used here (string and integer values)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Pki:
    """A test Fulcio (root P-384 + intermediate) and a Rekor key, in dir."""

    def __init__(self, dir, name="fulcio"):
        self.dir = dir
        os.makedirs(dir, exist_ok=True)
        self.root_key = self._ec(name + "-root.key", "P-384")
        self.root = self._path(name + "-root.pem")
        sh("openssl", "req", "-x509", "-new", "-key", self.root_key, "-out", self.root, "-days", "30",
           "-subj", "/O=test/CN=%s root" % name, "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        self.inter_key = self._ec(name + "-inter.key", "P-384")
        self.inter = self._path(name + "-inter.pem")
        self._issue(self.inter_key, self.inter, self.root, self.root_key, "/O=test/CN=%s intermediate" % name,
                    ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign",
                     "extendedKeyUsage=codeSigning"], days=30)
        self.rekor_key, self.rekor_pub = self.keypair(name + "-rekor")
        der = sh("openssl", "pkey", "-pubin", "-in", self.rekor_pub, "-outform", "DER")
        self.log_id = hashlib.sha256(der).hexdigest()
        self.n = 0

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _ec(self, name, curve="P-256"):
        path = self._path(name)
        sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", path)
        return path

    def keypair(self, name):
        key = self._ec(name + ".key")
        pub = self._path(name + ".pub")
        sh("openssl", "pkey", "-in", key, "-pubout", "-out", pub)
        return key, pub

    def _issue(self, key, out, ca, ca_key, subj, exts, days=1):
        csr = out + ".csr"
        ext = out + ".ext"
        sh("openssl", "req", "-new", "-key", key, "-subj", subj, "-out", csr)
        with open(ext, "w") as f:
            f.write("[v3]\n" + "\n".join(exts) + "\n")
        sh("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
           "-days", str(days), "-sha256", "-extfile", ext, "-extensions", "v3", "-out", out)

    def leaf(self, san, issuer, issuer_v1=True, issuer_v2=True, eku="codeSigning"):
        """A Fulcio-like certificate for san ("email:x" or "URI:x"), valid one
        day from now, with the OIDC issuer extensions. Returns (key, cert PEM)."""
        self.n += 1
        key = self._ec("leaf%d.key" % self.n)
        cert = self._path("leaf%d.pem" % self.n)
        exts = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
                "subjectAltName=" + san]
        if eku:
            exts.append("extendedKeyUsage=" + eku)
        if issuer_v1:
            exts.append("1.3.6.1.4.1.57264.1.1=DER:" + issuer.encode().hex())
        if issuer_v2:
            exts.append("1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:" + issuer)
        self._issue(key, cert, self.inter, self.inter_key, "/O=sigstore.dev", exts)
        with open(cert) as f:
            return key, f.read()

    def inter_pem(self):
        with open(self.inter) as f:
            return f.read()

    def bundle(self, payload_bytes, sig, signer_pem, integrated_time=None, log_index=7, kind="hashedrekord",
               rekor_key=None, log_id=None):
        """cosign's bundle annotation: a Rekor entry for this signature and
        its SET (the Rekor key's signature over the canonical Payload)."""
        spec = {"data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(payload_bytes).hexdigest()}},
                "signature": {"content": b64(sig), "publicKey": {"content": b64(signer_pem.encode())}}}
        if kind == "rekord":
            spec["signature"]["format"] = "x509"
        body = b64(json.dumps({"apiVersion": "0.0.1", "kind": kind, "spec": spec}).encode())
        pl = {"body": body, "integratedTime": int(time.time()) + 60 if integrated_time is None else integrated_time,
              "logIndex": log_index, "logID": log_id or self.log_id}
        set_ = sign(rekor_key or self.rekor_key, canonical(pl))
        return json.dumps({"SignedEntryTimestamp": b64(set_), "Payload": pl})


class OciDir:
    """Blobs as the registry client would serve them, and .sig manifests."""

    def __init__(self, dir):
        self.dir = dir
        os.makedirs(os.path.join(dir, "blobs", "sha256"), exist_ok=True)
        self.n = 0

    def put(self, data):
        d = digest(data)
        with open(os.path.join(self.dir, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return d

    def blob(self, d):
        with open(os.path.join(self.dir, "blobs", "sha256", d[7:]), "rb") as f:
            return f.read()

    def layer(self, payload_bytes, sig, cert=None, chain=None, bundle=None):
        ann = {"dev.cosignproject.cosign/signature": b64(sig) if isinstance(sig, bytes) else sig}
        if cert:
            ann["dev.sigstore.cosign/certificate"] = cert
        if chain:
            ann["dev.sigstore.cosign/chain"] = chain
        if bundle:
            ann["dev.sigstore.cosign/bundle"] = bundle
        return {"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "size": len(payload_bytes),
                "digest": self.put(payload_bytes), "annotations": ann}

    def manifest(self, layers):
        config = json.dumps({"architecture": "", "created": "0001-01-01T00:00:00Z",
                             "history": [{"created": "0001-01-01T00:00:00Z"} for _ in layers], "os": "",
                             "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]},
                             "config": {}}, separators=(",", ":")).encode()
        m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config),
                        "digest": self.put(config)},
             "layers": layers}
        self.n += 1
        path = os.path.join(self.dir, "sig%d.json" % self.n)
        with open(path, "w") as f:
            json.dump(m, f)
        return path
