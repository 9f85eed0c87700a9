/* gradebook.h - a class's results as one table: joining the shards of a batch, and the
 * files gradebooks import.
 *
 * A gradebook holds one row per submission (the student id, score, max, status, reason)
 * and the lab they were graded against.  It is filled from a batch as it ends
 * (lab_gradebook_add) or read back from the JSON summaries `kvmlab grade --batch --json`
 * writes (lab_gradebook_merge: the shards of one class, each checked to be of the same lab
 * and the same split, every shard present once).  It is written as:
 *  - the batch CSV and JSON (the shape `grade --batch` writes; a merge says "shard": "1/1");
 *  - Gradescope's score import: "SID,Total Score" (Gradescope matches the roster's SID);
 *  - Moodle's grade import (Grades > Import > CSV file): "ID number,<lab> score,Feedback",
 *    the identifier mapped to the user field "ID number" and the score to the lab's item.
 * Every string in the output is quoted as RFC 4180 says; a field starting with = + - @ or a
 * tab is prefixed with ' so that a spreadsheet does not run it as a formula.
 *
 * Functions return 0 or -errno; nothing prints.
 */
#pragma once

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

struct lab_gradebook_row {
	char id[256];
	unsigned score, max;
	char status[32];
	char reason[512];
	double seconds;
};

struct lab_gradebook {
	char lab[PATH_MAX];         /* the lab file graded against */
	char lab_id[128];           /* its folder's name (04-hypercalls): what shards must share */
	unsigned max;
	struct lab_gradebook_row *rows;
	size_t count, cap;
	double seconds;             /* summed over shards */
};

/* An empty gradebook for lab (its lab.yaml path) worth max points. */
void lab_gradebook_init(struct lab_gradebook *g, const char *lab, unsigned max);
int lab_gradebook_add(struct lab_gradebook *g, const char *id, unsigned score, unsigned max,
		      const char *status, const char *reason, double seconds);
/* Rows in id order. */
void lab_gradebook_sort(struct lab_gradebook *g);
void lab_gradebook_free(struct lab_gradebook *g);

/*
 * Join the batch JSON summaries paths[0..n-1] (each from `grade --batch --shard K/N --json`)
 * into g.  -EINVAL with err naming the file and the reason: unreadable JSON, a shard of
 * another lab or worth other points, shards of different splits, a shard given twice, a
 * missing shard, a submission in two shards.
 */
int lab_gradebook_merge(const char *const *paths, size_t n, struct lab_gradebook *g, char *err,
			size_t errlen);

int lab_gradebook_write_csv(const struct lab_gradebook *g, FILE *f);
int lab_gradebook_write_json(const struct lab_gradebook *g, FILE *f);
int lab_gradebook_write_gradescope(const struct lab_gradebook *g, FILE *f);
int lab_gradebook_write_moodle(const struct lab_gradebook *g, FILE *f);
