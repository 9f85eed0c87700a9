/* test-tracediff.c - what `kvmlab diff` and the trace_matches check report for two JSONL
 * traces: identical, the first divergent step field by field, and every kind of bad file
 * with its line (the lines are read by json-c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testkit.h"
#include "tracediff.h"

static char dir[] = "/tmp/kvmlab-tracediff-XXXXXX";

/* Write text to dir/name; the path. */
static const char *file(const char *name, const char *text)
{
	static char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

#define S1 "{\"step\":1,\"pc\":\"0x1000\",\"asm\":\"mov eax, 1\",\"changed\":{\"rax\":[\"0x0\",\"0x1\"]}}\n"
#define S2 "{\"step\":2,\"pc\":\"0x1005\",\"asm\":\"hlt\",\"exit\":\"hlt\"}\n"

int main(void)
{
	char msg[2048], a[128];
	const char *b;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(a, sizeof(a), "%s", file("a.jsonl", S1 S2));

	/* identical, also with the keys in another order and a number written another way */
	b = file("b.jsonl", S1 "{\"pc\":\"0x1005\",\"step\":2.0e0,\"exit\":\"hlt\",\"asm\":\"hlt\"}\n");
	CHECK_EQ(trace_diff(a, a, msg, sizeof(msg)), 0);
	CHECK_STR(msg, "traces are identical (2 steps)");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), 1);   /* 2 and 2.0: an int and a double */
	b = file("b.jsonl", S1 "{\"pc\":\"0x1005\",\"step\":2,\"exit\":\"hlt\",\"asm\":\"hlt\"}\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), 0);

	/* a field that differs, one only in A, one only in B, shown as written */
	b = file("b.jsonl", S1 "{\"step\":2,\"pc\":\"0x1005\",\"asm\":\"hlt\",\"io\":{\"port\":\"0xe9\"}}\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), 1);
	CHECK_CONTAINS(msg, "traces diverge at step 2 (");
	CHECK_CONTAINS(msg, "a.jsonl line 2, ");
	CHECK_CONTAINS(msg, "b.jsonl line 2): \"hlt\"");
	CHECK_CONTAINS(msg, "\n  exit     A: \"hlt\"\n           B: (absent)");
	CHECK_CONTAINS(msg, "\n  io       A: (absent)\n           B: {\"port\":\"0xe9\"}");
	b = file("b.jsonl", "{\"step\":1,\"pc\":\"0x1000\",\"asm\":\"mov eax, 1\",\"changed\":{\"rax\":[\"0x0\",\"0x2\"]}}\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), 1);
	CHECK_CONTAINS(msg, "changed  A: {\"rax\":[\"0x0\",\"0x1\"]}\n           B: {\"rax\":[\"0x0\",\"0x2\"]}");

	/* one ends first */
	b = file("b.jsonl", S1);
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), 1);
	CHECK_CONTAINS(msg, "traces agree for 1 steps, then ");

	/* bad files: each names the file and the line */
	b = file("b.jsonl", S1 "{\"step\":2,\"pc\":\"0x1005\"");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "b.jsonl:2: the last line has no newline: the file is truncated");
	b = file("b.jsonl", "[1,2]\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "b.jsonl:1: not a JSON object (a trace line starts with '{')");
	b = file("b.jsonl", "{\"a\":1}\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "b.jsonl:1: a JSON object, but not a kvmlab trace step");
	b = file("b.jsonl", "{\"step\":1,\"pc\":\"0x1000\",}\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "b.jsonl:1: not valid JSON at column 25: unexpected character");
	b = file("b.jsonl", "{\"step\":1,\"pc\":\"0x1000\"} x\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "b.jsonl:1: not valid JSON at column 26: unexpected character");
	b = file("b.jsonl", "{\"step\":1,\"pc\":\"0x10\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "b.jsonl:1: not valid JSON");
	b = file("b.jsonl", "{\"step\":1,\"pc\":\"\xff\"}\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "b.jsonl:1: not valid JSON at column 17: invalid utf-8 string");
	b = file("b.jsonl", S1 "\n");
	CHECK_EQ(trace_diff(a, b, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "b.jsonl:2: not valid JSON at column 2: the line ends before the JSON value does");
	CHECK_EQ(trace_diff(a, "/nonexistent/x.jsonl", msg, sizeof(msg)), -ENOENT);
	CHECK_CONTAINS(msg, "/nonexistent/x.jsonl: No such file or directory");

	/* the report is cut to the buffer, always terminated */
	b = file("b.jsonl", "{\"a\":1}\n");
	CHECK_EQ(trace_diff(a, b, msg, 16), -EINVAL);
	CHECK_EQ(strlen(msg), 15);

	unlink(file("a.jsonl", ""));
	unlink(file("b.jsonl", ""));
	rmdir(dir);
	return check_summary();
}
