/* guestcmd.h - the trace and the TUI of an open session: what `kvmlab trace` and `kvmlab tui`
 * do once their guest is open, shared with `kvmlab lab trace` and `kvmlab lab tui`, which open
 * a lab's guest with the lab's settings and the student's handlers (labrun.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "options.h"
#include "session.h"
#include "stoppoints.h"
#include "tracewrite.h"

struct trace_opts {
	enum trace_format format;
	const char *output;
	bool walk;
	uint64_t max_steps, from, until;
	struct stoppoints points;
};

/* trace's own option tables (NULL-ended) and their handler (ctx: a struct trace_opts). */
extern const struct cli_opt *const trace_tables[];
int trace_option(int opt, const char *arg, void *ctx);

/* Open t->output (or take stdout) into *f: 0, or the exit status with the message printed. */
int trace_open_output(const struct trace_opts *t, FILE **f);
/* Where the guest's console goes while the trace goes to f (NULL: stdout). */
vmm_console_sink trace_console(FILE *f);

/* Trace the open session s into f (closed here unless stdout); the exit status. */
int trace_session(struct session *s, const struct trace_opts *t, uint64_t max_exits,
		  unsigned timeout_ms, FILE *f);

struct tui;
/* Step the open session s in the TUI t (its console sink was given to the session); name is
 * the guest's name in the title bar; the exit status. */
int tui_session(struct session *s, struct tui *t, const char *name, const char *dev,
		uint64_t max_exits, unsigned timeout_ms);
