/* symlines.h - private to symbols.c and symlines.c: the line table and source text of a
 * guest's ELF (symlines.c), read and freed by symbols_load and symbols_free. */
#pragma once

#include <libelf.h>
#include <stddef.h>
#include <string.h>

#include "symbols.h"

/* Read the DWARF line table of elf into s->rows and s->files (none: 0, nothing read);
 * 0 or -ENOMEM. */
int symbols_read_lines(struct symbols *s, Elf *elf);

/* Free the rows, the file names and the source text cache. */
void symbols_free_lines(struct symbols *s);

/* In an array of n elements of size bytes sorted by a uint64_t address at their start
 * (struct symbols_sym, struct symbols_row): how many have an address <= addr. */
static inline size_t symbols_upto(const void *base, size_t n, size_t size, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint64_t a;

		memcpy(&a, (const char *)base + mid * size, sizeof(a));
		if (a <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
