"""`ps`, `inspect`, `rename` and `container prune` over real (exited) boxes.

Boxes are made with foreground runs without --rm; other states (created,
running, paused) are faked by editing rows with the sqlite3 CLI: a "running"
row whose pid is alive and whose monitor_pid is 0 counts as owned by a
foreground run, so reconciliation leaves it alone.
"""
import json
import os
import re
import sqlite3
import subprocess

import pytest

from conftest import DEFAULT_IMAGE

IMG = DEFAULT_IMAGE
HEADER = "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES"


def sql(a3s, stmt):
    p = subprocess.run(["sqlite3", os.path.join(a3s.root, "a3s.db"), stmt], capture_output=True, check=True)
    return p.stdout.decode()


def box_id(a3s, name):
    return sql(a3s, "SELECT id FROM boxes WHERE name = '%s'" % name).strip()


def make(a3s, name, code=0, cmd=None):
    p = a3s.run("run", "--name", name, IMG, *(cmd or ["sh", "-c", "exit %d" % code]))
    assert p.returncode == code, p.stderr
    return box_id(a3s, name)


def fake_running(a3s, name, state="running"):
    sql(a3s, "UPDATE boxes SET state = '%s', pid = %d, monitor_pid = 0, finished_at = 0 WHERE name = '%s'"
        % (state, os.getpid(), name))


def fake_created(a3s, name):
    sql(a3s, "UPDATE boxes SET state = 'created', started_at = 0, finished_at = 0, exit_code = 0 "
        "WHERE name = '%s'" % name)


@pytest.fixture(scope="function")
def three(a3s):
    """web (exited 3), db (exited 0, long command), cache (exited 0); newest last."""
    ids = {"web": make(a3s, "web", 3)}
    ids["db"] = make(a3s, "db", cmd=["echo", "hello world this is long"])
    ids["cache"] = make(a3s, "cache")
    return ids


def test_ps_default_and_all(a3s, three):
    assert a3s.out("ps") == HEADER + "\n"
    lines = a3s.out("ps", "-a").splitlines()
    assert len(lines) == 4
    assert re.split(r"\s{3,}", lines[0]) == ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
                                              "NAMES"]
    # newest first; columns aligned like docker's tabwriter
    assert [l.split()[-1] for l in lines[1:]] == ["cache", "db", "web"]
    web = lines[3]
    assert web.startswith(three["web"][:12] + "   " + IMG + "   ")
    assert '"sh -c exit 3"' in web
    assert re.search(r"Exited \(3\) (Less than a second|\d+ seconds?) ago", web)
    assert re.search(r'"echo hello world th\u2026"', lines[2])
    col = lines[0].index("NAMES")
    assert all(l[col:].strip() in ("cache", "db", "web") for l in lines[1:])


def test_ps_quiet_last_latest_no_trunc(a3s, three):
    assert a3s.out("ps", "-aq").split() == [three[n][:12] for n in ("cache", "db", "web")]
    assert a3s.out("ps", "-aq", "--no-trunc").split() == [three[n] for n in ("cache", "db", "web")]
    assert a3s.out("ps", "-q", "-n", "2").split() == [three["cache"][:12], three["db"][:12]]
    assert a3s.out("ps", "-q", "-l").split() == [three["cache"][:12]]
    out = a3s.out("ps", "-a", "--no-trunc", "--format", "{{.Command}}")
    assert '"echo hello world this is long"' in out.splitlines()


def test_ps_filters(a3s, three):
    def q(*f):
        args = ["ps", "-aq", "--no-trunc"]
        for x in f:
            args += ["-f", x]
        return sorted(a3s.out(*args).split())

    assert q("name=web") == [three["web"]]
    assert q("name=^/ca") == [three["cache"]]
    assert q("name=web", "name=db") == sorted([three["web"], three["db"]])
    assert q("id=" + three["db"][:8]) == [three["db"]]
    assert q("exited=3") == [three["web"]]
    assert q("status=exited", "name=db") == [three["db"]]
    assert q("status=running") == []
    # a status filter shows stopped boxes without -a
    assert sorted(a3s.out("ps", "-q", "--no-trunc", "-f", "status=exited").split()) == sorted(three.values())
    assert q("ancestor=" + IMG) == sorted(three.values())
    image_id = json.loads(a3s.out("image", "inspect", IMG))[0]["Id"]
    assert q("ancestor=" + image_id[7:19]) == sorted(three.values())
    assert q("ancestor=busybox:nope") == []
    sql(a3s, """UPDATE boxes SET labels = '{"tier":"front","team":"a"}' WHERE name = 'web'""")
    sql(a3s, """UPDATE boxes SET labels = '{"tier":"back"}' WHERE name = 'db'""")
    assert q("label=tier") == sorted([three["web"], three["db"]])
    assert q("label=tier=back") == [three["db"]]
    assert q("label=tier", "label=team=a") == [three["web"]]
    out = a3s.out("ps", "-a", "-f", "name=web", "--format", "{{.Labels}}|{{.State}}|{{.Names}}")
    assert out == "team=a,tier=front|exited|web\n"


@pytest.mark.parametrize("bad", ["status=up", "color=red", "name"])
def test_ps_bad_filter(a3s, bad):
    p = a3s.run("ps", "-f", bad)
    assert p.returncode == 125
    assert b"filter" in p.stderr


def test_ps_formats(a3s, three):
    out = a3s.out("ps", "-a", "--format", "table {{.Names}}\t{{.State}}")
    assert out.splitlines() == ["NAMES     STATE", "cache     exited", "db        exited", "web       exited"]
    rows = [json.loads(l) for l in a3s.out("ps", "-a", "--format", "json").splitlines()]
    assert [r["Names"] for r in rows] == ["cache", "db", "web"]
    r = rows[2]
    assert r["ID"] == three["web"][:12] and r["Image"] == IMG and r["State"] == "exited"
    assert r["Command"] == '"sh -c exit 3"' and r["Ports"] == "" and r["RunningFor"].endswith(" ago")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+$", r["CreatedAt"])
    p = a3s.run("ps", "-a", "--format", "{{.Nope}}")
    assert p.returncode == 125


def test_ps_states(a3s):
    make(a3s, "up1")
    make(a3s, "paused1")
    make(a3s, "new1")
    fake_running(a3s, "up1")
    fake_running(a3s, "paused1", "paused")
    fake_created(a3s, "new1")
    out = a3s.out("ps", "--format", "{{.Names}}|{{.Status}}")
    lines = sorted(out.splitlines())
    assert len(lines) == 2
    assert re.match(r"paused1\|Up .* \(Paused\)$", lines[0])
    assert re.match(r"up1\|Up (Less than a second|\d+ seconds?)$", lines[1])
    assert a3s.out("ps", "-a", "-f", "status=created", "--format", "{{.Names}}|{{.Status}}") == "new1|Created\n"


def test_inspect_box_and_image(a3s, three):
    out = json.loads(a3s.out("inspect", "web", IMG))
    assert len(out) == 2
    b, img = out
    assert b["Id"] == three["web"] and b["Name"] == "/web"
    assert b["Path"] == "sh" and b["Args"] == ["-c", "exit 3"]
    assert b["State"]["Status"] == "exited" and b["State"]["ExitCode"] == 3
    assert b["State"]["Running"] is False and b["State"]["Pid"] == 0
    assert b["Config"]["Cmd"] == ["sh", "-c", "exit 3"] and b["Config"]["Image"] == IMG
    assert b["Image"] == img["Id"]
    assert b["HostConfig"]["AutoRemove"] is False
    assert b["HostConfig"]["RestartPolicy"] == {"Name": "no", "MaximumRetryCount": 0}
    assert b["NetworkSettings"] == {"Ports": {}, "IPAddress": "10.0.2.15"}
    assert b["VM"]["State"] == "Stopped"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", b["Created"])
    assert img["RepoTags"] == [IMG]
    # by id prefix, "/name", and container inspect
    assert json.loads(a3s.out("inspect", three["db"][:10]))[0]["Name"] == "/db"
    assert json.loads(a3s.out("container", "inspect", "/db"))[0]["Id"] == three["db"]


def test_inspect_states_and_vm(a3s):
    make(a3s, "up1")
    make(a3s, "new1")
    fake_running(a3s, "up1")
    fake_created(a3s, "new1")
    up, new = json.loads(a3s.out("inspect", "up1", "new1"))
    assert up["State"]["Running"] is True and up["State"]["Pid"] == os.getpid()
    assert up["State"]["FinishedAt"] == "0001-01-01T00:00:00Z"
    assert up["VM"]["State"] == "Busy"
    assert new["State"]["Status"] == "created" and new["VM"]["State"] == "Created"
    assert new["State"]["StartedAt"] == "0001-01-01T00:00:00Z"


def test_inspect_missing(a3s, three):
    p = a3s.run("inspect", "web", "nope", "nope2")
    assert p.returncode == 1
    assert [b["Name"] for b in json.loads(p.stdout)] == ["/web"]
    err = p.stderr.decode()
    assert "No such object: nope\n" in err and "No such object: nope2" in err
    p = a3s.run("inspect", "nope")
    assert p.returncode == 1 and json.loads(p.stdout) == []
    p = a3s.run("container", "inspect", IMG)
    assert p.returncode == 1 and b"No such container: " + IMG.encode() in p.stderr
    p = a3s.run("inspect", "--type", "image", "web")
    assert p.returncode == 1 and b"No such image: web" in p.stderr
    assert json.loads(a3s.out("inspect", "--type", "container", "web"))[0]["Name"] == "/web"
    assert a3s.run("inspect", "--type", "volume", "web").returncode == 125
    assert a3s.run("inspect").returncode == 125


def test_inspect_format(a3s, three):
    out = a3s.out("inspect", "-f", "{{.Name}} {{.State.ExitCode}} {{.VM.State}} {{json .Config.Cmd}}", "web", "db")
    assert out == '/web 3 Stopped ["sh","-c","exit 3"]\n/db 0 Stopped ["echo","hello world this is long"]\n'
    assert a3s.out("inspect", "--format", "{{.Id}}", IMG).startswith("sha256:")


def test_rename(a3s, three):
    a3s.out("rename", "web", "front")
    assert a3s.out("ps", "-a", "-f", "id=" + three["web"], "--format", "{{.Names}}") == "front\n"
    assert json.loads(a3s.out("inspect", "front"))[0]["Name"] == "/front"
    assert a3s.run("inspect", "web").returncode == 1
    ev = sql(a3s, "SELECT actor_id, attributes FROM events WHERE action = 'rename'").strip().split("|", 1)
    assert ev[0] == three["web"]
    assert json.loads(ev[1]) == {"name": "front", "oldName": "/web"}
    # by id prefix
    a3s.out("rename", three["db"][:12], "back")
    assert box_id(a3s, "back") == three["db"]


def test_rename_errors(a3s, three):
    p = a3s.run("rename", "web", "db")
    assert p.returncode == 1
    assert b'Conflict. The box name "/db" is already in use by box "' + three["db"].encode() in p.stderr
    assert box_id(a3s, "web") == three["web"] and box_id(a3s, "db") == three["db"]
    assert a3s.run("rename", "nope", "other").returncode == 1
    assert a3s.run("rename", "web", "web").returncode == 125
    assert a3s.run("rename", "web", "bad name").returncode == 125
    assert a3s.run("rename", "web").returncode == 125
    assert a3s.run("rename", "web", "").returncode == 125
    assert sql(a3s, "SELECT count(*) FROM events WHERE action = 'rename'").strip() == "0"


def test_container_ls_is_ps(a3s, three):
    assert a3s.out("container", "ls", "-aq") == a3s.out("ps", "-aq")


def test_prune(a3s, three):
    make(a3s, "up1")
    fake_running(a3s, "up1")
    boxes = os.path.join(a3s.root, "boxes")
    # declined: nothing happens
    p = a3s.run("container", "prune", input=b"n\n")
    assert p.returncode == 0
    assert p.stdout == (b"WARNING! This will remove all stopped containers.\n"
                        b"Are you sure you want to continue? [y/N] ")
    assert len(a3s.out("ps", "-aq").split()) == 4
    p = a3s.run("container", "prune", input=b"y\n")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode().split("[y/N] ", 1)[1]
    m = re.match(r"Deleted Containers:\n((?:[0-9a-f]{64}\n)+)\nTotal reclaimed space: (\S+)\n$", out)
    assert m, out
    assert sorted(m.group(1).split()) == sorted(three.values())
    assert m.group(2) != "0B"
    assert os.listdir(boxes) == [box_id(a3s, "up1")]
    assert a3s.out("ps", "-a", "--format", "{{.Names}}") == "up1\n"
    n = sql(a3s, "SELECT count(*) FROM events WHERE action = 'destroy'").strip()
    assert n == "3"
    # nothing left to prune
    assert a3s.out("container", "prune", "-f") == "Total reclaimed space: 0B\n"
    # do not leave a fake "running" row that points at the test process
    sql(a3s, "UPDATE boxes SET state = 'exited', pid = 0")
