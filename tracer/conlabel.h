/* conlabel.h - guest output with what kvmlab's built-in hypercall handlers printed labelled.
 *
 * A lab's guest prints through the console (port 0xE9), through the student's own handlers
 * and through kvmlab's built-in ones; a student must see which is which (a printStr of their
 * own that prints nothing must not look fixed because kvmlab's printed the text).  Output of
 * a built-in handler begins, and each of its lines begins, with "[kvmlab's NAME] ".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypercall.h"

struct conlabel {
	const struct vmm_hc *hc;   /* whose handler is printing: set once the session is open */
	vmm_console_sink next;     /* where the labelled text goes */
	void *next_ctx;
	vmm_console_sink raw;      /* the same text unlabelled, or NULL */
	void *raw_ctx;
	int last;                  /* the source of the last byte (conlabel_source) */
	bool midline;              /* the last byte was not a newline */
	uint64_t printed[VMM_HC__COUNT];   /* bytes each hypercall's handler printed, any handler */
};

/* Labelled text to next(ctx, ...) (NULL: stdout); l->hc is set after session_open. */
void conlabel_init(struct conlabel *l, vmm_console_sink next, void *ctx);

/* Who prints now: the id of a built-in hypercall handler, or -1 (the console, a lab's own
 * handler, or no hypercall). */
int conlabel_source(const struct vmm_hc *hc);

/* A vmm_console_sink (ctx: the struct conlabel): buf from conlabel_source(l->hc), labelled
 * (and to l->raw as it is; counted in l->printed). */
void conlabel_sink(void *ctx, const char *buf, size_t len);

/* buf from src (a conlabel_source() value), labelled, to l->next. */
void conlabel_feed(struct conlabel *l, int src, const char *buf, size_t len);
