"""Shared fixtures for the black-box tests.

Every test gets its own data root (``a3s.root``) and runs the real CLI
binary. ``a3s.run(*args)`` returns a CompletedProcess; nothing is shared
between tests, so they can run in parallel (pytest -n).
"""
import os
import shutil
import subprocess
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("A3S_BUILD_DIR", os.path.join(REPO, "build"))
BIN = os.environ.get("A3S_BOX_BIN", os.path.join(BUILD, "src", "cli", "a3s-box"))
DEFAULT_IMAGE = "a3s-box/busybox:latest"


class A3s:
    def __init__(self, root):
        self.root = root
        self.bin = BIN

    def cmd(self, *args):
        return [self.bin, "--root", self.root] + [str(a) for a in args]

    def run(self, *args, input=None, timeout=120, env=None, check=False):
        e = dict(os.environ)
        if env:
            e.update(env)
        p = subprocess.run(self.cmd(*args), input=input, capture_output=True,
                           timeout=timeout, env=e)
        if check and p.returncode != 0:
            raise AssertionError("a3s-box %s failed (%d): %s" % (
                " ".join(map(str, args)), p.returncode, p.stderr.decode(errors="replace")))
        return p

    def out(self, *args, **kw):
        return self.run(*args, check=True, **kw).stdout.decode()


def wait_for(cond, timeout=60):
    """Poll cond until it is true (True) or timeout seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def leftover_processes(root):
    """QEMU (or anything) still running with this data root on its command line."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if root in cmdline and "pytest" not in cmdline:
            found.append((int(pid), cmdline))
    return found


@pytest.fixture
def a3s():
    root = tempfile.mkdtemp(prefix="a3s-test-", dir=os.environ.get("A3S_TEST_TMP", "/tmp"))
    try:
        yield A3s(root)
        # nothing may outlive a command: no process, no staging file
        assert leftover_processes(root) == []
        # monitors write their own stderr (sanitizer reports too) here
        boxes = os.path.join(root, "boxes")
        for d in os.listdir(boxes) if os.path.isdir(boxes) else []:
            log = os.path.join(boxes, d, "monitor.log")
            if os.path.exists(log):
                text = open(log, errors="replace").read()
                assert "Sanitizer" not in text and "runtime error" not in text, text
        tmp = os.path.join(root, "tmp")
        if os.path.isdir(tmp):
            assert os.listdir(tmp) == [], "staging files left in %s" % tmp
    finally:
        for pid, _ in leftover_processes(root):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="a3s-work-")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
