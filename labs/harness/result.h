/* result.h - what a finished guest run gives to the lab checks.
 *
 * The grader fills one struct lab_run from a VMM run (and, when the lab is
 * traced, from the tracer); the checks only read it.  Nothing here needs
 * /dev/kvm, so the checks can be tested with hand-filled runs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "cpumode.h"
#include "exits.h"
#include "run.h"

/* One entry of the mode timeline: from step `step` on, the CPU was in cpu_mode. */
struct lab_mode_change {
	uint64_t step;
	int cpu_mode;                 /* enum vmm_cpu_mode */
};

struct lab_run {
	int stop;                     /* enum vmm_stop: how the run ended */
	char *output;                 /* console + hypercall output, in order, NUL-terminated */
	size_t output_len;            /* bytes in output, without the NUL */
	uint64_t exits[VMM_EXIT__COUNT]; /* exits by enum vmm_exit */
	uint64_t total_exits;
	struct vmm_exit_stats stats;  /* the same, and IO exits by port: as KVM reported them */
	struct kvm_regs regs;         /* final state */
	struct kvm_sregs sregs;
	const uint8_t *mem;           /* final guest physical memory, from address 0 */
	uint64_t mem_size;
	uint64_t hva_base;            /* host address of guest physical 0 in the grading
				       * process (0: unknown); output expressions read it
				       * as the name hva_base */
	bool traced;                  /* the fields below are valid */
	uint64_t instructions;        /* instructions retired */
	struct lab_mode_change *modes; /* mode timeline, in step order */
	size_t nmodes;
	char *trace_path;             /* the JSONL trace written for this run */
	struct lab_run *reference;    /* the same guest under kvmlab's built-in handlers, for checks
				       * with run: reference_handlers (NULL when none asks) */
	struct lab_run *grader;       /* the lab's own guest (grader_guest) under the student's
				       * handlers, for checks with run: grader_guest */
	char error[256];              /* build or run failure, "" if none: then no check passes */
	char stop_detail[512];        /* how an abnormal run ended, "" if it halted (for the report) */
};

