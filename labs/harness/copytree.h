/* copytree.h - copy a submission (or a lab's given files) into the grader's temporary
 * folder, so a sandbox sees a copy and never the original: regular files and folders
 * only (a symlink, FIFO or device is left out and named in the log, so `guest.c ->
 * /etc/shadow` becomes a missing file, not a quoted one), opened without following
 * links, at most LAB_COPY_MAX_BYTES and LAB_COPY_MAX_FILES in all. */
#pragma once

#include "labbuf.h"

#define LAB_COPY_MAX_BYTES (64u << 20)
#define LAB_COPY_MAX_FILES 4096u

/* Copy the tree under src into dst (created, mode 0700).  What is left out is said in log
 * (may be NULL).  0, or -errno (-EFBIG past the limits). */
int lab_copy_tree(const char *src, const char *dst, struct labbuf *log);

/* Copy one regular file src to dst (folders on the way created); 0 or -errno. */
int lab_copy_file(const char *src, const char *dst);
