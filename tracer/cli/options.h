/* options.h - parsing the options every guest-running command shares (run, trace, tui, walk)
 * into a session's configuration (struct vm_opts, session.h). */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "session.h"   /* struct vm_opts */

/* Help text for the shared options (for a command's --help). */
extern const char vm_opts_help[];

/* Called for an option not in the shared set: 0 if handled, -errno to fail (message printed). */
typedef int (*extra_opt_fn)(int opt, const char *arg, void *ctx);

/* Parse argv: shared options, the command's extras (long options, short string), one guest.
 * 0, or -EINVAL with the message printed. */
int vm_opts_parse(int argc, char **argv, struct vm_opts *o, const struct option *extra,
		  const char *extra_short, extra_opt_fn fn, void *ctx);

/* Parse a whole unsigned number (0x.. hex allowed) into *out; -EINVAL with a message if bad. */
int parse_u64(const char *what, const char *text, uint64_t *out);
