/* libcurl opened at run time (see curl_dl.c). */
#ifndef A3S_REGISTRY_CURL_DL_H
#define A3S_REGISTRY_CURL_DL_H

#include "util/err.h"

/* Open libcurl once per process; fails with a clear message when it is
 * missing. Every registry entry point calls it (reg_client_new). */
int reg_curl_load(struct err *e);

#endif
