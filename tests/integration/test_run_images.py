"""Images the tests build themselves, booted in real VMs: several layers,
whiteouts, an opaque directory, links, modes and owners; loaded both as an
OCI layout and as a docker-archive."""
import pytest

from imagebuild import (build_image, busybox_file, dir_, file, hardlink, opaque, symlink,
                        whiteout)

LAYERS = [
    [dir_("bin"), busybox_file(), symlink("bin/sh", "busybox"), symlink("bin/ls", "busybox"),
     symlink("bin/cat", "busybox"), symlink("bin/stat", "busybox"), symlink("bin/readlink", "busybox"),
     dir_("etc"), file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1234:1234::/home/app:/bin/sh\n"),
     file("etc/group", "root:x:0:\napp:x:1234:\n"),
     dir_("data"), file("data/gone", "lower\n"), file("data/kept", "lower\n"),
     dir_("opq"), file("opq/old1", "x"), file("opq/old2", "x"),
     dir_("sub"), dir_("sub/deep"), file("sub/deep/f", "deep\n")],
    [whiteout("data/gone"), file("data/kept", "upper\n"),
     opaque("opq"), file("opq/new", "new\n"),
     file("data/suid", "#!/bin/sh\n", mode=0o4755, uid=1234, gid=1234),
     hardlink("data/kept-link", "data/kept"),
     symlink("data/abs-link", "/sub/deep/f")],
    [whiteout("sub"), dir_("app", uid=1234, gid=1234), file("app/run.sh", "#!/bin/sh\necho app says $1\n", mode=0o755)],
]
CONFIG = {"config": {"Env": ["PATH=/bin", "FROM_IMAGE=yes"], "Cmd": ["hi"],
                     "Entrypoint": ["/app/run.sh"], "WorkingDir": "/app", "User": "app"}}

SCRIPT = """
ls -a /data | tr '\\n' ' '; echo
ls -a /opq | tr '\\n' ' '; echo
cat /data/kept /data/kept-link /data/abs-link 2>&1
stat -c '%a %u %g' /data/suid /app
stat -c '%h' /data/kept
readlink /data/abs-link
ls /sub 2>&1 || echo no-sub
echo "$FROM_IMAGE $(id -u) $(pwd)"
"""


@pytest.mark.parametrize("fmt,compress,outer_gzip", [
    ("oci", "gzip", False),
    ("docker", None, True),
    ("oci", "zstd", False),
])
def test_layered_image_boots_with_whiteouts(a3s, workdir, fmt, compress, outer_gzip):
    tar = build_image(LAYERS, config=CONFIG, fmt=fmt, compress=compress, outer_gzip=outer_gzip,
                      tag="test/layered:v1", workdir=workdir)
    out = a3s.out("load", "-i", tar)
    assert out.strip() == "Loaded image: test/layered:v1"
    # entrypoint + cmd, workdir and user from the image config
    p = a3s.run("run", "--rm", "test/layered:v1")
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"app says hi\n"
    p = a3s.run("run", "--rm", "--entrypoint", "/bin/sh", "test/layered:v1", "-c", SCRIPT)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode().splitlines()
    assert lines[0].split() == [".", "..", "abs-link", "kept", "kept-link", "suid"]
    assert lines[1].split() == [".", "..", "new"]
    # the link's target went with /sub (whited out in the top layer)
    assert lines[2:5] == ["upper", "upper", "cat: can't open '/data/abs-link': No such file or directory"]
    assert lines[5] == "4755 1234 1234"
    assert lines[6] == "755 1234 1234"
    assert lines[7] == "2"
    assert lines[8] == "/sub/deep/f"
    assert "no-sub" in lines[9] or "No such file" in lines[9]
    assert lines[-1] == "yes 1234 /app"
