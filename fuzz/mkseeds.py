#!/usr/bin/python3
"""Write seed corpora for the image fuzzers: mkseeds.py OUTDIR -> OUTDIR/{manifest,ref,layer,history,load}/."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import imagebuild as ib  # noqa: E402


def main(out):
    for d in ("manifest", "ref", "layer", "history", "load"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    img = ib.Image([[ib.dir_("etc"), ib.file("etc/a", "x")], [ib.whiteout("etc/a"), ib.opaque("etc")]], None, "gzip")
    members = ib.oci_members([img], ["x/y:1"])
    docs = [
        (0, members["index.json"]),
        (1, img.manifest()),
        (2, ib.docker_members([img], ["busybox:1"])["manifest.json"]),
        (3, img.config),
        (4, members["oci-layout"]),
        (0, json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
                        "digest": "sha256:" + "1" * 64, "size": 1, "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()),
    ]
    for i, (sel, doc) in enumerate(docs):
        with open(os.path.join(out, "manifest", "seed%d" % i), "wb") as f:
            f.write(bytes([sel]) + doc)
    for i, r in enumerate(["busybox", "localhost:5000/a/b:t", "a/b@sha256:" + "a" * 64, "docker.io/library/x:1",
                           "[::1]:5000/x_y__z.w-v--u:v1.2_3", "index.docker.io/foo.bar/x"]):
        with open(os.path.join(out, "ref", "seed%d" % i), "w") as f:
            f.write(r)
    hist = {"history": [{"created": "2023-11-14T22:13:20Z", "created_by": "/bin/sh -c #(nop) ADD file:x in /"},
                        {"created_by": "ENV A=b", "empty_layer": True, "comment": "buildkit"},
                        {"created": "bad", "created_by": "RUN\tx"}]}
    for i, cfg in enumerate([hist, {"history": None}, {"history": [{"empty_layer": "yes"}, 1]}]):
        with open(os.path.join(out, "history", "seed%d" % i), "wb") as f:
            f.write(ib.Image([[ib.file("a", "x")], [ib.file("b", "y")]], cfg, None).config)
    # whole archives for fuzz_load: OCI, docker save, a nested index, docker 25's combined layout
    small = [[ib.file("a", "x")]]

    def nested(mem):
        idx = mem["index.json"]
        mem["blobs/sha256/" + ib.sha(idx)[7:]] = idx
        mem["index.json"] = ib.dumps({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.index.v1+json", "digest": ib.sha(idx), "size": len(idx),
            "annotations": {"io.containerd.image.name": "docker.io/x/y:1"}}]})

    def combined(mem):
        img2 = ib.Image(small, None, "gzip")
        mem["manifest.json"] = ib.dumps([{"Config": "blobs/sha256/" + img2.id[7:], "RepoTags": ["x/y:1"],
                                          "Layers": ["blobs/sha256/" + ib.sha(b)[7:] for b in img2.blobs]}])
        mem["repositories"] = ib.dumps({"x/y": {"1": ib.sha(img2.blobs[0])[7:]}})

    with tempfile.TemporaryDirectory() as tmp:
        for i, kw in enumerate([dict(fmt="oci", compress="gzip"), dict(fmt="docker"),
                                dict(fmt="oci", mutate=nested), dict(fmt="oci", compress="gzip", mutate=combined)]):
            path = ib.build_image(small, tag="x/y:1", workdir=tmp, **kw)
            shutil.copy(path, os.path.join(out, "load", "seed%d" % i))
    layers = [
        [ib.dir_("d"), ib.file("d/f", "data", mode=0o4755, uid=5, xattrs={"user.x": "1"}), ib.symlink("l", "/etc"),
         ib.hardlink("h", "d/f"), ib.device("c", "c", 1, 3), ib.fifo("p")],
        [ib.whiteout("d/f"), ib.opaque("d"), ib.file("d/g", "x"), ib.file("l2", "y")],
    ]
    for i, l in enumerate(layers):
        data = ib.layer_tar(l)
        with open(os.path.join(out, "layer", "seed%d" % i), "wb") as f:
            f.write(bytes([0, len(data) // 2 % 256]) + data)
    pair = ib.layer_tar(layers[0]) + ib.layer_tar(layers[1])
    cut = len(ib.layer_tar(layers[0]))
    with open(os.path.join(out, "layer", "seed-two"), "wb") as f:
        f.write(bytes([cut >> 8 & 255, cut & 255]) + pair)


if __name__ == "__main__":
    main(sys.argv[1])
