#!/usr/bin/python3
"""exec benchmark (issue 4): the round trip of `a3s-box exec BOX true` on a
running box (median over many runs), where that time goes (the CLI alone,
the vsock connect, the guest's fork+exec), and the streaming throughput
guest -> host (`exec BOX cat` of a file in the guest's tmpfs, read by the
CLI into a pipe).

Targets: median round trip <= 25 ms under TCG; >= 100 MiB/s.

Usage: bench/exec.py [--build build] [--runs 41] [--mib 256]
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


def timed(argv, runs, **kw):
    t = []
    for _ in range(runs):
        t0 = time.monotonic()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, **kw)
        t.append(time.monotonic() - t0)
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=41)
    ap.add_argument("--mib", type=int, default=256)
    a = ap.parse_args()
    cli = os.path.join(os.path.abspath(a.build), "src", "cli", "a3s-box")
    root = tempfile.mkdtemp(prefix="a3s-bench-")
    base = [cli, "--root", root]
    try:
        subprocess.run(base + ["run", "-d", "--name", "bx", "-m", "1g", "a3s-box/busybox", "sleep", "100000"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(base + ["exec", "bx", "true"], check=True)  # waits for the boot
        time.sleep(1)
        # the CLI's own cost: a command that opens the root and finds the box
        t_cli = timed(base + ["inspect", "-f", "{{.Id}}", "bx"], a.runs)
        t_true = timed(base + ["exec", "bx", "true"], a.runs)
        # a shell builtin-only command vs an exec'd binary: the guest's exec cost
        t_sh = timed(base + ["exec", "bx", "sh", "-c", ":"], a.runs)
        med = statistics.median
        print("exec round trip (exec b true), %d runs: median %.1f ms, min %.1f ms, p90 %.1f ms" % (
            a.runs, med(t_true) * 1e3, min(t_true) * 1e3, sorted(t_true)[int(len(t_true) * 0.9)] * 1e3))
        print("  CLI alone (inspect b): median %.1f ms" % (med(t_cli) * 1e3))
        print("  exec b sh -c ':': median %.1f ms" % (med(t_sh) * 1e3))
        print("  target <= 25 ms: %s" % ("met" if med(t_true) <= 0.025 else "missed"))

        subprocess.run(base + ["exec", "bx", "sh", "-c", "head -c %d /dev/urandom > /tmp/blob" % (a.mib << 20)],
                       check=True)
        rates = []
        for _ in range(3):
            t0 = time.monotonic()
            p = subprocess.Popen(base + ["exec", "bx", "cat", "/tmp/blob"], stdout=subprocess.PIPE)
            n = 0
            while True:
                b = p.stdout.read(1 << 20)
                if not b:
                    break
                n += len(b)
            p.wait()
            dt = time.monotonic() - t0
            assert n == a.mib << 20, n
            rates.append(n / dt / (1 << 20))
        print("guest -> host streaming (%d MiB, exec cat): median %.1f MiB/s (runs: %s)" % (
            a.mib, med(rates), ", ".join("%.1f" % r for r in rates)))
        print("  target >= 100 MiB/s: %s" % ("met" if med(rates) >= 100 else "missed"))
        # the same bytes inside the guest alone, for where the time goes
        t0 = time.monotonic()
        subprocess.run(base + ["exec", "bx", "sh", "-c", "cat /tmp/blob > /dev/null"], check=True)
        dt = time.monotonic() - t0
        print("  in-guest cat to /dev/null: %.1f MiB/s" % (a.mib / dt))
    finally:
        subprocess.run(base + ["rm", "-f", "bx"], stdout=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
