#include "box/policy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int box_policy_parse(const char *s, const char **name, int *max, struct err *e)
{
	*max = 0;
	if (!s || !strcmp(s, "no") || !*s) {
		*name = "no";
		return 0;
	}
	if (!strcmp(s, "always") || !strcmp(s, "unless-stopped")) {
		*name = !strcmp(s, "always") ? "always" : "unless-stopped";
		return 0;
	}
	if (!strncmp(s, "on-failure", 10) && (s[10] == '\0' || s[10] == ':')) {
		*name = "on-failure";
		if (s[10] == ':') {
			char *end;
			long v = strtol(s + 11, &end, 10);
			if (!isdigit((unsigned char)s[11]) || *end || v < 0 || v > 1000000)
				return err_setk(e, ERR_USAGE, "invalid restart policy '%s': the count must be a non-negative number",
						s);
			*max = (int)v;
		}
		return 0;
	}
	return err_setk(e, ERR_USAGE, "invalid restart policy '%s': use no, always, on-failure[:N] or unless-stopped", s);
}

int box_labels_parse(const struct strv *labels, json_t **out, struct err *e)
{
	json_t *j = json_object();
	for (size_t i = 0; i < labels->n; i++) {
		const char *l = labels->v[i], *eq = strchr(l, '=');
		char *key = eq ? xstrndup(l, (size_t)(eq - l)) : xstrdup(l);
		if (!*key) {
			free(key);
			json_decref(j);
			return err_setk(e, ERR_USAGE, "invalid label '%s': the key is empty", l);
		}
		json_object_set_new(j, key, json_string(eq ? eq + 1 : ""));
		free(key);
	}
	*out = j;
	return 0;
}
