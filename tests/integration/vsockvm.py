"""A test guest with the vsock device (tests/vsock/): boot it, talk to it.

Shared by tests/integration/test_vsock.py and bench/vsock.py.
"""
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zlib

PLEN = 1000003
ECHO, SOURCE, SINK, CONTROL, STALL = 5000, 5001, 5002, 5003, 5004
_pattern = None


def pattern():
    """The guest's pattern block (tests/vsock/guest_echo.c)."""
    global _pattern
    if _pattern is None:
        out = bytearray(PLEN)
        x = 12345
        for i in range(PLEN):
            x = (x * 1103515245 + 12345) & 0xFFFFFFFF
            out[i] = (x >> 16) & 0xFF
        _pattern = bytes(out)
    return _pattern


def pattern_crc(n):
    """crc32 of the first n bytes of the repeated pattern."""
    p = pattern()
    crc = 0
    full, rest = divmod(n, PLEN)
    for _ in range(full):
        crc = zlib.crc32(p, crc)
    return zlib.crc32(p[:rest], crc)


def pattern_chunks(n, size=1 << 20):
    p = pattern()
    off = 0
    while off < n:
        at = off % PLEN
        c = min(PLEN - at, size, n - off)
        yield p[at:at + c]
        off += c


class VsockVM:
    def __init__(self, build, mem=256):
        self.build = build
        self.dir = tempfile.mkdtemp(prefix="a3s-vsock-")
        os.chmod(self.dir, 0o700)
        self.uds = os.path.join(self.dir, "v.sock")
        kernel = os.path.join(build, "share", "a3s-box", "vmlinux")
        initrd = os.path.join(build, "tests", "vsock", "vsock-test.cpio")
        runner = os.path.join(build, "tests", "vsock", "a3s-vsock-run")
        self.stderr = open(os.path.join(self.dir, "runner.err"), "w+")
        self.proc = subprocess.Popen([runner, self.uds, kernel, initrd, self.dir, str(mem)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("READY "):
            raise AssertionError("runner failed: %r %s" % (line, self.errors()))
        self.qemu_pid = int(line.split()[1])

    def errors(self):
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()

    def console(self):
        try:
            with open(os.path.join(self.dir, "console.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def connect(self, port, timeout=5.0):
        """Hybrid-vsock CONNECT; returns (socket, hostport) or raises."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(self.uds)
        s.sendall(b"CONNECT %d\n" % port)
        line = b""
        while not line.endswith(b"\n"):
            c = s.recv(1)
            if not c:
                s.close()
                raise ConnectionRefusedError("guest port %d refused" % port)
            line += c
        if not line.startswith(b"OK "):
            raise AssertionError("bad answer %r" % line)
        return s, int(line[3:])

    def wait_ready(self, timeout=60):
        """Until the guest's echo port answers."""
        end = time.monotonic() + timeout
        while True:
            try:
                s, _ = self.connect(ECHO, timeout=5)
                s.sendall(b"ping")
                assert s.recv(4) == b"ping"
                s.close()
                return
            except (ConnectionRefusedError, OSError):
                if time.monotonic() > end:
                    raise AssertionError("guest never answered\n" + self.console() + self.errors())
                time.sleep(0.2)

    def runner_rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def kill_guest(self):
        os.kill(self.qemu_pid, signal.SIGKILL)

    def wait_exit(self, timeout=30):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return None
        line = self.proc.stdout.readline().decode()
        return line

    def stop(self):
        """Close the runner's stdin (stops QEMU and the device); its exit code."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode

    def close(self):
        if self.stderr.closed:
            return
        self.stop()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
