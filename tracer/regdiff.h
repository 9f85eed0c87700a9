/* regdiff.h - which registers a step changed, by name, in a fixed order. */
#pragma once

#include <stdint.h>

#include "step.h"

struct reg_change {
	const char *name;   /* "rax", "rflags", "cr0", "efer", "cs.sel", "gdtr.base", ... */
	uint64_t old, new;
};

#define REGDIFF_MAX 64

/* Fill out[] with the registers that differ between st->before and st->after; their count. */
int regdiff(const struct step *st, struct reg_change *out);
