/* memwhere.h - what the x86 structure at a guest physical address is (a GDT descriptor, a
 * page-table entry, as the run's final GDTR and CR3 name them), and why the CPU itself writes
 * there, for a writes_within failure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "result.h"

/* A sentence on gpa, whose byte went from before to after, into buf ("" when it is neither). */
void lab_mem_where(const struct lab_run *run, uint64_t gpa, uint8_t before, uint8_t after,
		   char *buf, size_t len);
