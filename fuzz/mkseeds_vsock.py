#!/usr/bin/python3
"""Seed corpora for the vsock fuzzers: mkseeds_vsock.py OUTDIR -> OUTDIR/{vhost_user,vsock_ring}/."""
import os
import struct
import sys

UVA = 0x100000


def vu(req, payload=b"", flags=1):
    return struct.pack("<III", req, flags, len(payload)) + payload


def vhost_user_seeds():
    ring = []
    for i, base in ((0, 0x2000), (1, 0x0000)):
        ring += [vu(8, struct.pack("<II", i, 16)), vu(10, struct.pack("<II", i, 0)),
                 vu(9, struct.pack("<IIQQQQ", i, 0, UVA + base, UVA + base + 0x1400, UVA + base + 0x1000, 0)),
                 vu(12, struct.pack("<Q", i)), vu(13, struct.pack("<Q", i)), vu(18, struct.pack("<II", i, 1))]
    qemu = [vu(1), vu(15), vu(16, struct.pack("<Q", 0x208)), vu(3), vu(1), vu(24, struct.pack("<III", 0, 8, 0) + bytes(8)),
            vu(2, struct.pack("<Q", (1 << 32) | (1 << 29) | (1 << 30))),
            vu(5, struct.pack("<II", 1, 0) + struct.pack("<QQQQ", 0, 0x10000, UVA, 0), flags=9)] + ring + \
        [vu(11, struct.pack("<II", 0, 0)), vu(11, struct.pack("<II", 1, 0)), vu(4), vu(99, flags=9)]
    yield b"\x01" + b"".join(qemu)
    yield b"\x00CONNECT 5000"
    yield b"\x00CONNECT 4294967295"


def hdr(src_port, dst_port, op, length=0, flags=0, src_cid=3, dst_cid=2):
    return struct.pack("<QQIIIHHIII", src_cid, dst_cid, src_port, dst_port, length, 1, op, flags, 65536, 0)


def ring_seed(event_idx, split_rx, big=False):
    mem = bytearray(0x10000)

    def desc(base, i, addr, ln, flags, nxt=0):
        struct.pack_into("<QIHH", mem, base + 16 * i, addr, ln, flags, nxt)
    # tx: RW with a payload crossing the region boundary, SHUTDOWN, RESPONSE, REQUEST
    plen = 12288 if big else 100  # big: more than the host socket takes at once
    mem[0x6000:0x6000 + 44] = hdr(2000, 1000, 5, plen)
    mem[0x7fd0:0x7fd0 + plen] = bytes(i & 0xFF for i in range(plen))
    mem[0x6100:0x6100 + 44] = hdr(2000, 1000, 4, flags=3)
    mem[0x6200:0x6200 + 44] = hdr(5000, 1 << 30, 2)
    mem[0x6300:0x6300 + 44] = hdr(3000, 4000, 1)
    desc(0, 0, 0x6000, 44, 1, 1)
    desc(0, 1, 0x7fd0, plen, 0)
    desc(0, 2, 0x6100, 44, 0)
    desc(0, 3, 0x6200, 44, 0)
    desc(0, 4, 0x6300, 44, 0)
    struct.pack_into("<HH4H", mem, 0x1000, 0, 4, 0, 2, 3, 4)
    # rx: 8 writable buffers
    for i in range(8):
        if split_rx:
            desc(0x2000, 2 * i, 0x9000 + i * 0x500, 44, 3, 2 * i + 1)
            desc(0x2000, 2 * i + 1, 0x9000 + i * 0x500 + 44, 1024, 2)
        else:
            desc(0x2000, i, 0x9000 + i * 0x500, 44 + 1024, 2)
    struct.pack_into("<HH8H", mem, 0x3000, 0, 8, *[(2 * i if split_rx else i) for i in range(8)])
    return bytes([16, 16, 1 if event_idx else 0]) + bytes(mem)


def main(out):
    for d in ("vhost_user", "vsock_ring"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    for i, s in enumerate(vhost_user_seeds()):
        with open(os.path.join(out, "vhost_user", "seed%d" % i), "wb") as f:
            f.write(s)
    for i, (ev, split, big) in enumerate(((True, False, False), (False, True, False), (True, False, True))):
        with open(os.path.join(out, "vsock_ring", "seed%d" % i), "wb") as f:
            f.write(ring_seed(ev, split, big))


if __name__ == "__main__":
    main(sys.argv[1])
