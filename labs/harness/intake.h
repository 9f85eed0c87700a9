/* intake.h - a class's submissions as they arrive, turned into a folder of folders to grade.
 *
 * A batch is given as:
 *  - a folder of submission folders (graded as it is: nothing is copied);
 *  - a folder holding archives, one per student (`<id>_assignment2.tar.gz`, `<id>.zip`),
 *    with or without folders beside them;
 *  - one archive of those (Moodle's "download all" zip of tarballs or zips, possibly
 *    in a folder per student).
 * Each student's archive is unpacked (lab_archive_unpack_isolated, with the limits of one
 * submission) into a temporary folder named by the student id; an archive whose only
 * top-level member is a folder is graded from inside that folder.  An archive that is
 * refused (a bomb, a path outside, a link out, corrupt), an id that is not usable or given
 * twice, is a rejection of that one submission, with the reason: the others go on.
 */
#pragma once

#include <limits.h>
#include <stddef.h>

#include "subarchive.h"

struct lab_intake_reject {
	char id[128];                 /* the student id, or the archive's name when none */
	char reason[512];
};

struct lab_intake {
	char dir[PATH_MAX];           /* the folder of submission folders to grade */
	char tmp[PATH_MAX];           /* "" or the temporary tree lab_intake_free removes */
	struct lab_intake_reject *rejects;
	size_t nrejects;
	size_t unpacked;              /* archives unpacked */
};

/*
 * Turn path (a folder or an archive) into in->dir.  lim: the limits of one student's
 * archive (NULL: the defaults); the outer archive gets 64 times its bytes and members.
 * 0, or -errno with err saying why nothing can be graded (path unreadable, the outer
 * archive refused, no temporary folder).
 */
int lab_intake_open(const char *path, const struct lab_archive_limits *lim,
		    struct lab_intake *in, char *err, size_t errlen);

/*
 * One student's archive into dest (which must not exist): unpacked in a child with lim
 * (lab_archive_unpack_isolated) and, when its only top-level member is a folder, that
 * folder becomes dest.  0; -EINVAL (or -EFBIG, -EMLINK, -ETIMEDOUT) with err for the
 * student when the archive is refused (nothing is left at dest); -errno for host trouble.
 */
int lab_intake_unpack_one(const char *archive, const char *dest,
			  const struct lab_archive_limits *lim, char *err, size_t errlen);

/* Remove the temporary tree and free the rejections. */
void lab_intake_free(struct lab_intake *in);
