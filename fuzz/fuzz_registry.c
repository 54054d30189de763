/* libFuzzer target: what a registry sends. The first byte picks the parser:
 * WWW-Authenticate challenges, token responses, manifest/index detection
 * with platform selection, error bodies, platform strings, base64 auth. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "registry/auth.h"
#include "registry/client.h"
#include "registry/creds.h"
#include "registry/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	char *s;
	size_t len;
	if (size < 1)
		return 0;
	len = size - 1;
	s = malloc(len + 1);
	memcpy(s, data + 1, len);
	s[len] = 0;
	switch (data[0] % 6) {
	case 0: {
		struct reg_challenge c;
		if (reg_challenge_parse(s, &c, &e) == 0) {
			if (c.scheme != REG_AUTH_BASIC && c.scheme != REG_AUTH_BEARER)
				abort();
			if (c.scheme == REG_AUTH_BEARER && !c.realm)
				abort();
			reg_challenge_release(&c);
		}
		break;
	}
	case 1: {
		char *tok;
		long exp;
		if (reg_token_parse(s, len, &tok, &exp, &e) == 0) {
			for (char *p = tok; *p; p++)
				if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
					abort(); /* it goes into a header */
			if (exp < 60)
				abort();
			free(tok);
		}
		break;
	}
	case 2: {
		struct image_index x;
		static const char *const plats[] = {NULL, "linux/amd64", "linux/arm64/v8", "linux/arm/v7"};
		(void)reg_doc_kind(s, len, "application/vnd.oci.image.index.v1+json");
		if (reg_doc_kind(s, len, NULL) == REG_DOC_INDEX && image_index_parse(s, len, &x, &e) == 0) {
			for (size_t i = 0; i < sizeof(plats) / sizeof(plats[0]); i++) {
				struct reg_platform p;
				int k;
				if (reg_platform_parse(plats[i], &p, &e) < 0)
					abort();
				k = reg_platform_pick(&x, &p, &e);
				if (k >= (int)x.n)
					abort();
			}
			image_index_release(&x);
		} else {
			struct image_manifest m;
			if (image_manifest_parse(s, len, &m, &e) == 0)
				image_manifest_release(&m);
		}
		break;
	}
	case 3: {
		struct reg_resp r = {.status = 400 + (long)(len % 200), .body = s, .len = len};
		(void)reg_resp_error(&r, "x: ", &e);
		break;
	}
	case 4: {
		struct reg_platform p;
		(void)reg_platform_parse(s, &p, &e);
		break;
	}
	default: {
		char *d = reg_b64_decode(s);
		if (d && strlen(d) > len)
			abort();
		free(d);
	}
	}
	/* every failure leaves a one-line message once cleaned, as
	 * registry_pull cleans it (image/manifest.h quotes documents) */
	image_err_printable(&e);
	if (memchr(e.msg, '\n', strlen(e.msg)))
		abort();
	free(s);
	return 0;
}
