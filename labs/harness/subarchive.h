/* subarchive.h - unpacking a submission archive (zip, tar, tar.gz/.bz2/.xz) that nobody trusts.
 *
 * Every member is hostile input.  lab_archive_unpack() reads the archive with libarchive and
 * writes its members under a fresh folder itself (libarchive's own extraction is not used):
 *  - a member's path is relative, without "..", and every folder on the way is opened with
 *    O_NOFOLLOW relative to the folder before it, so nothing is written through a symlink;
 *  - a symlink is created only when its target is relative and stays inside the folder (its
 *    own folder joined with the target, "..": lexically); a hard link only to a regular file
 *    already unpacked inside;
 *  - devices, FIFOs and sockets refuse the archive; a member that appears twice refuses it;
 *  - caps: bytes written in all, members, the ratio of bytes written to the archive's size
 *    (checked once more than ratio_floor bytes are out: a zip bomb stops within a buffer of
 *    the cap, never after writing it), and the length of a path.
 * A refusal is one sentence in err naming the member and the rule, for the student.
 *
 * lab_archive_unpack_isolated() (unpacker.c) does the same outside the grader's process:
 * in kvmlab-unpack (unpackhost.c) inside the sandbox of student code (sandbox.h: its own
 * uid, no network, only the destination folder writable, the archive passed as an open
 * file, seccomp, CPU, memory and file-size limits, a wall-clock deadline), or, where the
 * instructor turned the sandbox off (--no-sandbox), in a forked child with those limits.
 *
 * Functions return 0 or -errno; nothing here prints or exits the process.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lab_archive_limits {
	uint64_t max_bytes;       /* bytes written in all */
	unsigned max_members;     /* files, folders and links */
	unsigned max_ratio;       /* bytes written / archive size */
	uint64_t ratio_floor;     /* the ratio is checked past this many bytes written */
	unsigned max_path;        /* bytes in a member's path */
	unsigned timeout_s;       /* the isolated child's wall-clock limit */
	bool sandbox_off;         /* the instructor's --no-sandbox: the isolated unpacker runs in a
				   * forked child without the sandbox */
};

/* Defaults for one student's submission: 64 MiB, 4096 members, ratio 200 past 1 MiB,
 * paths of 1024 bytes, 30 s. */
void lab_archive_limits_default(struct lab_archive_limits *lim);

/* What was unpacked. */
struct lab_archive_stats {
	uint64_t bytes;
	unsigned members;
};

/*
 * Unpack archive into dest (an existing, empty folder).  0; -EINVAL with err saying why for
 * an archive the rules refuse (a bomb, a path outside, a link out, a device, a corrupt or
 * unknown format); -EFBIG / -EMLINK past the caps (err says which); another -errno for host
 * trouble.  On a refusal dest holds what was written before it: the caller removes it.
 */
int lab_archive_unpack(const char *archive, const char *dest, const struct lab_archive_limits *lim,
		       struct lab_archive_stats *st, char *err, size_t errlen);

/* The same from an open archive (read from its current offset). */
int lab_archive_unpack_fd(int fd, const char *dest, const struct lab_archive_limits *lim,
			  struct lab_archive_stats *st, char *err, size_t errlen);

/* The same outside the grader's process (see above); the unpacker's death (a signal, the
 * deadline) is a refusal with the reason in err; -EPERM with err where the host cannot
 * sandbox and the sandbox is required (unless lim->sandbox_off).  In the sandbox the archive is
 * unpacked into TMPDIR/kvmlab-unpack-PID-XXXXXX (/tmp where TMPDIR is closed to the
 * sandbox's uid), then moved to dest, or copied where dest is on another file system
 * (regular files and folders only, copytree.h). */
int lab_archive_unpack_isolated(const char *archive, const char *dest,
				const struct lab_archive_limits *lim, struct lab_archive_stats *st,
				char *err, size_t errlen);

/* Is name an archive this module reads (by its ending: .zip .tar .tar.gz .tgz .tar.bz2
 * .tbz2 .tar.xz .txz)?  *stem_len: the length of the name before that ending. */
bool lab_archive_name(const char *name, size_t *stem_len);

/*
 * The student id an archive's name gives: the stem, cut at its first '_' (the course's
 * "<roll>_assignment2.tar.gz" gives "<roll>").  Ids are 1-127 bytes of letters, digits and
 * ". - @ +" not starting with '.'; -EINVAL for a name that gives none.
 */
int lab_archive_student_id(const char *name, char *id, size_t len);

/* A valid student id (the rule above)? */
bool lab_archive_id_ok(const char *id);
