/* tracewrite.h - trace output: readable text or JSON Lines, one step at a time. */
#pragma once

#include <stdbool.h>

#include "engine.h"
#include "explain.h"
#include "symbols.h"
#include "outbuf.h"

enum trace_format { TRACE_TEXT, TRACE_JSONL };

#define TRACEWRITER_WHERE_CACHE 64

struct tracewriter {
	enum trace_format format;
	bool walk;                 /* add the page walk of the step's PC */
	struct engine *e;
	struct explain_ctx ex;
	struct outbuf out;
	char where[320];           /* text: the last "-- label (file:line)" line written */
	struct tracewriter_where { /* step_where's answers for recent PCs (a loop asks again) */
		uint64_t pc;
		bool valid;
		char sym[SYMBOLS_NAME_MAX + 24], src[160];
	} where_cache[TRACEWRITER_WHERE_CACHE];
};

/* Write to f in format; walk: include the PC's page walk in each step. */
void tracewriter_init(struct tracewriter *w, struct engine *e, enum trace_format format, bool walk, FILE *f);

/* Write one step. */
void tracewriter_step(struct tracewriter *w, const struct step *st);

/* Flush; 0 or -errno. */
int tracewriter_finish(struct tracewriter *w);
