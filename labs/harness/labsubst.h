/* labsubst.h - replacing text in the grader's copy of a submission (never the original). */
#pragma once

#include "labfile.h"

/* Replace path's contents with text; 0 or -EIO. */
int lab_write_text(const char *path, const char *text);

/* Replace every occurrence of each substitution's `from` in its file under dir with its `to`;
 * -ENOENT with err saying which when a file lacks its text (or cannot be read). */
int lab_substitute_apply(const struct lab_substitute *subs, unsigned n, const char *dir, char *err,
			 size_t errlen);
