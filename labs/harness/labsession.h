/* labsession.h - a built lab guest opened as the lab says: its memory, mode, port map and
 * limits, the student's handlers plugged in (labapi.h) and the output labelled (conlabel.h).
 *
 * The grader's run (runner.c) and the student's `kvmlab lab run|trace|tui` open the same
 * session, so what a student steps through is what the grader runs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conlabel.h"
#include "labapi.h"
#include "labfile.h"
#include "result.h"
#include "session.h"

struct lab_build;

struct lab_session {
	struct session s;
	struct lab_ctx *handlers;    /* the student's handlers, NULL: kvmlab's answer every call */
	struct conlabel label;       /* output labelled, to the sink given to lab_session_open */
	struct vm_opts opts;         /* the settings the session was opened with */
};

/* Open guest (b->guest, or b->grader_guest) with lab's settings; output goes through
 * ls->label (kvmlab's built-in handlers' text labelled) to sink(ctx, ...) (NULL: stdout);
 * with_handlers plugs in the student's handlers where the lab has them.  0; -ENODEV for the
 * host (no KVM, or a mode this host cannot run), any other -errno for the guest or the
 * handlers; err says why. */
int lab_session_open(struct lab_session *ls, const struct lab *lab, const struct lab_build *b,
		     const char *guest, bool with_handlers, vmm_console_sink sink, void *ctx,
		     char *err, size_t len);

/* The student's handlers the lab asks for and the object lacks: "lab_print8, ..." or "". */
const char *lab_session_missing(const struct lab_session *ls);

/* The ports no device claims that the guest read or wrote, in the order first used, at most
 * max of them; how many. */
unsigned lab_session_nodev(const struct lab_session *ls, struct lab_port_use *out, unsigned max);

/* The `kvmlab run` command that runs guest by hand with lab's settings (and kvmlab's own
 * handlers): "kvmlab run --mode long --mem 4M --max-exits 200 --timeout 2000 GUEST". */
void lab_session_command(const struct lab *lab, const char *guest, char *buf, size_t len);

/* Stop the handlers, tear the session down. */
void lab_session_close(struct lab_session *ls);
