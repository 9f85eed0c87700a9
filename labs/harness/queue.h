/* queue.h - the grading service's submissions, kept in SQLite so that a restart or a crash
 * loses none and grades none twice.
 *
 * A submission is a row: course, lab, student, the archive's path, its state (queued ->
 * running -> done) and, once done, its score, status, reason, its reports in every format
 * and one row per check.  Claiming the next queued row and recording a result are single
 * statements (UPDATE ... RETURNING; UPDATE ... WHERE state = 'running' AND attempt = ours),
 * so two workers never take the same row and a result is recorded once.  Opened with
 * recover, the queue puts rows left 'running' by a process that died back to 'queued'
 * (nothing of them was recorded); the next claim counts another attempt.
 *
 * One lab_queue per thread (each is one SQLite connection, WAL journal, busy timeout).
 * Functions return 0 or -errno (-EIO for an SQLite error, with lab_queue_error()).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lab_queue;

enum lab_queue_state { LAB_QUEUE_QUEUED, LAB_QUEUE_RUNNING, LAB_QUEUE_DONE };

struct lab_queue_sub {
	int64_t id;
	char course[64], lab[128], student[128];
	char archive[4096];
	enum lab_queue_state state;
	unsigned attempts;
	double created, started, finished;   /* seconds since the epoch; 0: not yet */
	unsigned score, max;
	char status[32];                     /* "ok", "error", "rejected", "crashed", "timeout" */
	char reason[512];
};

struct lab_queue_check {
	char name[256];
	double score, max;
	bool passed;
};

/* Open (create) the queue at path.  recover: this process is the service starting, rows left
 * 'running' by a process that died go back to 'queued' (only the service's first opening
 * does it, never a worker's). */
int lab_queue_open(const char *path, bool recover, struct lab_queue **q);
void lab_queue_close(struct lab_queue *q);
const char *lab_queue_error(struct lab_queue *q);
const char *lab_queue_state_name(enum lab_queue_state s);

/* A new queued submission; its id in *id. */
int lab_queue_submit(struct lab_queue *q, const char *course, const char *lab, const char *student,
		     const char *archive, int64_t *id);
/* A re-grade: a new queued submission of the same archive; -ENOENT if none in course. */
int lab_queue_regrade(struct lab_queue *q, const char *course, int64_t of, int64_t *id);
/* Claim the oldest queued submission: 0 with s filled, -ENOENT when none is queued. */
int lab_queue_claim(struct lab_queue *q, struct lab_queue_sub *s);
/* Record the result of a claimed submission (its reports: text, tap, junit, gradescope,
 * each NULL-able) and its checks; -ESTALE if it is not running under this attempt. */
int lab_queue_finish(struct lab_queue *q, const struct lab_queue_sub *s,
		     const char *const reports[4], const struct lab_queue_check *checks, size_t n);
/* One submission of course; -ENOENT when none. */
int lab_queue_get(struct lab_queue *q, const char *course, int64_t id, struct lab_queue_sub *s);
/* Report `format` (0 text, 1 tap, 2 junit, 3 gradescope) of a done submission, malloc'ed. */
int lab_queue_report(struct lab_queue *q, const char *course, int64_t id, int format, char **text);
/* Submissions of course in `state` (or every student's latest when latest), newest first,
 * at most max; *n found.  lab: NULL for all. */
int lab_queue_list(struct lab_queue *q, const char *course, const char *lab, bool latest,
		   enum lab_queue_state state, struct lab_queue_sub *subs, size_t max, size_t *n);
/* The checks of a done submission, at most max. */
int lab_queue_checks(struct lab_queue *q, int64_t id, struct lab_queue_check *c, size_t max,
		     size_t *n);
/* Submissions a student of course made since `since` (for the rate limit), and queued
 * ones of the course. */
int lab_queue_count_since(struct lab_queue *q, const char *course, const char *student,
			  double since, unsigned *n);
int lab_queue_count_queued(struct lab_queue *q, const char *course, unsigned *n);
/* Counts of every state, all courses. */
int lab_queue_counts(struct lab_queue *q, unsigned counts[3]);
