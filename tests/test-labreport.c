/* test-labreport.c - the four report formats, byte for byte, for one small report.
 *
 * test-labreport                 compare each format with its expected text
 * test-labreport --emit FORMAT [nasty]
 *                                write FORMAT to stdout (for test-labreport.py, which feeds it
 *                                to standard consumers); "nasty" uses control characters,
 *                                invalid UTF-8 and markup in every string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "testkit.h"

static struct lab_check lab_checks[] = {
	{ .id = "hello", .name = "prints Hello, world!", .points = 5 },
	{ .id = "rax42", .name = "RAX is 42 at exit", .points = 10,
	  .hint = "Put 42 in RAX before hlt." },
	{ .id = "mem42", .name = "42 at 0x400", .points = 5, .depends_on = "rax42" },
	{ .id = "mapped", .name = "maps 0x400000", .points = 5, .visibility = LAB_HIDDEN,
	  .hint = "Check <RW> & \"US\" in #every level\\" },
	{ .id = "secret", .name = "secret", .points = 5, .visibility = LAB_AFTER_DUE_DATE },
};

static struct lab_check_result results[] = {
	{ .check = &lab_checks[0], .status = LAB_PASS, .score = 5, .max_score = 5,
	  .expected = "\"Hello, world!\\n\"", .actual = "\"Hello, world!\\n\"" },
	{ .check = &lab_checks[1], .status = LAB_FAIL, .score = 0, .max_score = 10,
	  .expected = "rax = 0x2a (42)", .actual = "rax = 0x7 (7)",
	  .message = "rax is 0x7, not 0x2a" },
	{ .check = &lab_checks[2], .status = LAB_SKIP, .score = 0, .max_score = 5,
	  .message = "depends on rax42" },
	{ .check = &lab_checks[3], .status = LAB_FAIL, .score = 0, .max_score = 5,
	  .expected = "0x400000 -> 0x200000 with P RW", .actual = "0x400000 -> 0x300000 with P",
	  .message = "it maps to 0x300000, not 0x200000\nwalk of 0x400000:\n  PML4[0] at 0x1000" },
	{ .check = &lab_checks[4], .status = LAB_PASS, .score = 5, .max_score = 5 },
};

static void fill(struct lab_report *r, bool nasty)
{
	memset(r, 0, sizeof(*r));
	r->lab_id = "04-demo";
	r->lab_title = "Demo & <test>";
	r->submission = "alice";
	r->results = results;
	r->nresults = sizeof(results) / sizeof(results[0]);
	r->score = 10;
	r->max_score = 30;
	r->build_log = "guest.c:3: warning: unused variable 'x'\n";
	r->seconds = 0.25;
	if (!nasty)
		return;
	r->lab_title = "bell\a tab\t <x> & \"q\" 'a' ]]> \xff\xfe caf\xc3\xa9 #1 \\";
	r->run_error = "killed by signal 11 \x01\x1b[31m";
	r->build_log = "line1\r\n\x7f line2 \xc3\x28\n\n";
	results[0].message = "\x02 ctl";
	results[1].actual = "multi\nline\n\n";
	results[1].expected = " leading space\nsecond";
}

static const char expected_text[] =
	"Lab 04-demo: Demo & <test>\n"
	"Submission: alice\n"
	"\n"
	"Build output:\n"
	"  guest.c:3: warning: unused variable 'x'\n"
	"\n"
	"PASS  hello     5/5  prints Hello, world!\n"
	"FAIL  rax42    0/10  RAX is 42 at exit\n"
	"        rax is 0x7, not 0x2a\n"
	"        expected: rax = 0x2a (42)\n"
	"        actual:   rax = 0x7 (7)\n"
	"        hint:     Put 42 in RAX before hlt.\n"
	"SKIP  mem42     0/5  42 at 0x400\n"
	"        skipped: depends on rax42\n"
	"\n"
	"Hidden checks: 2 (1 passed, 1 not), 5/10 points\n"
	"\n"
	"Total: 10/30 points\n";

static const char expected_tap[] =
	"TAP version 14\n"
	"# lab 04-demo: Demo & <test>\n"
	"# submission: alice\n"
	"# build output:\n"
	"# guest.c:3: warning: unused variable 'x'\n"
	"1..5\n"
	"ok 1 - hello: prints Hello, world!\n"
	"not ok 2 - rax42: RAX is 42 at exit\n"
	"  ---\n"
	"  message: \"rax is 0x7, not 0x2a\"\n"
	"  expected: \"rax = 0x2a (42)\"\n"
	"  actual: \"rax = 0x7 (7)\"\n"
	"  hint: \"Put 42 in RAX before hlt.\"\n"
	"  points: 0\n"
	"  max_points: 10\n"
	"  ...\n"
	"ok 3 - mem42: 42 at 0x400 # SKIP depends on rax42\n"
	"not ok 4 - mapped: maps 0x400000\n"
	"  ---\n"
	"  message: \"it maps to 0x300000, not 0x200000\\nwalk of 0x400000:\\n  PML4[0] at 0x1000\"\n"
	"  expected: \"0x400000 -> 0x200000 with P RW\"\n"
	"  actual: \"0x400000 -> 0x300000 with P\"\n"
	"  hint: \"Check <RW> & \\\"US\\\" in #every level\\\\\"\n"
	"  points: 0\n"
	"  max_points: 5\n"
	"  visibility: hidden\n"
	"  ...\n"
	"ok 5 - secret\n"
	"# score: 10/30\n";

static char expected_tap13[sizeof(expected_tap)];

static const char expected_junit[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<testsuites name=\"kvmlab\" tests=\"5\" failures=\"2\" errors=\"0\" time=\"0.250\">\n"
	"  <testsuite name=\"04-demo\" tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"1\" "
	"time=\"0.250\">\n"
	"    <properties>\n"
	"      <property name=\"title\" value=\"Demo &amp; &lt;test&gt;\"/>\n"
	"      <property name=\"submission\" value=\"alice\"/>\n"
	"      <property name=\"score\" value=\"10\"/>\n"
	"      <property name=\"max_score\" value=\"30\"/>\n"
	"    </properties>\n"
	"    <testcase classname=\"04-demo\" name=\"hello\" time=\"0\"/>\n"
	"    <testcase classname=\"04-demo\" name=\"rax42\" time=\"0\">\n"
	"      <failure message=\"rax is 0x7, not 0x2a\" type=\"check\">check: RAX is 42 at exit\n"
	"message: rax is 0x7, not 0x2a\n"
	"expected: rax = 0x2a (42)\n"
	"actual: rax = 0x7 (7)\n"
	"hint: Put 42 in RAX before hlt.</failure>\n"
	"    </testcase>\n"
	"    <testcase classname=\"04-demo\" name=\"mem42\" time=\"0\">\n"
	"      <skipped message=\"depends on rax42\"/>\n"
	"    </testcase>\n"
	"    <testcase classname=\"04-demo\" name=\"mapped\" time=\"0\">\n"
	"      <failure message=\"it maps to 0x300000, not 0x200000\" type=\"check\">"
	"check: maps 0x400000\n"
	"message: it maps to 0x300000, not 0x200000\n"
	"walk of 0x400000:\n"
	"  PML4[0] at 0x1000\n"
	"expected: 0x400000 -&gt; 0x200000 with P RW\n"
	"actual: 0x400000 -&gt; 0x300000 with P\n"
	"hint: Check &lt;RW&gt; &amp; &quot;US&quot; in #every level\\</failure>\n"
	"    </testcase>\n"
	"    <testcase classname=\"04-demo\" name=\"secret\" time=\"0\"/>\n"
	"    <system-out>guest.c:3: warning: unused variable &apos;x&apos;\n</system-out>\n"
	"  </testsuite>\n"
	"</testsuites>\n";

static const char expected_gradescope[] =
	"{\n"
	"  \"score\": 10,\n"
	"  \"execution_time\": 0.250,\n"
	"  \"output\": \"Lab 04-demo: Demo & <test>\\nAutograder score: 10/30\\n\\nBuild output:\\n"
	"guest.c:3: warning: unused variable 'x'\\n\",\n"
	"  \"output_format\": \"text\",\n"
	"  \"tests\": [\n"
	"    {\n"
	"      \"name\": \"hello: prints Hello, world!\",\n"
	"      \"number\": \"1\",\n"
	"      \"score\": 5,\n"
	"      \"max_score\": 5,\n"
	"      \"status\": \"passed\",\n"
	"      \"output\": \"\",\n"
	"      \"visibility\": \"visible\"\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"rax42: RAX is 42 at exit\",\n"
	"      \"number\": \"2\",\n"
	"      \"score\": 0,\n"
	"      \"max_score\": 10,\n"
	"      \"status\": \"failed\",\n"
	"      \"output\": \"rax is 0x7, not 0x2a\\nExpected: rax = 0x2a (42)\\n"
	"Actual:   rax = 0x7 (7)\\nHint:     Put 42 in RAX before hlt.\\n\",\n"
	"      \"visibility\": \"visible\"\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"mem42: 42 at 0x400\",\n"
	"      \"number\": \"3\",\n"
	"      \"score\": 0,\n"
	"      \"max_score\": 5,\n"
	"      \"status\": \"failed\",\n"
	"      \"output\": \"Skipped: depends on rax42\\n\",\n"
	"      \"visibility\": \"visible\"\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"mapped: maps 0x400000\",\n"
	"      \"number\": \"4\",\n"
	"      \"score\": 0,\n"
	"      \"max_score\": 5,\n"
	"      \"status\": \"failed\",\n"
	"      \"output\": \"it maps to 0x300000, not 0x200000\\nwalk of 0x400000:\\n"
	"  PML4[0] at 0x1000\\nExpected: 0x400000 -> 0x200000 with P RW\\n"
	"Actual:   0x400000 -> 0x300000 with P\\n"
	"Hint:     Check <RW> & \\\"US\\\" in #every level\\\\\\n\",\n"
	"      \"visibility\": \"hidden\"\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"secret\",\n"
	"      \"number\": \"5\",\n"
	"      \"score\": 5,\n"
	"      \"max_score\": 5,\n"
	"      \"status\": \"passed\",\n"
	"      \"output\": \"\",\n"
	"      \"visibility\": \"after_due_date\"\n"
	"    }\n"
	"  ]\n"
	"}\n";

/* GitHub Classroom's reporter payload (report_classroom.c) */
static const char expected_classroom[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"status\": \"fail\",\n"
	"  \"max_score\": 30,\n"
	"  \"tests\": [\n"
	"    {\n"
	"      \"name\": \"hello: prints Hello, world!\",\n"
	"      \"status\": \"pass\",\n"
	"      \"score\": 5,\n"
	"      \"message\": \"\",\n"
	"      \"line_no\": 0,\n"
	"      \"execution_time\": 0.000\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"rax42: RAX is 42 at exit\",\n"
	"      \"status\": \"fail\",\n"
	"      \"score\": 0,\n"
	"      \"message\": \"rax is 0x7, not 0x2a\\nExpected: rax = 0x2a (42)\\nActual:   rax = 0x7 (7)\\nHint:     Put 42 in RAX before hlt.\",\n"
	"      \"line_no\": 0,\n"
	"      \"execution_time\": 0.000\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"mem42: 42 at 0x400\",\n"
	"      \"status\": \"fail\",\n"
	"      \"score\": 0,\n"
	"      \"message\": \"Skipped: depends on rax42\",\n"
	"      \"line_no\": 0,\n"
	"      \"execution_time\": 0.000\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"mapped: maps 0x400000\",\n"
	"      \"status\": \"fail\",\n"
	"      \"score\": 0,\n"
	"      \"message\": \"it maps to 0x300000, not 0x200000\\nwalk of 0x400000:\\n  PML4[0] at 0x1000\\nExpected: 0x400000 -> 0x200000 with P RW\\nActual:   0x400000 -> 0x300000 with P\\nHint:     Check <RW> & \\\"US\\\" in #every level\\\\\",\n"
	"      \"line_no\": 0,\n"
	"      \"execution_time\": 0.000\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"secret\",\n"
	"      \"status\": \"pass\",\n"
	"      \"score\": 5,\n"
	"      \"message\": \"\",\n"
	"      \"line_no\": 0,\n"
	"      \"execution_time\": 0.000\n"
	"    }\n"
	"  ]\n"
	"}\n";

static char *render(const struct lab_report *r, enum lab_report_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int ret;

	if (!out)
		return NULL;
	ret = lab_report_write(r, f, out);
	fclose(out);
	CHECK(ret == 0);
	return buf;
}

static void compare(const char *what, const char *got, const char *want)
{
	size_t i = 0;

	if (got && strcmp(got, want) == 0) {
		check_passed++;
		return;
	}
	while (got && got[i] && got[i] == want[i])
		i++;
	check_fail(__FILE__, __LINE__, what, "differs at byte %zu\n--- got:\n%s\n--- expected:\n%s",
		   i, got ? got : "(null)", want);
}

static void test_formats(void)
{
	static const char *const want[LAB_REPORT__COUNT] = {
		[LAB_REPORT_TEXT] = expected_text, [LAB_REPORT_TAP] = expected_tap,
		[LAB_REPORT_JUNIT] = expected_junit, [LAB_REPORT_GRADESCOPE] = expected_gradescope,
		[LAB_REPORT_TAP13] = expected_tap13, [LAB_REPORT_CLASSROOM] = expected_classroom,
	};
	struct lab_report r;
	enum lab_report_format f;
	char *out;

	/* tap13 is tap with another version line */
	snprintf(expected_tap13, sizeof(expected_tap13), "TAP version 13%s",
		 expected_tap + strlen("TAP version 14"));
	fill(&r, false);
	for (int i = 0; i < LAB_REPORT__COUNT; i++) {
		out = render(&r, (enum lab_report_format)i);
		compare(lab_reporters[i]->name, out, want[i]);
		free(out);
	}
	/* the instructor's text view details hidden checks too, marked */
	r.view = LAB_VIEW_INSTRUCTOR;
	out = render(&r, LAB_REPORT_TEXT);
	CHECK(out && strstr(out, "FAIL  mapped     0/5  [hidden] maps 0x400000\n"
			    "        it maps to 0x300000, not 0x200000\n"
			    "        walk of 0x400000:\n"
			    "          PML4[0] at 0x1000\n"));
	CHECK(out && !strstr(out, "Hidden checks"));
	free(out);
	/* after the due date: the after_due_date check in full, the hidden one counted */
	r.view = LAB_VIEW_AFTER_DUE;
	out = render(&r, LAB_REPORT_TEXT);
	CHECK(out && strstr(out, "PASS  secret     5/5  secret\n"));
	CHECK(out && !strstr(out, "mapped") && !strstr(out, "RW"));
	CHECK(out && strstr(out, "Hidden checks: 1 (0 passed, 1 not), 0/5 points\n"));
	free(out);
	/* a student's TAP: the plan counts what is shown, the rest is one comment */
	r.view = LAB_VIEW_STUDENT;
	out = render(&r, LAB_REPORT_TAP);
	CHECK(out && strstr(out, "# not shown (student view): 2 checks, 5/10 points\n1..3\n"));
	CHECK(out && !strstr(out, "mapped") && !strstr(out, "secret") &&
	      strstr(out, "ok 3 - mem42: 42 at 0x400 # SKIP depends on rax42\n"));
	free(out);
	for (int v = LAB_VIEW_STUDENT; v < LAB_VIEW__COUNT; v++) {
		enum lab_view back;

		CHECK(lab_view_parse(lab_view_name((enum lab_view)v), &back) == 0 && (int)back == v);
	}
	CHECK(lab_view_parse("auto", &r.view) < 0 && lab_view_parse("teacher", &r.view) < 0);
	CHECK(lab_report_format_parse("junit", &f) == 0 && f == LAB_REPORT_JUNIT);
	CHECK(lab_report_format_parse("xml", &f) < 0);
	CHECK(lab_report_write(&r, LAB_REPORT__COUNT, stdout) < 0);
}

int main(int argc, char **argv)
{
	struct lab_report r;
	enum lab_report_format f;

	if (argc >= 3 && strcmp(argv[1], "--emit") == 0) {
		if (lab_report_format_parse(argv[2], &f) < 0) {
			fprintf(stderr, "unknown format %s\n", argv[2]);
			return 2;
		}
		fill(&r, argc > 3 && strcmp(argv[3], "nasty") == 0);
		return lab_report_write(&r, f, stdout) == 0 ? 0 : 1;
	}
	test_formats();
	return check_summary();
}
