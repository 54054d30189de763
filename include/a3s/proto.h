/*
 * a3s-box host <-> guest control protocol (shared by the host library and the
 * guest init; nothing else may be shared between them).
 *
 * Transport: byte streams. The main process's stream is the virtio-serial
 * port named A3S_PROTO_PORT_NAME; each exec is one vsock connection to
 * A3S_VSOCK_PORT_EXEC or A3S_VSOCK_PORT_PTY; the attestation status is one
 * connection to A3S_VSOCK_PORT_ATTEST. Every stream is a sequence of frames:
 *
 *     struct a3s_frame_hdr   (8 bytes, little endian)
 *     payload                (hdr.len bytes, hdr.len <= A3S_FRAME_MAX)
 *
 * A receiver that sees an unknown type, a version mismatch or a length over
 * A3S_FRAME_MAX treats the stream as broken and closes it. See
 * docs/guest-protocol.md for the full contract.
 */
#ifndef A3S_PROTO_H
#define A3S_PROTO_H

#include <stdint.h>

#define A3S_PROTO_VERSION 1
#define A3S_PROTO_PORT_NAME "a3s.ctl"
#define A3S_FRAME_MAX (1024u * 1024u)

/* vsock ports the guest will serve (DESIGN.md). */
#define A3S_VSOCK_PORT_EXEC 4089
#define A3S_VSOCK_PORT_PTY 4090
#define A3S_VSOCK_PORT_ATTEST 4091

/* virtio-blk serial numbers the guest uses to find its disks. */
#define A3S_DISK_SERIAL_ROOT "a3s-root"
#define A3S_DISK_SERIAL_RW "a3s-rw"

enum a3s_frame_type {
	/* guest -> host: init is up; payload: u32 protocol version */
	A3S_FRAME_HELLO = 1,
	/* host -> guest: the box configuration; payload: records, see below */
	A3S_FRAME_CONFIG = 2,
	/* host -> guest: workload stdin bytes; an empty payload means EOF */
	A3S_FRAME_STDIN = 3,
	/* guest -> host: workload output bytes */
	A3S_FRAME_STDOUT = 4,
	A3S_FRAME_STDERR = 5,
	/* host -> guest: deliver a signal to the workload; payload: u32 signo */
	A3S_FRAME_SIGNAL = 6,
	/* guest -> host: the workload ended; payload: u32 exit code (docker
	 * convention: the code, 128+signal, 126 not executable, 127 not found,
	 * 125 runtime failure) followed by an optional UTF-8 message */
	A3S_FRAME_EXIT = 7,
	/* host -> guest: EXIT was received; the guest may power off */
	A3S_FRAME_ACK = 8,
	/* host -> guest: report resource use (empty payload) */
	A3S_FRAME_STATS_REQ = 9,
	/* guest -> host: the answer; payload: text lines "key value\n" with
	 * keys mem_used, mem_total (bytes), pids, net_rx, net_tx (bytes) */
	A3S_FRAME_STATS = 10,
	/* host -> guest: the terminal size changed; payload: u16 rows, u16
	 * cols (little endian). Only meaningful when the process has a tty. */
	A3S_FRAME_RESIZE = 11,
	/* host -> guest, first frame on the exec ports: start a process in the
	 * box; payload: CONFIG-style records (A3S_EXEC_* below) */
	A3S_FRAME_EXEC = 12,
	/* guest -> host: the exec'd process is running; payload: u32 pid */
	A3S_FRAME_STARTED = 13,
	/* host -> guest on the attestation port: report the guest's TEE
	 * status (empty payload) */
	A3S_FRAME_ATTEST_REQ = 14,
	/* guest -> host: the answer, text lines "key value\n": tee (none or
	 * the TEE's name), version (the protocol version) */
	A3S_FRAME_ATTEST = 15,
	/* host -> guest, first frame on the exec port (docs/cp.md): describe
	 * a path in the box; payload: records (A3S_XFER_* below). The guest
	 * answers STAT, or EXIT (errno as the code, and a message) */
	A3S_FRAME_STAT_REQ = 16,
	/* guest -> host: records name, mode, size, mtime, link (with a symlink) */
	A3S_FRAME_STAT = 17,
	/* host -> guest, first frame on the exec port: send a tar of "path",
	 * its top entry named "name"; the guest answers STAT (of path), the
	 * tar as STDOUT frames, then EXIT (0, or errno and a message) */
	A3S_FRAME_ARCHIVE_GET = 18,
	/* host -> guest, first frame on the exec port: extract the tar that
	 * follows as STDIN frames (an empty one ends it) into the directory
	 * "path"; "owner" 1 keeps the entries' uid/gid, otherwise they belong
	 * to root. The guest answers EXIT (0, or errno and a message) */
	A3S_FRAME_ARCHIVE_PUT = 19,
};
#define A3S_FRAME_TYPE_MAX A3S_FRAME_ARCHIVE_PUT

struct a3s_frame_hdr {
	uint8_t type;
	uint8_t version; /* A3S_PROTO_VERSION */
	uint16_t reserved; /* zero */
	uint32_t len; /* payload length, little endian */
};

/*
 * CONFIG payload: a sequence of records, each "key\0value\0". Keys may repeat
 * where noted; unknown keys are ignored (forward compatibility).
 *
 *   arg       (repeated) argv of the workload, in order; at least one
 *   env       (repeated) "NAME=value"
 *   workdir   absolute path; created if missing (as docker does)
 *   user      "name", "uid", "uid:gid", "name:group" (resolved in the guest
 *             from the image's /etc/passwd and /etc/group)
 *   hostname  the box hostname
 *   stdin     "1": forward stdin frames; otherwise stdin is /dev/null
 *   net.ip    "a.b.c.d/prefix" for eth0; absent: no network configured
 *   net.gw    default gateway
 *   net.dns   (repeated) nameserver for /etc/resolv.conf
 *   rw        "1": a writable layer disk is attached (serial A3S_DISK_SERIAL_RW);
 *             otherwise the upper layer is a tmpfs
 *   readonly  "1": the root filesystem is mounted read-only
 *   mount     (repeated, parents before children) one mount in the box:
 *             "share N FLAGS DEST": entry N of the 9p share tagged
 *               "a3s.shares" (a directory or a file) bind-mounted on DEST;
 *               FLAGS: "ro" or "rw", then ",copy": fill an empty entry
 *               with the image's content at DEST first (docker volumes)
 *             "tmpfs OPTIONS DEST": a tmpfs; OPTIONS are mount(8)-style
 *               ("size=N,mode=1777,noexec,ro"), "-" for none
 *             DEST is the rest of the value (absolute, may hold spaces)
 */
#define A3S_CFG_ARG "arg"
#define A3S_CFG_ENV "env"
#define A3S_CFG_WORKDIR "workdir"
#define A3S_CFG_USER "user"
#define A3S_CFG_HOSTNAME "hostname"
#define A3S_CFG_STDIN "stdin"
#define A3S_CFG_NET_IP "net.ip"
#define A3S_CFG_NET_GW "net.gw"
#define A3S_CFG_NET_DNS "net.dns"
#define A3S_CFG_RW "rw"
#define A3S_CFG_READONLY "readonly"
#define A3S_CFG_MOUNT "mount"
#define A3S_SHARE_TAG "a3s.shares"

/*
 * Records shared by CONFIG (the main process) and EXEC:
 *   tty       "1": the process gets a pseudo-terminal as stdin/stdout/stderr;
 *             its output arrives as STDOUT frames only
 *   rows, cols  the terminal's initial size (decimal), with tty
 *
 * EXEC payload (the exec ports, A3S_VSOCK_PORT_EXEC and _PTY; on the PTY
 * port "tty" is implied): arg (repeated, at least one), env (repeated, added
 * to the box's environment, replacing variables of the same name), workdir
 * (default: the box's), user (default: the box's), stdin, tty, rows, cols,
 * detach ("1": no stdio; the guest answers STARTED and closes), privileged.
 * The guest answers STARTED then STDOUT/STDERR frames and one EXIT, or just
 * EXIT (126/127/125 and a message) if the process could not start; the host
 * sends STDIN, SIGNAL and RESIZE frames. Closing the connection does not
 * stop the process (as docker exec).
 *
 * op        "ps" (`a3s-box top`): argv is "ps" and the user's ps options;
 *           the guest answers with the box's process table as ps prints it
 *           (one STDOUT frame, EXIT 0) for the options it knows, and runs
 *           argv (the image's ps) otherwise. docs/health.md.
 */
#define A3S_CFG_TTY "tty"
#define A3S_CFG_ROWS "rows"
#define A3S_CFG_COLS "cols"
#define A3S_EXEC_DETACH "detach"
#define A3S_EXEC_PRIVILEGED "privileged"
#define A3S_EXEC_OP "op"

/*
 * CONFIG record "maint" "1": a maintenance boot (docs/cp.md): the guest
 * builds the box's root filesystem and serves the exec port but runs no
 * workload; a SIGNAL frame (or the control stream closing) makes it answer
 * EXIT 0 and power off.
 */
#define A3S_CFG_MAINT "maint"

/* Records of STAT_REQ, STAT, ARCHIVE_GET and ARCHIVE_PUT (docs/cp.md):
 * path (absolute), name (the tar's top entry), owner ("1"); in STAT: name,
 * mode (st_mode, decimal), size, mtime (unix seconds), link. */
#define A3S_XFER_PATH "path"
#define A3S_XFER_NAME "name"
#define A3S_XFER_OWNER "owner"
#define A3S_XFER_MODE "mode"
#define A3S_XFER_SIZE "size"
#define A3S_XFER_MTIME "mtime"
#define A3S_XFER_LINK "link"

static inline uint16_t a3s_le16(uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return v;
#else
	return __builtin_bswap16(v);
#endif
}

static inline uint32_t a3s_le32(uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return v;
#else
	return __builtin_bswap32(v);
#endif
}

#endif
