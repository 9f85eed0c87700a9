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
#include "hypercall.h"
#include "run.h"

/* One entry of the mode timeline: from step `step` on, the CPU was in cpu_mode. */
struct lab_mode_change {
	uint64_t step;
	int cpu_mode;                 /* enum vmm_cpu_mode */
};

/* Program labs: at most this many declared hypercalls and VMs are told apart. */
#define LAB_ABI_MAX 16
#define LAB_OBS_MAX_VMS 8

/* Program labs: one KVM_RUN of the student's program, as `kvmlab exec` saw it. */
struct lab_obs_exit {
	uint32_t vm;                  /* 1, 2, ...: in the order the program created its VMs */
	uint32_t vcpu;
	uint32_t tid;                 /* the program's thread that called KVM_RUN */
	int type;                     /* enum vmm_exit */
	int dir;                      /* KVM_EXIT_IO_IN or KVM_EXIT_IO_OUT; -1 for other exits */
	uint16_t port;
	uint8_t size;
	uint32_t count;
	uint64_t data;                /* up to 8 bytes at data_offset, little-endian */
	uint64_t ns;                  /* time spent in this KVM_RUN */
};

/* Program labs: everything observed in one run. */
struct lab_obs {
	struct lab_obs_exit *exits;   /* every KVM_RUN, in order */
	size_t n, cap;
	unsigned nvms;
	uint64_t vm_ns[LAB_OBS_MAX_VMS];   /* time in KVM_RUN per VM (index vm - 1) */
	uint64_t vm_runs[LAB_OBS_MAX_VMS];
	bool kvm_opened;              /* the program opened /dev/kvm at all */
};

/* IO exits on a port no device claims (reads give all ones, writes are dropped). */
struct lab_port_use {
	uint16_t port;
	uint64_t in, out;
};

#define LAB_NODEV_MAX 8   /* ports with no device told apart in a run */

struct lab_run {
	int stop;                     /* enum vmm_stop: how the run ended */
	char *output;                 /* console + hypercall output, in order, NUL-terminated */
	size_t output_len;            /* bytes in output, without the NUL */
	char *shown;                  /* the same as a student sees it: what kvmlab's built-in
				       * handlers printed labelled "[kvmlab's NAME] " (conlabel.h);
				       * NULL in program labs */
	size_t shown_len;
	struct lab_port_use nodev[LAB_NODEV_MAX];   /* ports with no device, in the order used */
	unsigned nnodev;
	struct vmm_hc_misuse misuse;  /* the first access of a wrong size or direction on a
				       * hypercall's port (misuse.size 0: none) */
	uint64_t hc_calls[VMM_HC__COUNT];     /* times each hypercall's handler ran */
	uint64_t hc_printed[VMM_HC__COUNT];   /* bytes its handler printed */
	bool hc_student[VMM_HC__COUNT];       /* answered by the student's handler */
	bool handler_died;            /* the student's handlers crashed, hung or broke the protocol */
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
	/* when the guest's timestamp was taken, by the host's clocks: around the last
	 * getTimestamp exit the student's handlers answered, else the whole run (output
	 * expressions: start, end, tsc_start, tsc_end, clock_start, clock_end) */
	uint64_t start, end;          /* seconds since 1970 */
	uint64_t tsc_start, tsc_end;  /* the host's time-stamp counter */
	uint64_t clock_start, clock_end;   /* the VM's KVM_GET_CLOCK, ns */
	uint64_t hc_seen[VMM_HC__COUNT][VMM_HC_SEEN][2];   /* IO in, IO out exits KVM had
							    * reported at each hypercall's 1st and
							    * 2nd call (NAME_1_in, NAME_2_out) */
	bool traced;                  /* the fields below are valid */
	uint64_t instructions;        /* instructions retired */
	struct lab_mode_change *modes; /* mode timeline, in step order */
	size_t nmodes;
	char *trace_path;             /* the JSONL trace written for this run */
	/* program labs */
	struct lab_obs *obs;          /* what kvmlab exec saw (NULL in other labs) */
	char *workdir;                /* the run's folder (files checks read it) */
	char *obs_log;                /* exec's JSON Lines log of this run (answers checks with
				       * observed: values read it), NULL if none */
	int abi_port[LAB_ABI_MAX];    /* port of each program.abi.names entry, -1: not declared */
	struct lab_run *runs;         /* the parent run: one per program.runs entry */
	size_t nruns;
	struct lab_run *reference;    /* the same guest under kvmlab's built-in handlers, for checks
				       * with run: reference_handlers (NULL when none asks) */
	struct lab_run *grader;       /* the lab's own guest (grader_guest) under the student's
				       * handlers, for checks with run: grader_guest */
	/* memory changes, when a check needs them (lab.memlog; memchange.h) */
	uint8_t *image;               /* guest memory as loaded, before the first instruction */
	uint64_t *dirty;              /* pages written during the run: bit n = page n */
	uint64_t stack_top;           /* the stack pointer the guest started with */
	char *guest_path;             /* the image the run loaded (symbols of memory ranges) */
	uint64_t elapsed_ns;          /* wall-clock time of the run (a program lab: the program) */
	bool sandboxed;               /* student code ran sandboxed: so do a lab's scripts */
	char error[256];              /* build or run failure, "" if none: then no check passes */
	char stop_detail[512];        /* how an abnormal run ended, "" if it halted (for the report) */
};

