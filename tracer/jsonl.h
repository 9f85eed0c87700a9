/* jsonl.h - just enough JSON to check a trace line and split its top-level fields. */
#pragma once

#include <stddef.h>

struct json_field {
	const char *key;     /* the key's characters, without quotes */
	size_t keylen;
	const char *val;     /* the raw value text */
	size_t vallen;
};

/* Split the JSON object in line[0..len) into at most max fields; count, or -1 with *err set. */
int json_fields(const char *line, size_t len, struct json_field *out, int max, const char **err);

/* The field named key, or NULL. */
const struct json_field *json_find(const struct json_field *f, int n, const char *key);
