/* stoppoints.h - --break and --watch on the command line, shared by run and trace. */
#pragma once

#include <stdint.h>

#include "engine.h"
#include "options.h"

/* --break, --hbreak and --watch: their option table (list it in a command's tables). */
enum { STOPPOINT_OPT_BREAK = 0x500, STOPPOINT_OPT_HBREAK, STOPPOINT_OPT_WATCH };
extern const struct cli_opt stoppoint_opts[];


/* Addresses are numbers or the guest's symbols ("setup_paging", "hello_main+0x10"); a symbol is
 * looked up when the points are applied, once the guest's ELF is loaded (*_sym: the text typed,
 * NULL for a number). */
struct stoppoints {
	uint64_t brk[ENGINE_MAX_BREAKS];
	const char *brk_sym[ENGINE_MAX_BREAKS];
	int nbrk;
	uint64_t hbrk[ENGINE_MAX_WATCHES];  /* hardware breakpoints */
	const char *hbrk_sym[ENGINE_MAX_WATCHES];
	int nhbrk;
	uint64_t watch[ENGINE_MAX_WATCHES][2];  /* address, length */
	const char *watch_sym[ENGINE_MAX_WATCHES];
	size_t watch_symlen[ENGINE_MAX_WATCHES];
	int nwatch;
};

/* Handle one of the STOPPOINT_OPT_* options: 0, -errno with a message if bad, 1 if opt is not one. */
int stoppoints_option(struct stoppoints *p, int opt, const char *arg);

/* Add "ADDR" as a breakpoint; -EINVAL or -E2BIG with a message if bad or too many. */
int stoppoints_add_break(struct stoppoints *p, const char *arg);

/* Add "ADDR" as a hardware (debug-register) breakpoint; -EINVAL or -E2BIG with a message if bad or too many. */
int stoppoints_add_hw_break(struct stoppoints *p, const char *arg);

/* Add "ADDR[:LEN]" as a watch (LEN defaults to 1); -EINVAL or -E2BIG with a message if bad or too many. */
int stoppoints_add_watch(struct stoppoints *p, const char *arg);

/* Look up the symbols and set the points on the engine; 0 or -errno (vmm_last_error() names
 * the address, or the symbol the guest does not have). */
int stoppoints_apply(const struct stoppoints *p, struct engine *e);

/* Print which one the engine stopped at to stderr; 1 if it stopped at one, else 0. */
int stoppoints_report(const struct engine *e);
