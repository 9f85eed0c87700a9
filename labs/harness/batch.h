/* batch.h - the grading engine for a class: a folder of submissions, each graded in a
 * process of its own with CPU, memory, file-size, output and wall-clock limits, so that
 * one crashing, hanging or flooding submission cannot stop the others.
 *
 * lab_batch_run() schedules; lab_batch_child_start() and lab_batch_child_poll() are the
 * one place a submission leaves the grader's process (the seam for a sandbox): the child
 * runs lab_grade() (grade.h) and reports its result on a pipe; only what arrives there,
 * and how the child ended, becomes the result.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "report.h"
#include "runner.h"

#define LAB_BATCH_MAX_JOBS 64

enum lab_batch_status {
	LAB_BATCH_OK,            /* graded (the score says how well) */
	LAB_BATCH_ERROR,         /* graded below full marks with a build or run error, or no
				  * process could be started */
	LAB_BATCH_LOAD_ERROR,    /* the lab file could not be loaded */
	LAB_BATCH_HOST_ERROR,    /* KVM is missing */
	LAB_BATCH_CRASHED,       /* the grading process died (a signal) or gave no result */
	LAB_BATCH_TIMEOUT,       /* killed at the wall-clock limit */
	LAB_BATCH_FLOOD,         /* killed for writing too much */
	LAB_BATCH_REPORT_ERROR,  /* graded, but its report (report_dir) could not be written */
	LAB_BATCH_REJECTED,      /* its archive was refused when it was unpacked (intake.h) */
	LAB_BATCH__COUNT,
};

/* "ok", "error", "load_error", "host_error", "crashed", "timeout", "flood", "report_error",
 * "rejected". */
const char *lab_batch_status_name(enum lab_batch_status s);

struct lab_batch_result {
	char name[256];          /* the submission's folder name */
	char path[PATH_MAX];
	unsigned score, max;
	enum lab_batch_status status;
	char reason[512];        /* "" or why: build or run error, signal, limit */
	double seconds;
	bool decided;            /* given in lab_batch_opts.decided: never graded */
};

struct lab_batch_opts {
	const char *lab;                  /* the lab.yaml */
	const char *dir;                  /* a folder of submission folders */
	enum lab_report_format fmt;
	const char *report_dir;           /* one report per submission (NAME.txt, .tap, ...), or NULL */
	unsigned jobs;                    /* 1 to LAB_BATCH_MAX_JOBS at a time */
	unsigned shard_k, shard_n;        /* only the K-th of N (names sorted, index % N == K-1); 0: all */
	unsigned timeout_s;               /* wall-clock limit per submission (CPU: 5 s more) */
	enum lab_view view;               /* who the reports are for (report.h) */
	struct lab_runner_opts runner;    /* the sandbox policy and the KVM device (runner.h) */
	/* results decided before grading (archives refused at intake, intake.h): sorted and
	 * sharded with the folders, reported as they are */
	const struct lab_batch_result *decided;
	size_t ndecided;
	/* called as each submission is graded (may be NULL) */
	void (*progress)(void *ctx, size_t done, size_t total, const struct lab_batch_result *r);
	void *ctx;
};

struct lab_batch {
	const char *lab;                  /* the options' lab and shard, for the summaries */
	unsigned shard_k, shard_n;
	struct lab_batch_result *subs;    /* sorted by name */
	size_t count;
	unsigned max;                     /* the lab's points */
	unsigned full_marks;              /* submissions with score == max */
	unsigned failed;                  /* submissions whose status is not ok */
	unsigned report_errors;           /* of them, those whose report could not be written */
	double seconds;
	char error[512];                  /* for a -errno return */
	bool lab_failed;                  /* it is the lab file's error (file:line:column: ...) */
};

/* Grade every folder in o->dir (every submission gets a result).  0, or -errno with
 * b->error saying why: -EINVAL bad options, the lab file's error, o->dir unreadable,
 * -EPERM a host that cannot sandbox student code (runner.h's policy requires it),
 * -ENOMEM.  Free with lab_batch_free. */
int lab_batch_run(const struct lab_batch_opts *o, struct lab_batch *b);
void lab_batch_free(struct lab_batch *b);

/* One submission being graded in a child process. */
struct lab_batch_child {
	pid_t pid;
	int out_fd, res_fd;               /* its stdout+stderr (counted, not kept), its result */
	size_t out_bytes;
	char res[1024];
	size_t res_len;
	double start;
	bool flooded, timed_out;
};

/* Start grading r (r->name, r->path) in a child process with the limits; 0 or -errno. */
int lab_batch_child_start(const struct lab_batch_opts *o, const struct lab_batch_result *r,
			  struct lab_batch_child *c);

/* Read what the child sent, enforce the limits; true once it has ended and r is filled
 * (status, score, max, reason, seconds; max defaults to the lab's points, max). */
bool lab_batch_child_poll(const struct lab_batch_opts *o, struct lab_batch_child *c,
			  unsigned max, struct lab_batch_result *r);

/* The summaries: CSV (submission,score,max,status,reason) and JSON; 0 or -errno. */
int lab_batch_write_csv(const struct lab_batch *b, FILE *f);
int lab_batch_write_json(const struct lab_batch *b, FILE *f);
