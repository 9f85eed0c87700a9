/* report.h - one grading result written as text, TAP 14, JUnit XML or Gradescope JSON.
 *
 * Who reads it (enum lab_view): a student before the due date sees the visible checks in
 * full and the others only as a count with their points; after the due date the
 * after_due_date checks too; an instructor every check, each marked with its visibility.
 * Without a view, text is the student's and TAP, JUnit, Gradescope and Classroom list
 * every check (Gradescope hides checks by their visibility itself).
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

/* Who the report is for (labs/README.md, "Reports": what each view shows). */
enum lab_view {
	LAB_VIEW_AUTO,                /* the format's own: text student, the others instructor */
	LAB_VIEW_STUDENT,             /* visible checks in full; the others as a count */
	LAB_VIEW_AFTER_DUE,           /* visible and after_due_date checks; hidden as a count */
	LAB_VIEW_INSTRUCTOR,          /* every check in full, with its visibility */
	LAB_VIEW__COUNT,
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
	enum lab_view view;           /* who reads it; lab_report_write() resolves AUTO */
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

/* "student", "after-due", "instructor" -> view; -EINVAL if unknown. */
int lab_view_parse(const char *name, enum lab_view *out);
const char *lab_view_name(enum lab_view v);

/* Whether r shows check c in full under its view (else it is only counted). */
bool lab_report_shows(const struct lab_report *r, const struct lab_check *c);

/* What r withholds under its view: how many checks, passed, their score and points. */
struct lab_withheld {
	unsigned count, passed, score, max_score;
};
void lab_report_withheld(const struct lab_report *r, struct lab_withheld *w);

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
