/* idtgate.c - one vector's entry in the IVT or IDT, read from guest memory. */
#include "idtgate.h"
#include "x86.h"

#include <errno.h>
#include <string.h>


int idtgate_get(const struct kvm_sregs *s, unsigned v, idtgate_read_fn read, void *ctx,
		struct idtgate *g)
{
	uint8_t b[16];

	if (v > 255)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	/* Real mode: 4-byte IVT entries (offset, segment) at IDTR.base + 4v (SDM Vol. 3A 20.1.4).
	 * Protected mode: 8-byte gates; IA-32e mode: 16-byte gates (6.10, 6.14.1). */
	g->size = !(s->cr0 & X86_CR0(PE)) ? 4 : (s->efer & X86_EFER(LMA)) ? 16 : 8;
	g->addr = s->idt.base + (uint64_t)v * g->size;
	if (!(s->efer & X86_EFER(LMA)))
		g->addr &= 0xffffffffull;
	g->in_limit = (uint64_t)v * g->size + g->size - 1 <= s->idt.limit;
	if (!read || read(ctx, g->addr, b, g->size) < 0)
		return 0;
	g->read = true;
	if (g->size == 4) {
		g->present = true;
		g->offset = (uint64_t)b[0] | (uint64_t)b[1] << 8;
		g->selector = (uint16_t)(b[2] | b[3] << 8);
		return 0;
	}
	g->offset = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[6] << 16 | (uint64_t)b[7] << 24;
	g->selector = (uint16_t)(b[2] | b[3] << 8);
	g->type = b[5] & 0xf;
	g->dpl = (b[5] >> 5) & 3;
	g->present = b[5] & 0x80;
	if (g->size == 16)
		g->offset |= ((uint64_t)b[8] | (uint64_t)b[9] << 8 | (uint64_t)b[10] << 16 |
			      (uint64_t)b[11] << 24) << 32;
	return 0;
}

const char *idtgate_exception_name(unsigned v)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", NULL, "#TS", "#NP",
		"#SS", "#GP", "#PF", NULL, "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};
	return v < 32 ? names[v] : NULL;
}

bool idtgate_has_error_code(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
}
