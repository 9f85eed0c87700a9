/* command.h - the kvmlab subcommands: one file each, one table in main.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct command {
	const char *name;
	const char *summary;   /* one line for `kvmlab --help` */
	const char *help;      /* the full `kvmlab NAME --help` text */
	int (*main)(int argc, char **argv);
	bool guest_opts;       /* takes the shared guest options (help lists them) */
};

/* Exit statuses every subcommand uses (documented in `kvmlab --help`). */
enum {
	EXIT_HALTED = 0,     /* the guest halted (or the command succeeded) */
	EXIT_USAGE = 1,      /* bad command line */
	EXIT_LOAD = 2,       /* the guest image or lab could not be loaded or set up */
	EXIT_HOST = 3,       /* KVM is missing, refused, or cannot run this mode here */
	EXIT_FAULT = 4,      /* the guest triple-faulted or KVM could not run it */
	EXIT_LIMIT = 5,      /* a limit (exits, instructions, time) ended the run */
	EXIT_DIFFER = 6,     /* diff: the traces differ; grade: not full marks */
};

extern const struct command cmd_run, cmd_probe, cmd_trace, cmd_walk, cmd_diff, cmd_tui,
	cmd_lab, cmd_grade, cmd_exec;

/* Print "kvmlab: " + message to stderr; returns status. */
int cli_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True if argv has --help or -h; prints cmd's help to stdout. */
int cli_wants_help(const struct command *cmd, int argc, char **argv);

/*
 * A folder of kvmlab's data (WHAT: "guests", "labs", ...), tried in this order:
 *   $ENV (when env is not NULL and the variable is set),
 *   <exe dir>/WHAT                  the build tree (build/guests),
 *   <exe dir>/../WHAT               the source tree when run from build/ (labs/),
 *   <exe dir>/../share/kvmlab/WHAT  a relocated or DESTDIR install,
 *   INSTALLED                       the compiled-in install path (may be NULL).
 * The first that is a folder goes to out.  0, or -ENOENT (out then holds INSTALLED).
 */
int cli_data_dir(const char *what, const char *env, const char *installed, char *out, size_t len);

/* The same, taking only a folder that accept(dir, ctx) also takes (e.g. it holds the
 * file asked for); accept NULL takes any folder. */
typedef bool (*cli_dir_accept)(const char *dir, void *ctx);
int cli_find_data_dir(const char *what, const char *env, const char *installed,
		      cli_dir_accept accept, void *ctx, char *out, size_t len);
