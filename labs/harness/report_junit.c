/* report_junit.c - JUnit XML: one testsuite per lab, one testcase per check (hidden ones too).
 *
 * Layout follows the common JUnit schema (Jenkins junit-10.xsd): testsuites (name,
 * tests, failures, errors, time; that schema has no skipped there) >
 * testsuite (name, tests, failures, errors, skipped, time) > properties,
 * testcase (classname = lab id, name = check id, time) with <failure> or
 * <skipped>, then system-out (build output) and system-err (run error).
 */
#include <string.h>

#include "report.h"

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	lab_fput_xml(out, value, true);
	fputc('"', out);
}

static void property(FILE *out, const char *name, const char *value)
{
	fputs("      <property", out);
	attr(out, "name", name);
	attr(out, "value", value);
	fputs("/>\n", out);
}

static void failure_text(FILE *out, const struct lab_check_result *res)
{
	static const char *const labels[] = { "check", "message", "expected", "actual", "cause",
					      "hint" };
	const char *values[] = { res->check->name, res->message, res->expected, res->actual,
				 res->cause, res->check->hint };
	bool first = true;

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (!values[i] || !*values[i])
			continue;
		fprintf(out, "%s%s: ", first ? "" : "\n", labels[i]);
		lab_fput_xml(out, values[i], false);
		first = false;
	}
}

static void testcase(FILE *out, const char *lab_id, const struct lab_check_result *res)
{
	const char *msg = res->message ? res->message : "";
	size_t line = strcspn(msg, "\n");
	char first[512];

	fputs("    <testcase", out);
	attr(out, "classname", lab_id);
	attr(out, "name", res->check->id);
	fputs(" time=\"0\"", out);
	if (res->status == LAB_PASS) {
		fputs("/>\n", out);
		return;
	}
	fputs(">\n", out);
	snprintf(first, sizeof(first), "%.*s", (int)line, msg);
	if (res->status == LAB_SKIP) {
		fputs("      <skipped", out);
		attr(out, "message", first);
		fputs("/>\n", out);
	} else {
		fputs("      <failure", out);
		attr(out, "message", first);
		attr(out, "type", "check");
		fputs(">", out);
		failure_text(out, res);
		fputs("</failure>\n", out);
	}
	fputs("    </testcase>\n", out);
}

static int write_junit(const struct lab_report *r, FILE *out)
{
	size_t failures = 0, skipped = 0, tests = 0;
	struct lab_withheld w;
	char num[64];

	for (size_t i = 0; i < r->nresults; i++) {
		if (!lab_report_shows(r, r->results[i].check))
			continue;
		tests++;
		failures += r->results[i].status == LAB_FAIL;
		skipped += r->results[i].status == LAB_SKIP;
	}
	lab_report_withheld(r, &w);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fputs("<testsuites", out);
	attr(out, "name", "kvmlab");
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"", tests, failures);
	lab_fput_seconds(out, r->seconds);
	fputs("\">\n", out);
	fputs("  <testsuite", out);
	attr(out, "name", r->lab_id);
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"",
		tests, failures, skipped);
	lab_fput_seconds(out, r->seconds);
	fputs("\">\n", out);
	fputs("    <properties>\n", out);
	property(out, "title", r->lab_title ? r->lab_title : "");
	if (r->submission)
		property(out, "submission", r->submission);
	snprintf(num, sizeof(num), "%u", r->score);
	property(out, "score", num);
	snprintf(num, sizeof(num), "%u", r->max_score);
	property(out, "max_score", num);
	if (w.count) {
		snprintf(num, sizeof(num), "%u checks, %u/%u points", w.count, w.score, w.max_score);
		property(out, "not_shown", num);
	}
	fputs("    </properties>\n", out);
	for (size_t i = 0; i < r->nresults; i++)
		if (lab_report_shows(r, r->results[i].check))
			testcase(out, r->lab_id, &r->results[i]);
	if (r->build_log && *r->build_log) {
		fputs("    <system-out>", out);
		lab_fput_xml(out, r->build_log, false);
		fputs("</system-out>\n", out);
	}
	if ((r->run_error && *r->run_error) || (r->nodev && *r->nodev)) {
		fputs("    <system-err>", out);
		lab_fput_xml(out, r->run_error ? r->run_error : "", false);
		if (r->nodev && *r->nodev) {
			fputs(r->run_error && *r->run_error ? "\n" : "", out);
			fputs("Ports with no device (the guest used them; nothing answered):\n", out);
			lab_fput_xml(out, r->nodev, false);
		}
		fputs("</system-err>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return 0;
}

const struct lab_reporter lab_report_junit = {
	.name = "junit",
	.write = write_junit,
};
