/* test-jsonl.c - the JSON checks kvmlab diff relies on. */
#include "jsonl.h"
#include "testkit.h"

static int fields(const char *s, struct json_field *f, const char **err)
{
	return json_fields(s, strlen(s), f, 16, err);
}

int main(void)
{
	struct json_field f[16];
	const char *err = NULL;
	int n;

	n = fields("{\"step\":12,\"pc\":\"0x1000\",\"changed\":{\"rax\":[\"0x0\",\"0x1\"]},\"ok\":true}\n", f, &err);
	CHECK(n == 4);
	CHECK(json_find(f, n, "pc") && json_find(f, n, "pc")->vallen == 8);
	CHECK(json_find(f, n, "changed") && strncmp(json_find(f, n, "changed")->val, "{\"rax\"", 6) == 0);
	CHECK(json_find(f, n, "step") && strncmp(json_find(f, n, "step")->val, "12", 2) == 0);
	CHECK(json_find(f, n, "nope") == NULL);
	n = fields("{}", f, &err);
	CHECK(n == 0);
	n = fields("  {\"a\" : [1, -2.5e3, null, false, \"x\\\"y\"] }  ", f, &err);
	CHECK(n == 1);

	CHECK(fields("[1,2]", f, &err) < 0);
	CHECK_STR(err, "not a JSON object (a trace line starts with '{')");
	CHECK(fields("{\"a\":1,}", f, &err) < 0);
	CHECK_STR(err, "expected a string");
	CHECK(fields("{\"a\":\"abc", f, &err) < 0);
	CHECK_STR(err, "unterminated string (truncated line?)");
	CHECK(fields("{\"a\":[1,2", f, &err) < 0);
	CHECK_STR(err, "the line ends inside an object or array (truncated?)");
	CHECK(fields("{\"a\" 1}", f, &err) < 0);
	CHECK_STR(err, "expected ':' after a key");
	CHECK(fields("{\"a\":1} x", f, &err) < 0);
	CHECK_STR(err, "text after the end of the object");
	CHECK(fields("{\"a\":nul}", f, &err) < 0);
	CHECK_STR(err, "not a JSON value");
	CHECK(fields("{\"a\":\"\x01\"}", f, &err) < 0);
	CHECK_STR(err, "control character inside a string");
	return check_summary();
}
