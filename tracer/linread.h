/* linread.h - guest linear memory read page by page, through whichever page walk and physical
 * reader the caller has: the live vCPU (engine_mem.c) or a past step (tui/snap.c). */
#ifndef KVMLAB_LINREAD_H
#define KVMLAB_LINREAD_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "pagewalk.h"

struct linread {
	const struct kvm_sregs *s;  /* the state whose CR0/CR3/CR4/EFER apply */
	uint64_t mem_size;          /* guest physical memory: [0, mem_size) */
	int (*walk)(const struct linread *r, uint64_t lin, struct vmm_walk *w);
	int (*read)(const struct linread *r, uint64_t gpa, void *buf, size_t len);
	void *ctx;
};

/* Guest physical address of linear lin (identity without CR0.PG); 0 or -EFAULT. */
int linread_to_phys(const struct linread *r, uint64_t lin, uint64_t *gpa);

/* Copy up to len bytes at linear lin; returns how many were readable before the first gap. */
size_t linread_read(const struct linread *r, uint64_t lin, void *buf, size_t len);

#endif
