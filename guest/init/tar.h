/*
 * A small, strict tar codec for `cp` (docs/cp.md): ustar headers with pax
 * extended headers ('x') and GNU long names ('L', 'K'). The reader is an
 * incremental parser of untrusted bytes (the host forwards whatever tar the
 * user gave it); it never touches the filesystem (see untar.h for that).
 */
#ifndef A3S_GUEST_TAR_H
#define A3S_GUEST_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define TAR_BLOCK 512
/* the longest name or link target accepted (PATH_MAX) */
#define TAR_NAME_MAX 4096
/* the largest pax extended header accepted */
#define TAR_PAX_MAX (64 * 1024)

struct tar_entry {
	char type; /* '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo */
	char *name; /* as in the archive, NUL-terminated (see tar_clean_name) */
	char *link; /* link target for '1' and '2', else "" */
	uint64_t size; /* data bytes that follow ('0' only; 0 for the others) */
	uint32_t mode; /* permission bits (07777) */
	uint32_t uid, gid;
	int64_t mtime;
	uint32_t devmajor, devminor;
};

/* Called for each entry (then its data, if any); non-zero stops the feed
 * and is returned by tar_reader_feed. */
struct tar_sink {
	int (*entry)(void *arg, const struct tar_entry *e);
	int (*data)(void *arg, const uint8_t *p, size_t n);
};

struct tar_reader {
	int state;
	uint8_t hdr[TAR_BLOCK];
	size_t have; /* bytes of hdr, or of ext */
	uint64_t left; /* data or padding still to come */
	char ext_type; /* 'x', 'g', 'L', 'K' while reading one */
	char *ext; /* its bytes */
	size_t ext_len;
	/* overrides for the next entry, from pax or GNU headers */
	char *next_name, *next_link;
	int has_size, has_uid, has_gid, has_mtime;
	uint64_t size;
	uint32_t uid, gid;
	int64_t mtime;
	struct tar_entry cur;
	int ended; /* the end-of-archive block was seen */
	char error[160];
};

void tar_reader_init(struct tar_reader *r);
void tar_reader_release(struct tar_reader *r);

/*
 * Feed n bytes. Returns 0 (more may come), 1 once the end-of-archive block
 * was seen (later bytes are ignored), a sink's non-zero value, or -1 with
 * r->error set on malformed input (bad checksum, bad number, unsupported
 * entry type, name too long, ...). Pure: safe on any bytes.
 */
int tar_reader_feed(struct tar_reader *r, const uint8_t *p, size_t n, const struct tar_sink *s, void *arg);

/* Is the reader between entries (where a stream may end)? */
int tar_reader_at_boundary(const struct tar_reader *r);

/*
 * Validate and normalize an entry name for extraction below a directory:
 * "./a//b/" becomes "a/b"; "." and "" become "" (the directory itself).
 * Rejected (-1): absolute names and any ".." component. out holds at least
 * strlen(name) + 1 bytes. Pure.
 */
int tar_clean_name(const char *name, char *out);

/*
 * Writer: fill blocks for an entry's header into out (at most
 * TAR_HDR_MAX bytes: a pax header and its data when a field does not fit
 * ustar, then the ustar header). Returns the number of bytes (a multiple
 * of TAR_BLOCK). st gives type, mode, uid, gid, size (regular files) and
 * mtime; link is the target of a symlink, or NULL.
 */
#define TAR_HDR_MAX (4 * TAR_BLOCK + 2 * TAR_NAME_MAX)
size_t tar_header(const char *name, const struct stat *st, const char *link, uint8_t *out);

#endif
