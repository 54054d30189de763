#!/usr/bin/python3
"""Lifecycle benchmark (issue 3): `run -d` to running latency, `stop`
latency, and the host memory (PSS) of one idle box's processes (monitor +
QEMU) with 256 MiB of guest memory.

Usage: bench/lifecycle.py [--build build] [--runs 9]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def pss_kib(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=9)
    a = ap.parse_args()
    cli = os.path.join(os.path.abspath(a.build), "src", "cli", "a3s-box")
    root = tempfile.mkdtemp(prefix="a3s-bench-")
    base = [cli, "--root", root]
    try:
        subprocess.run(base + ["run", "--rm", "a3s-box/busybox", "true"], check=True)  # warm caches
        t_run, t_stop = [], []
        for i in range(a.runs):
            t0 = time.monotonic()
            subprocess.run(base + ["run", "-d", "--name", "b%d" % i, "-m", "256m", "a3s-box/busybox",
                                   "sleep", "1000"], check=True, stdout=subprocess.DEVNULL)
            t_run.append(time.monotonic() - t0)
            time.sleep(1.5)  # let the guest settle: this is the idle box
            if i == 0:
                box_id = subprocess.run(base + ["inspect", "-f", "{{.Id}}", "b0"], check=True,
                                        capture_output=True, text=True).stdout.strip()
                mon = qemu = None
                for pid in filter(str.isdigit, os.listdir("/proc")):
                    try:
                        cmd = open("/proc/%s/cmdline" % pid, "rb").read().split(b"\0")
                    except OSError:
                        continue
                    if b"__monitor" in cmd and box_id.encode() in cmd:
                        mon = int(pid)
                    elif cmd[0].endswith(b"qemu-system-x86_64") and root.encode() in b" ".join(cmd) \
                            and box_id.encode() in b" ".join(cmd):
                        qemu = int(pid)
                time.sleep(3)
                pm, pq = pss_kib(mon), pss_kib(qemu)
            t0 = time.monotonic()
            subprocess.run(base + ["stop", "b%d" % i], check=True, stdout=subprocess.DEVNULL)
            t_stop.append(time.monotonic() - t0)
            subprocess.run(base + ["rm", "b%d" % i], check=True, stdout=subprocess.DEVNULL)
        print("runs: %d" % a.runs)
        print("run -d to running: median %.3f s (min %.3f, max %.3f)" % (
            statistics.median(t_run), min(t_run), max(t_run)))
        print("stop (workload exits on SIGTERM): median %.3f s (min %.3f, max %.3f)" % (
            statistics.median(t_stop), min(t_stop), max(t_stop)))
        print("idle box PSS, 256 MiB guest: monitor %.2f MiB, QEMU %.1f MiB, total %.1f MiB "
              "(targets: monitor < 2 MiB, total < 64 MiB)" % (pm / 1024, pq / 1024, (pm + pq) / 1024))
    finally:
        subprocess.run(["pkill", "-f", root])
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
