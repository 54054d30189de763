#include "procs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "frame.h"
#include "log.h"
#include "util.h"

#define PF_KTHREAD 0x00200000u
#define ID_FILE_MAX (1u << 20)

int procs_wanted(const char *raw, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *k = raw + pos, *v, *kend = memchr(k, '\0', len - pos), *vend;

		if (!kend)
			return 0;
		v = kend + 1;
		if ((size_t)(v - raw) >= len || !(vend = memchr(v, '\0', len - (size_t)(v - raw))))
			return 0;
		if (!strcmp(k, A3S_EXEC_OP) && !strcmp(v, "ps"))
			return 1;
		pos = (size_t)(vend + 1 - raw);
	}
	return 0;
}

/* ---- options ---- */

static const struct {
	const char *name, *title;
	enum procs_col col;
} fields[] = {
	{ "pid", "PID", PC_PID },	      { "ppid", "PPID", PC_PPID },
	{ "pgid", "PGID", PC_PGID },	      { "pgrp", "PGRP", PC_PGID },
	{ "sid", "SID", PC_SID },	      { "sess", "SESS", PC_SID },
	{ "uid", "UID", PC_UID },	      { "euid", "EUID", PC_UID },
	{ "user", "USER", PC_USER },	      { "euser", "EUSER", PC_USER },
	{ "uname", "USER", PC_USER },	      { "gid", "GID", PC_GID },
	{ "group", "GROUP", PC_GROUP },	      { "egroup", "EGROUP", PC_GROUP },
	{ "comm", "COMMAND", PC_COMM },	      { "ucmd", "CMD", PC_COMM },
	{ "args", "COMMAND", PC_ARGS },	      { "command", "COMMAND", PC_ARGS },
	{ "cmd", "CMD", PC_ARGS },	      { "tty", "TT", PC_TTY },
	{ "tt", "TT", PC_TTY },		      { "tname", "TTY", PC_TTY },
	{ "time", "TIME", PC_TIME },	      { "cputime", "TIME", PC_TIME },
	{ "stime", "STIME", PC_STIME },	      { "start_time", "START", PC_STIME },
	{ "start", "STARTED", PC_STIME },     { "etime", "ELAPSED", PC_ETIME },
	{ "rss", "RSS", PC_RSS },	      { "rssize", "RSS", PC_RSS },
	{ "vsz", "VSZ", PC_VSZ },	      { "vsize", "VSZ", PC_VSZ },
	{ "stat", "STAT", PC_STAT },	      { "s", "S", PC_STATE },
	{ "state", "S", PC_STATE },	      { "%cpu", "%CPU", PC_PCPU },
	{ "pcpu", "%CPU", PC_PCPU },	      { "%mem", "%MEM", PC_PMEM },
	{ "pmem", "%MEM", PC_PMEM },	      { "c", "C", PC_C },
	{ "nlwp", "NLWP", PC_NLWP },	      { "thcount", "THCNT", PC_NLWP },
	{ "ni", "NI", PC_NI },		      { "nice", "NI", PC_NI },
};

static int add(struct procs_fmt *f, enum procs_col c, const char *title)
{
	if (f->n == PROCS_MAX_COLS)
		return -1;
	f->col[f->n] = c;
	f->title[f->n++] = title;
	return 0;
}

/* "pid,comm" or "pid comm": known field names only (no "=HEADER"). */
static int add_list(struct procs_fmt *f, const char *list)
{
	char name[32];
	size_t i = 0;

	if (!*list)
		return -1;
	for (const char *p = list;; p++) {
		if (*p == ',' || *p == ' ' || *p == '\0') {
			size_t k;

			if (i) {
				name[i] = '\0';
				for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
					if (!strcmp(fields[k].name, name))
						break;
				if (k == sizeof(fields) / sizeof(fields[0]) ||
				    add(f, fields[k].col, fields[k].title) < 0)
					return -1;
				i = 0;
			}
			if (!*p)
				return 0;
			continue;
		}
		if (i + 1 >= sizeof(name))
			return -1;
		name[i++] = *p;
	}
}

static void preset(struct procs_fmt *f, const enum procs_col *c, const char *const *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)add(f, c[i], t[i]);
}

int procs_columns(char *const *args, size_t n, struct procs_fmt *out)
{
	static const enum procs_col full[] = { PC_USER, PC_PID, PC_PPID, PC_C, PC_STIME, PC_TTY, PC_TIME, PC_ARGS };
	static const char *const full_t[] = { "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD" };
	static const enum procs_col user[] = { PC_USER, PC_PID,	 PC_PCPU,    PC_PMEM,	 PC_VSZ, PC_RSS,
					       PC_TTY,	PC_STAT, PC_STIME, PC_BSDTIME, PC_ARGS };
	static const char *const user_t[] = { "USER", "PID",  "%CPU",  "%MEM", "VSZ",	 "RSS",
					      "TTY",  "STAT", "START", "TIME", "COMMAND" };
	static const enum procs_col plain[] = { PC_PID, PC_TTY, PC_TIME, PC_COMM };
	static const char *const plain_t[] = { "PID", "TTY", "TIME", "CMD" };
	static const enum procs_col bsd[] = { PC_PID, PC_TTY, PC_STAT, PC_BSDTIME, PC_ARGS };
	static const char *const bsd_t[] = { "PID", "TTY", "STAT", "TIME", "COMMAND" };
	int f_full = 0, f_user = 0, f_bsd = 0, f_list = 0;

	out->n = 0;
	if (n == 0) {
		preset(out, full, full_t, sizeof(full) / sizeof(full[0]));
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *a = args[i];
		int unix_style = a[0] == '-';

		if (unix_style && a[1] == '-')
			return -1; /* long options: the image's ps */
		if (unix_style)
			a++;
		else
			f_bsd = 1;
		if (!*a)
			return -1;
		for (; *a; a++) {
			switch (*a) {
			case 'e':
			case 'A':
				if (!unix_style)
					return -1;
				break;
			case 'x':
				f_bsd = 1; /* procps takes -x as BSD x */
				break;
			case 'a':
			case 'w':
				break;
			case 'f':
				if (!unix_style)
					return -1;
				f_full = 1;
				break;
			case 'u':
				if (unix_style)
					return -1;
				f_user = 1;
				break;
			case 'o':
				/* the list is the rest of this argument or the next one */
				if (a[1]) {
					if (add_list(out, a + 1) < 0)
						return -1;
				} else if (i + 1 < n) {
					if (add_list(out, args[++i]) < 0)
						return -1;
				} else {
					return -1;
				}
				f_list = 1;
				a += strlen(a) - 1;
				break;
			default:
				return -1;
			}
		}
	}
	if (f_list)
		return 0;
	if (f_user)
		preset(out, user, user_t, sizeof(user) / sizeof(user[0]));
	else if (f_full)
		preset(out, full, full_t, sizeof(full) / sizeof(full[0]));
	else if (f_bsd)
		preset(out, bsd, bsd_t, sizeof(bsd) / sizeof(bsd[0]));
	else
		preset(out, plain, plain_t, sizeof(plain) / sizeof(plain[0]));
	return 0;
}

/* ---- /proc ---- */

struct proc {
	int pid, ppid, pgid, sid, tty, tpgid, nice, threads;
	unsigned uid, gid;
	char state;
	char comm[64];
	char *args;
	unsigned long long ticks, start_ticks, vsz, rss_pages;
};

struct sys {
	long hz, page;
	time_t now, btime;
	double uptime;
	unsigned long long mem_kb;
	char *passwd, *group;
};

/* name for id from an /etc/passwd or /etc/group text (field 3 is the id) */
static const char *id_name(const char *text, unsigned id, char *buf, size_t size)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n'), *c1 = strchr(line, ':'), *c2, *c3;

		if (!end)
			end = line + strlen(line);
		c2 = c1 && c1 < end ? strchr(c1 + 1, ':') : NULL;
		c3 = c2 && c2 < end ? strchr(c2 + 1, ':') : NULL;
		if (c3 && c3 < end && c1 > line && (size_t)(c1 - line) < size) {
			char *num_end;
			unsigned long v = strtoul(c2 + 1, &num_end, 10);

			if (num_end == c3 && c3 > c2 + 1 && v == id) {
				memcpy(buf, line, (size_t)(c1 - line));
				buf[c1 - line] = '\0';
				return buf;
			}
		}
		line = *end ? end + 1 : end;
	}
	snprintf(buf, size, "%u", id);
	return buf;
}

static int read_proc(int pid, struct proc *p)
{
	char path[64], buf[1024], *s, *close_paren, *text;
	size_t len;
	unsigned flags;
	unsigned long long ut, st;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_attr(path, buf, sizeof(buf)) < 0)
		return -1;
	s = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!s || !close_paren || close_paren < s)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	len = (size_t)(close_paren - s - 1);
	if (len >= sizeof(p->comm))
		len = sizeof(p->comm) - 1;
	memcpy(p->comm, s + 1, len);
	p->comm[len] = '\0';
	n = sscanf(close_paren + 2,
		   "%c %d %d %d %d %d %u %*u %*u %*u %*u %llu %llu %*d %*d %*d %d %d %*d %llu %llu %llu",
		   &p->state, &p->ppid, &p->pgid, &p->sid, &p->tty, &p->tpgid, &flags, &ut, &st, &p->nice,
		   &p->threads, &p->start_ticks, &p->vsz, &p->rss_pages);
	if (n != 14)
		return -1;
	p->ticks = ut + st;
	if (flags & PF_KTHREAD)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	text = read_file(path, 64 * 1024, NULL);
	if (text) {
		char *u = strstr(text, "\nUid:"), *g = strstr(text, "\nGid:");

		if (u)
			sscanf(u + 5, "%*u %u", &p->uid);
		if (g)
			sscanf(g + 5, "%*u %u", &p->gid);
		free(text);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	text = read_file(path, 64 * 1024, &len);
	if (text && len) {
		for (size_t i = 0; i < len; i++)
			if (text[i] == '\0' || text[i] == '\n' || text[i] == '\t')
				text[i] = ' ';
		while (len && text[len - 1] == ' ')
			text[--len] = '\0';
	}
	if (!text || !len) {
		free(text);
		text = xasprintf("[%s]", p->comm);
	}
	p->args = text;
	return 0;
}

static void sys_read(struct sys *s)
{
	char *text;

	memset(s, 0, sizeof(*s));
	s->hz = sysconf(_SC_CLK_TCK);
	if (s->hz <= 0)
		s->hz = 100;
	s->page = sysconf(_SC_PAGESIZE);
	s->now = time(NULL);
	text = read_file("/proc/stat", 1 << 20, NULL);
	if (text) {
		char *b = strstr(text, "\nbtime ");

		if (b)
			s->btime = (time_t)strtoll(b + 7, NULL, 10);
		free(text);
	}
	text = read_file("/proc/uptime", 4096, NULL);
	if (text) {
		s->uptime = strtod(text, NULL);
		free(text);
	}
	text = read_file("/proc/meminfo", 1 << 16, NULL);
	if (text) {
		char *m = strstr(text, "MemTotal:");

		if (m)
			s->mem_kb = strtoull(m + 9, NULL, 10);
		free(text);
	}
	s->passwd = read_file("/etc/passwd", ID_FILE_MAX, NULL);
	s->group = read_file("/etc/group", ID_FILE_MAX, NULL);
}

static void tty_name(int tty, char *buf, size_t size)
{
	unsigned maj = ((unsigned)tty >> 8) & 0xfff, min = ((unsigned)tty & 0xff) | (((unsigned)tty >> 12) & 0xfff00);

	if (maj >= 136 && maj <= 143)
		snprintf(buf, size, "pts/%u", (maj - 136) * 256 + min);
	else if (maj == 4 && min < 64)
		snprintf(buf, size, "tty%u", min);
	else if (maj == 4)
		snprintf(buf, size, "ttyS%u", min - 64);
	else if (maj == 5 && min == 1)
		snprintf(buf, size, "console");
	else if (maj == 229)
		snprintf(buf, size, "hvc%u", min);
	else
		snprintf(buf, size, "?");
}

/* per mille of CPU over the process's life, as procps computes %CPU */
static unsigned long long pcpu(const struct proc *p, const struct sys *s)
{
	double secs = s->uptime - (double)p->start_ticks / (double)s->hz;

	if (secs <= 0)
		return 0;
	return (unsigned long long)((double)p->ticks * 1000.0 / (double)s->hz / secs);
}

static void cell(const struct proc *p, const struct sys *s, enum procs_col c, char *buf, size_t size)
{
	unsigned long long cpu_s = p->ticks / (unsigned long long)s->hz, v;
	time_t started = s->btime + (time_t)(p->start_ticks / (unsigned long long)s->hz);
	struct tm tm;

	switch (c) {
	case PC_PID: snprintf(buf, size, "%d", p->pid); break;
	case PC_PPID: snprintf(buf, size, "%d", p->ppid); break;
	case PC_PGID: snprintf(buf, size, "%d", p->pgid); break;
	case PC_SID: snprintf(buf, size, "%d", p->sid); break;
	case PC_UID: snprintf(buf, size, "%u", p->uid); break;
	case PC_GID: snprintf(buf, size, "%u", p->gid); break;
	case PC_USER: id_name(s->passwd, p->uid, buf, size); break;
	case PC_GROUP: id_name(s->group, p->gid, buf, size); break;
	case PC_COMM: snprintf(buf, size, "%s", p->comm); break;
	case PC_ARGS: snprintf(buf, size, "%s", p->args); break;
	case PC_TTY: tty_name(p->tty, buf, size); break;
	case PC_TIME:
		if (cpu_s >= 86400)
			snprintf(buf, size, "%llu-%02llu:%02llu:%02llu", cpu_s / 86400, cpu_s / 3600 % 24,
				 cpu_s / 60 % 60, cpu_s % 60);
		else
			snprintf(buf, size, "%02llu:%02llu:%02llu", cpu_s / 3600, cpu_s / 60 % 60, cpu_s % 60);
		break;
	case PC_BSDTIME: snprintf(buf, size, "%llu:%02llu", cpu_s / 60, cpu_s % 60); break;
	case PC_STIME:
		gmtime_r(&started, &tm);
		if (s->now - started < 24 * 3600)
			strftime(buf, size, "%H:%M", &tm);
		else if (s->now - started < 365 * 24 * 3600)
			strftime(buf, size, "%b%d", &tm);
		else
			strftime(buf, size, "%Y", &tm);
		break;
	case PC_ETIME:
		v = s->now > started ? (unsigned long long)(s->now - started) : 0;
		if (v >= 86400)
			snprintf(buf, size, "%llu-%02llu:%02llu:%02llu", v / 86400, v / 3600 % 24, v / 60 % 60, v % 60);
		else if (v >= 3600)
			snprintf(buf, size, "%02llu:%02llu:%02llu", v / 3600, v / 60 % 60, v % 60);
		else
			snprintf(buf, size, "%02llu:%02llu", v / 60, v % 60);
		break;
	case PC_RSS: snprintf(buf, size, "%llu", p->rss_pages * (unsigned long long)s->page / 1024); break;
	case PC_VSZ: snprintf(buf, size, "%llu", p->vsz / 1024); break;
	case PC_STATE: snprintf(buf, size, "%c", p->state); break;
	case PC_STAT:
		snprintf(buf, size, "%c%s%s%s%s", p->state, p->nice < 0 ? "<" : p->nice > 0 ? "N" : "",
			 p->pid == p->sid ? "s" : "", p->threads > 1 ? "l" : "",
			 p->tty && p->tpgid == p->pgid ? "+" : "");
		break;
	case PC_PCPU:
		v = pcpu(p, s);
		snprintf(buf, size, "%llu.%llu", v / 10, v % 10);
		break;
	case PC_C:
		v = pcpu(p, s) / 10;
		snprintf(buf, size, "%llu", v > 99 ? 99 : v);
		break;
	case PC_PMEM:
		v = s->mem_kb ? p->rss_pages * (unsigned long long)s->page / 1024 * 1000 / s->mem_kb : 0;
		snprintf(buf, size, "%llu.%llu", v / 10, v % 10);
		break;
	case PC_NLWP: snprintf(buf, size, "%d", p->threads); break;
	case PC_NI: snprintf(buf, size, "%d", p->nice); break;
	}
	if (!*buf)
		snprintf(buf, size, "-");
}

/* The init and its forks (the exec servers, this one included) are not the box's. */
static int infrastructure(int pid, const struct stat *init_exe)
{
	char path[64];
	struct stat st;

	if (pid == 1 || pid == getpid())
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	return stat(path, &st) == 0 && st.st_dev == init_exe->st_dev && st.st_ino == init_exe->st_ino;
}

static int by_pid(const void *a, const void *b)
{
	return ((const struct proc *)a)->pid - ((const struct proc *)b)->pid;
}

static char *table(const struct procs_fmt *f)
{
	struct proc *v = NULL;
	size_t n = 0, cap = 0, tlen = 0;
	struct stat init_exe;
	struct sys s;
	char *text = NULL, buf[4096];
	FILE *out;
	DIR *d;
	struct dirent *de;

	sys_read(&s);
	if (stat("/proc/1/exe", &init_exe) < 0)
		memset(&init_exe, 0, sizeof(init_exe));
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || infrastructure((int)pid, &init_exe))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		if (read_proc((int)pid, &v[n]) == 0)
			n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_pid);
	out = open_memstream(&text, &tlen);
	if (!out)
		abort();
	for (size_t c = 0; c < f->n; c++)
		fprintf(out, "%s%s", c ? " " : "", f->title[c]);
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < f->n; c++) {
			buf[0] = '\0';
			cell(&v[i], &s, f->col[c], buf, sizeof(buf));
			fprintf(out, "%s%s", c ? " " : "", buf);
		}
		fputc('\n', out);
		free(v[i].args);
	}
	fclose(out);
	free(v);
	free(s.passwd);
	free(s.group);
	return text;
}

void procs_serve(int conn, const struct cfg *x)
{
	struct procs_fmt f;
	char *text;
	size_t len;

	if (x->argc < 1 || procs_columns(x->argv + 1, x->argc - 1, &f) < 0)
		return;
	text = table(&f);
	len = strlen(text);
	if (len > A3S_FRAME_MAX)
		len = A3S_FRAME_MAX;
	if (frame_write(conn, A3S_FRAME_STDOUT, text, len) < 0 || frame_write_exit(conn, 0, NULL) < 0)
		log_dbg("top: reporting the process table: %m");
	free(text);
	_exit(0);
}
