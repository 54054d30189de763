/* a3s-box port BOX [PRIVATE_PORT[/PROTO]]: list published ports. */
#include <stdio.h>
#include <string.h>

#include "box/control.h"
#include "box/record.h"
#include "cli.h"

int cmd_port(struct cli_ctx *ctx, int argc, char **argv)
{
	struct box_record *b = NULL;
	const json_t *ports, *p;
	char want[32] = "";
	size_t i;
	int found = 0;
	if (argc < 2 || argc > 3 || argv[1][0] == '-')
		return argc >= 2 && !strcmp(argv[1], "--help") ? cli_help(ctx)
							       : cli_usage_error(ctx, "\"port\" requires 1 or 2 arguments");
	if (argc == 3)
		snprintf(want, sizeof(want), "%s%s", argv[2], strchr(argv[2], '/') ? "" : "/tcp");
	if (box_store_find(ctx->root, argv[1], &b, &ctx->err) < 0)
		return cli_fail(ctx);
	ports = json_object_get(b->config, "Ports");
	if (box_is_active(b) && json_is_array(ports)) {
		json_array_foreach(ports, i, p) {
			const char *hp = json_string_value(json_object_get(p, "HostPort"));
			char key[32];
			snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(p, "ContainerPort")),
				 json_string_value(json_object_get(p, "Protocol")));
			if (!hp || !*hp || (*want && strcmp(key, want)))
				continue;
			found++;
			printf("%s%s%s:%s\n", *want ? "" : key, *want ? "" : " -> ",
			       json_string_value(json_object_get(p, "HostIp")), hp);
		}
	}
	box_record_free(b);
	if (*want && !found) {
		err_setk(&ctx->err, ERR_NOT_FOUND, "no public port '%s' published for box '%s'", want, argv[1]);
		return cli_fail(ctx);
	}
	return 0;
}
