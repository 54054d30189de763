#!/usr/bin/python3
"""vsock benchmark: a test guest (tests/vsock/guest_echo.c) with the vsock
device; median round-trip latency of a 1-byte echo over one connection, and
streaming throughput guest->host and host->guest through the hybrid-vsock
Unix socket.

Usage: bench/vsock.py [--build build] [--rtts 500] [--mib 200] [--runs 3]
"""
import argparse
import os
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from vsockvm import ECHO, SINK, SOURCE, VsockVM, pattern_chunks  # noqa: E402


def cpu_s(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--rtts", type=int, default=500)
    ap.add_argument("--mib", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    os.environ["A3S_BOX_VSOCK_TRACE"] = "1"  # the device's counters, printed at stop
    vm = VsockVM(os.path.abspath(a.build))
    try:
        vm.wait_ready()
        s, _ = vm.connect(ECHO)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
        rtts = []
        for _ in range(a.rtts):
            t = time.monotonic()
            s.sendall(b"x")
            assert s.recv(1) == b"x"
            rtts.append(time.monotonic() - t)
        s.close()
        print("round trip (1-byte echo): median %.1f us (p10 %.1f, p90 %.1f) over %d" % (
            statistics.median(rtts) * 1e6, sorted(rtts)[len(rtts) // 10] * 1e6,
            sorted(rtts)[len(rtts) * 9 // 10] * 1e6, a.rtts))
        n = a.mib << 20
        buf = bytearray(1 << 20)
        rates, ceil = [], []
        for _ in range(a.runs):
            s, _ = vm.connect(SOURCE)
            s.sendall(b"%d\n" % n)
            c0, d0 = cpu_s(vm.qemu_pid), cpu_s(vm.proc.pid)
            t = time.monotonic()
            got = 0
            while True:
                k = s.recv_into(buf)
                if not k:
                    break
                got += k
            dt = time.monotonic() - t
            s.close()
            assert got == n
            rates.append(n / dt / 2**20)
            ceil.append(n / 2**20 / (cpu_s(vm.qemu_pid) - c0))
            print("  guest->host %d MiB: %.1f MiB/s; CPU: QEMU %.2f s, device %.2f s, wall %.2f s" % (
                a.mib, rates[-1], cpu_s(vm.qemu_pid) - c0, cpu_s(vm.proc.pid) - d0, dt))
        print("guest->host throughput: median %.1f MiB/s over %d runs" % (statistics.median(rates), a.runs))
        print("  per QEMU CPU second (the rate with a whole core for the guest): median %.1f MiB/s" %
              statistics.median(ceil))
        rates = []
        m = min(n, 100 << 20)
        for _ in range(a.runs):
            s, _ = vm.connect(SINK)
            t = time.monotonic()
            for c in pattern_chunks(m):
                s.sendall(c)
            s.shutdown(socket.SHUT_WR)
            reply = s.recv(64)
            dt = time.monotonic() - t
            s.close()
            assert reply == b"OK %d\n" % m, reply
            rates.append(m / dt / 2**20)
        print("host->guest throughput: median %.1f MiB/s over %d runs (%d MiB, guest checks every byte)" % (
            statistics.median(rates), a.runs, m >> 20))
        print("load average during the run: %s" % open("/proc/loadavg").read().split()[:3])
        vm.stop()
        for line in vm.errors().splitlines():
            if line.startswith("vsock: "):
                print("device counters:", line[7:])
    finally:
        vm.close()


if __name__ == "__main__":
    main()
