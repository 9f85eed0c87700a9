/* exectrace.c - step another program's guest with the same engine as `kvmlab trace`. */
#include "exectrace.h"

#include <string.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "foreign.h"

static int write_step(struct engine *e, const struct step *st, void *ctx)
{
	(void)e;
	tracewriter_step(ctx, st);
	return 0;
}

int exec_trace(struct obs *o, const struct exec_trace_opts *t, struct exec_trace_result *r)
{
	static struct foreign f;
	static struct engine e;
	struct tracewriter w;
	struct engine_goal g;
	uint64_t t0;
	int ret, rel;

	memset(r, 0, sizeof(*r));
	ret = foreign_open(&f, o, t->vm_no);
	if (ret != 0)
		return ret < 0 ? ret : 0;  /* 1: the program never ran a vCPU */
	r->ran = true;
	snprintf(r->vcpu, sizeof(r->vcpu), "%s", f.hold.vcpu->name);
	ret = engine_init(&e, &f.cpu, false);
	if (ret == 0 && t->setup)
		ret = t->setup(&e, t->ctx);
	if (ret == 0) {
		e.max_steps = t->max_steps;
		tracewriter_init(&w, &e, t->format, t->walk, t->out);
		w.ex.start_mode = (int)foreign_start_mode(&f);
		engine_goal_init(&e, &g, ENGINE_GOAL_CONTINUE, 0, NULL, 0, NULL, 0);
		t0 = vmm_clock_ns();
		ret = engine_go(&e, &g, write_step, &w);
		r->ns = vmm_clock_ns() - t0;
		if (tracewriter_finish(&w) < 0)
			r->write_err = w.out.err;
		r->steps = e.nretired;
		r->stop = e.stop;
		r->ended = e.ended;
		if (ret >= 0 && t->done)
			t->done(&e, t->ctx);
	}
	engine_free(&e);
	r->runs = f.agent.runs;
	r->runs_two = f.agent.runs_two;
	if (f.ended) {
		/* the program stopped running the vCPU (or ended): its choice, not a failure */
		r->program_ended = true;
		return 0;
	}
	rel = foreign_release(&f, ret >= 0 && e.ended && e.stop == VMM_STOP_HLT);
	if (ret >= 0 && rel < 0)
		ret = rel;
	return ret < 0 ? ret : 0;
}
