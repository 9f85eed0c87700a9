/* stoppoints.h - --break and --watch on the command line, shared by run and trace. */
#pragma once

#include <getopt.h>
#include <stdint.h>

#include "engine.h"

/* Option codes and getopt_long entries for --break, --hbreak and --watch (put them in a command's table). */
enum { STOPPOINT_OPT_BREAK = 0x500, STOPPOINT_OPT_HBREAK, STOPPOINT_OPT_WATCH };
#define STOPPOINT_OPTIONS \
	{ "break", required_argument, NULL, STOPPOINT_OPT_BREAK }, \
	{ "hbreak", required_argument, NULL, STOPPOINT_OPT_HBREAK }, \
	{ "watch", required_argument, NULL, STOPPOINT_OPT_WATCH }

/* Help lines for them. */
#define STOPPOINT_HELP \
	"      --break ADDR      stop when execution reaches linear address ADDR (an int3 the\n" \
	"                        guest never sees; up to 64)\n" \
	"      --hbreak ADDR     the same with a debug register (DR0-DR3, shared with --watch)\n" \
	"      --watch ADDR[:LEN] stop after an instruction writes [ADDR, ADDR+LEN)\n"

struct stoppoints {
	uint64_t brk[ENGINE_MAX_BREAKS];
	int nbrk;
	uint64_t hbrk[ENGINE_MAX_WATCHES];  /* hardware breakpoints */
	int nhbrk;
	uint64_t watch[ENGINE_MAX_WATCHES][2];  /* address, length */
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

/* Set them on the engine; 0 or -errno (vmm_last_error() names the address). */
int stoppoints_apply(const struct stoppoints *p, struct engine *e);

/* Print which one the engine stopped at to stderr; 1 if it stopped at one, else 0. */
int stoppoints_report(const struct engine *e);
