/* options.h - the options every guest-running command shares (run, trace, tui, walk). */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpumode.h"

struct vm_opts {
	const char *guest;         /* name or path (the one positional argument) */
	bool mode_set;
	enum vmm_mode mode;
	uint64_t mem;
	bool flat;
	uint64_t flat_addr;
	bool small_pages;
	uint64_t max_exits;
	unsigned timeout_ms;
	bool show_ioctls;
	const char *dev;
	const char *hypercalls;    /* "name=port,..." or NULL */
	const char *files;         /* --files DIR: the file hypercalls' directory, or NULL (off) */
};

/* Help text for the shared options (for a command's --help). */
extern const char vm_opts_help[];

/* Called for an option not in the shared set: 0 if handled, -1 to fail (message printed). */
typedef int (*extra_opt_fn)(int opt, const char *arg, void *ctx);

/* Parse argv: shared options, the command's extras (long options, short string), one guest. */
int vm_opts_parse(int argc, char **argv, struct vm_opts *o, const struct option *extra,
		  const char *extra_short, extra_opt_fn fn, void *ctx);

/* Parse a whole unsigned number (0x.. hex allowed) into *out; -1 with a message if bad. */
int parse_u64(const char *what, const char *text, uint64_t *out);
