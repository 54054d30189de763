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
