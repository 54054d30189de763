/*
 * mkcpio: write an uncompressed "newc" cpio archive from specs given on the
 * command line, like the kernel's usr/gen_init_cpio, so that the initramfs
 * (device nodes, root-owned files) can be built without root.
 *
 * Usage: mkcpio OUTPUT SPEC...   where each SPEC is one of
 *
 *   file  NAME LOCATION MODE UID GID     contents read from LOCATION
 *   dir   NAME MODE UID GID
 *   nod   NAME MODE UID GID c|b MAJ MIN
 *   slink NAME TARGET MODE UID GID
 *
 * MODE is octal. Every word is its own argument, so paths may hold spaces.
 * mtimes are 0 so that the archive is reproducible.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct entry {
	const char *name;
	unsigned long mode, uid, gid, nlink, rmaj, rmin;
	const char *data;
	size_t size;
};

static const char *prog = "mkcpio";
static unsigned long ino = 1;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long num(const char *s, int base, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || !*s || *end)
		die("invalid %s", what);
	return v;
}

static void pad(FILE *f, long *off)
{
	while (*off % 4) {
		fputc(0, f);
		(*off)++;
	}
}

static void put(FILE *f, long *off, const struct entry *e)
{
	/* newc keeps no leading slash, as gen_init_cpio writes it */
	const char *name = e->name;

	while (*name == '/')
		name++;
	if (!*name)
		name = ".";
	*off += fprintf(f, "070701%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX",
			e->nlink ? ino++ : 0, e->mode, e->uid, e->gid, e->nlink ? e->nlink : 1,
			0UL /* mtime */, (unsigned long)e->size, 0UL, 0UL, e->rmaj, e->rmin,
			(unsigned long)strlen(name) + 1, 0UL /* check */);
	fwrite(name, 1, strlen(name) + 1, f);
	*off += (long)strlen(name) + 1;
	pad(f, off);
	if (e->size) {
		fwrite(e->data, 1, e->size, f);
		*off += (long)e->size;
		pad(f, off);
	}
}

static char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0, r;
	char *buf;

	if (!f)
		die("cannot open '%s'", path);
	buf = malloc(cap);
	if (!buf)
		die("out of memory");
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		char *bigger;

		n += r;
		if (n < cap)
			continue;
		bigger = realloc(buf, cap *= 2);
		if (!bigger)
			die("out of memory");
		buf = bigger;
	}
	if (ferror(f))
		die("cannot read '%s'", path);
	fclose(f);
	*size = n;
	return buf;
}

/* Parse the spec at argv[0] into *e; returns how many words it used. */
static int parse(char **argv, int argc, struct entry *e, char **owned)
{
	const char *kind = argv[0];
	int need = !strcmp(kind, "file") ? 6 : !strcmp(kind, "dir") ? 5 : !strcmp(kind, "nod") ? 8 :
		   !strcmp(kind, "slink") ? 6 : 0;
	int i = 2;

	if (!need)
		die("unknown spec '%s'", kind);
	if (argc < need)
		die("spec '%s' needs more words", kind);
	memset(e, 0, sizeof(*e));
	*owned = NULL;
	e->name = argv[1];
	e->nlink = 1;
	if (!strcmp(kind, "file")) {
		*owned = slurp(argv[i++], &e->size);
		e->data = *owned;
	} else if (!strcmp(kind, "slink")) {
		e->data = argv[i++];
		e->size = strlen(e->data);
	}
	e->mode = num(argv[i++], 8, "mode") & 07777;
	e->uid = num(argv[i++], 10, "uid");
	e->gid = num(argv[i++], 10, "gid");
	if (!strcmp(kind, "file")) {
		e->mode |= S_IFREG;
	} else if (!strcmp(kind, "dir")) {
		e->mode |= S_IFDIR;
		e->nlink = 2;
	} else if (!strcmp(kind, "slink")) {
		e->mode |= S_IFLNK;
	} else {
		if (strcmp(argv[i], "c") && strcmp(argv[i], "b"))
			die("device type must be c or b, not '%s'", argv[i]);
		e->mode |= argv[i++][0] == 'c' ? S_IFCHR : S_IFBLK;
		e->rmaj = num(argv[i++], 10, "major");
		e->rmin = num(argv[i++], 10, "minor");
	}
	return need;
}

int main(int argc, char **argv)
{
	struct entry trailer = { .name = "TRAILER!!!" };
	char *tmp;
	long off = 0;
	FILE *f;

	if (argc < 2)
		die("usage: mkcpio OUTPUT SPEC...");
	tmp = malloc(strlen(argv[1]) + 5);
	if (!tmp)
		die("out of memory");
	snprintf(tmp, strlen(argv[1]) + 5, "%s.tmp", argv[1]);
	f = fopen(tmp, "wb");
	if (!f)
		die("cannot create '%s'", tmp);
	for (int i = 2; i < argc;) {
		struct entry e;
		char *owned;

		i += parse(argv + i, argc - i, &e, &owned);
		put(f, &off, &e);
		free(owned);
	}
	put(f, &off, &trailer);
	/* whole 512-byte blocks, as cpio(1) and gen_init_cpio write them */
	while (off % 512) {
		fputc(0, f);
		off++;
	}
	if (fclose(f) != 0 || rename(tmp, argv[1]) != 0)
		die("cannot write '%s'", argv[1]);
	free(tmp);
	return 0;
}
