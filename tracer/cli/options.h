/* options.h - parsing the options every guest-running command shares (run, trace, tui, walk)
 * into a session's configuration (struct vm_opts, session.h). */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "session.h"   /* struct vm_opts */

/* One command-line option, declared once: getopt_long's entry and its --help lines both come
 * from it.  Tables end with an entry whose name is NULL. */
struct cli_opt {
	const char *name;   /* the long name: "mode" for --mode */
	int id;             /* what getopt returns; a letter ('m') also makes it a short option (-m) */
	const char *arg;    /* the value's name in the help ("MODE"), NULL if it takes none */
	const char *help;   /* what it does; '\n' starts a continuation line */
};

/* The shared guest options (run, trace, tui, walk). */
extern const struct cli_opt vm_opt_table[];

/* getopt_long's view of a NULL-ended list of tables: *longs (ending with a zero entry) and
 * *shorts ("m:o:"), both to free; 0 or -ENOMEM. */
int cli_opts_getopt(const struct cli_opt *const *tables, struct option **longs, char **shorts);

/* A command's work once getopt has its tables: an exit status. */
typedef int (*cli_args_fn)(int argc, char **argv, const struct option *longs, const char *shorts);

/* fn with getopt_long's view of tables (cli_opts_getopt); its status, or -ENOMEM. */
int cli_opts_main(const struct cli_opt *const *tables, int argc, char **argv, cli_args_fn fn);

/* The help lines of a table: "  -m, --mode MODE       start mode ...", continuations indented. */
void cli_opts_help(FILE *f, const struct cli_opt *table);

/* Called for an option not in the shared set: 0 if handled, -errno to fail (message printed). */
typedef int (*extra_opt_fn)(int opt, const char *arg, void *ctx);

/* Parse argv's options of tables (NULL-ended) with fn; the index of the first argument that is
 * not an option (getopt moves them to the end), or -errno with the message printed. */
int cli_opts_parse(int argc, char **argv, const struct cli_opt *const *tables, extra_opt_fn fn,
		   void *ctx);

/* Parse argv: the shared options, the command's (a NULL-ended list of tables, or NULL) and one
 * guest.  0, or -EINVAL with the message printed. */
int vm_opts_parse(int argc, char **argv, struct vm_opts *o, const struct cli_opt *const *extra,
		  extra_opt_fn fn, void *ctx);

/* Parse a whole unsigned number (0x.. hex allowed) into *out; -EINVAL with a message if bad. */
int parse_u64(const char *what, const char *text, uint64_t *out);

/* Parse a wall-clock limit, 1 to 86400000 ms; -EINVAL with a message if bad. */
int parse_timeout_ms(const char *what, const char *text, unsigned *out);

/* Parse an output format, "text" or "jsonl" (*jsonl); -EINVAL with a message otherwise. */
int parse_format(const char *what, const char *text, bool *jsonl);
