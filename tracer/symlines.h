/* symlines.h - private to symbols.c and symlines.c: the line table and source text of a
 * guest's ELF (symlines.c), read and freed by symbols_load and symbols_free. */
#pragma once

#include <libelf.h>

#include "symbols.h"

/* Read the DWARF line table of elf into s->rows and s->files (none: 0, nothing read);
 * 0 or -ENOMEM. */
int symbols_read_lines(struct symbols *s, Elf *elf);

/* Free the rows, the file names and the source text cache. */
void symbols_free_lines(struct symbols *s);
