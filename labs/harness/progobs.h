/* progobs.h - program labs: read what `kvmlab exec --format jsonl` logged about a student's
 * hypervisor into a struct lab_obs (result.h).  The log is written by kvmlab itself, from
 * outside the program (ptrace and a seccomp filter): nothing the program prints is read. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "result.h"

struct lab_obs_summary {
	uint64_t hva_base;            /* userspace_addr of VM 1's slot at guest physical 0 */
	int last_exit;                /* enum vmm_exit of VM 1's last KVM_RUN, -1: none */
	int exit_status;              /* the program's exit status, -1 if not seen */
	int exit_signal;              /* the signal that ended it, 0 if none */
	uint64_t kvm_calls;           /* KVM ioctls seen */
	uint64_t lost;                /* tracepoint records the kernel dropped (the log misses them) */
};

/* Parse the JSONL log at path; 0 or -errno (-EBADMSG: a line that is not a JSON object). */
int lab_obs_read(const char *path, struct lab_obs *o, struct lab_obs_summary *sum);
void lab_obs_free(struct lab_obs *o);
