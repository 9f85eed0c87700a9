/* stoppoints.c - --break and --watch on the command line. */
#include "stoppoints.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "ending.h"
#include "error.h"
#include "options.h"
#include "symbols.h"

/* A number now, or a symbol to look up when the guest is loaded (*sym = arg). */
static int parse_point(const char *what, const char *arg, size_t len, uint64_t *out, const char **sym)
{
	char text[160];

	*sym = NULL;
	snprintf(text, sizeof(text), "%.*s", (int)len, arg);
	if (len < sizeof(text) && symbols_is_name(text)) {
		*sym = arg;
		return 0;
	}
	return parse_u64(what, text, out);
}

int stoppoints_add_break(struct stoppoints *p, const char *arg)
{
	if (p->nbrk == ENGINE_MAX_BREAKS) {
		cli_error(EXIT_USAGE, "--break %s: at most %d breakpoints", arg, ENGINE_MAX_BREAKS);
		return -E2BIG;
	}
	p->nbrk++;
	return parse_point("--break", arg, strlen(arg), &p->brk[p->nbrk - 1], &p->brk_sym[p->nbrk - 1]);
}

int stoppoints_add_hw_break(struct stoppoints *p, const char *arg)
{
	if (p->nhbrk + p->nwatch == ENGINE_MAX_WATCHES) {
		cli_error(EXIT_USAGE, "--hbreak %s: the CPU has 4 debug address registers, shared by "
			  "--hbreak and --watch; use --break for more", arg);
		return -E2BIG;
	}
	p->nhbrk++;
	return parse_point("--hbreak", arg, strlen(arg), &p->hbrk[p->nhbrk - 1],
			   &p->hbrk_sym[p->nhbrk - 1]);
}

int stoppoints_add_watch(struct stoppoints *p, const char *arg)
{
	const char *colon = strchr(arg, ':');
	size_t alen = colon ? (size_t)(colon - arg) : strlen(arg);
	uint64_t *w;

	if (p->nhbrk + p->nwatch == ENGINE_MAX_WATCHES) {
		cli_error(EXIT_USAGE, "--watch %s: the CPU has 4 debug address registers, shared by "
			  "--hbreak and --watch", arg);
		return -E2BIG;
	}
	w = p->watch[p->nwatch];
	w[1] = 1;
	if (parse_point("--watch", arg, alen, &w[0], &p->watch_sym[p->nwatch]) < 0 ||
	    (colon && parse_u64("--watch length", colon + 1, &w[1]) < 0))
		return -EINVAL;
	p->watch_symlen[p->nwatch] = alen;
	p->nwatch++;
	return 0;
}

const struct cli_opt stoppoint_opts[] = {
	{ "break", STOPPOINT_OPT_BREAK, "ADDR", "stop when execution reaches linear address ADDR\n"
	  "(an int3 the guest never sees; up to 64); ADDR may be a\n"
	  "symbol of the guest's ELF: --break setup_paging,\n"
	  "--break hello_main+0x10" },
	{ "hbreak", STOPPOINT_OPT_HBREAK, "ADDR", "the same with a debug register (DR0-DR3, shared\n"
	  "with --watch)" },
	{ "watch", STOPPOINT_OPT_WATCH, "ADDR[:LEN]", "stop after an instruction writes [ADDR, ADDR+LEN)" },
	{ 0 },
};

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

/* The address of a point: its number, or its symbol looked up in the guest's ELF. */
static int resolve(const struct engine *e, const char *what, uint64_t num, const char *sym, size_t len,
		   uint64_t *out)
{
	int ret;

	*out = num;
	if (!sym)
		return 0;
	ret = symbols_parse(e->syms, sym, len, out);
	if (ret == -ENOENT)
		return vmm_fail(-ENOENT, "%s %.*s: the guest has no symbol of that name%s", what, (int)len,
				sym, symbols_any(e->syms) ? "" : " (its file has no symbol table: give "
				"a hex address)");
	if (ret < 0)
		return vmm_fail(ret, "%s %.*s: not an address (a number, or a symbol like "
				"hello_main+0x10)", what, (int)len, sym);
	return 0;
}

int stoppoints_apply(const struct stoppoints *p, struct engine *e)
{
	uint64_t a;
	int ret = 0;

	for (int i = 0; ret == 0 && i < p->nbrk; i++)
		if ((ret = resolve(e, "--break", p->brk[i], p->brk_sym[i],
				   p->brk_sym[i] ? strlen(p->brk_sym[i]) : 0, &a)) == 0)
			ret = engine_add_break(e, a);
	for (int i = 0; ret == 0 && i < p->nhbrk; i++)
		if ((ret = resolve(e, "--hbreak", p->hbrk[i], p->hbrk_sym[i],
				   p->hbrk_sym[i] ? strlen(p->hbrk_sym[i]) : 0, &a)) == 0)
			ret = engine_add_hw_break(e, a);
	for (int i = 0; ret == 0 && i < p->nwatch; i++)
		if ((ret = resolve(e, "--watch", p->watch[i][0], p->watch_sym[i], p->watch_symlen[i],
				   &a)) == 0)
			ret = engine_add_watch(e, a, p->watch[i][1]);
	return ret;
}

int stoppoints_report(const struct engine *e)
{
	char buf[200];

	if (!ending_hit_text(e, e->hit_break, e->hit_watch, 0, buf, sizeof(buf)))
		return 0;
	fprintf(stderr, "kvmlab: %s\n", buf);
	return 1;
}
