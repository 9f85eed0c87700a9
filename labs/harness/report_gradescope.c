/* report_gradescope.c - Gradescope's results.json (gradescope-autograders.readthedocs.io, "specs").
 *
 * Top level: score, execution_time, output (lab, total, run error and build
 * output), output_format, tests.  Each test: name, number, score, max_score,
 * status ("passed"/"failed"; a skipped check is failed with 0 points),
 * output (message, expected, actual, hint) and visibility (visible, hidden,
 * after_due_date), which Gradescope applies itself.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "labbuf.h"
#include "report.h"

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
	if (res->status != LAB_PASS && res->cause)
		labbuf_printf(&b, "Cause:    %s\n", res->cause);
	if (res->status != LAB_PASS && res->check->hint)
		labbuf_printf(&b, "Hint:     %s\n", res->check->hint);
	return labbuf_take(&b);
}

static char *summary(const struct lab_report *r)
{
	struct labbuf b = { 0 };
	struct lab_withheld w;

	lab_report_withheld(r, &w);
	labbuf_printf(&b, "Lab %s: %s\n", r->lab_id, r->lab_title ? r->lab_title : "");
	labbuf_printf(&b, "Autograder score: %u/%u\n", r->score, r->max_score);
	if (w.count)
		labbuf_printf(&b, "Hidden checks: %u (%u passed, %u not), %u/%u points\n", w.count,
			      w.passed, w.count - w.passed, w.score, w.max_score);
	if (r->run_error && *r->run_error)
		labbuf_printf(&b, "\nNot graded in full: %s\n", r->run_error);
	if (r->build_log && *r->build_log)
		labbuf_printf(&b, "\nBuild output:\n%s", r->build_log);
	if (r->nodev && *r->nodev)
		labbuf_printf(&b, "\nPorts with no device (the guest used them; nothing answered):\n%s",
			      r->nodev);
	if (r->output && *r->output && r->score < r->max_score)
		labbuf_printf(&b, "\nGuest output:\n%s", r->output);
	return labbuf_take(&b);
}

/* One check as a Gradescope test. */
static struct json_object *test(const struct lab_check_result *res, size_t i)
{
	struct json_object *t = json_object_new_object();
	char name[512], number[24];
	char *o = test_output(res);
	int err = 0;

	lab_report_test_name(res->check, name, sizeof(name));
	snprintf(number, sizeof(number), "%zu", i + 1);
	err |= lab_json_add(t, "name", lab_json_text(name));
	err |= lab_json_add(t, "number", lab_json_text(number));
	err |= lab_json_add(t, "score", json_object_new_int64(res->score));
	err |= lab_json_add(t, "max_score", json_object_new_int64(res->max_score));
	err |= lab_json_add(t, "status", lab_json_text(res->status == LAB_PASS ? "passed" : "failed"));
	err |= lab_json_add(t, "output", lab_json_text(o));
	err |= lab_json_add(t, "visibility", lab_json_text(lab_visibility_name(res->check->visibility)));
	free(o);
	if (err) {
		json_object_put(t);
		return NULL;
	}
	return t;
}

static int write_gradescope(const struct lab_report *r, FILE *out)
{
	struct json_object *doc = json_object_new_object(), *tests = json_object_new_array();
	char *text = summary(r);
	int err = 0;

	err |= lab_json_add(doc, "score", json_object_new_int64(r->score));
	err |= lab_json_add(doc, "execution_time", lab_json_seconds(r->seconds));
	err |= lab_json_add(doc, "output", lab_json_text(text));
	err |= lab_json_add(doc, "output_format", lab_json_text("text"));
	free(text);
	for (size_t i = 0, n = 0; i < r->nresults; i++)
		if (lab_report_shows(r, r->results[i].check))
			err |= lab_json_append(tests, test(&r->results[i], n++));
	err |= lab_json_add(doc, "tests", tests);
	if (!err)
		err = lab_json_write(doc, out);
	json_object_put(doc);
	return err;
}

const struct lab_reporter lab_report_gradescope = {
	.name = "gradescope",
	.write = write_gradescope,
};
