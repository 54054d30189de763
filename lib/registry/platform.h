/* Platforms ("linux/arm64/v8") and the choice of a manifest in an index. */
#ifndef A3S_REGISTRY_PLATFORM_H
#define A3S_REGISTRY_PLATFORM_H

#include <stddef.h>

#include "image/manifest.h"
#include "util/err.h"

struct reg_platform {
	char os[32], arch[32], variant[32];
};

/* "os/arch[/variant]"; NULL or "" is the host (linux/<host arch>). */
int reg_platform_parse(const char *s, struct reg_platform *out, struct err *e);
/* Index of the manifest for p in x (a variant given must match; without one
 * an entry with no variant is preferred), or -1 with docker's message. */
int reg_platform_pick(const struct image_index *x, const struct reg_platform *p, struct err *e);

enum reg_doc_kind { REG_DOC_UNKNOWN = 0, REG_DOC_INDEX, REG_DOC_MANIFEST };
/* What a manifest response is: its "mediaType" field when present, else the
 * Content-Type (may be NULL), else the presence of "manifests". */
enum reg_doc_kind reg_doc_kind(const char *buf, size_t len, const char *content_type);

#endif
