/* cause.h - why a check failed: the causes seen in the run, each with its hint.
 *
 * A failed check names what went wrong in the run it looked at, in the order a student
 * should look at them: the guest or the student's handlers crashed; a limit ended the run;
 * a hypercall port was used with the wrong size or direction; the guest used a port no
 * device claims (the write went nowhere, the read gave all ones); a printing hypercall was
 * called and its handler printed nothing, or nothing was printed at all.  Each comes with the
 * hint for that cause: the lab's (cause_hints: in lab.yaml) or kvmlab's.
 */
#pragma once

#include <stddef.h>

#include "labfile.h"
#include "result.h"

enum lab_cause {
	LAB_CAUSE_CRASH,
	LAB_CAUSE_TIMEOUT,
	LAB_CAUSE_SIZE,
	LAB_CAUSE_PORT,
	LAB_CAUSE_SILENT,
	LAB_CAUSE__COUNT,
};

/* The key of a cause in cause_hints: "crash", "timeout", "size", "port", "silent". */
const char *lab_cause_name(enum lab_cause c);

/* The hint for cause c: the lab's cause_hints entry, else kvmlab's own. */
const char *lab_cause_hint(const struct lab *lab, enum lab_cause c);

/* One line on a port no device claims: "port 0x5001: 6 OUT (the writes went nowhere)". */
void lab_port_use_text(const struct lab_port_use *u, char *buf, size_t len);

/* Whether cause c was seen in run; the sentence that says what was seen into buf (when len
 * is not 0). */
bool lab_cause_seen(const struct lab_run *run, enum lab_cause c, char *buf, size_t len);

/* Every cause seen in run, each "SENTENCE\nHINT" on lines of their own; NULL when none was
 * seen (or out of memory). */
char *lab_causes_text(const struct lab *lab, const struct lab_run *run);
