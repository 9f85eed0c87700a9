/* stoppoints.h - --break and --watch on the command line, shared by run and trace. */
#pragma once

#include <stdint.h>

#include "engine.h"

struct stoppoints {
	uint64_t brk[ENGINE_MAX_BREAKS];
	int nbrk;
	uint64_t watch[ENGINE_MAX_WATCHES][2];  /* address, length */
	int nwatch;
};

/* Add "ADDR" as a breakpoint; -1 with a message if bad or too many. */
int stoppoints_add_break(struct stoppoints *p, const char *arg);

/* Add "ADDR[:LEN]" as a watch (LEN defaults to 1); -1 with a message if bad or too many. */
int stoppoints_add_watch(struct stoppoints *p, const char *arg);

/* Set them on the engine; 0 or -errno (vmm_last_error() names the address). */
int stoppoints_apply(const struct stoppoints *p, struct engine *e);

/* Print which one the engine stopped at to stderr; 1 if it stopped at one, else 0. */
int stoppoints_report(const struct engine *e);
