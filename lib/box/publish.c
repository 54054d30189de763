#include "box/publish.h"

#include <stdlib.h>

#include "box/ports.h"
#include "util/xalloc.h"

int box_publish(struct root *r, const char *id, const json_t *config, char **hostfwd, struct err *e)
{
	const json_t *want = json_object_get(config, "Ports");
	json_t *bound = NULL, *cfg;
	sqlite3_stmt *st;
	char *text;
	int rc;
	if (!json_is_array(want) || !json_array_size(want)) {
		*hostfwd = xstrdup("");
		return 0;
	}
	/* the request stays in RequestedPorts, so a restart picks new random ports */
	if (json_is_array(json_object_get(config, "RequestedPorts")))
		want = json_object_get(config, "RequestedPorts");
	if (box_ports_bind(want, &bound, e) < 0)
		return -1;
	cfg = json_deep_copy(config);
	json_object_set(cfg, "RequestedPorts", (json_t *)want);
	json_object_set_new(cfg, "Ports", bound);
	text = json_dumps(cfg, JSON_COMPACT);
	if (sqlite3_prepare_v2(r->db, "UPDATE boxes SET config = ? WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		free(text);
		json_decref(cfg);
		return root_dberr(r, e, "recording published ports");
	}
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(text);
	if (rc != SQLITE_DONE) {
		json_decref(cfg);
		return root_dberr(r, e, "recording published ports");
	}
	*hostfwd = box_ports_hostfwd(json_object_get(cfg, "Ports"));
	json_decref(cfg);
	return 0;
}
