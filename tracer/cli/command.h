/* command.h - the kvmlab subcommands: one file each, one table in main.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "run.h"
#include "session.h"

struct cli_opt;

struct command {
	const char *name;
	const char *summary;   /* one line for `kvmlab --help` */
	const char *help;      /* the `kvmlab NAME --help` text before the options */
	void (*help_more)(FILE *f);  /* generated help right after it, or NULL */
	const struct cli_opt *const *opts;  /* its option tables, NULL-ended: getopt and --help */
	int (*main)(int argc, char **argv);
	bool guest_opts;       /* takes the shared guest options (help lists them) */
	const char *epilogue;  /* help text after the options, or NULL */
};

/* Exit statuses every subcommand uses (documented in `kvmlab --help`). */
enum {
	EXIT_HALTED = 0,     /* the guest halted (or the command succeeded) */
	EXIT_USAGE = 1,      /* bad command line, or the output could not be written */
	EXIT_LOAD = 2,       /* the guest image or lab could not be loaded or set up */
	EXIT_HOST = 3,       /* KVM is missing, refused, or cannot run this mode here */
	EXIT_FAULT = 4,      /* the guest triple-faulted or KVM could not run it */
	EXIT_LIMIT = 5,      /* a limit (exits, instructions, time) ended the run */
	EXIT_DIFFER = 6,     /* diff: the traces differ; grade: not full marks */
};

extern const struct command cmd_run, cmd_probe, cmd_trace, cmd_walk, cmd_diff, cmd_tui,
	cmd_lab, cmd_grade, cmd_exec, cmd_explain, cmd_serve;

/* Print "kvmlab: " + message to stderr; returns status. */
int cli_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True if argv has --help or -h; prints cmd's help to stdout. */
int cli_wants_help(const struct command *cmd, int argc, char **argv);

/* session_open() failed: print vmm_last_error(); the exit status for the stage (s->failed). */
int cli_session_failed(const struct session *s);

/* Before stepping a guest whose start mode is paged32 or PAE: where this host's KVM cannot
 * run 32-bit paging, say so as kvmlab run does and give EXIT_HOST; else 0. */
int cli_mode_refused(const struct session *s, const char *dev);

/* Print how the run ended (session_report) to stderr; the exit status for it. */
int cli_session_end(struct session *s, enum vmm_stop stop, int err);
