/* foreign.h - a vCPU inside a program run under `kvmlab exec`, as the step engine's tvcpu. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "agent.h"
#include "cpumode.h"
#include "observe.h"
#include "tvcpu.h"

/*
 * KVM answers VM and vCPU ioctls only from the process that made the VM, so the calls that
 * step the guest run inside the program, on the thread that called KVM_RUN: kvmlab holds that
 * thread at its KVM_RUN (a seccomp stop), points it at a three-byte gadget it mapped into the
 * program (`syscall; int3`) with the ioctl in its registers, and lets it go: the call runs,
 * the int3 stops the thread again, and kvmlab reads the result.  A single-step costs one
 * ptrace stop: the KVM_RUN carries the filter's cookie, so the filter lets it through.  The
 * exits the program must see (I/O, MMIO, HLT, shutdown, interruptions) are handed to it as
 * the result of its own KVM_RUN; debug exits never are.  Registers come back in the kvm_run
 * page (KVM_CAP_SYNC_REGS), which kvmlab has mapped too; guest memory is read and written
 * through the program's memory slots with process_vm_readv/writev.
 */
struct foreign {
	struct tvcpu cpu;
	struct obs *o;
	struct obs_hold hold;         /* the thread and vCPU being stepped */
	bool held;                    /* the thread is stopped under kvmlab's control */
	bool at_entry;                /* ... at its own KVM_RUN's seccomp stop (not in the gadget) */
	struct user_regs_struct prog; /* the program's registers at that KVM_RUN */
	uint64_t gadget, data;        /* in the program: the code, and a page for arguments */
	void *shared;                 /* kvmlab's view of the agent's code and box */
	struct agent agent;           /* the loop that makes the KVM_RUN calls (agent.h) */
	struct kvm_run *run;          /* kvmlab's read-write mapping of the vCPU's kvm_run */
	bool synced;                  /* run->s.regs holds the state of the last exit */
	uint32_t dirty;               /* KVM_SYNC_X86_* to write back at the next entry */
	bool exit_pending;            /* the last exit belongs to the program: hand it over */
	bool debug_hlt;               /* it was a debug exit after a HLT: the program sees HLT */
	uint64_t deadline_ns;         /* arm_timeout: 0 none */
	bool timed_out;
	struct vmm_exit_stats stats;
	int ended_status;             /* the program ended while kvmlab waited for it */
	bool ended;
};

/* Hold the first KVM_RUN of a vCPU of VM number vm_no (0: the first VM to run one) and make
 * it steppable.  0; 1 if the program ended without one; -errno (vmm_fail says why). */
int foreign_open(struct foreign *f, struct obs *o, int vm_no);

/* Stop stepping and give the program its pending exit (was_hlt: the engine ended at a HLT
 * it saw as a debug exit, so the program gets KVM_EXIT_HLT, as untraced); it then runs on. */
int foreign_release(struct foreign *f, bool was_hlt);

/* The start mode of the state the program set up (what the TUI names, and what tells the
 * explanations that a shutdown under 32-bit paging is this host's limit). */
enum vmm_mode foreign_start_mode(const struct foreign *f);
