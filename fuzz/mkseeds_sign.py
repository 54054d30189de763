#!/usr/bin/python3
"""Seeds for fuzz_sign: mkseeds_sign.py OUTDIR -> OUTDIR/sign/. Generates a
throw-away test PKI with the openssl CLI (tests/integration/cosignfix.py)."""
import base64
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import cosignfix as cf  # noqa: E402

DIG = "sha256:" + "0123456789abcdef" * 4


def main(out):
    d = os.path.join(out, "sign")
    os.makedirs(d, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pki = cf.Pki(os.path.join(tmp, "pki"))
        oci = cf.OciDir(os.path.join(tmp, "oci"))
        key, cert = pki.leaf("email:a@example.com", "https://issuer.example")
        p = cf.payload("index.docker.io/library/busybox", DIG, optional={"k": "v"})
        sig = cf.sign(key, p)
        bundle = pki.bundle(p, sig, cert)
        manifest = open(oci.manifest([oci.layer(p, sig, cert=cert, chain=pki.inter_pem(), bundle=bundle)]), "rb").read()
        body = base64.b64decode(json.loads(bundle)["Payload"]["body"])
        der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=cert.encode(), capture_output=True,
                             check=True).stdout
        policy = json.dumps({"default": {"require": "none"}, "scopes": {
            "ghcr.io/a": {"require": "key", "key": "k.pub", "rekorKey": "r.pub"},
            "ghcr.io/a/b": {"require": "keyless", "identityRegexp": "^a@", "issuer": "i", "fulcioRoots": "f",
                            "rekorKey": "r", "matchReference": True}}}).encode()
        seeds = [(0, manifest), (1, p), (2, bundle.encode()), (3, body), (4, policy), (5, bundle.encode()),
                 (6, base64.b64encode(sig)), (7, der)]
        for i, (sel, data) in enumerate(seeds):
            with open(os.path.join(d, "seed%d" % i), "wb") as f:
                f.write(bytes([sel]) + data)


if __name__ == "__main__":
    main(sys.argv[1])
