"""The vsock device (lib/vsock) against a real guest kernel under QEMU.

The guest is tests/vsock/guest_echo.c as /init (no a3s-box init), driven
through the hybrid-vsock Unix socket; see tests/integration/vsockvm.py.
"""
import os
import socket
import stat
import threading
import time
import zlib

import pytest

from vsockvm import CONTROL, ECHO, SINK, SOURCE, STALL, VsockVM, pattern_chunks, pattern_crc

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("A3S_BUILD_DIR", os.path.join(REPO, "build"))


@pytest.fixture(scope="module")
def vm():
    v = VsockVM(BUILD)
    try:
        v.wait_ready()
        yield v
        assert v.proc.poll() is None, "runner died: " + v.errors()
        assert v.stop() == 0, v.errors()
        assert_clean(v)
    finally:
        v.close()


def assert_clean(v):
    """No sanitizer report from the device (the runner links lib/)."""
    err = v.errors()
    assert "Sanitizer" not in err and "runtime error" not in err, err


def recv_all(s):
    out = bytearray()
    while True:
        b = s.recv(1 << 20)
        if not b:
            return bytes(out)
        out += b


def echo_once(vm, data):
    s, _ = vm.connect(ECHO)
    got = bytearray()

    def reader():
        while True:
            b = s.recv(1 << 16)
            if not b:
                return
            got.extend(b)
    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(60)
    s.close()
    return bytes(got)


def test_socket_is_private(vm):
    st = os.stat(vm.uds)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600


def test_echo_round_trip(vm):
    s, hostport = vm.connect(ECHO)
    assert hostport >= 1 << 30
    for size in (1, 100, 4096, 70000):
        data = os.urandom(size)
        s.sendall(data)
        got = b""
        while len(got) < size:
            b = s.recv(size - len(got))
            assert b, "echo closed early"
            got += b
        assert got == data
    s.close()


def test_data_right_after_connect(vm):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(vm.uds)
    s.sendall(b"CONNECT %d\nhello" % ECHO)
    f = s.makefile("rb")
    assert f.readline().startswith(b"OK ")
    assert f.read(5) == b"hello"
    s.close()


def test_half_close_both_ways(vm):
    # host half-closes: the guest sees EOF and still answers afterwards
    data = os.urandom(300000)
    assert echo_once(vm, data) == data


def test_guest_to_host_100mb(vm):
    n = 100 << 20
    s, _ = vm.connect(SOURCE)
    s.sendall(b"%d\n" % n)
    crc, total, buf = 0, 0, bytearray(1 << 20)
    t = time.monotonic()
    while True:
        k = s.recv_into(buf)
        if not k:
            break
        crc = zlib.crc32(memoryview(buf)[:k], crc)
        total += k
    dt = time.monotonic() - t
    s.close()
    assert total == n
    assert crc == pattern_crc(n)
    print("guest->host: %.1f MiB/s" % (n / dt / 2**20))


def test_host_to_guest_bulk(vm):
    n = 30 << 20
    s, _ = vm.connect(SINK)
    for chunk in pattern_chunks(n):
        s.sendall(chunk)
    s.shutdown(socket.SHUT_WR)
    assert recv_all(s) == b"OK %d\n" % n
    s.close()


def test_concurrent_connections(vm):
    errors = []

    def one(i):
        try:
            if i % 2:
                data = os.urandom(200000 + i)
                if echo_once(vm, data) != data:
                    errors.append("echo %d mismatch" % i)
            else:
                n = 3000000 + i
                s, _ = vm.connect(SOURCE, timeout=60)
                s.sendall(b"%d\n" % n)
                got = recv_all(s)
                s.close()
                if len(got) != n or zlib.crc32(got) != pattern_crc(n):
                    errors.append("source %d: %d bytes, bad data" % (i, len(got)))
        except Exception as e:  # noqa: BLE001 - collected and reported below
            errors.append("conn %d: %r" % (i, e))
    threads = [threading.Thread(target=one, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors


def control(vm, line):
    s, _ = vm.connect(CONTROL)
    s.sendall(line)
    f = s.makefile("rb")
    out = f.readline()
    s.close()
    return out


def test_guest_initiated_connection(vm):
    port = 7000
    path = "%s_%d" % (vm.uds, port)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    result = {}

    def serve():
        c, _ = srv.accept()
        c.settimeout(60)
        data = recv_all(c)  # the guest half-closes after sending
        result["n"], result["crc"] = len(data), zlib.crc32(data)
        c.sendall(b"thanks\n")
        c.close()
    t = threading.Thread(target=serve)
    t.start()
    try:
        n = 2000000
        assert control(vm, b"connect %d %d\n" % (port, n)) == b"DONE thanks\n"
        t.join(30)
        assert result == {"n": n, "crc": pattern_crc(n)}
    finally:
        srv.close()
        os.unlink(path)


def test_guest_connect_to_nobody(vm):
    out = control(vm, b"connect 7001 10\n")
    assert out.startswith(b"FAIL "), out


def test_connect_to_closed_port(vm):
    t = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        vm.connect(6999)
    assert time.monotonic() - t < 3
    # bad handshakes are closed, and the device carries on
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(vm.uds)
    s.sendall(b"HELLO\n")
    assert s.recv(10) == b""
    s.close()
    assert echo_once(vm, b"still here") == b"still here"


def test_guest_not_reading(vm):
    """Credit stops the device reading the host socket: memory stays bounded."""
    rss0 = vm.runner_rss_kib()
    s, _ = vm.connect(STALL)
    s.setblocking(False)
    sent, chunk = 0, b"z" * 65536
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            sent += s.send(chunk)
        except BlockingIOError:
            time.sleep(0.05)
    # guest buffer (256 KiB credit) plus the Unix socket's own buffers
    assert sent < 4 << 20, sent
    assert vm.runner_rss_kib() - rss0 < 16 << 10
    # other connections are not held up
    assert echo_once(vm, b"x" * 100000) == b"x" * 100000
    s.close()


def test_host_not_reading(vm):
    """The guest stops on our credit: at most one buffer per connection is held."""
    n = 50 << 20
    rss0 = vm.runner_rss_kib()
    s, _ = vm.connect(SOURCE)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
    s.sendall(b"%d\n" % n)
    time.sleep(3)
    assert vm.runner_rss_kib() - rss0 < 4 << 10
    got = recv_all(s)
    s.close()
    assert len(got) == n and zlib.crc32(got) == pattern_crc(n)


def test_guest_killed_mid_stream():
    v = VsockVM(BUILD)
    try:
        v.wait_ready()
        s, _ = v.connect(SOURCE)
        s.sendall(b"%d\n" % (1 << 40))
        got = 0
        while got < 4 << 20:
            got += len(s.recv(1 << 20))
        v.kill_guest()
        t = time.monotonic()
        s.settimeout(10)
        try:
            while s.recv(1 << 20):
                pass
        except ConnectionResetError:
            pass
        assert time.monotonic() - t < 5
        assert v.wait_exit(10).startswith("EXIT ")
        assert v.proc.poll() is None, "the device must survive its guest"
        with pytest.raises(OSError):
            v.connect(ECHO, timeout=5)
        assert v.stop() == 0, v.errors()
        assert not os.path.exists(v.uds)
        assert_clean(v)
    finally:
        v.close()
