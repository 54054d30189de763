"""Bad input: one clear line, exit 125, nothing left behind."""
import os

from conftest import DEFAULT_IMAGE


def no_boxes(a3s):
    d = os.path.join(a3s.root, "boxes")
    return not os.path.isdir(d) or os.listdir(d) == []


def one_line(stderr):
    lines = stderr.decode().strip().splitlines()
    assert len(lines) >= 1
    return lines[0]


def test_unknown_image(a3s):
    # missing locally: a pull is tried (and fails here: no network)
    p = a3s.run("run", "--rm", "no-such-image", "true")
    assert p.returncode == 125
    assert one_line(p.stderr) == "Unable to find image 'no-such-image:latest' locally"
    assert "registry 'docker.io' is not reachable" in p.stderr.decode()
    assert no_boxes(a3s)
    p = a3s.run("run", "--rm", "--pull", "never", "no-such-image", "true")
    assert p.returncode == 125
    assert one_line(p.stderr) == "a3s-box: No such image: no-such-image:latest"
    assert no_boxes(a3s)


def test_invalid_reference(a3s):
    p = a3s.run("run", "--rm", "BusyBox", "true")
    assert p.returncode == 125
    assert "invalid reference format" in one_line(p.stderr)


def test_unknown_flag(a3s):
    p = a3s.run("run", "--bogus", DEFAULT_IMAGE, "true")
    assert p.returncode == 125
    assert one_line(p.stderr) == "a3s-box: unknown flag: --bogus"


def test_bad_memory_and_cpus(a3s):
    p = a3s.run("run", "-m", "lots", DEFAULT_IMAGE, "true")
    assert p.returncode == 125
    assert "invalid argument \"lots\" for \"-m, --memory\"" in one_line(p.stderr)
    p = a3s.run("run", "--cpus", "-1", DEFAULT_IMAGE, "true")
    assert p.returncode == 125
    assert "--cpus" in one_line(p.stderr)
    p = a3s.run("run", "-m", "1m", DEFAULT_IMAGE, "true")
    assert p.returncode == 125
    assert "minimum memory" in one_line(p.stderr)
    assert no_boxes(a3s)


def test_relative_workdir(a3s):
    p = a3s.run("run", "-w", "rel", DEFAULT_IMAGE, "true")
    assert p.returncode == 125
    assert "needs to be an absolute path" in one_line(p.stderr)


def test_missing_env_file(a3s):
    p = a3s.run("run", "--env-file", "/nonexistent/env", DEFAULT_IMAGE, "true")
    assert p.returncode == 125
    assert "/nonexistent/env" in one_line(p.stderr)


def test_missing_kernel(a3s):
    p = a3s.run("run", "--rm", DEFAULT_IMAGE, "true", env={"A3S_BOX_KERNEL": "/nonexistent/vmlinux"})
    assert p.returncode == 125
    assert "guest kernel '/nonexistent/vmlinux' is missing" in one_line(p.stderr)
    assert no_boxes(a3s)


def test_missing_qemu(a3s):
    p = a3s.run("run", "--rm", DEFAULT_IMAGE, "true", env={"A3S_BOX_QEMU": "/nonexistent/qemu"})
    assert p.returncode == 125
    assert "'/nonexistent/qemu' not found" in one_line(p.stderr)
    assert no_boxes(a3s)


def test_kvm_requested_where_it_cannot_work(a3s):
    if open("/proc/cpuinfo").read().find(" vmx") >= 0 or open("/proc/cpuinfo").read().find(" svm") >= 0:
        return  # a machine with real KVM: nothing to refuse
    p = a3s.run("run", "--rm", "--accel", "kvm", DEFAULT_IMAGE, "true")
    assert p.returncode == 125
    assert "KVM was requested but" in one_line(p.stderr)


def test_no_command(a3s, workdir):
    p = a3s.run("run", "--rm", "--entrypoint", "", DEFAULT_IMAGE)
    assert p.returncode == 125
    assert "no command specified" in one_line(p.stderr)
    assert no_boxes(a3s)


def test_info_explains_accelerator(a3s):
    p = a3s.run("info")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert "Accelerator: " in out and "Reason: " in out
    assert "Data root: %s" % os.path.realpath(a3s.root) in out
    assert "QEMU emulator version" in out
    assert "Guest kernel: 6.1" in out


def test_bad_mounts(a3s, workdir):
    """Each bad storage flag: one line, 125, no box and no volume left."""
    cases = [
        (["--mount", "type=bind,source=/nonexistent/src,target=/x"],
         'invalid mount config for type "bind": bind source path does not exist: /nonexistent/src'),
        (["-v", "rel/dir:/x"], '"rel/dir" includes invalid characters for a local volume name'),
        (["-v", "%s:rel" % workdir], "invalid mount path: 'rel' mount path must be absolute"),
        (["-v", "%s:/" % workdir], "destination can't be '/'"),
        (["--mount", "type=bind,source=rel,target=/x"], "invalid mount path: 'rel' mount path must be absolute"),
        (["-v", "%s:/x" % workdir, "--tmpfs", "/x"], "Duplicate mount point: /x"),
        (["-v", "bad@name:/x"], '"bad@name" includes invalid characters for a local volume name'),
        (["-v", "%s:/x:rx" % workdir], "invalid mode: rx"),
        (["-v", "a:/b:ro:d"], "invalid volume specification: 'a:/b:ro:d'"),
        (["--tmpfs", "/t:bogus=1"], "invalid tmpfs option 'bogus=1'"),
        (["--mount", "type=tmpfs,source=a,target=/x"], 'field Source must not be specified'),
        (["--mount", "source=vol"], "target is required"),
        (["--volumes-from", "nosuchbox"], "No such box: nosuchbox"),
        (["--workspace", "rel"], "invalid --workspace 'rel'"),
        # named volume first, then the bad one: nothing is created
        (["-v", "good:/g", "--mount", "type=bind,source=/nonexistent/src,target=/x"], "bind source path does not exist"),
    ]
    for args, msg in cases:
        p = a3s.run("run", "--rm", *args, DEFAULT_IMAGE, "true")
        assert p.returncode == 125, (args, p.stderr)
        assert msg in one_line(p.stderr), (args, p.stderr)
        assert len(p.stderr.decode().strip().splitlines()) == 1
        assert no_boxes(a3s)
        assert a3s.out("volume", "ls", "-q") == ""
    # volume names: docker's rule
    p = a3s.run("volume", "create", "a/b")
    assert p.returncode == 125 and b'includes invalid characters for a local volume name' in p.stderr
    p = a3s.run("volume", "create", "--driver", "nfs", "x1")
    assert p.returncode == 125 and b'plugin "nfs" not found' in p.stderr
    p = a3s.run("volume", "create", "-o", "type=nfs", "x2")
    assert p.returncode == 125 and b"unsupported volume options" in p.stderr
    assert a3s.out("volume", "ls", "-q") == ""


def test_missing_v_source_is_created(a3s, workdir):
    """-v makes a missing host directory (docker does), --mount refuses."""
    src = os.path.join(workdir, "made", "here")
    p = a3s.run("run", "--rm", "-v", src + ":/x", DEFAULT_IMAGE, "sh", "-c", "echo hi > /x/f")
    assert p.returncode == 0, p.stderr
    assert open(os.path.join(src, "f")).read() == "hi\n"
