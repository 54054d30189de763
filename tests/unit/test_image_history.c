/* image_history_parse: order, layer matching, empty layers, limits. */
#include "image/history.h"
#include "unit.h"

static json_t *cfg(const char *history)
{
	char *s = xasprintf("{\"history\": %s}", history);
	json_t *j = json_loads(s, 0, NULL);
	free(s);
	return j;
}

TEST(newest_first_with_layers)
{
	json_t *c = cfg("[{\"created\": \"2023-11-14T22:13:20Z\", \"created_by\": \"ADD a\"},"
			" {\"created_by\": \"ENV x\", \"empty_layer\": true, \"comment\": \"c\"},"
			" {\"created_by\": \"RUN b\"}]");
	struct image_history_entry *v;
	size_t n;
	struct err e = ERR_INIT;
	CHECK(image_history_parse(c, 2, &v, &n, &e) == 0);
	CHECK(n == 3);
	CHECK_STR(v[0].created_by, "RUN b");
	CHECK(v[0].layer == 1 && !v[0].empty_layer);
	CHECK_STR(v[1].comment, "c");
	CHECK(v[1].layer == -1 && v[1].empty_layer);
	CHECK(v[2].layer == 0 && v[2].created == 1700000000);
	CHECK_STR(v[1].created_by, "ENV x");
	CHECK_STR(v[0].comment, "");
	image_history_free(v, n);
	json_decref(c);
}

TEST(too_many_layers_and_bad_shapes)
{
	struct image_history_entry *v;
	size_t n;
	struct err e = ERR_INIT;
	json_t *c = cfg("[{}, {}]");
	CHECK(image_history_parse(c, 1, &v, &n, &e) < 0);
	CHECK_STR(e.msg, "too many non-empty layers in History section");
	json_decref(c);
	c = cfg("[1]");
	CHECK(image_history_parse(c, 1, &v, &n, &e) < 0);
	json_decref(c);
	c = cfg("{}");
	CHECK(image_history_parse(c, 1, &v, &n, &e) < 0);
	json_decref(c);
	c = cfg("null");
	CHECK(image_history_parse(c, 1, &v, &n, &e) == 0 && n == 0);
	image_history_free(v, n);
	json_decref(c);
}

int main(void)
{
	RUN(newest_first_with_layers);
	RUN(too_many_layers_and_bad_shapes);
	return unit_done();
}
