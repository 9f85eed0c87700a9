/* service.h - `kvmlab serve`: a grading service for a course's machine that has KVM.
 *
 * HTTP (libmicrohttpd) on one address; the API, every request authorised by a course's
 * token (`Authorization: Bearer TOKEN`):
 *   POST /api/v1/submissions?lab=LAB&student=ID   body: the archive (zip or tar[.gz/.bz2/.xz])
 *        -> 201 {"id": N, "state": "queued", ...}; 400 bad lab or id, 401 no or a wrong token,
 *           413 past the upload limit, 429 past the student's rate (Retry-After), 503 the
 *           course's queue is full
 *   GET  /api/v1/submissions/N                     -> {"id", "state", "score", "max", "status",
 *                                                      "reason", "student", "lab", ...}
 *   GET  /api/v1/submissions/N/report?format=F    F: text, tap, junit, gradescope (409 until done)
 *   POST /api/v1/submissions/N/regrade            -> 201, a new submission of the same archive
 *   GET  /api/v1/results[?lab=LAB]                every student's latest result with its checks
 *   GET  /api/v1/health                           counts of queued, running, done (no token)
 * and the instructor's page: /course/NAME?key=TOKEN sets a cookie (HttpOnly, SameSite=Strict)
 * and redirects to /course/NAME[?lab=LAB]: the queue, each student's latest result with its
 * checks, a re-grade button each, the histogram of scores and the pass rate of each check as
 * pictures (/course/NAME/histogram.svg, /course/NAME/checks.svg).
 *
 * Submissions wait in a SQLite queue (queue.h) under data_dir, archives in data_dir/uploads.
 * `jobs` worker threads take them one at a time: the archive is unpacked with limits in a
 * child (intake.h), then graded by the grader program (`kvmlab grade LAB DIR --reports OUT`)
 * in a process group of its own with CPU, file-size and wall-clock limits: the one place a
 * submission is graded, where the sandbox applies.  Only the grader's reports and exit
 * status become the result.
 *
 * Functions return 0 or -errno with a message in err; nothing prints or exits.
 */
#pragma once

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "subarchive.h"

struct lab_service_lab {
	char id[128];                 /* the lab folder's name, 04-hypercalls ("04" also finds it) */
	char yaml[PATH_MAX];
	unsigned points;              /* its total (a refused archive scores 0 of it) */
};

struct lab_service_course {
	char name[64];                /* letters, digits, - _ . */
	char token[128];              /* at least 16 bytes */
};

struct lab_service_config {
	const char *bind;             /* an IPv4 address (default 127.0.0.1) */
	unsigned port;                /* 0: any free port (lab_service_port says which) */
	const char *data_dir;         /* the queue, uploads, jobs */
	const char *grader;           /* the kvmlab executable */
	const struct lab_service_lab *labs;
	size_t nlabs;
	const struct lab_service_course *courses;
	size_t ncourses;
	unsigned jobs;                /* worker threads, 1-64 */
	uint64_t max_upload;          /* bytes */
	unsigned rate_per_min;        /* submissions per student per minute */
	unsigned max_queued;          /* queued submissions per course */
	unsigned timeout_s;           /* one grading's wall-clock limit */
	struct lab_archive_limits unpack;
};

struct lab_service;

int lab_service_start(const struct lab_service_config *c, struct lab_service **s, char *err,
		      size_t errlen);
unsigned lab_service_port(const struct lab_service *s);
/* Stop: no new requests; gradings in progress are killed and left for the next start. */
void lab_service_stop(struct lab_service *s);
