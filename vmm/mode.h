/* mode.h - put a fresh vCPU into one of the five start modes, page tables and stack included. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cpumode.h"

struct vmm_vcpu;
struct vmm_image;

struct vmm_layout {
	uint64_t tables_lo, tables_hi; /* page tables the VMM built ([0,0) when none) */
	uint64_t stack_top;            /* initial RSP/ESP/SP (linear) */
	uint64_t stack_lo;             /* lowest address the stack may reach before the image */
};

/* Smallest stack the VMM leaves between the image and the tables. */
#define VMM_STACK_MIN 0x1000u

/* Set up mode for img (registers, segments, page tables, stack); small_pages: 4 KiB pages in long mode. */
int vmm_mode_setup(struct vmm_vcpu *vcpu, enum vmm_mode mode, const struct vmm_image *img,
		   bool small_pages, struct vmm_layout *layout);
