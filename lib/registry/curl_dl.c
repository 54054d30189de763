/*
 * libcurl, loaded when a registry is first used rather than linked: its
 * dependency chain (GnuTLS, Kerberos, LDAP, ICU, ...) costs every CLI
 * command about 7 ms of CPU at start-up, and only pull, push and login need
 * it. These definitions stand in for the few libcurl functions we call and
 * forward to the library opened by reg_curl_load(). They are not exported
 * (the executable has no libcurl at link time), so libcurl's own calls
 * never reach them.
 */
#include "registry/curl_dl.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>

#define CURL_SONAME "libcurl.so.4"

static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free_)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error;

static void load(void)
{
	void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		load_error = dlerror();
		return;
	}
#define SYM(field, name)                                    \
	do {                                                \
		*(void **)&fn.field = dlsym(h, name);       \
		if (!fn.field) {                            \
			load_error = "a libcurl symbol is missing"; \
			return;                             \
		}                                           \
	} while (0)
	SYM(global_init, "curl_global_init");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(easy_escape, "curl_easy_escape");
	SYM(free_, "curl_free");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
#undef SYM
	if (fn.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		load_error = "curl_global_init failed";
}

int reg_curl_load(struct err *e)
{
	pthread_once(&once, load);
	if (load_error)
		return err_set(e, "cannot use libcurl (%s): %s; install Debian's libcurl4", CURL_SONAME, load_error);
	return 0;
}

/* Callers have loaded the library (reg_client_new); these are never
 * reached before that. */
CURLcode curl_global_init(long flags)
{
	return fn.global_init(flags);
}

CURL *curl_easy_init(void)
{
	return fn.easy_init();
}

#undef curl_easy_setopt
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT) {
		long v = va_arg(ap, long);
		rc = fn.easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_OFF_T) {
		void *v = va_arg(ap, void *); /* objects and function pointers */
		rc = fn.easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_BLOB) {
		curl_off_t v = va_arg(ap, curl_off_t);
		rc = fn.easy_setopt(h, opt, v);
	} else {
		void *v = va_arg(ap, void *);
		rc = fn.easy_setopt(h, opt, v);
	}
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *h)
{
	return fn.easy_perform(h);
}

#undef curl_easy_getinfo
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	void *p;
	va_start(ap, info);
	p = va_arg(ap, void *); /* every CURLINFO takes a pointer */
	va_end(ap);
	return fn.easy_getinfo(h, info, p);
}

void curl_easy_cleanup(CURL *h)
{
	fn.easy_cleanup(h);
}

const char *curl_easy_strerror(CURLcode c)
{
	return fn.easy_strerror ? fn.easy_strerror(c) : "libcurl is not loaded";
}

char *curl_easy_escape(CURL *h, const char *s, int n)
{
	return fn.easy_escape(h, s, n);
}

void curl_free(void *p)
{
	fn.free_(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return fn.slist_append(l, s);
}

void curl_slist_free_all(struct curl_slist *l)
{
	fn.slist_free_all(l);
}
