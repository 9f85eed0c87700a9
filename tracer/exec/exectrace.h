/* exectrace.h - `kvmlab exec --trace`: the step engine on a vCPU inside another program. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "observe.h"
#include "tracewrite.h"

struct exec_trace_opts {
	enum trace_format format;
	bool walk;
	uint64_t max_steps;
	int vm_no;                /* the VM whose vCPU is stepped (0: the first to run) */
	FILE *out;                /* where the steps go */
	/* called with the engine before stepping (breakpoints, watches: 0 or -errno) and after
	 * it (to say where it stopped); either may be NULL */
	int (*setup)(struct engine *e, void *ctx);
	void (*done)(const struct engine *e, void *ctx);
	void *ctx;
};

struct exec_trace_result {
	bool ran;                 /* a vCPU was found and stepped */
	uint64_t steps;           /* instructions retired */
	bool ended;               /* the guest stopped (stop says why); else a breakpoint or a
				   watch stopped the stepping */
	enum vmm_stop stop;
	char vcpu[64];            /* its name */
	int write_err;            /* errno of a failed write of the trace, or 0 */
	bool program_ended;       /* the program ended (or stopped running the vCPU) first */
	uint64_t ns;              /* time spent stepping */
	uint64_t runs, runs_two;  /* KVM_RUN calls made by the agent; those on two CPUs */
};

/*
 * Step the guest of the program o observes (obs_start'ed, not yet run) from its first KVM_RUN
 * on VM vm_no to its end, writing every step as `kvmlab trace` does; then let the program
 * run on to its end, observed.  0, or -errno (vmm_last_error() says why).
 */
int exec_trace(struct obs *o, const struct exec_trace_opts *t, struct exec_trace_result *r);
