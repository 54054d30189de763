#include "box/healthmon.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "box/exec.h"
#include "box/health.h"
#include "box/store.h"
#include "box/stream.h"
#include "util/fs.h"
#include "util/io.h"

struct box_health_mon {
	char *root_path, *dir;
	char id[65];
	struct box_health_probe probe;
	int64_t started; /* unix ns */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, booted;
	int fd; /* the probe's connection, -1 */
};

/* docker's limitedBuffer: the first 4 KiB, then "..." */
struct out {
	char buf[BOX_HEALTH_OUTPUT_MAX + 1];
	size_t len;
	bool truncated;
};

static void on_output(void *arg, int stream, const void *p, size_t n)
{
	struct out *o = arg;
	size_t keep = BOX_HEALTH_OUTPUT_MAX - o->len;
	(void)stream;
	if (keep > n)
		keep = n;
	memcpy(o->buf + o->len, p, keep);
	o->len += keep;
	o->truncated = o->truncated || keep < n;
}

static bool stopping(struct box_health_mon *m)
{
	bool s;
	pthread_mutex_lock(&m->lock);
	s = m->stop;
	pthread_mutex_unlock(&m->lock);
	return s;
}

/* Run the probe once into r. false: stopped meanwhile (r not filled). */
static bool probe(struct box_health_mon *m, struct root *r, struct box_health_result *res)
{
	struct box_exec_req req = {.argv = m->probe.argv.v, .argc = m->probe.argv.n};
	struct box_record b = {.state = "running"};
	struct stream_result sr = {0};
	struct err e = ERR_INIT;
	struct out *o = xcalloc(1, sizeof(*o));
	long long timeout_ms = m->probe.timeout / 1000000LL, deadline;
	int fd, rc = -1;
	char d[48];
	memcpy(b.id, m->id, sizeof(b.id));
	res->start = io_wall_ns();
	deadline = io_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	fd = box_exec_open(r, &b, &req, &e);
	if (fd >= 0) {
		long long left = deadline - io_now_ms();
		struct stream_opts so = {.in_fd = -1, .out_fd = -1, .err_fd = -1, .tty_fd = -1, .output = on_output,
					 .arg = o, .started = true, .timeout_ms = left > 0 ? (int)left : 1,
					 .peer = "box"};
		pthread_mutex_lock(&m->lock);
		m->fd = m->stop ? -1 : fd;
		pthread_mutex_unlock(&m->lock);
		if (m->fd >= 0)
			rc = stream_run(fd, &so, false, &sr, &e);
		pthread_mutex_lock(&m->lock);
		m->fd = -1;
		pthread_mutex_unlock(&m->lock);
		if (rc < 0 && io_now_ms() >= deadline) {
			/* as docker: the check is killed, and it failed */
			uint32_t sig = a3s_le32(SIGKILL);
			(void)stream_send_frame(fd, A3S_FRAME_SIGNAL, &sig, sizeof(sig));
		}
		close(fd);
	}
	res->end = io_wall_ns();
	if (stopping(m)) {
		free(sr.message);
		free(o);
		return false;
	}
	if (rc == STREAM_EXITED) {
		res->exit_code = sr.exit_code;
		if (sr.message)
			on_output(o, 2, sr.message, strlen(sr.message));
	} else if (fd >= 0 && io_now_ms() >= deadline) {
		res->exit_code = -1;
		o->len = (size_t)snprintf(o->buf, sizeof(o->buf), "Health check exceeded timeout (%s)",
					  box_go_duration_string(m->probe.timeout, d, sizeof(d)));
		o->truncated = false;
	} else {
		res->exit_code = -1;
		o->len = (size_t)snprintf(o->buf, sizeof(o->buf), "%s", e.msg);
		o->truncated = false;
	}
	o->buf[o->len] = '\0';
	res->output = o->truncated ? xasprintf("%s...", o->buf) : xstrdup(o->buf);
	free(sr.message);
	free(o);
	return true;
}

/* Wait ns unless stopped; false when stopped. */
static bool wait_for(struct box_health_mon *m, int64_t ns)
{
	struct timespec ts;
	bool stop;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ns / 1000000000LL);
	ts.tv_nsec += (long)(ns % 1000000000LL);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m->lock);
	while (!m->stop && pthread_cond_timedwait(&m->cond, &m->lock, &ts) != ETIMEDOUT)
		;
	stop = m->stop;
	pthread_mutex_unlock(&m->lock);
	return !stop;
}

static void save(struct box_health_mon *m, const struct box_health *h)
{
	struct err e = ERR_INIT;
	if (box_health_save(m->dir, h, &e) < 0)
		fprintf(stderr, "a3s-box-monitor: health of box %.12s: %s\n", m->id, e.msg);
}

/* A paused VM cannot answer: its checks wait (they neither pass nor fail). */
static bool paused(struct root *r, const char *id)
{
	struct box_record *b = NULL;
	struct err e = ERR_INIT;
	bool p = box_store_find(r, id, &b, &e) == 0 && !strcmp(b->state, "paused");
	box_record_free(b);
	return p;
}

static void *run(void *arg)
{
	struct box_health_mon *m = arg;
	struct box_health h = {0};
	struct root *r = NULL;
	struct err e = ERR_INIT;
	if (root_open(m->root_path, &r, &e) < 0) {
		fprintf(stderr, "a3s-box-monitor: health checks of box %.12s: %s\n", m->id, e.msg);
		return NULL;
	}
	box_health_reset(&h);
	pthread_mutex_lock(&m->lock);
	while (!m->stop && !m->booted)
		pthread_cond_wait(&m->cond, &m->lock);
	pthread_mutex_unlock(&m->lock);
	/* as docker: the first check one interval after the start (of the
	 * workload: the guest is up), each next one an interval after the
	 * previous one ended */
	while (wait_for(m, m->probe.interval)) {
		struct box_health_result res = {0};
		if (paused(r, m->id))
			continue;
		if (!probe(m, r, &res))
			break;
		if (box_health_record(&h, &res, m->probe.retries, m->probe.start_period, m->started)) {
			char *action = xasprintf("health_status: %s", h.status);
			box_event(r, m->id, action, NULL);
			free(action);
		}
		free(res.output);
		save(m, &h);
	}
	box_health_release(&h);
	root_close(r);
	return NULL;
}

struct box_health_mon *box_health_mon_start(const char *root_path, const char *id, const json_t *cfg)
{
	struct box_health_mon *m = xcalloc(1, sizeof(*m));
	struct root tmp = {.path = (char *)root_path};
	pthread_condattr_t ca;
	if (!box_health_probe_get(cfg, &m->probe)) {
		free(m);
		return NULL;
	}
	m->root_path = xstrdup(root_path);
	m->dir = box_dir(&tmp, id);
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->started = io_wall_ns();
	m->fd = -1;
	{
		/* "starting" from the moment the box runs */
		struct box_health h = {0};
		box_health_reset(&h);
		save(m, &h);
	}
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	if ((errno = pthread_create(&m->thread, NULL, run, m)) != 0) {
		fprintf(stderr, "a3s-box: health checks of box %.12s: %s\n", id, strerror(errno));
		m->stop = true;
		box_health_mon_stop(m);
		return NULL;
	}
	return m;
}

void box_health_mon_booted(struct box_health_mon *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	if (!m->booted) {
		m->booted = true;
		m->started = io_wall_ns();
		pthread_cond_signal(&m->cond);
	}
	pthread_mutex_unlock(&m->lock);
}

void box_health_mon_stop(struct box_health_mon *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	if (!m->stop) {
		m->stop = true;
		pthread_cond_signal(&m->cond);
		if (m->fd >= 0)
			shutdown(m->fd, SHUT_RDWR); /* ends the probe's stream now */
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->thread, NULL);
	} else {
		pthread_mutex_unlock(&m->lock);
	}
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	box_health_probe_release(&m->probe);
	free(m->root_path);
	free(m->dir);
	free(m);
}

/* ---- the state file ---- */

int box_health_save(const char *box_dir, const struct box_health *h, struct err *e)
{
	char *path = xasprintf("%s/health.json", box_dir);
	json_t *j = box_health_json(h);
	char *text = json_dumps(j, JSON_COMPACT);
	int rc = fs_write_atomic(path, text, strlen(text), 0600, e);
	free(text);
	json_decref(j);
	free(path);
	return rc;
}

json_t *box_health_load(struct root *r, const char *id)
{
	char *dir = box_dir(r, id), *path = xasprintf("%s/health.json", dir);
	json_t *j = json_load_file(path, 0, NULL);
	free(path);
	free(dir);
	if (j && !json_is_string(json_object_get(j, "Status"))) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

const char *box_health_status(struct root *r, const char *id)
{
	static const char *const known[] = {"starting", "healthy", "unhealthy"};
	json_t *j = box_health_load(r, id);
	const char *s = json_string_value(json_object_get(j, "Status")), *out = "none";
	for (size_t i = 0; s && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(s, known[i]))
			out = known[i];
	json_decref(j);
	return out;
}

void box_health_inspect(struct root *r, const struct box_record *b, json_t *j)
{
	json_t *h = box_health_load(r, b->id), *hc = json_object_get(b->config, "Healthcheck");
	if (h)
		json_object_set_new(json_object_get(j, "State"), "Health", h);
	if (hc)
		json_object_set(json_object_get(j, "Config"), "Healthcheck", hc);
}
