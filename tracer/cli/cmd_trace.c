/* cmd_trace.c - `kvmlab trace`: single-step a guest and write every step, explained. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "conlabel.h"
#include "engine.h"
#include "error.h"
#include "guestcmd.h"
#include "options.h"
#include "session.h"
#include "stepflow.h"
#include "stoppoints.h"
#include "tracewrite.h"
#include "walkfmt.h"

#define RING 8   /* steps kept for the post-mortem */

enum { OPT_FORMAT = 0x300, OPT_WALK, OPT_MAX_STEPS, OPT_FROM, OPT_UNTIL };

int trace_option(int opt, const char *arg, void *ctx)
{
	struct trace_opts *t = ctx;
	bool jsonl;

	switch (opt) {
	case OPT_FORMAT:
		if (parse_format("--format", arg, &jsonl) < 0)
			return -EINVAL;
		t->format = jsonl ? TRACE_JSONL : TRACE_TEXT;
		return 0;
	case 'o':
		t->output = arg;
		return 0;
	case OPT_WALK:
		t->walk = true;
		return 0;
	case OPT_MAX_STEPS:
		return parse_u64("--max-steps", arg, &t->max_steps);
	case OPT_FROM:
		return parse_u64("--from", arg, &t->from);
	case OPT_UNTIL:
		return parse_u64("--until", arg, &t->until);
	}
	return stoppoints_option(&t->points, opt, arg) == 0 ? 0 : -EINVAL;
}

static void stderr_sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	fwrite(buf, 1, len, stderr);
}

/* The last steps and the walk of the faulting address, after a fault. */
static void post_mortem(struct engine *e, enum vmm_mode mode, const struct step *ring, uint64_t nring)
{
	struct tracewriter w;
	struct vmm_walk wk;
	char buf[2048];
	uint64_t first = nring > RING ? nring - RING : 0;
	const struct step *last = &ring[(nring - 1) % RING];
	uint64_t pc = engine_pc(&last->before, &last->sbefore);

	fprintf(stderr, "\npost-mortem: the last %llu steps\n", (unsigned long long)(nring - first));
	tracewriter_init(&w, e, TRACE_TEXT, false, stderr);
	w.ex.start_mode = (int)mode;
	for (uint64_t i = first; i < nring; i++)
		tracewriter_step(&w, &ring[i % RING]);
	tracewriter_finish(&w);
	if (engine_walk(e, &last->sbefore, pc, &wk) == 0 && walkfmt_text(&wk, buf, sizeof(buf)) >= 0)
		fprintf(stderr, "page walk of the faulting instruction's address:\n%s", buf);
	/* A page fault leaves its address in CR2: that is usually the walk that matters. */
	if (last->safter.cr2 != last->sbefore.cr2 &&
	    engine_walk(e, &last->sbefore, last->safter.cr2, &wk) == 0 &&
	    walkfmt_text(&wk, buf, sizeof(buf)) >= 0)
		fprintf(stderr, "CR2 = 0x%llx: a page fault at that address started it; its walk:\n%s",
			(unsigned long long)last->safter.cr2, buf);
}

struct trace_run {
	const struct trace_opts *t;
	struct tracewriter *w;
	struct step *ring;
	uint64_t nring;
};

/* Write each step inside --from/--until, and keep the last RING for the post-mortem. */
static int trace_step(struct engine *e, const struct step *st, void *ctx)
{
	struct trace_run *tw = ctx;

	(void)e;
	if (st->n >= tw->t->from && (!tw->t->until || st->n <= tw->t->until))
		tracewriter_step(tw->w, st);
	tw->ring[tw->nring++ % RING] = *st;
	return 0;
}

static const struct cli_opt trace_opts[] = {
	{ "format", OPT_FORMAT, "F", "text (default) or jsonl (one JSON object per step)" },
	{ "output", 'o', "FILE", "write the trace to FILE" },
	{ "walk", OPT_WALK, NULL, "add the page walk of each instruction's address" },
	{ "max-steps", OPT_MAX_STEPS, "N", "stop after N instructions" },
	{ "from", OPT_FROM, "N", "print only the steps from N on (all steps still run)" },
	{ "until", OPT_UNTIL, "M", "print only the steps up to M" },
	{ 0 },
};
const struct cli_opt *const trace_tables[] = { trace_opts, stoppoint_opts, NULL };

int trace_open_output(const struct trace_opts *t, FILE **f)
{
	*f = stdout;
	if (t->output && !(*f = fopen(t->output, "w")))
		return cli_error(EXIT_USAGE, "--output %s: %s", t->output, strerror(errno));
	return 0;
}

vmm_console_sink trace_console(FILE *f)
{
	return f == stdout ? stderr_sink : NULL;
}

int trace_session(struct session *s, const struct trace_opts *t, uint64_t max_exits,
		  unsigned timeout_ms, FILE *f)
{
	static struct step ring[RING];
	static struct engine e;
	struct tracewriter w;
	struct trace_run tw;
	struct engine_goal g;
	uint64_t nring = 0;
	int ret, status = EXIT_HALTED, write_failed = 0;

	ret = session_engine_init(s, &e, false);
	if (ret == 0)
		ret = stoppoints_apply(&t->points, &e);
	if (ret < 0) {
		status = cli_error(ret == -ENOTSUP ? EXIT_HOST : EXIT_USAGE, "%s", vmm_last_error());
		goto out;
	}
	e.max_steps = t->max_steps;
	e.max_exits = max_exits;
	e.timeout_ms = timeout_ms;
	tracewriter_init(&w, &e, t->format, t->walk, f);
	w.ex.start_mode = (int)s->mode;
	tw = (struct trace_run){ t, &w, ring, 0 };
	engine_goal_init(&e, &g, ENGINE_GOAL_CONTINUE, 0, NULL, 0, NULL, 0);
	ret = engine_go(&e, &g, trace_step, &tw);
	nring = tw.nring;
	if (tracewriter_finish(&w) < 0)   /* said now, the exit status says it at the end */
		write_failed = cli_error(EXIT_USAGE, "writing the trace to %s: %s",
					 t->output ? t->output : "standard output", strerror(w.out.err));
	if (ret < 0) {
		status = cli_error(EXIT_HOST, "%s", vmm_last_error());
		goto out;
	}
	if (stoppoints_report(&e)) {
		status = EXIT_HALTED;
		goto out;
	}
	status = cli_session_end(s, e.stop, 0);
	stepflow_report(&e, stderr);
	if (status == EXIT_FAULT && nring)
		post_mortem(&e, s->mode, ring, nring);
out:
	engine_free(&e);
	if (f != stdout && fclose(f) != 0 && !write_failed)
		write_failed = cli_error(EXIT_USAGE, "writing the trace to %s: %s", t->output,
					 strerror(errno));
	return write_failed ? write_failed : status;
}

static int trace_main(int argc, char **argv)
{
	struct trace_opts t = { .format = TRACE_TEXT };
	struct conlabel label;
	struct vm_opts o;
	struct session s;
	FILE *f;
	int status;

	if (cli_wants_help(&cmd_trace, argc, argv))
		return 0;
	if (vm_opts_parse(argc, argv, &o, trace_tables, trace_option, &t) < 0)
		return EXIT_USAGE;
	if ((status = trace_open_output(&t, &f)) != 0)
		return status;
	conlabel_init(&label, trace_console(f), NULL);
	if (session_open(&s, &o, conlabel_sink, &label) < 0) {
		status = cli_session_failed(&s);
		if (f != stdout)
			fclose(f);
		return status;
	}
	label.hc = &s.hc;
	status = trace_session(&s, &t, o.max_exits, o.timeout_ms, f);
	session_close(&s);
	return status;
}

const struct command cmd_trace = {
	.name = "trace",
	.summary = "single-step a guest and print every instruction, explained",
	.help =
	"usage: kvmlab trace [OPTIONS] GUEST\n\n"
	"Runs GUEST one instruction at a time and writes each step: address, mode,\n"
	"instruction, registers that changed (old->new), VM exits, memory written, and a\n"
	"sentence on anything notable (mode switches, descriptor tables, page tables,\n"
	"port I/O, hypercalls, faults). The guest's console output goes to standard error\n"
	"when the trace goes to standard output.\n\n"
	"  kvmlab trace boot\n"
	"  kvmlab trace hello --mode long --format jsonl -o hello.jsonl\n"
	"  kvmlab trace boot --break 0x1040 --walk\n",
	.opts = trace_tables,
	.main = trace_main,
	.guest_opts = true,
};
