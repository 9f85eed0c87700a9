/* loader.h - put a guest image (ELF32, ELF64 or flat binary) into guest memory. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cpumode.h"

struct vmm_vm;

struct vmm_image {
	uint64_t entry;        /* entry point (guest physical = linear) */
	uint64_t lo, hi;       /* lowest and one-past-highest byte the image occupies */
	int elf_class;         /* 32 or 64 for ELF, 0 for a flat binary */
	bool has_mode;         /* the ELF names its start mode in a .kvmlab.mode section */
	enum vmm_mode mode;    /* that mode, if has_mode */
};

/* Load the ELF executable at path: every PT_LOAD segment and the entry are checked first. */
int vmm_load_elf(struct vmm_vm *vm, const char *path, struct vmm_image *img);

/* Load the file at path byte for byte at guest physical addr; entry = addr. */
int vmm_load_flat(struct vmm_vm *vm, const char *path, uint64_t addr, struct vmm_image *img);

/* Load from a memory buffer (tests, probes); same checks as vmm_load_flat. */
int vmm_load_bytes(struct vmm_vm *vm, const void *bytes, uint64_t len, uint64_t addr,
		   struct vmm_image *img);
