/* insncache.c - decoded instructions by address: the tracer's hottest loop decodes each once. */
#include "insncache.h"

#include <stdio.h>
#include <string.h>

struct insncache_entry *insncache_decode(struct insncache *c, const struct disasm *d, int bits,
					 const uint8_t *bytes, size_t len, uint64_t pc)
{
	struct insncache_entry *ent = &c->e[(pc ^ (pc >> 8)) % INSNCACHE_SIZE];

	if (ent->valid && ent->pc == pc && ent->bits == bits && ent->len <= len &&
	    memcmp(ent->bytes, bytes, ent->len) == 0)
		return ent;
	ent->valid = false;
	if (disasm_decode(d, bits, bytes, len, &ent->in) < 0)
		return NULL;
	ent->pc = pc;
	ent->bits = (uint8_t)bits;
	ent->len = ent->in.i.length;
	memcpy(ent->bytes, bytes, ent->len);
	ent->has_text = false;
	ent->valid = true;
	return ent;
}

const char *insncache_text(struct insncache_entry *ent, const struct disasm *d)
{
	if (!ent->has_text) {
		if (disasm_format(d, &ent->in, ent->pc, ent->text, sizeof(ent->text)) < 0)
			snprintf(ent->text, sizeof(ent->text), "(bad)");
		ent->has_text = true;
	}
	return ent->text;
}
