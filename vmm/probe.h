/* probe.h - what this host's KVM can do, tested rather than assumed. */
#pragma once

#include <stdbool.h>

#include "cpumode.h"

struct vmm_probe {
	int api_version;
	char backend[32];              /* "vmx", "svm", "pvm" or "unknown" */
	unsigned caps;                 /* enum vmm_cap bits */
	unsigned guestdbg;             /* KVM_CAP_SET_GUEST_DEBUG2 flags */
	bool mode_ok[VMM_MODE__COUNT]; /* a one-instruction guest halted in that mode */
	char why[VMM_MODE__COUNT][160]; /* when not: the reason, one sentence */
	bool sw_breakpoints;           /* int3 with KVM_GUESTDBG_USE_SW_BP gives a debug exit */
	bool hw_watchpoints;           /* a DR0 write watchpoint gives a debug exit */
};

/* Probe dev (NULL: /dev/kvm); modes tested too. 0 or -errno (vmm_last_error() says why). */
int vmm_probe(const char *dev, struct vmm_probe *p);

/* Test one mode only: 1 runs, 0 does not (why filled), or -errno. */
int vmm_probe_mode(const char *dev, enum vmm_mode mode, char *why, unsigned whylen);

/* 1 if int3 breakpoints (KVM_GUESTDBG_USE_SW_BP) work on this host, 0 if not, or -errno. */
int vmm_probe_sw_breakpoints(const char *dev);

/* 1 if debug-register write watchpoints (KVM_GUESTDBG_USE_HW_BP) work here, 0 if not, or -errno. */
int vmm_probe_hw_watchpoints(const char *dev);

/* The host fact behind every 32-bit paging limit: "this host's KVM (backend: pvm) cannot run ...". */
const char *vmm_probe_paging_fact(void);

/* The sentence kvmlab prints when a mode cannot run on this host. */
const char *vmm_probe_limitation(enum vmm_mode mode);
