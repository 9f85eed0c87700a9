/* obsvalue.h - program labs: one value read from what `kvmlab exec` logged about a run of the
 * student's own program, for answers checks (`expect: observed:NAME[:ARG]`, labs/README.md).
 *
 * The log (JSON Lines, written by kvmlab from outside the program) is the only source: the
 * memory region the program gave KVM, the registers it set, the exits KVM returned to it,
 * the page walks of its guest through its own memory (a run with walk_steps).  So an answer
 * is right for THAT program, whatever memory size or entry point it chose.
 */
#pragma once

#include <stddef.h>

#include "live.h"

/* The names `observed:` may use (kind, argument and a phrase for messages), NULL-ended. */
extern const struct lab_live_name lab_obs_names[];

/* Whether arg is a valid argument for lab_obs_names[idx]: NULL if so, else what to write. */
const char *lab_obs_arg_problem(int idx, const char *arg);

/* Compute lab_obs_names[idx] (with arg) from the log at path into out, as text: a number,
 * or names separated by ", ".  0, or -errno with a sentence in err (-ENOENT: the run did
 * not show it, e.g. no IO exit at all). */
int lab_obs_value(const char *path, int idx, const char *arg, char *out, size_t len, char *err,
		  size_t errlen);
