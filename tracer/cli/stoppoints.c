/* stoppoints.c - --break and --watch on the command line. */
#include "stoppoints.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "options.h"

int stoppoints_add_break(struct stoppoints *p, const char *arg)
{
	if (p->nbrk == ENGINE_MAX_BREAKS) {
		cli_error(EXIT_USAGE, "--break %s: at most %d breakpoints", arg, ENGINE_MAX_BREAKS);
		return -E2BIG;
	}
	return parse_u64("--break", arg, &p->brk[p->nbrk++]);
}

int stoppoints_add_hw_break(struct stoppoints *p, const char *arg)
{
	if (p->nhbrk + p->nwatch == ENGINE_MAX_WATCHES) {
		cli_error(EXIT_USAGE, "--hbreak %s: the CPU has 4 debug address registers, shared by "
			  "--hbreak and --watch; use --break for more", arg);
		return -E2BIG;
	}
	return parse_u64("--hbreak", arg, &p->hbrk[p->nhbrk++]);
}

int stoppoints_add_watch(struct stoppoints *p, const char *arg)
{
	char addr[64];
	const char *colon = strchr(arg, ':');
	uint64_t *w;

	if (p->nhbrk + p->nwatch == ENGINE_MAX_WATCHES) {
		cli_error(EXIT_USAGE, "--watch %s: the CPU has 4 debug address registers, shared by "
			  "--hbreak and --watch", arg);
		return -E2BIG;
	}
	w = p->watch[p->nwatch];
	snprintf(addr, sizeof(addr), "%.*s", colon ? (int)(colon - arg) : (int)strlen(arg), arg);
	w[1] = 1;
	if (parse_u64("--watch", addr, &w[0]) < 0 || (colon && parse_u64("--watch length", colon + 1, &w[1]) < 0))
		return -EINVAL;
	p->nwatch++;
	return 0;
}

int stoppoints_option(struct stoppoints *p, int opt, const char *arg)
{
	switch (opt) {
	case STOPPOINT_OPT_BREAK:
		return stoppoints_add_break(p, arg);
	case STOPPOINT_OPT_HBREAK:
		return stoppoints_add_hw_break(p, arg);
	case STOPPOINT_OPT_WATCH:
		return stoppoints_add_watch(p, arg);
	default:
		return 1;
	}
}

int stoppoints_apply(const struct stoppoints *p, struct engine *e)
{
	int ret = 0;

	for (int i = 0; ret == 0 && i < p->nbrk; i++)
		ret = engine_add_break(e, p->brk[i]);
	for (int i = 0; ret == 0 && i < p->nhbrk; i++)
		ret = engine_add_hw_break(e, p->hbrk[i]);
	for (int i = 0; ret == 0 && i < p->nwatch; i++)
		ret = engine_add_watch(e, p->watch[i][0], p->watch[i][1]);
	return ret;
}

int stoppoints_report(const struct engine *e)
{
	const struct kvm_regs *r = &e->cpu->regs;

	if (e->hit_break >= 0)
		fprintf(stderr, "kvmlab: breakpoint 0x%llx reached", (unsigned long long)e->brk[e->hit_break]);
	else if (e->hit_watch >= 0)
		fprintf(stderr, "kvmlab: write to watched address 0x%llx reached (RIP=0x%llx after the write)",
			(unsigned long long)e->watch[e->hit_watch].addr, (unsigned long long)r->rip);
	else
		return 0;
	if (e->nsteps)
		fprintf(stderr, " after %llu instructions\n", (unsigned long long)e->nretired);
	else
		fprintf(stderr, " after %llu exits (RAX=0x%llx)\n", (unsigned long long)e->cpu->stats->total,
			(unsigned long long)r->rax);
	return 1;
}
