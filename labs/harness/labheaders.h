/* labheaders.h - the headers a lab ships win over a submission's files of the same name. */
#pragma once

#include "labbuf.h"
#include "labfile.h"

/*
 * In sub, the grader's copy of a submission: remove every file named as a header the build
 * gives (the lab folder's *.h and lab_sources headers, kvmlab's guest.h and kvmlab/lab.h),
 * but the files the lab asks the submission for, and say so in log, one line each.  gcc
 * looks for `#include "x.h"` in the including file's folder before any -I folder, so a copy
 * left there would replace the lab's.  0 or -errno.
 */
int lab_headers_protect(const struct lab *lab, const char *sub, struct labbuf *log);
