/* explain_ptw.c - writes into the live paging structures: which entry changed, what the CPU will
 * make of it, and that the TLB may still hold the old translation. */
#include <string.h>

#include "engine.h"
#include "explain_priv.h"
#include "pagewalk.h"
#include "x86.h"

/* Collect paging-structure pages reachable from CR3 (bounded), for spotting page-table writes. */
static void build_tables(struct explain_ctx *ctx, const struct kvm_sregs *s)
{
	enum vmm_paging p = vmm_paging_mode(s->cr0, s->cr4, s->efer);
	int levels = p == VMM_PAGING_32 ? 2 : p == VMM_PAGING_PAE ? 3 : p == VMM_PAGING_4LEVEL ? 4 :
		     p == VMM_PAGING_5LEVEL ? 5 : 0;
	unsigned esz = p == VMM_PAGING_32 ? 4 : 8;

	ctx->ntables = 0;
	ctx->tables_cr3 = s->cr3;
	if (!levels)
		return;
	ctx->table[0] = p == VMM_PAGING_PAE ? s->cr3 & ~0x1full : s->cr3 & 0x000ffffffffff000ull;
	ctx->level[0] = 0;
	ctx->ntables = 1;
	for (int t = 0; t < ctx->ntables; t++) {
		unsigned n = p == VMM_PAGING_PAE && ctx->level[t] == 0 ? 4 : 4096 / esz;

		if (ctx->level[t] + 1 >= levels)
			continue;
		for (unsigned i = 0; i < n && ctx->ntables < EXPLAIN_MAX_TABLES; i++) {
			uint64_t ent = 0;

			if (explain_read_phys(ctx, ctx->table[t] + (uint64_t)i * esz, &ent, esz) < 0)
				break;
			if (!(ent & 1) || ((ent & 0x80) && (ctx->level[t] > 0 || p == VMM_PAGING_32)))
				continue;
			ctx->table[ctx->ntables] = ent & 0x000ffffffffff000ull;
			ctx->level[ctx->ntables++] = (uint8_t)(ctx->level[t] + 1);
		}
	}
}

/* What the CPU makes of a present entry's reserved bits (SDM Vol. 3A 4.5, Tables 4-15..4-20:
 * bits at or above MAXPHYADDR, and bit 63 unless EFER.NXE = 1, are reserved). */
static const char *entry_verdict(uint64_t ent, bool wide, const struct kvm_sregs *s, unsigned maxphy)
{
	uint64_t addr_rsv = maxphy < 52 ? (~0ull >> (64 - 52)) & ~(~0ull >> (64 - maxphy)) : 0;

	if (!(ent & 1))
		return "not present: an access through it raises #PF";
	if (wide && (ent & (1ull << 63)) && !(s->efer & X86_EFER(NXE)))
		return "P=1, but bit 63 (NX) is reserved while EFER.NXE=0: a walk through it raises #PF "
		       "with RSVD=1";
	if (wide && (ent & addr_rsv))
		return "P=1, but it sets address bits at or above MAXPHYADDR, which are reserved: a walk "
		       "through it raises #PF with RSVD=1";
	return "present";
}

void explain_ptwrites(struct explain_ctx *ctx, struct out *o, const struct step *st)
{
	const struct kvm_sregs *s = &st->safter;
	enum vmm_paging p = vmm_paging_mode(s->cr0, s->cr4, s->efer);
	static const char *const names5[] = { "PML5", "PML4", "PDPT", "PD", "PT" };
	const char *const *names = p == VMM_PAGING_5LEVEL ? names5 : p == VMM_PAGING_4LEVEL ? names5 + 1 :
				   p == VMM_PAGING_PAE ? names5 + 2 : names5 + 3;
	unsigned esz = p == VMM_PAGING_32 ? 4 : 8, maxphy = ctx->e->cpu->maxphyaddr;

	if (p == VMM_PAGING_NONE)
		return;
	if (ctx->tables_cr3 != s->cr3)
		build_tables(ctx, s);
	for (int k = 0; k < st->nwrites; k++) {
		const struct step_write *w = &st->w[k];

		for (int t = 0; t < ctx->ntables; t++) {
			uint64_t ent = 0;

			if (w->gpa < ctx->table[t] || w->gpa >= ctx->table[t] + 4096)
				continue;
			memcpy(&ent, w->new, w->len < esz ? w->len : esz);
			/* SDM Vol. 3A 4.10.4.3: the TLB may keep a stale translation until it is
			 * invalidated (INVLPG, a CR3 write) */
			say(o, "%s[%llu] <- 0x%llx: a page-table entry changed (%s); the TLB may still hold "
			    "the old translation until INVLPG of an address it maps, or a CR3 write",
			    names[ctx->level[t]], (unsigned long long)((w->gpa - ctx->table[t]) / esz),
			    (unsigned long long)ent, entry_verdict(ent, esz == 8, s, maxphy ? maxphy : 52));
			ctx->tables_cr3 = ~0ull;  /* the tree may have changed */
			break;
		}
	}
}
