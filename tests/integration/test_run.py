"""`a3s-box run`: real microVMs (TCG here) booted from the default image."""
import http.server
import os
import signal
import socketserver
import subprocess
import threading
import time

import pytest

from conftest import DEFAULT_IMAGE

IMG = DEFAULT_IMAGE


def boxes_left(a3s):
    d = os.path.join(a3s.root, "boxes")
    return os.listdir(d) if os.path.isdir(d) else []


def test_stdout_and_stderr_are_separate(a3s):
    p = a3s.run("run", "--rm", IMG, "sh", "-c", "echo out1; echo err1 >&2; echo out2")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"out1\nout2\n"
    assert p.stderr == b"err1\n"
    assert boxes_left(a3s) == []


@pytest.mark.parametrize("code", [0, 1, 42])
def test_exit_code_is_the_commands(a3s, code):
    p = a3s.run("run", "--rm", IMG, "sh", "-c", "exit %d" % code)
    assert p.returncode == code, p.stderr


def test_command_not_found_is_127(a3s):
    p = a3s.run("run", "--rm", IMG, "no-such-command", "x")
    assert p.returncode == 127
    assert b'"no-such-command": executable file not found in $PATH' in p.stderr
    assert p.stdout == b""


def test_not_executable_is_126(a3s):
    p = a3s.run("run", "--rm", IMG, "/etc/passwd")
    assert p.returncode == 126
    assert b"permission denied" in p.stderr


def test_killed_by_signal_is_128_plus_n(a3s):
    p = a3s.run("run", "--rm", IMG, "sh", "-c", "kill -9 $$")
    assert p.returncode == 137


def test_env_env_file_workdir_and_hostname(a3s, workdir):
    envf = os.path.join(workdir, "env")
    with open(envf, "w") as f:
        f.write("# comment\nFROM_FILE=file value\nOVERRIDDEN=file\n\nFROM_HOST\n")
    p = a3s.run("run", "--rm", "-e", "A=1", "-e", "OVERRIDDEN=flag", "--env-file", envf,
                "-w", "/work/dir", "--hostname", "myhost", IMG,
                "sh", "-c", 'echo "$A|$FROM_FILE|$OVERRIDDEN|$FROM_HOST|$PATH"; pwd; hostname; cat /etc/hostname',
                env={"FROM_HOST": "hostval"})
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode().splitlines()
    assert lines[0] == "1|file value|flag|hostval|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert lines[1] == "/work/dir"
    assert lines[2] == "myhost"
    assert lines[3] == "myhost"


def test_default_hostname_is_short_id_and_etc_files(a3s):
    p = a3s.run("run", "--rm", IMG, "sh", "-c", "hostname; cat /etc/hosts; cat /etc/resolv.conf")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode().splitlines()
    assert len(out[0]) == 12 and all(c in "0123456789abcdef" for c in out[0])
    assert any(l.startswith("127.0.0.1") and "localhost" in l for l in out)
    assert any(out[0] in l for l in out[1:])
    assert "nameserver 10.0.2.3" in out


@pytest.mark.parametrize("user,expect", [
    ("a3s", "uid=1000(a3s) gid=1000(a3s)"),
    ("1234:55", "uid=1234 gid=55"),
    ("nobody", "uid=65534(nobody)"),
    ("0", "uid=0(root) gid=0(root)"),
])
def test_user(a3s, user, expect):
    p = a3s.run("run", "--rm", "-u", user, IMG, "id")
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().startswith(expect)


def test_unknown_user_is_an_error(a3s):
    p = a3s.run("run", "--rm", "-u", "nosuchuser", IMG, "id")
    assert p.returncode == 125
    assert b"unable to find user nosuchuser" in p.stderr


def test_stdin_forwarded_with_eof(a3s):
    data = os.urandom(300000)
    p = a3s.run("run", "--rm", "-i", IMG, "sh", "-c", "md5sum; echo done", input=data)
    assert p.returncode == 0, p.stderr
    import hashlib
    assert p.stdout.decode().split()[0] == hashlib.md5(data).hexdigest()
    assert p.stdout.decode().endswith("done\n")


def test_without_i_stdin_is_empty(a3s):
    p = a3s.run("run", "--rm", IMG, "sh", "-c", "cat; echo end", input=b"ignored")
    assert p.returncode == 0
    assert p.stdout == b"end\n"


def test_rm_leaves_nothing_and_files_do_not_persist(a3s):
    p = a3s.run("run", "--rm", IMG, "sh", "-c", "echo data > /root/file; dd if=/dev/zero of=/big bs=1M count=20 2>/dev/null; ls /root")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"file\n"
    assert boxes_left(a3s) == []
    p = a3s.run("run", "--rm", IMG, "ls", "/root")
    assert p.stdout == b""
    assert boxes_left(a3s) == []


def test_without_rm_the_box_stays_recorded(a3s):
    p = a3s.run("run", "--name", "keep", IMG, "sh", "-c", "exit 3")
    assert p.returncode == 3
    assert len(boxes_left(a3s)) == 1
    p = a3s.run("run", "--name", "keep", IMG, "true")
    assert p.returncode == 125
    assert b'name "/keep" is already in use' in p.stderr


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from the host\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_outbound_network_reaches_host_server(a3s):
    srv = socketserver.TCPServer(("127.0.0.1", 0), _Handler)
    port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        p = a3s.run("run", "--rm", IMG, "sh", "-c",
                    "ip addr show eth0 | grep -o 'inet [0-9.]*'; wget -q -O - http://10.0.2.2:%d/" % port)
    finally:
        srv.shutdown()
        srv.server_close()
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode() == "inet 10.0.2.15\nhello from the host\n"


def test_network_none_has_no_eth0(a3s):
    p = a3s.run("run", "--rm", "--network", "none", IMG, "ls", "/sys/class/net")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [b"lo"]


def test_cpus_and_memory(a3s):
    p = a3s.run("run", "--rm", "--cpus", "2", "-m", "300m", IMG, "sh", "-c",
                "nproc; grep MemTotal /proc/meminfo")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode().splitlines()
    assert lines[0] == "2"
    kb = int(lines[1].split()[1])
    assert 250 * 1024 < kb <= 300 * 1024


def test_entrypoint_override(a3s):
    p = a3s.run("run", "--rm", "--entrypoint", "echo", IMG, "a", "b")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"a b\n"


def test_container_mounts(a3s):
    p = a3s.run("run", "--rm", IMG, "sh", "-c", "awk '{print $2, $3}' /proc/mounts | sort")
    assert p.returncode == 0, p.stderr
    mounts = set(p.stdout.decode().splitlines())
    for m in ["/ overlay", "/proc proc", "/sys sysfs", "/dev tmpfs", "/dev/pts devpts",
              "/dev/shm tmpfs", "/run tmpfs", "/tmp tmpfs"]:
        assert m in mounts, (m, mounts)


def test_two_concurrent_runs(a3s):
    procs = [subprocess.Popen(a3s.cmd("run", "--rm", IMG, "sh", "-c", "sleep 1; echo box%d" % i),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for i, (p, (out, err)) in enumerate(zip(procs, outs)):
        assert p.returncode == 0, err
        assert out == b"box%d\n" % i
    assert boxes_left(a3s) == []


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_to_cli_stops_the_vm(a3s, sig, code):
    p = subprocess.Popen(a3s.cmd("run", "--rm", IMG, "sh", "-c", "echo started; exec sleep 100"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.readline() == b"started\n"
    t0 = time.monotonic()
    p.send_signal(sig)
    p.wait(timeout=30)
    assert p.returncode == code
    assert time.monotonic() - t0 < 15
    assert boxes_left(a3s) == []


def test_engine_killed_mid_run_is_a_clean_125(a3s):
    from conftest import leftover_processes
    p = subprocess.Popen(a3s.cmd("run", "--rm", IMG, "sh", "-c", "echo up; exec sleep 100"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.readline() == b"up\n"
    qemu = [pid for pid, cmd in leftover_processes(a3s.root) if "qemu-system" in cmd]
    assert len(qemu) == 1
    os.kill(qemu[0], signal.SIGKILL)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 125
    assert b"the VM stopped before the workload finished" in err
    assert boxes_left(a3s) == []
