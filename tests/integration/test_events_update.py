"""events (history, following, filters, formats) and update (restart
policy, CPUs and memory) against real VMs."""
import json
import os
import re
import select
import signal
import subprocess
import time

from conftest import DEFAULT_IMAGE

IMG = DEFAULT_IMAGE
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:\d\d)) (\w+) (\w+) ([0-9a-f]{64})(?: \((.*)\))?$")


def now():
    return "%.9f" % time.time()


def parse(line):
    m = LINE.match(line)
    assert m, line
    attrs = dict(kv.split("=", 1) for kv in m.group(5).split(", ")) if m.group(5) else {}
    return m.group(2), m.group(3), m.group(4), attrs, m.group(5)


def test_events_history_order_and_attributes(a3s):
    box_id = a3s.out("run", "-d", "--name", "ev1", IMG, "sh", "-c", "echo hi; exit 3").strip()
    assert a3s.out("wait", "ev1") == "3\n"
    # logs shares the --since/--until parser (time_parse_user)
    assert a3s.out("logs", "--since", "1h", "ev1") == "hi\n"
    assert a3s.out("logs", "--until", "1h", "ev1") == ""
    assert a3s.out("logs", "--since", now(), "ev1") == ""
    lines = a3s.out("events", "--since", "0", "--until", now()).splitlines()
    evs = [parse(l) for l in lines]
    assert [e[1] for e in evs] == ["create", "start", "die"]
    for typ, _, actor, attrs, raw in evs:
        assert typ == "container" and actor == box_id
        assert attrs["name"] == "ev1" and attrs["image"] == IMG
        keys = [kv.split("=", 1)[0] for kv in raw.split(", ")]
        assert keys == sorted(keys)
    assert evs[2][3]["exitCode"] == "3"

    # filters and formats
    out = a3s.out("events", "--since", "0", "--until", now(), "-f", "event=die", "-f", "container=ev")
    assert [parse(l)[1] for l in out.splitlines()] == ["die"]
    assert a3s.out("events", "--since", "0", "--until", now(), "-f", "container=other") == ""
    assert a3s.out("events", "--since", "0", "--until", now(), "-f", "type=image") == ""
    out = a3s.out("events", "--since", "0", "--until", now(), "-f", "image=" + IMG.split(":")[0],
                  "--format", "{{.Action}} {{.Actor.Attributes.name}}")
    assert out == "create ev1\nstart ev1\ndie ev1\n"
    msgs = [json.loads(l) for l in a3s.out("events", "--since", "0", "--until", now(),
                                             "--format", "json").splitlines()]
    assert [m["Action"] for m in msgs] == ["create", "start", "die"]
    m = msgs[0]
    assert m["status"] == "create" and m["id"] == box_id and m["from"] == IMG
    assert m["Type"] == "container" and m["scope"] == "local"
    assert m["Actor"] == {"ID": box_id, "Attributes": {"image": IMG, "name": "ev1"}}
    assert m["time"] == m["timeNano"] // 10**9

    # the box gone: name and image still come from its history
    assert a3s.out("rm", "ev1") == "ev1\n"
    out = a3s.out("events", "--since", "0", "--until", now(), "-f", "event=destroy")
    _, action, actor, attrs, _ = parse(out.strip())
    assert action == "destroy" and actor == box_id and attrs == {"image": IMG, "name": "ev1"}

    # a --since after everything prints nothing; bad input is a usage error
    assert a3s.out("events", "--since", now(), "--until", now()) == ""
    for bad in (["-f", "bogus=1"], ["-f", "type"], ["--since", "yesterday"],
                ["--since", "2000", "--until", "1000"]):
        p = a3s.run("events", *bad)
        assert p.returncode == 125, bad


def read_lines(proc, n, timeout=60):
    out, buf, end = [], b"", time.monotonic() + timeout
    while len(out) < n and time.monotonic() < end:
        r, _, _ = select.select([proc.stdout], [], [], 0.5)
        if r:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split(b"\n")
            out += [d.decode() for d in done]
    return out


def test_events_follow(a3s):
    old = a3s.out("run", "-d", "--name", "before", IMG, "true").strip()
    a3s.out("wait", "before")
    p = subprocess.Popen(a3s.cmd("events", "-f", "type=container"), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)  # it is polling: nothing from before it started
        box_id = a3s.out("run", "-d", "--name", "live", IMG, "true").strip()
        a3s.out("wait", "live")
        evs = [parse(l) for l in read_lines(p, 3)]
        assert [e[1] for e in evs] == ["create", "start", "die"]
        assert all(e[2] == box_id and e[3]["name"] == "live" for e in evs)
        assert old not in "".join(e[2] for e in evs)
    finally:
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=10)
    assert rc == 0 and p.stderr.read() == b""

    # --until in the future: follows, then ends by itself (only --until
    # would print the whole history first, as docker does)
    t0 = time.monotonic()
    p = subprocess.Popen(a3s.cmd("events", "--since", now(), "--until", "%.3f" % (time.time() + 2)),
                         stdout=subprocess.PIPE)
    a3s.out("rm", "live")
    out, _ = p.communicate(timeout=20)
    assert p.returncode == 0 and 1.5 < time.monotonic() - t0 < 15
    assert [parse(l)[1] for l in out.decode().splitlines()] == ["destroy"]

    # SIGTERM ends a follower cleanly as well
    p = subprocess.Popen(a3s.cmd("events"), stdout=subprocess.PIPE)
    time.sleep(0.3)
    p.terminate()
    assert p.wait(timeout=10) == 0


def inspect(a3s, fmt, name):
    return a3s.out("inspect", "-f", fmt, name).strip()


def test_update_restart_policy_and_resources(a3s):
    a3s.out("create", "--name", "upd", IMG, "true")
    assert inspect(a3s, "{{.HostConfig.RestartPolicy.Name}}", "upd") == "no"
    assert a3s.out("update", "--restart", "on-failure:3", "upd") == "upd\n"
    assert inspect(a3s, "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}",
                   "upd") == "on-failure 3"
    assert a3s.out("update", "--cpus", "2", "-m", "256m", "upd") == "upd\n"
    assert inspect(a3s, "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", "upd") == \
        "%d %d" % (256 << 20, 2 * 10**9)
    # the policy is kept when only resources change
    assert inspect(a3s, "{{.HostConfig.RestartPolicy.Name}}", "upd") == "on-failure"
    out = a3s.out("events", "--since", "0", "--until", now(), "-f", "event=update")
    evs = [parse(l) for l in out.splitlines()]
    assert len(evs) == 2 and all(e[3] == {"image": IMG, "name": "upd"} for e in evs)

    # usage errors
    for bad in ([], ["upd"], ["--restart", "sometimes", "upd"], ["-m", "1m", "upd"], ["--cpus", "x", "upd"]):
        assert a3s.run("update", *bad).returncode == 125, bad
    p = a3s.run("update", "--restart", "always", "nosuch")
    assert p.returncode == 1 and b"No such box" in p.stderr


def test_update_memory_running_box_refused(a3s):
    a3s.out("run", "-d", "--name", "busy", IMG, "sleep", "60")
    p = a3s.run("update", "-m", "256m", "busy")
    assert p.returncode == 1 and p.stdout == b""
    err = p.stderr.decode()
    assert err.count("\n") == 1 and "'busy'" in err and "stop it first" in err
    assert inspect(a3s, "{{.HostConfig.Memory}}", "busy") == str(512 << 20)
    # the restart policy may change while it runs
    assert a3s.out("update", "--restart", "unless-stopped", "busy") == "busy\n"
    assert inspect(a3s, "{{.HostConfig.RestartPolicy.Name}}", "busy") == "unless-stopped"
    assert a3s.out("stop", "-t", "1", "busy") == "busy\n"
    assert a3s.out("update", "-m", "128m", "busy") == "busy\n"
    assert inspect(a3s, "{{.HostConfig.Memory}}", "busy") == str(128 << 20)
    # the next start uses it
    assert a3s.out("start", "busy") == "busy\n"
    assert inspect(a3s, "{{.HostConfig.Memory}} {{.State.Status}}", "busy") == "%d running" % (128 << 20)
    assert a3s.out("rm", "-f", "busy") == "busy\n"


def test_update_rm_box_refuses_restart_policy(a3s):
    a3s.out("create", "--rm", "--name", "tmpbox", IMG, "true")
    p = a3s.run("update", "--restart", "always", "tmpbox")
    assert p.returncode == 1 and b"--rm" in p.stderr
    assert a3s.out("update", "--restart", "no", "tmpbox") == "tmpbox\n"
    a3s.out("rm", "tmpbox")
