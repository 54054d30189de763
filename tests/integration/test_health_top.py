"""`top` and health checks (docs/health.md), in real VMs: the process table
the guest init builds, health status transitions (starting, healthy,
unhealthy), the start period, timeouts, HEALTHCHECK from an image, and
--no-healthcheck. VMs run under TCG on a loaded machine: intervals are short
but every wait is generous."""
import json
import time

from conftest import DEFAULT_IMAGE
from imagebuild import build_image, busybox_file, dir_, file, symlink

WAIT = 180


def wait_for(cond, timeout=WAIT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.2)
    return False


def inspect(a3s, name):
    return json.loads(a3s.out("inspect", name))[0]


def health(a3s, name):
    return inspect(a3s, name)["State"].get("Health")


def status_is(a3s, name, want):
    h = health(a3s, name)
    return h is not None and h["Status"] == want


def ps_status(a3s, name):
    return a3s.out("ps", "-a", "--filter", "name=^" + name + "$", "--format", "{{.Status}}").strip()


def ps_names(a3s, *filters):
    args = ["ps", "-a", "--format", "{{.Names}}"]
    for f in filters:
        args += ["--filter", f]
    return a3s.out(*args).split()


def table(out):
    lines = out.splitlines()
    return lines[0].split(), [l for l in lines[1:] if l.strip()]


def test_top_default_and_options(a3s):
    a3s.out("run", "-d", "--name", "topbox", DEFAULT_IMAGE, "sleep", "1000")
    # default: as `ps -ef`, docker's columns; only the box's processes
    titles, rows = table(a3s.out("top", "topbox"))
    assert titles == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    assert len(rows) == 1, rows
    cells = rows[0].split()
    assert cells[0] == "root" and cells[2] == "1" and " ".join(cells[7:]) == "sleep 1000"
    # docker's table: columns padded to at least 20 characters
    assert a3s.out("top", "topbox").splitlines()[0].startswith("UID" + " " * 17 + "PID")
    # BSD "aux"
    titles, rows = table(a3s.out("top", "topbox", "aux"))
    assert titles == ["USER", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME", "COMMAND"]
    assert rows[0].split()[-2:] == ["sleep", "1000"]
    # -o with a column list; a running exec shows up
    a3s.out("exec", "-d", "topbox", "sleep", "777")
    assert wait_for(lambda: "777" in a3s.out("top", "topbox", "-o", "pid,ppid,user,comm,args"), 60)
    titles, rows = table(a3s.out("top", "topbox", "-eo", "pid,comm,args"))
    assert titles == ["PID", "COMMAND", "COMMAND"]
    assert sorted(r.split()[1] for r in rows) == ["sleep", "sleep"]
    # docker's parse: a PID column is required
    p = a3s.run("top", "topbox", "-o", "comm")
    assert p.returncode != 0 and b"Couldn't find PID field in ps output" in p.stderr
    # other options: the image's own ps (busybox's here)
    titles, rows = table(a3s.out("top", "topbox", "-T"))
    assert "PID" in titles and any("sleep 1000" in r for r in rows)
    p = a3s.run("top", "topbox", "--no-such-option")
    assert p.returncode != 0 and p.stderr.startswith(b"a3s-box: ps: ")
    # errors as docker's
    p = a3s.run("top")
    assert p.returncode == 125 and b"requires at least 1 argument" in p.stderr
    p = a3s.run("top", "nosuchbox")
    assert p.returncode == 1 and b"No such box: nosuchbox" in p.stderr
    a3s.out("stop", "-t", "1", "topbox")
    p = a3s.run("top", "topbox")
    assert p.returncode == 1 and b"is not running" in p.stderr
    a3s.out("rm", "topbox")


def test_health_starting_healthy_unhealthy(a3s):
    a3s.out("run", "-d", "--name", "hb", "--health-cmd", "test -e /tmp/ok && echo fine",
            "--health-interval", "1s", "--health-retries", "2", DEFAULT_IMAGE,
            "sh", "-c", "touch /tmp/ok; exec sleep 1000")
    cfg = inspect(a3s, "hb")["Config"]["Healthcheck"]
    assert cfg == {"Test": ["CMD-SHELL", "test -e /tmp/ok && echo fine"], "Interval": 1000000000, "Retries": 2}
    # no check has passed yet right after the start
    h = health(a3s, "hb")
    assert h["Status"] in ("starting", "healthy")
    if h["Status"] == "starting":
        assert "(health: starting)" in ps_status(a3s, "hb") or status_is(a3s, "hb", "healthy")
    assert wait_for(lambda: status_is(a3s, "hb", "healthy"))
    assert ps_status(a3s, "hb").endswith("(healthy)")
    assert ps_status(a3s, "hb").startswith("Up ")
    h = health(a3s, "hb")
    assert h["FailingStreak"] == 0
    last = h["Log"][-1]
    assert last["ExitCode"] == 0 and last["Output"] == "fine\n"
    assert last["Start"] <= last["End"]
    assert ps_names(a3s, "health=healthy") == ["hb"]
    assert ps_names(a3s, "health=unhealthy") == []
    # healthy -> unhealthy after 2 failures in a row
    a3s.out("exec", "hb", "rm", "/tmp/ok")
    assert wait_for(lambda: status_is(a3s, "hb", "unhealthy"))
    h = health(a3s, "hb")
    assert h["FailingStreak"] >= 2
    assert h["Log"][-1]["ExitCode"] == 1
    assert ps_status(a3s, "hb").endswith("(unhealthy)")
    assert ps_names(a3s, "health=unhealthy") == ["hb"]
    # the log keeps the last 5
    assert wait_for(lambda: len(health(a3s, "hb")["Log"]) == 5, 60)
    time.sleep(2)
    assert len(health(a3s, "hb")["Log"]) == 5
    # and back
    a3s.out("exec", "hb", "touch", "/tmp/ok")
    assert wait_for(lambda: status_is(a3s, "hb", "healthy"))
    assert health(a3s, "hb")["FailingStreak"] == 0
    events = a3s.out("events", "--since", "1h", "--until", "0s", "--filter", "container=hb")
    assert "container health_status: healthy" in events
    assert "container health_status: unhealthy" in events
    # a stopped box shows no health in ps
    a3s.out("stop", "-t", "1", "hb")
    assert ps_status(a3s, "hb").startswith("Exited")
    assert "(" not in ps_status(a3s, "hb").split(")", 1)[1]
    a3s.out("rm", "hb")


def test_health_start_period(a3s):
    a3s.out("run", "-d", "--name", "sp", "--health-cmd", "exit 1", "--health-interval", "1s",
            "--health-retries", "1", "--health-start-period", "25s", DEFAULT_IMAGE, "sleep", "1000")
    started = time.monotonic()
    # failures inside the start period are logged but do not count
    assert wait_for(lambda: len((health(a3s, "sp") or {"Log": []})["Log"]) >= 2, 60)
    h = health(a3s, "sp")
    if time.monotonic() - started < 20:
        assert h["Status"] == "starting" and h["FailingStreak"] == 0, h
        assert all(l["ExitCode"] == 1 for l in h["Log"])
        assert "(health: starting)" in ps_status(a3s, "sp")
        assert ps_names(a3s, "health=starting") == ["sp"]
    # after it, one failure (retries 1) is enough
    assert wait_for(lambda: status_is(a3s, "sp", "unhealthy"))
    assert time.monotonic() - started >= 20
    assert health(a3s, "sp")["FailingStreak"] == 1
    a3s.out("rm", "-f", "sp")


def test_health_timeout_kills_the_check(a3s):
    a3s.out("run", "-d", "--name", "to", "--health-cmd", "sleep 600", "--health-interval", "1s",
            "--health-timeout", "1s", "--health-retries", "1", DEFAULT_IMAGE, "sleep", "1000")
    assert wait_for(lambda: status_is(a3s, "to", "unhealthy"))
    last = health(a3s, "to")["Log"][-1]
    assert last["ExitCode"] == -1
    assert last["Output"] == "Health check exceeded timeout (1s)"
    assert wait_for(lambda: len(health(a3s, "to")["Log"]) >= 4, 90)
    # the timed-out checks were killed: at most the one in flight is left
    _, rows = table(a3s.out("top", "to"))
    assert len([r for r in rows if "sleep 600" in r]) <= 1, rows
    a3s.out("rm", "-f", "to")


IMAGE_HC = {"Test": ["CMD", "/bin/sh", "-c", "echo probe-out; exit 0"], "Interval": 1000000000, "Retries": 2}


def test_healthcheck_from_image_and_no_healthcheck(a3s, workdir):
    # an image with HEALTHCHECK and no ps at all
    layers = [[dir_("bin"), busybox_file(), symlink("bin/sh", "busybox"), symlink("bin/sleep", "busybox"),
               dir_("etc"), file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"), dir_("tmp")]]
    config = {"config": {"Env": ["PATH=/bin"], "Cmd": ["sleep", "1000"], "Healthcheck": IMAGE_HC}}
    tar = build_image(layers, config=config, tag="test/hc:v1", workdir=workdir)
    a3s.out("load", "-i", tar)
    a3s.out("run", "-d", "--name", "img", "test/hc:v1")
    assert inspect(a3s, "img")["Config"]["Healthcheck"] == IMAGE_HC
    assert wait_for(lambda: status_is(a3s, "img", "healthy"))
    assert health(a3s, "img")["Log"][-1]["Output"] == "probe-out\n"
    # top needs no ps in the image...
    titles, rows = table(a3s.out("top", "img"))
    assert titles[1] == "PID" and any(r.endswith("sleep 1000") for r in rows)
    # ...unless the options are ones only a real ps knows
    p = a3s.run("top", "img", "-T")
    assert p.returncode != 0 and b"ps" in p.stderr
    # flags override the image's test and keep its timing
    a3s.out("run", "-d", "--name", "over", "--health-cmd", "exit 3", "test/hc:v1")
    cfg = inspect(a3s, "over")["Config"]["Healthcheck"]
    assert cfg == {"Test": ["CMD-SHELL", "exit 3"], "Interval": 1000000000, "Retries": 2}
    assert wait_for(lambda: status_is(a3s, "over", "unhealthy"))
    assert health(a3s, "over")["Log"][-1]["ExitCode"] == 3
    # --no-healthcheck: no checks, nothing shown
    a3s.out("run", "-d", "--name", "nohc", "--no-healthcheck", "test/hc:v1")
    assert inspect(a3s, "nohc")["Config"]["Healthcheck"] == {"Test": ["NONE"]}
    time.sleep(4)
    assert health(a3s, "nohc") is None
    st = ps_status(a3s, "nohc")
    assert st.startswith("Up ") and "(" not in st
    assert ps_names(a3s, "health=none") == ["nohc"]
    a3s.out("rm", "-f", "img", "over", "nohc")


def test_health_flag_errors(a3s):
    p = a3s.run("run", "--no-healthcheck", "--health-cmd", "true", DEFAULT_IMAGE)
    assert p.returncode == 125 and b"--no-healthcheck conflicts with --health-* options" in p.stderr
    p = a3s.run("run", "--health-interval", "soon", DEFAULT_IMAGE)
    assert p.returncode == 125
    assert b'invalid argument "soon" for "--health-interval" flag: time: invalid duration "soon"' in p.stderr
    p = a3s.run("run", "--health-retries", "-1", "--health-cmd", "true", DEFAULT_IMAGE)
    assert p.returncode == 125 and b"--health-retries cannot be negative" in p.stderr
    p = a3s.run("ps", "--filter", "health=great")
    assert p.returncode == 125 and b"Unrecognised filter value for health: great" in p.stderr
    assert a3s.out("ps", "-a", "-q") == ""
