"""Detached boxes: run -d, the monitor, stop/kill/rm/wait/logs/pause,
restart policies, and reconciliation after SIGKILL (real VMs)."""
import json
import os
import re
import signal
import subprocess
import threading
import time

from conftest import DEFAULT_IMAGE, leftover_processes, wait_for

IMG = DEFAULT_IMAGE
TICKER = "echo hello; echo oops >&2; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"


def state(a3s, name):
    out = a3s.out("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name).split()
    return out[0], int(out[1])


def procs(a3s, what):
    return [pid for pid, cmd in leftover_processes(a3s.root) if what in cmd]


def test_run_d_logs_stop_wait_rm(a3s):
    box_id = a3s.out("run", "-d", "--name", "web", IMG, "sh", "-c", TICKER).strip()
    assert re.fullmatch(r"[0-9a-f]{64}", box_id)
    assert state(a3s, "web")[0] == "running"
    assert box_id[:12] in a3s.out("ps")
    assert wait_for(lambda: "tick 2" in a3s.out("logs", "web"))
    p = a3s.run("logs", "web")
    assert p.stdout.startswith(b"hello\ntick 1\n")
    assert p.stderr == b"oops\n"
    tail = a3s.out("logs", "--tail", "1", "-t", box_id[:8]).splitlines()
    assert len(tail) == 1 and re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z tick \d+$", tail[0])
    assert a3s.out("stop", "web") == "web\n"
    assert state(a3s, "web") == ("exited", 143)
    assert a3s.out("wait", "web") == "143\n"
    assert "Exited (143)" in a3s.out("ps", "-a")
    assert a3s.out("ps", "-q") == ""
    assert procs(a3s, "qemu-system") == [] and procs(a3s, "__monitor") == []
    # logs survive stop/start
    assert a3s.out("start", "web") == "web\n"
    assert wait_for(lambda: a3s.out("logs", "web").count("hello") == 2)
    p = a3s.run("rm", "web")
    assert p.returncode == 1 and b"stop it first" in p.stderr
    assert a3s.out("rm", "-f", "web") == "web\n"
    assert a3s.run("inspect", "web").returncode == 1
    assert os.listdir(os.path.join(a3s.root, "boxes")) == []


def test_stop_timeout_sends_stopsignal_then_kills(a3s):
    a3s.out("run", "-d", "--name", "stubborn", IMG, "sh", "-c",
            "trap 'echo got TERM' TERM; echo ready; while true; do sleep 0.1; done")
    assert wait_for(lambda: "ready" in a3s.out("logs", "stubborn"))
    t0 = time.monotonic()
    a3s.out("stop", "-t", "2", "stubborn")
    took = time.monotonic() - t0
    assert 2 <= took < 15
    assert state(a3s, "stubborn") == ("exited", 137)
    assert wait_for(lambda: "got TERM" in a3s.out("logs", "stubborn"), 5)


def test_restart_on_failure_exactly_twice(a3s):
    a3s.out("run", "-d", "--name", "flaky", "--restart", "on-failure:2", IMG, "sh", "-c", "echo run; exit 1")
    assert a3s.out("wait", "flaky") == "1\n"
    assert a3s.out("logs", "flaky").count("run\n") == 3
    assert a3s.out("inspect", "-f", "{{.RestartCount}}", "flaky").strip() == "2"
    assert state(a3s, "flaky") == ("exited", 1)


def test_restart_policy_and_rm_conflict(a3s):
    p = a3s.run("run", "-d", "--rm", "--restart", "always", IMG, "true")
    assert p.returncode == 125 and b"conflicting options" in p.stderr
    p = a3s.run("run", "-d", "--restart", "sometimes", IMG, "true")
    assert p.returncode == 125 and b"invalid restart policy" in p.stderr


def test_run_d_rm_removes_itself(a3s):
    box_id = a3s.out("run", "-d", "--rm", IMG, "sh", "-c", "echo bye").strip()
    assert a3s.out("wait", box_id) == "0\n"
    assert wait_for(lambda: a3s.run("inspect", box_id).returncode == 1, 10)
    # the row goes first, then the files, then the monitor exits
    assert wait_for(lambda: os.listdir(os.path.join(a3s.root, "boxes")) == [], 10)


def test_sigkill_of_qemu_is_reconciled(a3s):
    a3s.out("run", "-d", "--name", "victim", IMG, "sleep", "100")
    # run -d returns once the engine is forked; wait for its exec
    assert wait_for(lambda: len(procs(a3s, "qemu-system")) == 1, 10)
    qemu = procs(a3s, "qemu-system")
    assert len(qemu) == 1
    os.kill(qemu[0], signal.SIGKILL)
    assert a3s.out("wait", "victim") == "137\n"
    assert state(a3s, "victim") == ("exited", 137)
    assert procs(a3s, "__monitor") == []


def test_sigkill_of_monitor_is_reconciled(a3s):
    a3s.out("run", "-d", "--name", "orphan", IMG, "sleep", "100")
    assert wait_for(lambda: len(procs(a3s, "qemu-system")) == 1, 10)
    mon = procs(a3s, "__monitor")
    assert len(mon) == 1
    os.kill(mon[0], signal.SIGKILL)
    assert wait_for(lambda: procs(a3s, "qemu-system") == [], 10)  # the VM goes with it
    st, code = state(a3s, "orphan")
    assert (st, code) == ("exited", 137)
    assert "monitor was lost" in a3s.out("inspect", "-f", "{{.State.Error}}", "orphan")
    assert a3s.out("rm", "orphan") == "orphan\n"


def test_create_then_start_and_kill_signal(a3s):
    box_id = a3s.out("create", "--name", "later", "-l", "tier=web", IMG, "sh", "-c",
                     "trap 'echo got USR1' USR1; echo up; while true; do sleep 0.1; done").strip()
    assert state(a3s, "later") == ("created", 0)
    assert "later" in a3s.out("ps", "-a", "--filter", "label=tier=web", "--format", "{{.Names}}")
    assert a3s.out("start", box_id[:10]) == box_id[:10] + "\n"
    assert a3s.out("start", "later") == "later\n"  # already running: no-op
    assert wait_for(lambda: "up" in a3s.out("logs", "later"))
    assert a3s.out("kill", "-s", "USR1", "later") == "later\n"
    assert wait_for(lambda: "got USR1" in a3s.out("logs", "later"))
    assert state(a3s, "later")[0] == "running"
    a3s.out("kill", "later")
    assert state(a3s, "later") == ("exited", 137)
    p = a3s.run("kill", "later")
    assert p.returncode == 1 and b"not running" in p.stderr


def test_pause_unpause(a3s):
    a3s.out("run", "-d", "--name", "pz", IMG, "sh", "-c", TICKER)
    assert wait_for(lambda: "tick 1" in a3s.out("logs", "pz"))
    a3s.out("pause", "pz")
    assert state(a3s, "pz")[0] == "paused"
    assert "(Paused)" in a3s.out("ps")
    n = a3s.out("logs", "pz").count("tick")
    time.sleep(1.0)
    assert a3s.out("logs", "pz").count("tick") == n  # the whole VM stopped
    p = a3s.run("pause", "pz")
    assert p.returncode == 1
    a3s.out("unpause", "pz")
    assert state(a3s, "pz")[0] == "running"
    assert wait_for(lambda: a3s.out("logs", "pz").count("tick") > n)
    a3s.out("stop", "-t", "1", "pz")  # stop of a paused box works too
    a3s.out("rm", "pz")


def test_logs_follow_ends_with_the_box(a3s):
    a3s.out("run", "-d", "--name", "fz", IMG, "sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.3; done")
    p = a3s.run("logs", "-f", "fz", timeout=60)
    assert p.returncode == 0
    assert p.stdout == b"line 1\nline 2\nline 3\n"


def test_concurrent_run_d_and_rm_f(a3s):
    def run_one(i, out):
        out[i] = a3s.run("run", "-d", "--name", "c%d" % i, IMG, "sleep", "60")

    results = [None] * 8
    threads = [threading.Thread(target=run_one, args=(i, results)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        assert r.returncode == 0, r.stderr
    rows = json.loads("[" + ",".join(a3s.out("ps", "--format", "json").splitlines()) + "]")
    assert sorted(r["Names"] for r in rows) == ["c%d" % i for i in range(8)]
    rms = [subprocess.Popen(a3s.cmd("rm", "-f", "c%d" % i), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
           for i in range(8)]
    for p in rms:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert a3s.out("ps", "-a", "-q") == ""
    assert procs(a3s, "qemu-system") == [] and procs(a3s, "__monitor") == []
    assert os.listdir(os.path.join(a3s.root, "boxes")) == []


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(port):
    import urllib.request
    return urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=5).read()


WEB = "mkdir -p /www; echo served-from-box > /www/index.html; exec httpd -f -p 8080 -h /www"


def test_web_server_on_published_port(a3s):
    port = free_port()
    a3s.out("run", "-d", "--name", "web", "-p", "127.0.0.1:%d:8080" % port, "-p", "9090/udp", IMG, "sh", "-c", WEB)
    assert wait_for(lambda: _get_or_none(port) == b"served-from-box\n", 30)
    lines = a3s.out("port", "web").splitlines()
    assert lines[0] == "8080/tcp -> 127.0.0.1:%d" % port
    assert re.fullmatch(r"9090/udp -> 0\.0\.0\.0:\d+", lines[1])
    assert a3s.out("port", "web", "8080") == "127.0.0.1:%d\n" % port
    assert "127.0.0.1:%d->8080/tcp" % port in a3s.out("ps")
    ports = json.loads(a3s.out("inspect", "-f", "{{json .NetworkSettings.Ports}}", "web"))
    assert ports["8080/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(port)}]
    # the port is taken now: a second box cannot have it
    p = a3s.run("run", "--rm", "-p", "127.0.0.1:%d:80" % port, IMG, "true")
    assert p.returncode == 125
    assert p.stderr.decode().strip() == "a3s-box: Bind for 127.0.0.1:%d failed: port is already allocated" % port
    a3s.out("rm", "-f", "web")
    p = a3s.run("run", "--rm", "--network", "none", "-p", "80", IMG, "true")
    assert p.returncode == 125 and b"port publishing" in p.stderr


def _get_or_none(port):
    try:
        return http_get(port)
    except OSError:
        return None


def test_publish_all_uses_exposed_ports(a3s, workdir):
    from imagebuild import build_image, busybox_file, dir_, symlink
    layers = [[dir_("bin"), busybox_file(), symlink("bin/sh", "busybox"), symlink("bin/httpd", "busybox"),
               symlink("bin/mkdir", "busybox"), symlink("bin/echo", "busybox")]]
    tar = build_image(layers, config={"config": {"Env": ["PATH=/bin"], "Cmd": ["sh", "-c", WEB],
                                                 "ExposedPorts": {"8080/tcp": {}}}},
                      tag="test/web:1", workdir=workdir)
    a3s.out("load", "-i", tar)
    a3s.out("run", "-d", "--name", "pub", "-P", "test/web:1")
    line = a3s.out("port", "pub").strip()
    m = re.fullmatch(r"8080/tcp -> 0\.0\.0\.0:(\d+)", line)
    assert m, line
    assert wait_for(lambda: _get_or_none(int(m.group(1))) == b"served-from-box\n", 30)
    a3s.out("rm", "-f", "pub")


def test_stats_reports_guest_and_engine_use(a3s):
    a3s.out("run", "-d", "--name", "spin", "-m", "256m", IMG, "sh", "-c",
            "sleep 1000 & dd if=/dev/zero of=/tmp/f bs=1M count=8 2>/dev/null; while true; do :; done")
    # the guest answers once it is up (a loaded machine boots slowly)
    assert wait_for(lambda: json.loads(a3s.out("stats", "--no-stream", "--format", "json", "spin"))["PIDs"]
                    not in ("--", "0", "1"), 180)
    row = json.loads(a3s.out("stats", "--no-stream", "--format", "json", "spin"))
    assert row["Name"] == "spin" and row["ID"] == row["Container"] and len(row["ID"]) == 12
    cpu = float(row["CPUPerc"].rstrip("%"))
    assert cpu > 20, row  # a busy loop keeps a vCPU thread busy
    used, limit = row["MemUsage"].split(" / ")
    assert limit == "256MiB" and used.endswith("MiB")
    assert int(row["PIDs"]) >= 2  # the shell and its sleep
    assert re.fullmatch(r"[\d.]+k?B / [\d.]+k?B", row["NetIO"]), row
    out = a3s.out("stats", "--no-stream")
    assert out.splitlines()[0].split() == ["CONTAINER", "ID", "NAME", "CPU", "%", "MEM", "USAGE", "/", "LIMIT",
                                           "MEM", "%", "NET", "I/O", "BLOCK", "I/O", "PIDS"]
    a3s.out("rm", "-f", "spin")


def test_start_attach_streams_and_returns_the_code(a3s):
    a3s.out("create", "--name", "att", IMG, "sh", "-c", "echo out; echo err >&2; exit 7")
    p = a3s.run("start", "-a", "att")
    assert p.returncode == 7
    assert p.stdout == b"out\n" and p.stderr == b"err\n"


def test_logs_rotate_by_size(a3s):
    a3s.out("run", "-d", "--name", "chatty", IMG, "sh", "-c",
            "i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo line $i; done",
            env={"A3S_BOX_LOG_MAX_SIZE": "4096"})
    assert a3s.out("wait", "chatty") == "0\n"
    box_dir = os.path.join(a3s.root, "boxes", a3s.out("inspect", "-f", "{{.Id}}", "chatty").strip())
    logs = sorted(f for f in os.listdir(box_dir) if "-json.log" in f)
    assert len(logs) == 2 and logs[1].endswith(".log.1")
    for f in logs:
        assert os.path.getsize(os.path.join(box_dir, f)) <= 4096
    lines = a3s.out("logs", "chatty").splitlines()
    # the newest lines survive, in order, without gaps
    assert lines[-1] == "line 300"
    first = int(lines[0].split()[1])
    assert lines == ["line %d" % i for i in range(first, 301)]
    assert first > 1
