/* report_tap.c - TAP version 14: one test point per check, every check (hidden ones too).
 *
 * A failed check carries a YAML diagnostic block (indented two spaces,
 * between "---" and "...") with message, expected, actual, hint and points,
 * every string double-quoted (multi-line text as \n) so that TAP13
 * YAMLish readers parse it too;
 * a check skipped for its dependency is "ok N - ... # SKIP depends on X".
 * Build output and run errors go in "#" comment lines before the plan.
 */
#include <string.h>

#include "report.h"

/* A test point description: one line, with '#' and '\' escaped as TAP 14 asks. */
static void description(FILE *out, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "#\\\n\r");

		lab_fput_text(out, s, n);
		s += n;
		if (!*s)
			break;
		if (*s == '#' || *s == '\\')
			fputc('\\', out);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
		s++;
	}
}

/* Double-quoted with \n, \t, \xNN escapes only: real YAML and TAP13's YAMLish read it alike. */
static void yaml_field(FILE *out, const char *key, const char *s)
{
	if (!s)
		return;
	fprintf(out, "  %s: ", key);
	lab_fput_yaml_string(out, s);
	fputc('\n', out);
}

static void comment_lines(FILE *out, const char *title, const char *text)
{
	if (!text || !*text)
		return;
	fprintf(out, "# %s\n", title);
	while (*text) {
		size_t n = strcspn(text, "\n");

		fputs("# ", out);
		lab_fput_text(out, text, n);
		fputc('\n', out);
		text += n + (text[n] == '\n');
	}
}

static int write_tap(const struct lab_report *r, FILE *out, int version)
{
	struct lab_withheld w;
	size_t n = 0;

	lab_report_withheld(r, &w);
	fprintf(out, "TAP version %d\n", version);
	fprintf(out, "# lab %s: ", r->lab_id);
	description(out, r->lab_title ? r->lab_title : "");
	if (r->submission) {
		fputs("\n# submission: ", out);
		description(out, r->submission);
	}
	fputc('\n', out);
	if (r->run_error && *r->run_error)
		comment_lines(out, "not graded in full:", r->run_error);
	comment_lines(out, "build output:", r->build_log);
	if (w.count)
		fprintf(out, "# not shown (%s view): %u checks, %u/%u points\n",
			lab_view_name(r->view), w.count, w.score, w.max_score);
	fprintf(out, "1..%zu\n", r->nresults - w.count);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct lab_check_result *res = &r->results[i];
		const struct lab_check *c = res->check;
		char name[512];

		if (!lab_report_shows(r, c))
			continue;
		lab_report_test_name(c, name, sizeof(name));
		fprintf(out, "%s %zu - ", res->status == LAB_FAIL ? "not ok" : "ok", ++n);
		description(out, name);
		if (res->status == LAB_SKIP) {
			fputs(" # SKIP ", out);
			description(out, res->message ? res->message : "");
		}
		fputc('\n', out);
		if (res->status != LAB_FAIL)
			continue;
		fprintf(out, "  ---\n");
		yaml_field(out, "message", res->message);
		yaml_field(out, "expected", res->expected);
		yaml_field(out, "actual", res->actual);
		yaml_field(out, "cause", res->cause);
		yaml_field(out, "hint", c->hint);
		fprintf(out, "  points: %u\n  max_points: %u\n", res->score, res->max_score);
		if (c->visibility != LAB_VISIBLE)
			fprintf(out, "  visibility: %s\n", lab_visibility_name(c->visibility));
		fprintf(out, "  ...\n");
	}
	for (const char *p = r->nodev; p && *p;) {   /* a diagnostic line per port */
		size_t n = strcspn(p, "\n");

		fputs("# no device on ", out);
		lab_fput_text(out, p, n);
		fputc('\n', out);
		p += n + (p[n] == '\n');
	}
	fprintf(out, "# score: %u/%u\n", r->score, r->max_score);
	return 0;
}

static int write_tap14(const struct lab_report *r, FILE *out)
{
	return write_tap(r, out, 14);
}

static int write_tap13(const struct lab_report *r, FILE *out)
{
	return write_tap(r, out, 13);
}

const struct lab_reporter lab_report_tap = {
	.name = "tap",
	.write = write_tap14,
};

/* The same stream announced as version 13: Test::Harness before 3.48 (Debian 12's prove)
 * rejects "TAP version 14" as a parse error, though it reads everything else here. */
const struct lab_reporter lab_report_tap13 = {
	.name = "tap13",
	.write = write_tap13,
};
