"""a3s-box cp: docker's rules, both directions, running and stopped boxes.

Boots are costly under TCG, so one running box serves most checks and the
stopped-box test boots three times (two maintenance boots and a start).
"""
import hashlib
import io
import os
import pty
import stat
import subprocess
import tarfile
import time

IMG = "a3s-box/busybox"


def wait_exec(a3s, box, timeout=90):
    """run -d/start return once QEMU runs: wait until the guest answers."""
    end = time.time() + timeout
    while True:
        p = a3s.run("exec", box, "true")
        if p.returncode == 0:
            return
        assert time.time() < end, p.stderr
        time.sleep(0.5)


def sh(a3s, box, script):
    return a3s.out("exec", box, "sh", "-c", script)


def make_tree(top):
    os.makedirs(os.path.join(top, "sub", "deeper"))
    os.makedirs(os.path.join(top, "empty"))
    with open(os.path.join(top, "exe"), "w") as f:
        f.write("#!/bin/sh\necho hi\n")
    os.chmod(os.path.join(top, "exe"), 0o755)
    os.link(os.path.join(top, "exe"), os.path.join(top, "sub", "hard-exe"))
    with open(os.path.join(top, "secret"), "w") as f:
        f.write("s3cret\n")
    os.chmod(os.path.join(top, "secret"), 0o600)
    with open(os.path.join(top, "suid"), "w") as f:
        f.write("suid\n")
    os.chmod(os.path.join(top, "suid"), 0o4755)
    with open(os.path.join(top, "sub", "file with spaces.txt"), "w") as f:
        f.write("spaces\n")
    with open(os.path.join(top, "sub", "deeper", "x"), "w") as f:
        f.write("deep\n")
    os.symlink("../exe", os.path.join(top, "sub", "rel-link"))
    os.symlink("/etc/hostname", os.path.join(top, "abs-link"))
    os.chown(os.path.join(top, "secret"), 1234, 5678)
    os.chmod(os.path.join(top, "sub"), 0o750)


def snapshot(top):
    """path -> (type, mode bits, content or link target) for a tree."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, top)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", 0, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", stat.S_IMODE(st.st_mode), None)
            else:
                out[rel] = ("f", stat.S_IMODE(st.st_mode), open(p, "rb").read())
    return out


def test_cp_running_box(a3s, tmp_path):
    a3s.run("run", "-d", "--name", "cpbox", IMG, "sleep", "1000", check=True)
    wait_exec(a3s, "cpbox")
    src = tmp_path / "src"
    make_tree(str(src))

    # host -> box -> host round trip of a tree: types, modes, links, contents
    p = a3s.run("cp", src, "cpbox:/root/")
    assert p.returncode == 0, p.stderr
    assert p.stderr == b""  # no progress line without a terminal
    listing = sh(a3s, "cpbox", "cd /root/src && ls -la . sub && stat -c '%n %u:%g %a' secret suid exe")
    assert "secret 0:0 600" in listing  # without -a files belong to root
    assert "suid 0:0 4755" in listing
    assert "rel-link -> ../exe" in listing
    # a hard link stays one
    assert sh(a3s, "cpbox", "stat -c '%h %i' /root/src/exe /root/src/sub/hard-exe | sort -u | wc -l").strip() == "1"
    back = tmp_path / "back"
    p = a3s.run("cp", "cpbox:/root/src", back)
    assert p.returncode == 0, p.stderr
    assert snapshot(str(back)) == snapshot(str(src))

    # -a keeps uid/gid
    a3s.run("cp", "-a", src / "secret", "cpbox:/root/owned", check=True)
    assert sh(a3s, "cpbox", "stat -c '%u:%g %a' /root/owned").strip() == "1234:5678 600"

    # trailing "/.": the contents, into a new directory or an existing one
    a3s.run("cp", str(src) + "/.", "cpbox:/root/contents", check=True)
    assert sh(a3s, "cpbox", "ls /root/contents | sort").split() == sorted(os.listdir(src))
    a3s.run("cp", "cpbox:/root/src/sub/deeper/.", back / "empty", check=True)
    assert os.listdir(back / "empty") == ["x"]
    # docker's rule: a relative symlink may not lead out of the extraction
    p = a3s.run("cp", "cpbox:/root/src/sub/.", back / "empty")
    assert p.returncode == 1 and b'invalid symlink "rel-link" -> "../exe"' in p.stderr, p.stderr
    # an existing directory without "/.": the source goes inside it
    a3s.run("cp", "cpbox:/root/src/sub", back / "empty", check=True)
    assert os.path.isdir(back / "empty" / "sub" / "deeper")
    # file onto an existing file: overwritten; into a directory: basename kept
    a3s.run("cp", "cpbox:/root/src/exe", back / "secret", check=True)
    assert (back / "secret").read_text() == "#!/bin/sh\necho hi\n"

    # -L follows a symlink source, in both directions
    a3s.run("cp", "-L", "cpbox:/root/src/sub/rel-link", tmp_path / "followed", check=True)
    assert not os.path.islink(tmp_path / "followed")
    assert (tmp_path / "followed").read_text() == "#!/bin/sh\necho hi\n"
    a3s.run("cp", "cpbox:/root/src/abs-link", tmp_path / "kept", check=True)
    assert os.readlink(tmp_path / "kept") == "/etc/hostname"
    a3s.run("cp", "-L", src / "abs-link", "cpbox:/root/hostname-copy", check=True)
    assert sh(a3s, "cpbox", "test -f /root/hostname-copy && ! test -L /root/hostname-copy && echo ok").strip() == "ok"

    # "-": a tar stream out, compared with Python's tarfile
    p = a3s.run("cp", "cpbox:/root/src", "-")
    assert p.returncode == 0, p.stderr
    with tarfile.open(fileobj=io.BytesIO(p.stdout)) as t:
        members = {m.name.rstrip("/"): m for m in t.getmembers()}
        assert set(members) == {"src"} | {"src/" + k for k in snapshot(str(src))}
        assert members["src/secret"].mode == 0o600
        assert members["src/sub/rel-link"].issym() and members["src/sub/rel-link"].linkname == "../exe"
        assert t.extractfile(members["src/sub/deeper/x"]).read() == b"deep\n"

    # "-": a tar stream in (pax long names, a GNU long name, a hard link)
    buf = io.BytesIO()
    long_dir = "d" * 120
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in [(long_dir + "/" + "f" * 110, b"long\n"), ("plain", b"plain\n")]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o640
            t.addfile(ti, io.BytesIO(data))
        hl = tarfile.TarInfo("hard")
        hl.type = tarfile.LNKTYPE
        hl.linkname = "plain"
        t.addfile(hl)
    gnu = io.BytesIO()
    with tarfile.open(fileobj=gnu, mode="w", format=tarfile.GNU_FORMAT) as t:
        ti = tarfile.TarInfo("g" * 150)
        ti.size = 4
        t.addfile(ti, io.BytesIO(b"gnu\n"))
    sh(a3s, "cpbox", "mkdir -p /root/in")
    for data in (buf.getvalue(), gnu.getvalue()):
        p = a3s.run("cp", "-", "cpbox:/root/in", input=data)
        assert p.returncode == 0, p.stderr
    out = sh(a3s, "cpbox", "cd /root/in && cat %s/%s plain hard %s && stat -c '%%a %%h' plain"
             % (long_dir, "f" * 110, "g" * 150))
    assert out.split("\n")[:4] == ["long", "plain", "plain", "gnu"]
    assert out.split("\n")[4] == "640 2"
    # a compressed tar is unpacked first, as docker's daemon does
    gz = io.BytesIO()
    with tarfile.open(fileobj=gz, mode="w:gz") as t:
        ti = tarfile.TarInfo("zipped")
        ti.size = 7
        t.addfile(ti, io.BytesIO(b"zipped\n"))
    p = a3s.run("cp", "-", "cpbox:/root/in", input=gz.getvalue())
    assert p.returncode == 0, p.stderr
    assert sh(a3s, "cpbox", "cat /root/in/zipped") == "zipped\n"
    # "-" needs a directory destination
    p = a3s.run("cp", "-", "cpbox:/root/in/plain", input=buf.getvalue())
    assert p.returncode == 1
    assert b'destination "cpbox:/root/in/plain" must be a directory' in p.stderr

    # a hostile tar: nothing lands outside the destination
    for entries in ([("../escape", b"x")], [("/abs", b"x")]):
        evil = io.BytesIO()
        with tarfile.open(fileobj=evil, mode="w") as t:
            for name, data in entries:
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
        p = a3s.run("cp", "-", "cpbox:/root/in", input=evil.getvalue())
        assert p.returncode == 1 and b"refusing to extract" in p.stderr, p.stderr
    evil = io.BytesIO()
    with tarfile.open(fileobj=evil, mode="w") as t:
        ln = tarfile.TarInfo("esc")
        ln.type = tarfile.SYMTYPE
        ln.linkname = "/"
        t.addfile(ln)
        ti = tarfile.TarInfo("esc/etc/owned")
        ti.size = 1
        t.addfile(ti, io.BytesIO(b"x"))
    p = a3s.run("cp", "-", "cpbox:/root/in", input=evil.getvalue())
    assert p.returncode == 1 and b"not a directory" in p.stderr, p.stderr
    assert a3s.run("exec", "cpbox", "test", "-e", "/etc/owned").returncode == 1
    bad = io.BytesIO()
    with tarfile.open(fileobj=bad, mode="w") as t:
        ln = tarfile.TarInfo("out")
        ln.type = tarfile.SYMTYPE
        ln.linkname = "../../etc"
        t.addfile(ln)
    p = a3s.run("cp", "-", "cpbox:/root/in", input=bad.getvalue())
    assert p.returncode == 1 and b'invalid symlink "out" -> "../../etc"' in p.stderr, p.stderr

    # a large file, both ways
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.write(os.urandom(50 * 1024 * 1024))
    a3s.run("cp", big, "cpbox:/root/big", check=True, timeout=300)
    a3s.run("cp", "cpbox:/root/big", tmp_path / "big2", check=True, timeout=300)
    assert hashlib.sha256(open(tmp_path / "big2", "rb").read()).hexdigest() == \
        hashlib.sha256(open(big, "rb").read()).hexdigest()

    # errors, with docker's words and exit codes
    p = a3s.run("cp", "cpbox:/nonexistent", tmp_path / "x")
    assert p.returncode == 1
    assert p.stderr == b"a3s-box: Could not find the file /nonexistent in box cpbox\n"
    p = a3s.run("cp", "cpbox:/etc/hostname", tmp_path / "no" / "such" / "dir")
    assert p.returncode == 1
    assert b'invalid output path: directory "%s" does not exist' % str(tmp_path / "no" / "such").encode() in p.stderr
    p = a3s.run("cp", src / "secret", "cpbox:/no/such/")
    assert p.returncode == 1 and p.stderr == b"a3s-box: no such directory\n"
    p = a3s.run("cp", src / "secret", "cpbox:/no/such")
    assert p.returncode == 1 and b"Could not find the file /no in box cpbox" in p.stderr
    p = a3s.run("cp", src, "cpbox:/root/src/exe")
    assert p.returncode == 1 and p.stderr == b"a3s-box: cannot copy directory\n"
    p = a3s.run("cp", tmp_path / "missing", "cpbox:/root/")
    assert p.returncode == 1 and b"lstat %s" % str(tmp_path / "missing").encode() in p.stderr
    p = a3s.run("cp", src, "nosuchbox:/root/")
    assert p.returncode == 1 and p.stderr == b"a3s-box: No such box: nosuchbox\n"
    p = a3s.run("cp", src, tmp_path / "y")
    assert p.returncode == 1 and b"must specify at least one box source" in p.stderr
    p = a3s.run("cp", "cpbox:/a", "cpbox:/b")
    assert p.returncode == 1 and b"copying between boxes is not supported" in p.stderr

    # a box's device node is not created on the host
    p = a3s.run("cp", "cpbox:/dev/null", tmp_path / "devnull")
    assert p.returncode == 1 and b'refusing to create device node "devnull"' in p.stderr, p.stderr

    # the progress line, on a terminal only
    master, slave = pty.openpty()
    p = subprocess.run(a3s.cmd("cp", src / "exe", "cpbox:/root/"), stderr=slave, stdout=subprocess.PIPE,
                       timeout=120)
    os.close(slave)
    text = os.read(master, 4096).decode()
    os.close(master)
    assert p.returncode == 0
    assert "Successfully copied 2.05kB to cpbox:/root/" in text, repr(text)

    # a paused box cannot be reached
    a3s.run("pause", "cpbox", check=True)
    p = a3s.run("cp", "cpbox:/etc/hostname", tmp_path / "h")
    assert p.returncode == 1 and b"is paused" in p.stderr
    a3s.run("unpause", "cpbox", check=True)
    a3s.run("rm", "-f", "cpbox", check=True)


def test_cp_stopped_box(a3s, tmp_path):
    a3s.run("create", "--name", "cold", IMG, "sh", "-c", "cat /root/note; ls -l /root/tree", check=True)
    src = tmp_path / "tree"
    os.makedirs(src / "inner")
    (src / "inner" / "f").write_text("inner\n")
    (tmp_path / "note").write_text("written while stopped\n")
    # into a created box: a maintenance boot of its disks
    p = a3s.run("cp", tmp_path / "note", "cold:/root/note", timeout=300)
    assert p.returncode == 0, p.stderr
    a3s.run("cp", src, "cold:/root/", check=True, timeout=300)
    assert "Created" in a3s.out("ps", "-a", "--filter", "name=cold")
    # out of it
    p = a3s.run("cp", "cold:/root", tmp_path / "out", timeout=300)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "out" / "note").read_text() == "written while stopped\n"
    assert (tmp_path / "out" / "tree" / "inner" / "f").read_text() == "inner\n"
    # the box's own logs are the workload's: a maintenance boot writes none
    assert a3s.out("logs", "cold") == ""
    # and the files are there for the workload
    p = a3s.run("start", "-a", "cold", timeout=300)
    assert p.returncode == 0, p.stderr
    assert b"written while stopped" in p.stdout
    assert b"inner" in p.stdout
