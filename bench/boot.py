#!/usr/bin/python3
"""Boot benchmark (issue 2): median wall time of `a3s-box run --rm IMAGE true`
(image cached) against a bare QEMU boot of the same kernel with the same
machine options and an initramfs whose init powers off at once.

Usage: bench/boot.py [--build build] [--runs 15] [--image a3s-box/busybox]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def timed(cmd, env=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("benchmark command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr.decode()))
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--image", default="a3s-box/busybox")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    cli = os.path.join(build, "src", "cli", "a3s-box")
    share = os.path.join(build, "share", "a3s-box")
    kernel = os.path.realpath(os.path.join(share, "vmlinux"))
    work = tempfile.mkdtemp(prefix="a3s-bench-")
    try:
        # the reference guest: a static init that reboots at once
        init = os.path.join(work, "init")
        subprocess.run(["gcc", "-static", "-O2", "-o", init, os.path.join(HERE, "bare-init.c")], check=True)
        cpio = os.path.join(work, "bare.cpio")
        subprocess.run([os.path.join(build, "guest", "mkcpio"), cpio,
                        "dir", "/dev", "0755", "0", "0",
                        "nod", "/dev/console", "0600", "0", "0", "c", "5", "1",
                        "file", "/init", init, "0755", "0", "0"], check=True)
        # the same machine options and kernel command line a box gets, as
        # `a3s-box info` reports them
        root = os.path.join(work, "root")
        info = json.loads(subprocess.run([cli, "--root", root, "info", "--format", "json"], check=True,
                                         capture_output=True).stdout)
        accel = info["Accelerator"]
        bare = ["qemu-system-x86_64", "-M", info["Machine"],
                "-accel", accel, "-cpu", "max" if accel == "tcg" else "host", "-smp", "1", "-m", "512M",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-kernel", kernel, "-initrd", cpio,
                "-append", info["KernelCmdline"],
                "-chardev", "file,id=con,path=%s" % os.path.join(work, "console.log"),
                "-serial", "chardev:con"]
        # the bare boot again with a box's devices attached (disks, NAT,
        # control port) but still no init work: splits the gap into what the
        # devices cost and what the runtime and guest init cost
        disk, rwdisk = os.path.join(work, "disk.img"), os.path.join(work, "rw.img")
        for d in (disk, rwdisk):
            with open(d, "wb") as f:
                f.truncate(64 << 20)
        devices = bare + [
            "-drive", "id=root,file=%s,format=raw,if=none,readonly=on" % disk,
            "-device", "virtio-blk-device,drive=root,serial=a3s-root",
            "-drive", "id=rw,file=%s,format=raw,if=none" % rwdisk,
            "-device", "virtio-blk-device,drive=rw,serial=a3s-rw",
            "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0",
            "-device", "virtio-serial-device,max_ports=2", "-chardev", "null,id=ctl",
            "-device", "virtserialport,chardev=ctl,name=a3s.ctl"]
        # the bare boot with guest RAM from a shared memfd, as a box with the
        # vsock device gets it (the vhost-user back-end maps guest memory)
        memfd = list(bare)
        memfd[memfd.index("-M") + 1] += ",memory-backend=mem"
        memfd += ["-object", "memory-backend-memfd,id=mem,size=512M,share=on"]
        box = [cli, "--root", root, "run", "--rm", a.image, "true"]
        # warm up: import the image, build its rootfs and the writable template
        timed(box)
        timed(bare)
        tb, tq, td, tm = [], [], [], []
        for _ in range(a.runs):  # interleaved so all see the same machine load
            tb.append(timed(box))
            tq.append(timed(bare))
            td.append(timed(devices))
            tm.append(timed(memfd))
        mb, mq, md, mm = statistics.median(tb), statistics.median(tq), statistics.median(td), statistics.median(tm)
        print("accelerator: %s; kernel command line: %s" % (accel, info["KernelCmdline"]))
        print("runs: %d (interleaved, after one warm-up each)" % a.runs)
        print("a3s-box run --rm %s true: median %.3f s (min %.3f, max %.3f)" % (a.image, mb, min(tb), max(tb)))
        print("bare QEMU boot, same kernel and machine: median %.3f s (min %.3f, max %.3f)" % (mq, min(tq), max(tq)))
        print("bare QEMU boot with a box's devices attached: median %.3f s (min %.3f, max %.3f)" % (md, min(td), max(td)))
        print("bare QEMU boot, guest RAM from a shared memfd: median %.3f s (min %.3f, max %.3f)" % (mm, min(tm), max(tm)))
        print("ratio: %.2f (target <= 1.20; a3s-box median target < 1.0 s)" % (mb / mq))
        print("gap %.3f s = devices %.3f s + runtime and guest init %.3f s" % (mb - mq, md - mq, mb - md))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
