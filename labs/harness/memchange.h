/* memchange.h - what a run changed in guest memory, for writes_within and script checks.
 *
 * Before the guest's first instruction the runner takes a copy of guest memory (the image as
 * loaded: the guest's sections and the VMM's GDT, page tables and stack) and turns on KVM's
 * dirty-page log (vmm/dirtylog.h); after the run it reads which pages were written.  A changed
 * byte is one of those pages that differs from the copy, whoever wrote it: the guest's
 * instructions, the CPU itself (accessed and dirty bits, descriptor accessed bits) or a
 * hypercall's handler.  Ranges are guest physical addresses.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labfile.h"
#include "result.h"

struct vmm_vm;
struct vmm_vcpu;
struct lab_diag;

/* Runner: copy the image and start the log (lab->memlog only).  0 or -errno, with a
 * sentence in run->error when this host cannot log dirty pages. */
int lab_memchange_start(const struct lab *lab, struct vmm_vm *vm, struct vmm_vcpu *vcpu,
			struct lab_run *run);
/* Runner, after the run: read the log into run->dirty.  0 or -errno (run->error says why). */
int lab_memchange_finish(struct vmm_vm *vm, struct lab_run *run);

/* The first changed byte at or after *addr (set to it): true, or false when there is none. */
bool lab_memchange_next(const struct lab_run *run, uint64_t *addr);
/* Whether page n was written during the run. */
bool lab_memchange_page_dirty(const struct lab_run *run, uint64_t page);

/* Load time: check the text of n ranges (base.N names each in messages).  0 or -EINVAL. */
int lab_mem_ranges_prepare(const struct lab_mem_range *r, unsigned n, struct lab_diag *d,
			   const char *base);

/* Resolve ranges against run (symbols of its guest ELF, its stack top) into lo[i], hi[i]:
 * [lo, hi) within guest memory.  0, or -EINVAL with a sentence in err. */
int lab_mem_ranges_resolve(const struct lab_mem_range *r, unsigned n, const struct lab_run *run,
			   uint64_t *lo, uint64_t *hi, char *err, size_t errlen);
