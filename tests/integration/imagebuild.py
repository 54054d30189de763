"""Build test images (OCI image layout or `docker save` tars); standard library only.

    from imagebuild import build_image, file, dir_, symlink, hardlink, whiteout, opaque, device, fifo
    tar = build_image([[dir_("etc"), file("etc/hello", b"hi\\n", mode=0o600, uid=1000)],
                       [whiteout("etc/hello")]],
                      fmt="oci", compress="gzip", outer_gzip=False, tag="test/img:latest")

`layers` is a list of layers, each a list of entries made by the helpers
below. `compress` is None, "gzip" or "zstd" (the `zstd` CLI), for every layer
or per layer as a list; `gzip_layers=True` is short for compress="gzip".
`fmt` is "oci" (oci-layout, index.json, blobs/sha256) or "docker" (manifest.json
with RepoTags, <id>/layer.tar). `tag` None loads untagged. `mutate(members)`
may change the archive's {name: bytes} before it is written (corruption tests).
Returns the path of the tar (in `workdir`, else a fresh temporary directory).
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile

MTIME = 1700000000
CREATED = "2023-11-14T22:13:20Z"
BUSYBOX = "/bin/busybox"


def file(path, content=b"", mode=0o644, uid=0, gid=0, mtime=MTIME, xattrs=None):
    if isinstance(content, str):
        content = content.encode()
    return {"type": "file", "path": path, "content": content, "mode": mode, "uid": uid,
            "gid": gid, "mtime": mtime, "xattrs": xattrs or {}}


def busybox_file(path="bin/busybox"):
    with open(BUSYBOX, "rb") as f:
        return file(path, f.read(), mode=0o755)


def dir_(path, mode=0o755, uid=0, gid=0, mtime=MTIME):
    return {"type": "dir", "path": path, "mode": mode, "uid": uid, "gid": gid, "mtime": mtime}


def symlink(path, target, uid=0, gid=0):
    return {"type": "symlink", "path": path, "target": target, "uid": uid, "gid": gid}


def hardlink(path, target):
    return {"type": "hardlink", "path": path, "target": target}


def whiteout(path):
    d, b = os.path.split(path)
    return file(os.path.join(d, ".wh." + b))


def opaque(dirpath):
    return file(os.path.join(dirpath, ".wh..wh..opq"))


def device(path, kind="c", major=1, minor=3, mode=0o666):
    return {"type": "device", "path": path, "kind": kind, "major": major, "minor": minor, "mode": mode}


def fifo(path, mode=0o644):
    return {"type": "fifo", "path": path, "mode": mode}


def raw(name, kind, **attrs):
    """Any TarInfo, for entries the helpers refuse to make (escapes)."""
    return {"type": "raw", "path": name, "kind": kind, "attrs": attrs}


def layer_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            ti = tarfile.TarInfo(e["path"])
            ti.mtime = e.get("mtime", MTIME)
            ti.uid, ti.gid = e.get("uid", 0), e.get("gid", 0)
            ti.uname = ti.gname = ""
            data = None
            t = e["type"]
            if t == "file":
                ti.type, ti.mode, ti.size = tarfile.REGTYPE, e["mode"], len(e["content"])
                data = io.BytesIO(e["content"])
                if e["xattrs"]:
                    ti.pax_headers = {"SCHILY.xattr." + k: v for k, v in e["xattrs"].items()}
            elif t == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, e["mode"]
            elif t == "symlink":
                ti.type, ti.mode, ti.linkname = tarfile.SYMTYPE, 0o777, e["target"]
            elif t == "hardlink":
                ti.type, ti.mode, ti.linkname = tarfile.LNKTYPE, 0o644, e["target"]
            elif t == "device":
                ti.type = tarfile.CHRTYPE if e["kind"] == "c" else tarfile.BLKTYPE
                ti.mode, ti.devmajor, ti.devminor = e["mode"], e["major"], e["minor"]
            elif t == "fifo":
                ti.type, ti.mode = tarfile.FIFOTYPE, e["mode"]
            elif t == "raw":
                ti.type = e["kind"]
                for k, v in e["attrs"].items():
                    if k != "content":
                        setattr(ti, k, v)
                if ti.type == tarfile.REGTYPE:
                    data = io.BytesIO(e["attrs"].get("content", b""))
                    ti.size = len(e["attrs"].get("content", b""))
            else:
                raise ValueError("unknown entry type %r" % t)
            tar.addfile(ti, data)
    return buf.getvalue()


def compress_bytes(data, how):
    if how is None:
        return data
    if how == "gzip":
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as g:
            g.write(data)
        return out.getvalue()
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
    raise ValueError(how)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def dumps(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


LAYER_TYPES = {None: "application/vnd.oci.image.layer.v1.tar",
               "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
               "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}


class Image:
    """The parts of one image; build_image() turns it into an archive."""

    def __init__(self, layers, config=None, compress_=None):
        per = compress_ if isinstance(compress_, list) else [compress_] * len(layers)
        self.raw_layers = [layer_tar(l) for l in layers]
        self.blobs = [compress_bytes(r, c) for r, c in zip(self.raw_layers, per)]
        self.media_types = [LAYER_TYPES[c] for c in per]
        cfg = {"architecture": "amd64", "os": "linux", "created": CREATED,
               "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
               "rootfs": {"type": "layers", "diff_ids": [sha(r) for r in self.raw_layers]}}
        cfg.update(config or {})
        self.config = dumps(cfg)

    def manifest(self):
        return dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": sha(self.config), "size": len(self.config)},
            "layers": [{"mediaType": mt, "digest": sha(b), "size": len(b)}
                       for mt, b in zip(self.media_types, self.blobs)],
        })

    @property
    def id(self):
        return sha(self.config)


def oci_members(images, tags):
    members = {"oci-layout": dumps({"imageLayoutVersion": "1.0.0"})}
    manifests = []
    for img, tag in zip(images, tags):
        man = img.manifest()
        for b in img.blobs + [img.config, man]:
            members["blobs/sha256/" + sha(b)[7:]] = b
        desc = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": sha(man), "size": len(man),
                "platform": {"architecture": "amd64", "os": "linux"}}
        if tag:
            desc["annotations"] = {"org.opencontainers.image.ref.name": tag}
        manifests.append(desc)
    members["index.json"] = dumps({"schemaVersion": 2,
                                   "mediaType": "application/vnd.oci.image.index.v1+json",
                                   "manifests": manifests})
    return members


def docker_members(images, tags):
    members, entries = {}, []
    for img, tag in zip(images, tags):
        layers = []
        for b in img.blobs:
            name = sha(b)[7:] + "/layer.tar"
            members[name] = b
            layers.append(name)
        members[img.id[7:] + ".json"] = img.config
        entries.append({"Config": img.id[7:] + ".json", "RepoTags": [tag] if tag else None,
                        "Layers": layers})
    members["manifest.json"] = dumps(entries)
    return members


def write_tar(members, path, outer_gzip=False):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = set()
        for name in sorted(members):
            parts = name.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    ti = tarfile.TarInfo(d)
                    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, MTIME
                    tar.addfile(ti)
            data = members[name]
            if isinstance(data, tuple):  # ("symlink", target)
                ti = tarfile.TarInfo(name)
                ti.type, ti.linkname, ti.mtime = tarfile.SYMTYPE, data[1], MTIME
                tar.addfile(ti)
                continue
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime = len(data), 0o644, MTIME
            tar.addfile(ti, io.BytesIO(data))
    data = buf.getvalue()
    if outer_gzip:
        data = compress_bytes(data, "gzip")
    with open(path, "wb") as f:
        f.write(data)
    return path


def build_image(layers, config=None, fmt="oci", gzip_layers=False, compress=None, outer_gzip=False,
                tag="test/img:latest", workdir=None, name="image.tar", mutate=None, extra=()):
    """One image (plus `extra`: more (layers, tag) pairs in the same archive)."""
    how = "gzip" if gzip_layers and compress is None else compress
    images = [Image(layers, config, how)] + [Image(l, None, how) for l, _ in extra]
    tags = [tag] + [t for _, t in extra]
    members = (oci_members if fmt == "oci" else docker_members)(images, tags)
    if mutate:
        mutate(members)
    workdir = workdir or tempfile.mkdtemp(prefix="a3s-img-")
    path = write_tar(members, os.path.join(workdir, name), outer_gzip)
    build_image.last = images[0]
    return path
