/* run.h - the run loop: enter the guest until it stops, within limits. */
#pragma once

#include <stdint.h>

#include "exits.h"

struct vmm_vcpu;

enum vmm_stop {
	VMM_STOP_HLT,            /* the guest executed HLT */
	VMM_STOP_SHUTDOWN,       /* triple fault */
	VMM_STOP_FAIL_ENTRY,     /* KVM could not enter the guest */
	VMM_STOP_INTERNAL_ERROR, /* KVM could not emulate or deliver something */
	VMM_STOP_EXIT_LIMIT,     /* --max-exits reached */
	VMM_STOP_STEP_LIMIT,     /* an instruction budget reached (tracer) */
	VMM_STOP_TIMEOUT,        /* --timeout wall clock reached */
	VMM_STOP_DEVICE,         /* a device refused an access (vmm_last_error() says why) */
	VMM_STOP_DEBUG,          /* a debug exit (single-step, breakpoint) */
	VMM_STOP_OTHER,          /* an exit kvmlab does not handle */
};

struct vmm_limits {
	uint64_t max_exits;      /* 0: no limit */
	unsigned timeout_ms;     /* 0: no limit */
};

/* Short name of a stop reason ("halted", "triple fault", ...). */
const char *vmm_stop_name(enum vmm_stop s);

/* Classify an exit: 0 and *stop set if it ends a run, 1 if the run goes on. */
int vmm_exit_stops(enum vmm_exit kind, enum vmm_stop *stop);

/* Arm the wall-clock safety net for vcpu (0 ms disarms); expiry sets immediate_exit. */
int vmm_timer_arm(struct vmm_vcpu *vcpu, unsigned timeout_ms);

/* Non-zero once the armed timer has fired. */
int vmm_timer_expired(void);

/* Run until the guest stops or a limit is reached; *stop says why. 0 or -errno (host failure). */
int vmm_run(struct vmm_vcpu *vcpu, const struct vmm_limits *limits, enum vmm_stop *stop);
