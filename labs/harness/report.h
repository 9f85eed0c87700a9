/* report.h - one grading result written as text, TAP 14, JUnit XML or Gradescope JSON.
 *
 * Hidden and after_due_date checks: the text report (what a student reads in
 * a terminal) shows them only as counts unless show_hidden is set; TAP and
 * JUnit (for CI and instructors) list every check; Gradescope gets every
 * check with its visibility and hides them itself.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "check.h"

enum lab_report_format {
	LAB_REPORT_TEXT,
	LAB_REPORT_TAP,
	LAB_REPORT_JUNIT,
	LAB_REPORT_GRADESCOPE,
	LAB_REPORT_TAP13,             /* TAP with "TAP version 13", for older harnesses (prove < 3.48) */
	LAB_REPORT_CLASSROOM,         /* GitHub Classroom's autograding reporter (report_classroom.c) */
	LAB_REPORT__COUNT,
};

struct lab_report {
	const char *lab_id;
	const char *lab_title;
	const char *submission;       /* name shown for the submission, or NULL */
	const struct lab_check_result *results;
	size_t nresults;
	unsigned score, max_score;    /* lab_report_init() sums them */
	const char *build_log;        /* compiler output, or NULL */
	const char *run_error;        /* why the build or run failed, NULL or "" if it did not */
	const char *nodev;            /* ports no device claims the guest used, a line each, or NULL */
	const char *output;           /* the guest's output as the student sees it (kvmlab's own
				       * handlers' text labelled), shown below full marks; or NULL */
	double seconds;               /* time taken to build, run and check */
	bool show_hidden;             /* text: detail hidden checks too (instructor view) */
};

struct lab_reporter {
	const char *name;             /* "text", "tap", "junit", "gradescope", "tap13" */
	int (*write)(const struct lab_report *r, FILE *out);
};

extern const struct lab_reporter *const lab_reporters[LAB_REPORT__COUNT];
extern const struct lab_reporter lab_report_text, lab_report_tap, lab_report_junit,
	lab_report_gradescope, lab_report_tap13, lab_report_classroom;

/* Fill r from a lab and its results (ids, title, totals); other fields zero. */
void lab_report_init(struct lab_report *r, const struct lab *lab,
		     const struct lab_check_result *res, size_t n);

/* Write r in format f; 0 or -errno (-EIO when the stream failed). */
int lab_report_write(const struct lab_report *r, enum lab_report_format f, FILE *out);

/* Flush out: 0, or -errno if writing to it failed at any point (-EIO if the cause is gone). */
int lab_fflush(FILE *out);

/* "text", "tap", "junit", "gradescope", "tap13", "classroom" -> format; -EINVAL if unknown. */
int lab_report_format_parse(const char *name, enum lab_report_format *out);

/* Shared by the writers: a check's display name "id: name" (or "id" when they match). */
void lab_report_test_name(const struct lab_check *c, char *buf, size_t len);

/* seconds as "1.250" whatever LC_NUMERIC says (JSON and XML need the dot). */
void lab_fput_seconds(FILE *out, double seconds);

/* Escapers: UTF-8 passes, invalid bytes and control characters are shown as \xNN. */
void lab_fput_yaml_string(FILE *out, const char *s);      /* double-quoted, YAMLish-safe */
void lab_fput_xml(FILE *out, const char *s, bool attribute);
void lab_fput_text(FILE *out, const char *s, size_t n);   /* n bytes for a terminal */

/* JSON documents (Gradescope's results.json, batch summaries) are built with json-c. */
struct json_object;

/* A JSON string of s (NULL: ""), its invalid UTF-8 bytes shown as \xNN text; NULL if out of memory. */
struct json_object *lab_json_text(const char *s);

/* seconds as a JSON number written "1.250" (milliseconds); NULL if out of memory. */
struct json_object *lab_json_seconds(double seconds);

/* Add val to object obj under key, or to array; 0, or -ENOMEM (val, even NULL, is taken). */
int lab_json_add(struct json_object *obj, const char *key, struct json_object *val);
int lab_json_append(struct json_object *array, struct json_object *val);

/* Write doc indented, with a final newline, and flush; 0 or -errno. */
int lab_json_write(struct json_object *doc, FILE *out);
