/* insncache.h - decoded instructions by address, so a loop is decoded and formatted once. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "disasm.h"

#define INSNCACHE_SIZE 256   /* direct-mapped by the low bits of the address */

struct insncache_entry {
	uint64_t pc;
	uint8_t bits, len;
	bool valid, has_text;
	uint8_t bytes[15];
	struct insn in;
	char text[96];
};

struct insncache {
	struct insncache_entry e[INSNCACHE_SIZE];
};

/* The decoded instruction in bytes[0..len) at linear pc in bits mode (from the cache when the
 * same bytes were decoded there before: self-modifying code is seen), or NULL if invalid. */
struct insncache_entry *insncache_decode(struct insncache *c, const struct disasm *d, int bits,
					 const uint8_t *bytes, size_t len, uint64_t pc);

/* Its Intel-syntax text, formatted once. */
const char *insncache_text(struct insncache_entry *ent, const struct disasm *d);
