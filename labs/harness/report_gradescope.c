/* report_gradescope.c - Gradescope's results.json (gradescope-autograders.readthedocs.io, "specs").
 *
 * Top level: score, execution_time, output (lab, total, run error and build
 * output), output_format, tests.  Each test: name, number, score, max_score,
 * status ("passed"/"failed"; a skipped check is failed with 0 points),
 * output (message, expected, actual, hint) and visibility (visible, hidden,
 * after_due_date), which Gradescope applies itself.
 */
#include <stdlib.h>
#include <string.h>

#include "labbuf.h"
#include "report.h"

static void key(FILE *out, const char *indent, const char *k, bool comma)
{
	fprintf(out, "%s%s\"%s\": ", comma ? ",\n" : "", indent, k);
}

static char *test_output(const struct lab_check_result *res)
{
	struct labbuf b = { 0 };

	if (res->status == LAB_SKIP)
		labbuf_printf(&b, "Skipped: %s\n", res->message ? res->message : "");
	else if (res->status == LAB_FAIL && res->message)
		labbuf_printf(&b, "%s\n", res->message);
	if (res->status != LAB_PASS && res->expected)
		labbuf_printf(&b, "Expected: %s\n", res->expected);
	if (res->status != LAB_PASS && res->actual)
		labbuf_printf(&b, "Actual:   %s\n", res->actual);
	if (res->status != LAB_PASS && res->check->hint)
		labbuf_printf(&b, "Hint:     %s\n", res->check->hint);
	return labbuf_take(&b);
}

static char *summary(const struct lab_report *r)
{
	struct labbuf b = { 0 };

	labbuf_printf(&b, "Lab %s: %s\n", r->lab_id, r->lab_title ? r->lab_title : "");
	labbuf_printf(&b, "Autograder score: %u/%u\n", r->score, r->max_score);
	if (r->run_error && *r->run_error)
		labbuf_printf(&b, "\nNot graded in full: %s\n", r->run_error);
	if (r->build_log && *r->build_log)
		labbuf_printf(&b, "\nBuild output:\n%s", r->build_log);
	return labbuf_take(&b);
}

static int write_gradescope(const struct lab_report *r, FILE *out)
{
	char *text = summary(r);

	fputs("{\n", out);
	key(out, "  ", "score", false);
	fprintf(out, "%u", r->score);
	key(out, "  ", "execution_time", true);
	lab_fput_seconds(out, r->seconds);
	key(out, "  ", "output", true);
	lab_fput_json_string(out, text ? text : "");
	free(text);
	key(out, "  ", "output_format", true);
	lab_fput_json_string(out, "text");
	key(out, "  ", "tests", true);
	fputs("[", out);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct lab_check_result *res = &r->results[i];
		char name[512], number[24];
		char *o = test_output(res);

		lab_report_test_name(res->check, name, sizeof(name));
		snprintf(number, sizeof(number), "%zu", i + 1);
		fprintf(out, "%s\n    {\n", i ? "," : "");
		key(out, "      ", "name", false);
		lab_fput_json_string(out, name);
		key(out, "      ", "number", true);
		lab_fput_json_string(out, number);
		key(out, "      ", "score", true);
		fprintf(out, "%u", res->score);
		key(out, "      ", "max_score", true);
		fprintf(out, "%u", res->max_score);
		key(out, "      ", "status", true);
		lab_fput_json_string(out, res->status == LAB_PASS ? "passed" : "failed");
		key(out, "      ", "output", true);
		lab_fput_json_string(out, o ? o : "");
		key(out, "      ", "visibility", true);
		lab_fput_json_string(out, lab_visibility_name(res->check->visibility));
		fputs("\n    }", out);
		free(o);
	}
	fputs(r->nresults ? "\n  ]\n}\n" : "]\n}\n", out);
	return 0;
}

const struct lab_reporter lab_report_gradescope = {
	.name = "gradescope",
	.write = write_gradescope,
};
