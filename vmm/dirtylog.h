/* dirtylog.h - which pages of guest memory a run wrote: KVM's dirty-page log on the memory
 * slot (every write the guest's instructions make, and the CPU's own: accessed and dirty bits
 * in page tables, accessed bits in segment descriptors) together with the pages kvmlab's
 * devices wrote through guestmem.c (hypercalls, file calls, a lab's handlers). */
#pragma once

#include <stdint.h>

struct vmm_vm;

/* Pages of vm's memory, and the 64-bit words a bitmap of them takes. */
uint64_t vmm_dirty_pages(const struct vmm_vm *vm);
uint64_t vmm_dirty_words(const struct vmm_vm *vm);

/* Turn logging on for guest memory (KVM_MEM_LOG_DIRTY_PAGES on its slot), from a clean log.
 * 0 or -errno (vmm_last_error() says why: a host whose KVM refuses the flag). */
int vmm_dirty_start(struct vmm_vm *vm);

/* Mark [gpa, gpa + len) written by kvmlab itself (no-op until vmm_dirty_start). */
void vmm_dirty_mark(struct vmm_vm *vm, uint64_t gpa, uint64_t len);

/* The pages written since vmm_dirty_start into bitmap (vmm_dirty_words() words; bit n of
 * word n / 64 is the page at n * 4096), the log read with KVM_GET_DIRTY_LOG.  0 or -errno. */
int vmm_dirty_read(struct vmm_vm *vm, uint64_t *bitmap);
