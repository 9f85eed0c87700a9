/* idtgate.h - one vector's entry in the IVT (real mode) or IDT (protected and long mode). */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read len bytes at a linear address as of some state; 0 or -errno. */
typedef int (*idtgate_read_fn)(void *ctx, uint64_t lin, void *buf, size_t len);

struct idtgate {
	uint64_t addr;        /* linear address of the entry: IDTR.base + vector * size */
	unsigned size;        /* 4 (IVT), 8 (protected mode) or 16 (long mode) */
	bool in_limit;        /* the whole entry lies within IDTR.limit */
	bool read;            /* the entry was read from guest memory */
	bool present;         /* P (always true in the IVT) */
	unsigned type;        /* gate type: 0xE interrupt, 0xF trap, 5 task, ... (0 in the IVT) */
	unsigned dpl;
	uint16_t selector;    /* the handler's CS (the IVT's segment) */
	uint64_t offset;      /* the handler's RIP */
};

/* The gate of vector v under s (SDM Vol. 3A 6.10, 6.11, 6.14.1; real mode 20.1.4). 0 when the
 * entry's address was computed (g filled; g->read says whether its bytes could be read). */
int idtgate_get(const struct kvm_sregs *s, unsigned v, idtgate_read_fn read, void *ctx,
		struct idtgate *g);

/* The mnemonic of an exception vector ("#GP"), or NULL above 31 or for a reserved vector. */
const char *idtgate_exception_name(unsigned v);

/* True if the CPU pushes an error code for exception vector v (SDM Vol. 3A 6.3.1, Table 6-1). */
bool idtgate_has_error_code(unsigned v);
