#!/usr/bin/python3
"""Shared-folder benchmark (issue 6): sequential write and read throughput
and the small-file create rate through a bind mount (virtio-9p), against the
same operations on the box's own root filesystem (overlayfs on the ext4
writable-layer disk), in the same VM run. Timed inside the guest
(/proc/uptime, 10 ms steps; the sizes keep each step well above that).

Usage: bench/volumes.py [--build build] [--runs 5] [--mib 64] [--files 1000]
                        [--cache mmap|loose|none]   (9p cache mode to measure)
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# t: seconds since boot with 10 ms steps
SCRIPT = r"""
t() { cut -d' ' -f1 /proc/uptime; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; }
bench() {  # $1 label, $2 directory
  d=$2/bench.$$; mkdir -p $d
  a=$(t); dd if=/dev/zero of=$d/big bs=1M count=MIB conv=fsync 2>/dev/null; b=$(t)
  drop
  c=$(t); dd if=$d/big of=/dev/null bs=1M 2>/dev/null; e=$(t)
  mkdir $d/small
  f=$(t); i=0; while [ $i -lt FILES ]; do echo data > $d/small/f$i; i=$((i+1)); done; sync; g=$(t)
  echo "$1 $a $b $c $e $f $g"
  rm -rf $d
}
bench root /var/tmp
bench bind /bind
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--cache", default=None, help="9p cache mode (default: the runtime's)")
    a = ap.parse_args()
    cli = os.path.join(os.path.abspath(a.build), "src", "cli", "a3s-box")
    root = tempfile.mkdtemp(prefix="a3s-bench-")
    share = tempfile.mkdtemp(prefix="a3s-bench-share-")
    env = dict(os.environ)
    if a.cache:
        env["A3S_BOX_KERNEL_ARGS"] = (env.get("A3S_BOX_KERNEL_ARGS", "") + " a3s.9p_cache=" + a.cache).strip()
    script = SCRIPT.replace("MIB", str(a.mib)).replace("FILES", str(a.files))
    res = {"root": [], "bind": []}
    try:
        for _ in range(a.runs):
            p = subprocess.run([cli, "--root", root, "run", "--rm", "-m", "1g", "-v", share + ":/bind",
                                "a3s-box/busybox", "sh", "-c", script],
                               check=True, capture_output=True, text=True, env=env)
            for line in p.stdout.splitlines():
                f = line.split()
                a_, b, c, e, g0, g1 = map(float, f[1:])
                res[f[0]].append((a.mib / max(b - a_, 0.01), a.mib / max(e - c, 0.01),
                                  a.files / max(g1 - g0, 0.01)))
        print("runs: %d, %d MiB sequential, %d small files, 9p cache=%s" % (
            a.runs, a.mib, a.files, a.cache or "default (mmap)"))
        med = {}
        for k in ("root", "bind"):
            med[k] = [statistics.median(x[i] for x in res[k]) for i in range(3)]
            print("%-5s write %7.1f MiB/s   read %7.1f MiB/s   create %7.0f files/s" % (
                {"root": "root", "bind": "bind"}[k], *med[k]))
        print("bind/root: write %.2f  read %.2f  create %.2f" % tuple(
            med["bind"][i] / med["root"][i] for i in range(3)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(share, ignore_errors=True)


if __name__ == "__main__":
    main()
