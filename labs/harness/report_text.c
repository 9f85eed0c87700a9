/* report_text.c - the report a student reads in a terminal.
 *
 *   PASS  hello    10/10  prints Hello, world!
 *   FAIL  exit42    0/10  RAX is 42 at exit
 *           rax is 0x7, not 0x2a
 *           expected: rax = 0x2a (42)
 *           actual:   rax = 0x7 (7)
 *           hint:     Put 42 in RAX before hlt.
 *
 * Checks the report's view withholds (report.h) appear only as a count with their points;
 * the instructor's view marks each check that is not visible with its visibility.
 */
#include <string.h>

#include "report.h"

#define INDENT "        "

/* text with every line after the first starting with indent; control bytes shown as \xNN */
static void put_lines(FILE *out, const char *text, const char *indent)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		lab_fput_text(out, p, n);
		p += n;
		if (!*p)
			break;
		fputc('\n', out);
		if (*++p)
			fputs(indent, out);
	}
	if (*text && text[strlen(text) - 1] != '\n')
		fputc('\n', out);
}

/* "        label: text", continuation lines under the text. */
static void field(FILE *out, const char *label, const char *text)
{
	char indent[64];

	if (!text || !*text)
		return;
	snprintf(indent, sizeof(indent), INDENT "%*s", (int)strlen(label), "");
	fprintf(out, INDENT "%s", label);
	put_lines(out, text, indent);
}

static void block(FILE *out, const char *title, const char *text)
{
	if (!text || !*text)
		return;
	fprintf(out, "%s\n  ", title);
	put_lines(out, text, "  ");
	fputc('\n', out);
}

static void one(FILE *out, const struct lab_check_result *res, int idw, bool marked)
{
	const struct lab_check *c = res->check;
	char pts[32];

	snprintf(pts, sizeof(pts), "%u/%u", res->score, res->max_score);
	fprintf(out, "%s  %-*s %7s  ", lab_status_name(res->status), idw, c->id, pts);
	if (marked && c->visibility != LAB_VISIBLE)
		fprintf(out, "[%s] ", c->visibility == LAB_HIDDEN ? "hidden" : "after the due date");
	put_lines(out, c->name ? c->name : c->id, INDENT);
	if (res->status == LAB_SKIP) {
		field(out, "skipped: ", res->message);
		return;
	}
	if (res->status == LAB_PASS)
		return;
	field(out, "", res->message);
	field(out, "expected: ", res->expected);
	field(out, "actual:   ", res->actual);
	field(out, "cause:    ", res->cause);
	field(out, "hint:     ", c->hint);
}

static int write_text(const struct lab_report *r, FILE *out)
{
	struct lab_withheld w;
	int idw = 2;

	fprintf(out, "Lab %s: ", r->lab_id);
	put_lines(out, r->lab_title ? r->lab_title : "", "  ");
	if (r->submission) {
		fputs("Submission: ", out);
		put_lines(out, r->submission, "  ");
	}
	fputc('\n', out);
	if (r->run_error && *r->run_error) {
		fputs("Not graded in full: ", out);
		put_lines(out, r->run_error, "  ");
		fputc('\n', out);
	}
	block(out, "Build output:", r->build_log);
	block(out, "Ports with no device (the guest used them; nothing answered):", r->nodev);
	if (r->score < r->max_score)
		block(out, "Guest output:", r->output);
	for (size_t i = 0; i < r->nresults; i++) {
		int n = (int)strlen(r->results[i].check->id);

		if (lab_report_shows(r, r->results[i].check) && n > idw)
			idw = n > 24 ? 24 : n;
	}
	for (size_t i = 0; i < r->nresults; i++) {
		const struct lab_check_result *res = &r->results[i];

		if (lab_report_shows(r, res->check))
			one(out, res, idw, r->view == LAB_VIEW_INSTRUCTOR);
	}
	lab_report_withheld(r, &w);
	if (w.count)
		fprintf(out, "\nHidden checks: %u (%u passed, %u not), %u/%u points\n", w.count,
			w.passed, w.count - w.passed, w.score, w.max_score);
	fprintf(out, "\nTotal: %u/%u points\n", r->score, r->max_score);
	return 0;
}

const struct lab_reporter lab_report_text = {
	.name = "text",
	.write = write_text,
};
