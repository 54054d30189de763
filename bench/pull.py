#!/usr/bin/python3
"""Pull benchmark (issue 5): `a3s-box pull` of a multi-layer image of about
100 MB (random, incompressible layers built here) from a local reference
registry (docker-registry, plain HTTP on loopback), against `skopeo copy
docker://... oci:DIR` of the same image, interleaved. a3s-box pulls into
one data root (made in a warm-up round) from which the image is removed
(`rmi`, which deletes its blobs) after each run, as a user's root would be;
skopeo copies into a fresh directory each time. Prints medians and the
ratio a3s-box / skopeo (target <= 1.0).

Usage: bench/pull.py [--build build] [--runs 7] [--layers 5] [--mb 100]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from imagebuild import build_image, dir_, file  # noqa: E402
from registry import Registry, skopeo  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--layers", type=int, default=5)
    ap.add_argument("--mb", type=int, default=100)
    a = ap.parse_args()
    cli = os.path.join(os.path.abspath(a.build), "src", "cli", "a3s-box")
    work = tempfile.mkdtemp(prefix="a3s-bench-pull-")
    per = a.mb * 1000 * 1000 // a.layers
    try:
        layers = [[dir_("data"), file("data/l%d" % i, os.urandom(per))] for i in range(a.layers)]
        tar = build_image(layers, gzip_layers=True, tag="bench/pull:latest", workdir=work)
        size = os.path.getsize(tar)
        with Registry(os.path.join(work, "reg")) as reg:
            ref = "%s/bench/pull:v1" % reg.host
            skopeo("copy", "--dest-tls-verify=false", "oci-archive:" + tar, "docker://" + ref)
            os.unlink(tar)
            env = dict(os.environ, A3S_BOX_CONFIG=os.path.join(work, "conf"),
                       DOCKER_CONFIG=os.path.join(work, "docker"))
            t_a3s, t_sko = [], []
            root = os.path.join(work, "root")
            for i in range(a.runs + 1):  # the first round warms caches and is not counted
                t0 = time.monotonic()
                subprocess.run([cli, "--root", root, "pull", "-q", "--tls-verify=false", ref], check=True,
                               env=env, stdout=subprocess.DEVNULL)
                t1 = time.monotonic()
                subprocess.run([cli, "--root", root, "rmi", ref], check=True, stdout=subprocess.DEVNULL)
                assert os.listdir(os.path.join(root, "blobs", "sha256")) == []
                dst = os.path.join(work, "oci")
                t2 = time.monotonic()
                skopeo("copy", "-q", "--src-tls-verify=false", "docker://" + ref, "oci:%s:v1" % dst)
                t3 = time.monotonic()
                shutil.rmtree(dst)
                if i:
                    t_a3s.append(t1 - t0)
                    t_sko.append(t3 - t2)
        ma, ms = statistics.median(t_a3s), statistics.median(t_sko)
        print("image: %d layers, %.1f MB compressed" % (a.layers, size / 1e6))
        print("a3s-box pull   median %.3f s  (runs: %s)" % (ma, " ".join("%.3f" % t for t in t_a3s)))
        print("skopeo copy    median %.3f s  (runs: %s)" % (ms, " ".join("%.3f" % t for t in t_sko)))
        print("ratio a3s-box / skopeo: %.2f (target <= 1.0)" % (ma / ms))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
