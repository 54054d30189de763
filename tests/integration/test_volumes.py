"""Volumes, bind mounts, tmpfs and the workspace, through real VMs.

Host paths reach the guest over one virtio-9p device; read-only ones are
read-only on the host side too, so a root process in the box cannot undo it.
"""
import json
import os
import time

from conftest import DEFAULT_IMAGE
from imagebuild import build_image, busybox_file, dir_, file, symlink


def run_sh(a3s, *args, script, rc=0):
    p = a3s.run("run", "--rm", *args, DEFAULT_IMAGE, "sh", "-c", script)
    assert p.returncode == rc, (p.returncode, p.stdout, p.stderr)
    return p.stdout.decode()


def host_mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [l for l in f if path in l]


def test_bind_directory_and_file(a3s, workdir):
    d = os.path.join(workdir, "d")
    os.mkdir(d)
    with open(os.path.join(d, "in"), "w") as f:
        f.write("from host\n")
    cfg = os.path.join(workdir, "cfg.txt")
    with open(cfg, "w") as f:
        f.write("config\n")
    out = run_sh(a3s, "-v", d + ":/data", "-v", cfg + ":/etc/app.conf:ro",
                 script="cat /data/in /etc/app.conf; echo made > /data/out; mkdir /data/sub;"
                        "echo x >> /etc/app.conf 2>/dev/null || echo file-ro")
    assert out == "from host\nconfig\nfile-ro\n"
    st = os.stat(os.path.join(d, "out"))
    # root in the guest is root on the host (passthrough)
    assert (st.st_uid, st.st_gid) == (0, 0)
    assert open(os.path.join(d, "out")).read() == "made\n"
    assert os.path.isdir(os.path.join(d, "sub"))
    assert open(cfg).read() == "config\n"
    # a non-root user's files keep their ids on the host
    os.chmod(d, 0o777)
    run_sh(a3s, "-u", "1000:1000", "-v", d + ":/data", script="echo u > /data/user-file")
    st = os.stat(os.path.join(d, "user-file"))
    assert (st.st_uid, st.st_gid) == (1000, 1000)
    # and what the host changes, the next box sees
    with open(os.path.join(d, "in"), "w") as f:
        f.write("changed\n")
    assert run_sh(a3s, "-v", d + ":/data", script="cat /data/in") == "changed\n"


def test_read_only_bind_cannot_be_made_writable(a3s, workdir):
    with open(os.path.join(workdir, "keep"), "w") as f:
        f.write("keep\n")
    script = """
echo a > /data/a 2>/dev/null && echo wrote-a
mount -o remount,rw /data && echo remounted
echo b > /data/b 2>/dev/null && echo wrote-b
echo c > /data/keep 2>/dev/null && echo wrote-keep
rm -f /data/keep 2>/dev/null; cat /data/keep
"""
    out = run_sh(a3s, "-v", workdir + ":/data:ro", script=script)
    # the guest may flip its own mount flag, but the host refuses the writes
    assert "wrote" not in out
    assert out.endswith("keep\n")
    assert sorted(os.listdir(workdir)) == ["keep"]
    # --mount readonly is the same
    out = run_sh(a3s, "--mount", "type=bind,source=%s,target=/data,readonly" % workdir,
                 script="mount -o remount,rw /data; touch /data/t 2>/dev/null && echo wrote; echo done")
    assert out.strip().endswith("done") and "wrote" not in out
    assert sorted(os.listdir(workdir)) == ["keep"]


def test_named_volume_carries_data_between_boxes(a3s):
    assert a3s.out("volume", "create", "-l", "team=db", "shared") == "shared\n"
    run_sh(a3s, "-v", "shared:/data", script="echo first > /data/f; mkdir -p /data/d; chown 1000:1000 /data/d")
    out = run_sh(a3s, "--mount", "source=shared,target=/srv", script="cat /srv/f; stat -c '%u:%g' /srv/d")
    assert out == "first\n1000:1000\n"
    info = json.loads(a3s.out("volume", "inspect", "shared"))[0]
    assert info["Name"] == "shared" and info["Driver"] == "local" and info["Labels"] == {"team": "db"}
    assert info["Mountpoint"] == os.path.join(a3s.root, "volumes", "shared", "_data")
    assert open(os.path.join(info["Mountpoint"], "f")).read() == "first\n"
    # a volume named on first use is created, as docker does
    run_sh(a3s, "-v", "made-on-use:/x", script="true")
    assert a3s.out("volume", "ls", "-q").split() == ["made-on-use", "shared"]


def test_new_volume_is_filled_from_the_image(a3s):
    out = run_sh(a3s, "-v", "homes:/home", script="ls /home; stat -c '%u %a' /home/a3s")
    assert out == "a3s\n1000 755\n"
    data = os.path.join(a3s.root, "volumes", "homes", "_data")
    assert os.stat(os.path.join(data, "a3s")).st_uid == 1000
    # only while it is empty: what the box wrote stays
    run_sh(a3s, "-v", "homes:/home", script="echo mine > /home/note; rmdir /home/a3s")
    assert sorted(os.listdir(data)) == ["note"]
    assert run_sh(a3s, "-v", "homes:/home", script="ls /home") == "note\n"
    # nocopy: left empty
    assert run_sh(a3s, "-v", "bare:/home:nocopy", script="ls /home") == ""


def test_anonymous_volumes_and_image_volume(a3s, workdir):
    layers = [[dir_("bin"), busybox_file(), symlink("bin/sh", "busybox"), symlink("bin/cat", "busybox"),
               symlink("bin/ls", "busybox"), dir_("vdata"), file("vdata/seed", "seeded\n", uid=7, gid=7)]]
    tar = build_image(layers, config={"config": {"Env": ["PATH=/bin"], "Cmd": ["sh"],
                                                 "Volumes": {"/vdata": {}}}},
                      tag="test/withvol:v1", workdir=workdir)
    a3s.out("load", "-i", tar)
    # image VOLUME: an anonymous volume, filled from the image
    p = a3s.run("run", "--name", "keep", "test/withvol:v1", "sh", "-c", "cat /vdata/seed; echo more > /vdata/more")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"seeded\n"
    vols = a3s.out("volume", "ls", "-q").split()
    assert len(vols) == 1 and len(vols[0]) == 64
    mounts = json.loads(a3s.out("inspect", "keep"))[0]["Mounts"]
    vm = [m for m in mounts if m["Destination"] == "/vdata"][0]
    assert vm["Type"] == "volume" and vm["Name"] == vols[0] and vm["RW"] is True
    assert sorted(os.listdir(vm["Source"])) == ["more", "seed"]
    # in use while the box exists, even stopped
    p = a3s.run("volume", "rm", vols[0])
    assert p.returncode == 1 and b"volume is in use" in p.stderr
    # a later "docker volume prune" keeps it too; rm -v takes it
    a3s.out("volume", "prune", "-f")
    assert a3s.out("volume", "ls", "-q").split() == vols
    a3s.out("rm", "-v", "keep")
    assert a3s.out("volume", "ls", "-q") == ""
    # -v /path and an explicit mount over the image's VOLUME; --rm removes anonymous ones
    p = a3s.run("run", "--rm", "-v", "/anon", "-v", "named:/vdata", "test/withvol:v1", "sh", "-c",
                "ls /anon | wc -l; cat /vdata/seed")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"0\nseeded\n"
    assert a3s.out("volume", "ls", "-q").split() == ["named"]


def test_tmpfs_and_read_only_root(a3s):
    script = """
touch /rootfile 2>/dev/null && echo root-writable
touch /tmp/t 2>/dev/null && echo tmp-writable
touch /run/secrets/s && echo secrets-writable
echo w > /a3s/workspace/w && echo workspace-writable
"""
    assert run_sh(a3s, "--read-only", script=script) == "secrets-writable\nworkspace-writable\n"
    out = run_sh(a3s, "--read-only", "--tmpfs", "/tmp", script=script)
    assert out == "tmp-writable\nsecrets-writable\nworkspace-writable\n"
    out = run_sh(a3s, "--tmpfs", "/scratch:size=1m,mode=1770",
                 "--mount", "type=tmpfs,target=/fast,tmpfs-size=2m",
                 script="grep -E ' /(scratch|fast) ' /proc/mounts | cut -d' ' -f2-4; stat -c %a /scratch;"
                        "dd if=/dev/zero of=/scratch/big bs=1k count=2048 2>/dev/null || echo full")
    lines = out.splitlines()
    mounts = {l.split()[0]: l for l in lines[:2]}
    assert mounts["/scratch"].startswith("/scratch tmpfs rw,nosuid,nodev,noexec") and "size=1024k" in mounts["/scratch"]
    assert mounts["/fast"].startswith("/fast tmpfs") and "size=2048k" in mounts["/fast"]
    assert lines[2:] == ["1770", "full"]
    # the root is read-only in inspect too
    a3s.out("create", "--name", "ro", "--read-only", DEFAULT_IMAGE, "true")
    assert json.loads(a3s.out("inspect", "ro"))[0]["HostConfig"]["ReadonlyRootfs"] is True


def test_workspace_managed_and_given(a3s, workdir):
    a3s.out("run", "--name", "w1", DEFAULT_IMAGE, "sh", "-c", "echo hi > /a3s/workspace/note")
    box_id = json.loads(a3s.out("inspect", "w1"))[0]["Id"]
    managed = os.path.join(a3s.root, "boxes", box_id, "workspace")
    assert open(os.path.join(managed, "note")).read() == "hi\n"
    ws = os.path.join(workdir, "ws", "deep")  # made when missing, like -v
    run_sh(a3s, "--workspace", ws, script="echo given > /a3s/workspace/note")
    assert open(os.path.join(ws, "note")).read() == "given\n"
    a3s.out("rm", "w1")
    assert not os.path.exists(managed)


def test_volumes_from_a_detached_box(a3s, workdir):
    a3s.out("run", "-d", "--name", "src", "-v", "vf:/shared", "-v", workdir + ":/hostdir",
            DEFAULT_IMAGE, "sh", "-c", "echo from-src > /shared/f; sleep 600")
    for _ in range(200):
        if os.path.exists(os.path.join(a3s.root, "volumes", "vf", "_data", "f")):
            break
        time.sleep(0.1)
    # the staging mounts live in QEMU's own mount namespace: none on the host
    assert host_mounts_under(a3s.root) == []
    out = run_sh(a3s, "--volumes-from", "src:ro",
                 script="cat /shared/f; ls -d /hostdir; touch /shared/g 2>/dev/null || echo ro")
    assert out == "from-src\n/hostdir\nro\n"
    out = run_sh(a3s, "--volumes-from", "src", script="touch /shared/g && echo rw")
    assert out == "rw\n"
    a3s.out("rm", "-f", "src")
    assert host_mounts_under(a3s.root) == []


def test_twenty_volumes_on_one_box(a3s, workdir):
    args, script = [], ""
    for i in range(20):
        d = os.path.join(workdir, "v%d" % i)
        os.mkdir(d)
        with open(os.path.join(d, "n"), "w") as f:
            f.write("%d\n" % i)
        args += ["-v", "%s:/m/%d%s" % (d, i, ":ro" if i % 2 else "")]
        script += "cat /m/%d/n; echo w > /m/%d/w 2>/dev/null || echo ro%d;" % (i, i, i)
    out = run_sh(a3s, *args, script=script).split()
    expect = []
    for i in range(20):
        expect.append(str(i))
        if i % 2:
            expect.append("ro%d" % i)
    assert out == expect
    for i in range(20):
        assert os.path.exists(os.path.join(workdir, "v%d" % i, "w")) == (i % 2 == 0)


def test_volume_commands(a3s):
    assert a3s.out("volume", "create", "--driver", "local", "-o", "type=tmpfs", "-o", "o=size=1m",
                   "-l", "k=v", "tv") == "tv\n"
    a3s.out("volume", "create", "plain")
    unnamed = a3s.out("volume", "create").strip()  # a random name, but not anonymous
    assert len(unnamed) == 64
    # an anonymous volume left behind by rm without -v
    a3s.out("rm", a3s.out("create", "-v", "/a", DEFAULT_IMAGE, "true").strip())
    anon = [v for v in a3s.out("volume", "ls", "-q").split() if v not in (unnamed, "plain", "tv")][0]
    out = a3s.out("volume", "ls")
    assert out.splitlines()[0].split() == ["DRIVER", "VOLUME", "NAME"]
    assert a3s.out("volume", "ls", "-q", "-f", "label=k=v") == "tv\n"
    assert a3s.out("volume", "ls", "-q", "-f", "name=pla") == "plain\n"
    assert a3s.out("volume", "ls", "--format", "{{.Name}} {{.Driver}}", "-f", "name=tv") == "tv local\n"
    info = json.loads(a3s.out("volume", "inspect", "tv"))[0]
    assert info["Options"] == {"type": "tmpfs", "o": "size=1m"}
    # a tmpfs volume is a fresh tmpfs in the box
    out = run_sh(a3s, "-v", "tv:/t", script="grep ' /t ' /proc/mounts | cut -d' ' -f3")
    assert out == "tmpfs\n"
    # in use by a created box: refused, with the box named
    box = a3s.out("create", "-v", "plain:/p", DEFAULT_IMAGE, "true").strip()
    p = a3s.run("volume", "rm", "plain")
    assert p.returncode == 1
    assert p.stderr.decode().strip() == "a3s-box: remove plain: volume is in use - [%s]" % box
    assert a3s.out("volume", "ls", "-q", "-f", "dangling=false") == "plain\n"
    p = a3s.run("volume", "rm", "nosuch")
    assert p.returncode == 1 and b"no such volume: nosuch" in p.stderr
    assert a3s.run("volume", "rm", "-f", "nosuch").returncode == 0
    # prune: anonymous by default, all unused with -a
    out = a3s.out("volume", "prune", "-f")
    assert out.startswith("Deleted Volumes:\n%s\n" % anon)
    out = a3s.out("volume", "prune", "-f", "-a")
    assert sorted(out.split("\n\n")[0].splitlines()[1:]) == sorted([unnamed, "tv"])
    assert a3s.out("volume", "ls", "-q") == "plain\n"
    a3s.out("rm", box)
    assert a3s.out("volume", "rm", "plain") == "plain\n"
    assert not os.path.exists(os.path.join(a3s.root, "volumes", "plain"))
    ev = a3s.out("events", "--since", "10m", "--until", "0s", "-f", "type=volume")
    assert "volume create plain" in ev and "volume destroy plain" in ev
