#!/usr/bin/python3
"""Build a3s-box's default image, a3s-box/busybox:latest, as an OCI image-layout tar.

One layer from Debian's busybox-static: /bin/busybox plus a symlink per applet
(busybox --list-full), /etc/passwd and /etc/group (root, nobody, a3s 1000:1000),
/tmp (1777), /root, /home/a3s (1000:1000) and the usual mount points.

Reproducible: the same busybox gives the same bytes (fixed times and owners,
sorted entries, gzip without a timestamp). Standard library only; run it with
Debian's /usr/bin/python3.

usage: mkdefault.py --busybox /bin/busybox --output default-image.tar
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import platform
import subprocess
import tarfile

CREATED = "2024-01-01T00:00:00Z"
EPOCH = 1704067200  # CREATED as unix time: every mtime in the image
NAME = "docker.io/a3s-box/busybox:latest"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

PASSWD = """root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
a3s:x:1000:1000:a3s:/home/a3s:/bin/sh
"""
GROUP = """root:x:0:
nogroup:x:65534:
a3s:x:1000:
"""

# (path, mode, uid, gid)
DIRS = [
    ("bin", 0o755, 0, 0), ("dev", 0o755, 0, 0), ("etc", 0o755, 0, 0),
    ("home", 0o755, 0, 0), ("home/a3s", 0o755, 1000, 1000), ("proc", 0o555, 0, 0),
    ("root", 0o700, 0, 0), ("run", 0o755, 0, 0), ("sbin", 0o755, 0, 0),
    ("sys", 0o555, 0, 0), ("tmp", 0o1777, 0, 0), ("usr", 0o755, 0, 0),
    ("usr/bin", 0o755, 0, 0), ("usr/sbin", 0o755, 0, 0), ("var", 0o755, 0, 0),
    ("var/tmp", 0o1777, 0, 0),
]


def info(name, kind, mode, uid=0, gid=0, size=0, linkname=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.uid, ti.gid = uid, gid
    ti.uname = ti.gname = ""
    ti.mtime = EPOCH
    ti.size = size
    ti.linkname = linkname
    return ti


def tar_bytes(members):
    """members: list of (TarInfo, bytes or None), written in order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for ti, data in members:
            tar.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def layer(busybox):
    with open(busybox, "rb") as f:
        binary = f.read()
    out = subprocess.run([busybox, "--list-full"], check=True, capture_output=True, text=True).stdout
    # linuxrc is busybox's initrd entry point: nothing for a container
    applets = sorted({a.strip("/") for a in out.split()} - {"bin/busybox", "linuxrc"})
    dirs = {d for d, _, _, _ in DIRS}
    for a in applets:
        if os.path.dirname(a) not in dirs:
            raise SystemExit("mkdefault.py: applet %s is in an unexpected directory" % a)
    members = [(info(d, tarfile.DIRTYPE, m, u, g), None) for d, m, u, g in DIRS]
    members.append((info("bin/busybox", tarfile.REGTYPE, 0o755, size=len(binary)), binary))
    for name, text in (("etc/group", GROUP), ("etc/passwd", PASSWD)):
        data = text.encode()
        members.append((info(name, tarfile.REGTYPE, 0o644, size=len(data)), data))
    for a in applets:
        members.append((info(a, tarfile.SYMTYPE, 0o777, linkname="/bin/busybox"), None))
    raw = tar_bytes(members)
    gz = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz, mtime=0, compresslevel=9) as g:
        g.write(raw)
    return raw, gz.getvalue()


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def oci_arch():
    m = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(m, m)


def build(busybox):
    raw, gz = layer(busybox)
    arch = oci_arch()
    config = canonical({
        "architecture": arch,
        "os": "linux",
        "created": CREATED,
        "config": {"Env": ["PATH=" + PATH], "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [digest(raw)]},
        "history": [{"created": CREATED, "created_by": "a3s-box images/mkdefault.py (busybox-static)"}],
    })
    manifest = canonical({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": digest(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": digest(gz), "size": len(gz)}],
    })
    index = canonical({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest(manifest), "size": len(manifest),
            "platform": {"architecture": arch, "os": "linux"},
            "annotations": {"io.containerd.image.name": NAME,
                            "org.opencontainers.image.ref.name": "latest"},
        }],
    })
    layout = canonical({"imageLayoutVersion": "1.0.0"})
    members = [
        (info("blobs", tarfile.DIRTYPE, 0o755), None),
        (info("blobs/sha256", tarfile.DIRTYPE, 0o755), None),
    ]
    for blob in sorted([config, manifest, gz], key=digest):
        members.append((info("blobs/sha256/" + digest(blob)[7:], tarfile.REGTYPE, 0o644, size=len(blob)), blob))
    members.append((info("index.json", tarfile.REGTYPE, 0o644, size=len(index)), index))
    members.append((info("oci-layout", tarfile.REGTYPE, 0o644, size=len(layout)), layout))
    return tar_bytes(members)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busybox", default="/bin/busybox")
    ap.add_argument("--output", required=True)
    args = ap.parse_args()
    data = build(args.busybox)
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
