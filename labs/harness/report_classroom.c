/* report_classroom.c - the result GitHub Classroom's autograding reads: the JSON payload of a
 * test runner that classroom-resources/autograding-grading-reporter takes (base64, in the
 * environment variable RUNNER_RESULTS) and sums into "Points N/M" on the run's check.
 *
 * Top level: version 1, status ("pass" when every check passed, else "fail"; "error" when
 * the submission could not be built or run), max_score, tests.  Each test: name, status
 * ("pass"/"fail"), score (points earned), message (for a failure: message, expected, actual,
 * hint), line_no 0, execution_time.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#include "labbuf.h"
#include "report.h"

static char *message(const struct lab_check_result *res)
{
	struct labbuf b = { 0 };

	if (res->status == LAB_PASS)
		return labbuf_take(&b);
	labbuf_printf(&b, "%s%s", res->status == LAB_SKIP ? "Skipped: " : "",
		      res->message ? res->message : "failed");
	if (res->expected)
		labbuf_printf(&b, "\nExpected: %s", res->expected);
	if (res->actual)
		labbuf_printf(&b, "\nActual:   %s", res->actual);
	if (res->cause)
		labbuf_printf(&b, "\nCause:    %s", res->cause);
	if (res->check->hint)
		labbuf_printf(&b, "\nHint:     %s", res->check->hint);
	return labbuf_take(&b);
}

/* One test of the payload; 0 or -ENOMEM. */
static int add_test(struct json_object *tests, const char *name, bool pass, unsigned score,
		    const char *msg)
{
	struct json_object *t = json_object_new_object();
	int err = 0;

	err |= lab_json_add(t, "name", lab_json_text(name));
	err |= lab_json_add(t, "status", lab_json_text(pass ? "pass" : "fail"));
	err |= lab_json_add(t, "score", json_object_new_int64(score));
	err |= lab_json_add(t, "message", lab_json_text(msg ? msg : ""));
	err |= lab_json_add(t, "line_no", json_object_new_int(0));
	err |= lab_json_add(t, "execution_time", lab_json_seconds(0));
	err |= lab_json_append(tests, t);
	return err;
}

static int write_classroom(const struct lab_report *r, FILE *out)
{
	struct json_object *doc = json_object_new_object(), *tests = json_object_new_array();
	struct lab_withheld w;
	bool all = true;
	int err = 0;

	for (size_t i = 0; i < r->nresults; i++) {
		const struct lab_check_result *res = &r->results[i];
		char name[512], *m;

		all &= res->status == LAB_PASS;
		if (!lab_report_shows(r, res->check))
			continue;   /* in the one test of the withheld checks below */
		m = message(res);
		lab_report_test_name(res->check, name, sizeof(name));
		err |= add_test(tests, name, res->status == LAB_PASS, res->score, m);
		free(m);
	}
	lab_report_withheld(r, &w);
	if (w.count) {   /* the reporter adds up the tests' scores: the withheld ones count */
		char msg[128];

		snprintf(msg, sizeof(msg), "%u checks not shown: %u passed, %u not", w.count,
			 w.passed, w.count - w.passed);
		err |= add_test(tests, "hidden checks", w.passed == w.count, w.score, msg);
	}
	err |= lab_json_add(doc, "version", json_object_new_int(1));
	err |= lab_json_add(doc, "status", lab_json_text(r->run_error && *r->run_error && r->score == 0 ?
							  "error" : all ? "pass" : "fail"));
	err |= lab_json_add(doc, "max_score", json_object_new_int64(r->max_score));
	err |= lab_json_add(doc, "tests", tests);
	if (!err)
		err = lab_json_write(doc, out);
	json_object_put(doc);
	return err;
}

const struct lab_reporter lab_report_classroom = {
	.name = "classroom",
	.write = write_classroom,
};
