/* execmem.h - `kvmlab exec --memory PREFIX`: the guest memory of each VM of the program when
 * its guest stops (KVM_EXIT_HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, SYSTEM_EVENT), read
 * from the program itself through the VM's memory slots (process_vm_readv at the KVM_RUN's
 * return, while the vCPU's thread is stopped there).
 *
 * PREFIX.vmN holds VM N's guest physical memory from address 0 (byte G at offset G, holes
 * read as zero); PREFIX.vmN.slots says which guest physical ranges were read, one line
 * "GPA SIZE" (hex) each, after a "# vmN at EXIT" line.  A later stop of the same VM writes
 * both again: each of its first EXECMEM_EVERY stops, then every EXECMEM_EVERY-th (a
 * program that runs its halted guest again and again is not slowed to a crawl).  The slots
 * are the program's (untrusted): only slots that lie below EXECMEM_GPA_MAX are read,
 * EXECMEM_BYTES_MAX bytes of guest physical addresses at most (read or not), and a page
 * the program has not mapped is left out of the ranges.
 */
#pragma once

#include "observe.h"

#define EXECMEM_GPA_MAX (4ull << 30)
#define EXECMEM_BYTES_MAX (64ull << 20)
#define EXECMEM_EVERY 64

#define EXECMEM_VMS 64

struct execmem {
	const char *prefix;
	int err;                  /* the first error writing the files (errno), 0: none */
	uint64_t dumps;           /* memory images written */
	uint64_t stops[EXECMEM_VMS];   /* guest stops seen per VM number (1.. EXECMEM_VMS) */
	struct obs_sink inner;    /* the log's sink, fed too */
};

/* Wrap inner: *sink feeds both inner and the memory images under prefix. */
void execmem_init(struct execmem *m, const char *prefix, const struct obs_sink *inner,
		  struct obs_sink *sink);
