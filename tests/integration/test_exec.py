"""exec, attach, run -t and the guest's vsock services, on real VMs."""
import fcntl
import hashlib
import os
import pty
import select
import signal
import socket
import stat
import struct
import subprocess
import termios
import threading
import time

from conftest import DEFAULT_IMAGE, wait_for

IMG = DEFAULT_IMAGE


def up(a3s, name, *cmd):
    a3s.out("run", "-d", "--name", name, IMG, *(cmd or ("sleep", "1000")))
    # run -d returns while the guest boots; exec waits up to 10 s for it,
    # which a loaded CI machine can exceed
    assert wait_for(lambda: a3s.run("exec", name, "true").returncode == 0, 180)


class Term:
    """A command on a real pseudo-terminal (we hold the master)."""

    def __init__(self, argv, rows=24, cols=80):
        self.master, slave = pty.openpty()
        self.resize(rows, cols)
        self.p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                                  preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.buf = b""

    def resize(self, rows, cols):
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def send(self, data):
        os.write(self.master, data)

    def expect(self, needle, timeout=60):
        end = time.monotonic() + timeout
        while needle not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("%r not seen in %r" % (needle, self.buf[-500:]))
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError("EOF before %r in %r" % (needle, self.buf[-500:]))
                self.buf += chunk
        return self.buf

    def wait(self, timeout=60):
        try:
            return self.p.wait(timeout)
        finally:
            # drain so the child is not blocked on output
            while select.select([self.master], [], [], 0)[0]:
                try:
                    if not os.read(self.master, 65536):
                        break
                except OSError:
                    break

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        os.close(self.master)


def test_exec_stdio_env_workdir_user_and_codes(a3s, workdir):
    up(a3s, "ex")
    assert a3s.out("exec", "ex", "echo", "hello") == "hello\n"
    p = a3s.run("exec", "ex", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (p.returncode, p.stdout, p.stderr) == (3, b"out\n", b"err\n")
    p = a3s.run("exec", "ex", "nosuchcmd")
    assert p.returncode == 127 and b"executable file not found" in p.stderr
    p = a3s.run("exec", "ex", "/etc/passwd")
    assert p.returncode == 126 and b"permission denied" in p.stderr
    envf = os.path.join(workdir, "env")
    with open(envf, "w") as f:
        f.write("# comment\nFROMFILE=yes\n")
    out = a3s.out("exec", "-e", "A=1", "-e", "PATH=/bin:/usr/bin", "--env-file", envf, "ex",
                  "sh", "-c", "echo $A $FROMFILE $PATH $HOSTNAME")
    assert out.split()[:3] == ["1", "yes", "/bin:/usr/bin"] and out.split()[3]
    assert a3s.out("exec", "-w", "/tmp", "ex", "pwd") == "/tmp\n"
    p = a3s.run("exec", "-w", "/nonexistent", "ex", "pwd")  # exec does not create it (docker)
    assert p.returncode != 0 and b"chdir to cwd" in p.stderr
    assert a3s.out("exec", "-u", "1000:1000", "ex", "id", "-u") == "1000\n"
    assert a3s.out("exec", "-u", "nobody", "ex", "id", "-un") == "nobody\n"
    # stdin, only with -i
    assert a3s.out("exec", "-i", "ex", "sh", "-c", "cat; echo done", input=b"piped\n") == "piped\ndone\n"
    assert a3s.out("exec", "ex", "cat", input=b"ignored") == ""
    # -d: started, not waited for
    assert a3s.out("exec", "-d", "ex", "sh", "-c", "sleep 1; echo later > /tmp/d") == ""
    assert wait_for(lambda: a3s.run("exec", "ex", "cat", "/tmp/d").stdout == b"later\n", 30)
    a3s.out("rm", "-f", "ex")


def test_exec_streams_and_forwards_signals(a3s):
    up(a3s, "st")
    p = subprocess.Popen(a3s.cmd("exec", "st", "sh", "-c",
                                 "trap 'echo got TERM; exit 5' TERM; echo ready; while true; do sleep 0.1; done"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # streamed: "ready" arrives while the process still runs
        assert p.stdout.readline() == b"ready\n"
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        assert p.returncode == 5, err
        assert out == b"got TERM\n"
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    a3s.out("rm", "-f", "st")


def test_exec_concurrent_and_bulk(a3s):
    up(a3s, "bulk")
    results = {}

    def one(i):
        results[i] = a3s.run("exec", "bulk", "sh", "-c", "echo job %d; exit %d" % (i, i % 7))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(20):
        assert results[i].returncode == i % 7, results[i].stderr
        assert results[i].stdout == b"job %d\n" % i

    # 100 MiB out of the box, intact: a random MiB repeated
    a3s.out("exec", "bulk", "sh", "-c", "head -c 1048576 /dev/urandom > /tmp/chunk")
    chunk = a3s.run("exec", "bulk", "cat", "/tmp/chunk", check=True).stdout
    assert len(chunk) == 1 << 20
    p = subprocess.Popen(a3s.cmd("exec", "bulk", "sh", "-c", "i=0; while [ $i -lt 100 ]; do cat /tmp/chunk; i=$((i+1)); done"),
                         stdout=subprocess.PIPE)
    h, n = hashlib.sha256(), 0
    while True:
        b = p.stdout.read(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    assert p.wait(timeout=300) == 0
    assert n == 100 << 20
    assert h.hexdigest() == hashlib.sha256(chunk * 100).hexdigest()
    a3s.out("rm", "-f", "bulk")


def test_exec_refused_when_not_running(a3s):
    p = a3s.run("exec", "nosuchbox", "true")
    assert p.returncode == 1 and b"No such box" in p.stderr or b"no such" in p.stderr.lower()
    p = a3s.run("exec", "onlyone")
    assert p.returncode == 125 and b"requires at least 2 arguments" in p.stderr
    a3s.out("create", "--name", "made", IMG, "true")
    p = a3s.run("exec", "made", "true")
    assert p.returncode == 1 and b"is not running" in p.stderr
    up(a3s, "pz")
    a3s.out("pause", "pz")
    p = a3s.run("exec", "pz", "true")
    assert p.returncode == 1 and b"paused" in p.stderr
    a3s.out("unpause", "pz")
    p = a3s.run("exec", "-it", "pz", "sh", input=b"")
    assert p.returncode == 1 and b"not a TTY" in p.stderr
    p = a3s.run("exec", "-w", "relative", "pz", "true")
    assert p.returncode == 125 and b"absolute path" in p.stderr
    # only root reaches a box's sockets
    d = os.path.join(a3s.root, "boxes", a3s.out("inspect", "-f", "{{.Id}}", "pz").strip())
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    for s in ("vsock.sock", "attach.sock"):
        st = os.stat(os.path.join(d, s))
        assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    a3s.out("rm", "-f", "pz", "made")


def test_exec_tty_and_resize(a3s):
    up(a3s, "tt")
    t = Term(a3s.cmd("exec", "-it", "tt", "sh"), rows=33, cols=101)
    try:
        t.send(b"stty size; tty\r")
        t.expect(b"33 101")
        t.expect(b"/dev/pts/")
        t.resize(40, 120)  # the CLI gets SIGWINCH and passes it on
        time.sleep(0.5)
        t.send(b"stty size\r")
        t.expect(b"40 120")
        t.send(b"exit 4\r")
        assert t.wait() == 4
    finally:
        t.close()
    # -t without -i: a terminal, no input
    out = a3s.out("exec", "-t", "tt", "sh", "-c", "test -t 1 && echo isatty")
    assert out == "isatty\r\n"
    a3s.out("rm", "-f", "tt")


def test_run_it_detach_attach_and_watchers(a3s):
    t = Term(a3s.cmd("run", "-it", "--name", "it", IMG, "sh"), rows=30, cols=90)
    try:
        t.send(b"stty size\r")
        t.expect(b"30 90")
        t.send(b"echo one-$((1+1))\r")
        t.expect(b"one-2")
        t.send(b"\x10\x11")  # ctrl-p ctrl-q
        assert t.wait() == 0
    finally:
        t.close()
    assert a3s.out("inspect", "-f", "{{.State.Status}} {{.Config.Tty}}", "it") == "running true\n"
    # a second, passive watcher (no terminal) sees what the first types
    watcher = subprocess.Popen(a3s.cmd("attach", "--no-stdin", "it"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    t = Term(a3s.cmd("attach", "it"))
    try:
        time.sleep(1)
        t.send(b"echo again-$((2+2))\r")
        t.expect(b"again-4")
        t.send(b"exit 3\r")
        assert t.wait() == 3
        out, _ = watcher.communicate(timeout=60)
        assert watcher.returncode == 3 and b"again-4" in out
    finally:
        t.close()
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    assert a3s.out("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "it") == "exited 3\n"
    p = a3s.run("attach", "it")
    assert p.returncode == 1 and b"stopped box" in p.stderr
    # run -it --rm: gone when the CLI returns
    t = Term(a3s.cmd("run", "-it", "--rm", IMG, "sh", "-c", "exit 6"))
    try:
        assert t.wait() == 6
    finally:
        t.close()
    assert a3s.out("ps", "-aq") == a3s.out("ps", "-aq", "--filter", "name=it")
    # ... but detaching from it returns at once and leaves it running
    t = Term(a3s.cmd("run", "-it", "--rm", "--name", "rmd", IMG, "sh"))
    try:
        t.send(b"echo up-$((3+3))\r")
        t.expect(b"up-6")
        t.send(b"\x10\x11")
        assert t.wait(timeout=10) == 0
    finally:
        t.close()
    assert a3s.out("inspect", "-f", "{{.State.Status}}", "rmd") == "running\n"
    a3s.out("rm", "-f", "rmd")


def test_attach_to_non_tty_box_and_detach_keys_option(a3s):
    a3s.out("run", "-d", "-i", "--name", "cat", IMG, "sh", "-c", "while read l; do echo got $l; done; echo eof")
    p = subprocess.Popen(a3s.cmd("attach", "cat"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out, err = p.communicate(b"a\nb\n", timeout=120)
    assert p.returncode == 0, err
    assert out == b"got a\ngot b\neof\n"
    p = a3s.run("attach", "--detach-keys", "ctrl-x,", "cat")
    assert p.returncode == 125 and b"invalid detach keys" in p.stderr
    a3s.out("rm", "-f", "cat")


def test_guest_side_killed_mid_stream(a3s):
    up(a3s, "kk")
    # the exec's own server process in the guest dies: a clear error, at once
    p = a3s.run("exec", "kk", "sh", "-c", "echo before; sleep 1; kill -9 $PPID; sleep 30")
    assert p.returncode == 125 and p.stdout == b"before\n"
    assert b"closed before the process exited" in p.stderr
    # the whole VM dies under a streaming exec
    s = subprocess.Popen(a3s.cmd("exec", "kk", "sh", "-c", "while true; do echo x; done"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert s.stdout.read(2) == b"x\n"
    qemu = int(a3s.out("inspect", "-f", "{{.State.Pid}}", "kk"))
    os.kill(qemu, signal.SIGKILL)
    s.stdout.close()
    assert s.wait(timeout=30) == 125
    assert a3s.out("wait", "kk") == "137\n"
    a3s.out("rm", "kk")


def test_attestation_port_over_hybrid_vsock(a3s):
    up(a3s, "at")
    box = a3s.out("inspect", "-f", "{{.Id}}", "at").strip()
    d = os.open(os.path.join(a3s.root, "boxes", box), os.O_PATH)
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect("/proc/self/fd/%d/vsock.sock" % d)
        s.sendall(b"CONNECT 4091\n")
        line = b""
        while not line.endswith(b"\n"):
            line += s.recv(1)
        assert line.startswith(b"OK ")
        s.sendall(struct.pack("<BBHI", 14, 1, 0, 0))  # ATTEST_REQ
        hdr = b""
        while len(hdr) < 8:
            hdr += s.recv(8 - len(hdr))
        typ, ver, _, n = struct.unpack("<BBHI", hdr)
        body = b""
        while len(body) < n:
            body += s.recv(n - len(body))
        assert (typ, ver) == (15, 1)
        assert b"tee none\n" in body
        # a port nobody serves is refused, the device goes on
        s2 = socket.socket(socket.AF_UNIX)
        s2.connect("/proc/self/fd/%d/vsock.sock" % d)
        s2.sendall(b"CONNECT 5555\n")
        assert s2.recv(16) == b""
        s2.close()
    finally:
        s.close()
        os.close(d)
    assert a3s.out("exec", "at", "echo", "still") == "still\n"
    a3s.out("rm", "-f", "at")
