/* walkfmt.c - a page walk rendered as text for students and as JSON for scripts. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "textbuf.h"
#include "walkfmt.h"

static int start(struct textbuf *o, const struct vmm_walk *w, char *buf, size_t len)
{
	if (!w || !buf)
		return -EINVAL;
	textbuf_init(o, buf, len);
	return len == 0 ? -ENOSPC : 0;
}

/* Characters written, or -ENOSPC if something did not fit. */
static int finish(const struct textbuf *o)
{
	return o->full ? -ENOSPC : (int)o->n;
}

/* Levels that are safe to read from w (a corrupt nlevels must not take us out of lvl[]). */
static int levels(const struct vmm_walk *w)
{
	if (w->nlevels < 0)
		return 0;
	return w->nlevels > 5 ? 5 : w->nlevels;
}

static const char *name_of(const struct vmm_walk_level *l)
{
	return l->name ? l->name : "?";
}

/* Hex digits to print v with: 16 in long mode or for wide values, else 8. */
static int hexw(const struct vmm_walk *w, uint64_t v)
{
	bool lm = w->paging == VMM_PAGING_4LEVEL || w->paging == VMM_PAGING_5LEVEL;

	return lm || v > UINT32_MAX ? 16 : 8;
}

static const char *size_name(uint64_t size)
{
	switch (size) {
	case 1ull << 12: return "4 KiB";
	case 1ull << 21: return "2 MiB";
	case 1ull << 22: return "4 MiB";
	case 1ull << 30: return "1 GiB";
	}
	return "?";
}

/* Why the walk stopped at level l, after "stops at PD[2]: ". */
static void text_reason(struct textbuf *o, const struct vmm_walk *w, const struct vmm_walk_level *l)
{
	switch (w->status) {
	case VMM_WALK_NOT_PRESENT:
		textbuf_printf(o, "not present (P=0)");
		break;
	case VMM_WALK_RESERVED:
		textbuf_printf(o, "reserved bit%s set (", (w->reserved & (w->reserved - 1)) ? "s" : "");
		for (unsigned b = 0, n = 0; b < 64; b++)
			if (w->reserved & (1ull << b))
				textbuf_printf(o, "%sbit %u", n++ ? ", " : "", b);
		textbuf_printf(o, ")");
		/* SDM Vol. 3A 4.1.4 and 4.5 (Tables 4-15..4-20): address bits at or above MAXPHYADDR
		 * are reserved; bit 63 is XD only with EFER.NXE = 1, else reserved. */
		if (w->reserved & ~(~0ull >> (64 - w->opt.maxphyaddr)) & ~(1ull << 63))
			textbuf_printf(o, ": above MAXPHYADDR %u (CPUID 0x80000008), a #PF with RSVD=1, not an "
				       "address beyond guest memory", w->opt.maxphyaddr);
		if ((w->reserved & (1ull << 63)) && !w->opt.nxe)
			textbuf_printf(o, "%s NX (bit 63) is reserved while EFER.NXE=0",
				       (w->reserved & ~(1ull << 63)) ? ";" : ":");
		break;
	case VMM_WALK_OUTSIDE_MEMORY:
		textbuf_printf(o, "entry at 0x%llx is outside guest memory (size 0x%llx)",
			       (unsigned long long)l->entry_addr, (unsigned long long)w->mem_size);
		break;
	default:
		textbuf_printf(o, "%s", vmm_walk_status_name(w->status));
		break;
	}
}

/* One line for level i: position, entry, flags and where it leads. */
static void text_level(struct textbuf *o, const struct vmm_walk *w, int i, int n)
{
	const struct vmm_walk_level *l = &w->lvl[i];
	bool failed = i == w->fail_level && w->status != VMM_WALK_OK;
	char flags[64], at[24];

	snprintf(at, sizeof(at), "0x%llx", (unsigned long long)l->entry_addr);
	textbuf_printf(o, "  %-4s[%3u] bits %2u..%-2u  @%-8s  entry ", name_of(l), l->index, l->bit_hi,
		       l->bit_lo, at);
	if (failed && w->status == VMM_WALK_OUTSIDE_MEMORY) {
		textbuf_printf(o, "(outside guest memory)\n");
		return;
	}
	textbuf_printf(o, "0x%0*llx", l->entry_size == 4 ? 8 : 16, (unsigned long long)l->entry);
	vmm_walk_level_flags(w, i, flags, sizeof(flags));
	if (failed) {
		textbuf_printf(o, "%s%s\n", flags[0] ? "  " : "", flags);
		return;
	}
	textbuf_printf(o, "  %-11s -> ", flags);
	if (l->leaf)
		textbuf_printf(o, "%s page 0x%llx\n", size_name(w->page_size),
			       (unsigned long long)(w->phys & ~(w->page_size - 1)));
	else if (i + 1 < n)
		textbuf_printf(o, "table 0x%llx\n", (unsigned long long)w->lvl[i + 1].table);
	else
		textbuf_printf(o, "?\n");
}

void walkfmt_verdict(const struct vmm_walk *w, char *buf, size_t len)
{
	struct textbuf o;

	if (!buf || !len)
		return;
	textbuf_init(&o, buf, len);
	/* SDM Vol. 3A 4.6.1: supervisor writes to a read-only page fault only with CR0.WP = 1;
	 * SMEP forbids supervisor fetches from user pages, SMAP supervisor data accesses to them
	 * (unless EFLAGS.AC = 1 for explicit accesses). */
	textbuf_printf(&o, "%s", w->writable ? "writable" : "read-only");
	if (!w->writable && w->sup_write)
		textbuf_printf(&o, " for user code; supervisor writes succeed: CR0.WP=0");
	textbuf_printf(&o, ", %s, %s", w->user ? "user" : "supervisor", w->nx ? "no-execute" : "executable");
	if (w->user && !w->nx && !w->sup_fetch)
		textbuf_printf(&o, "; a supervisor fetch faults: CR4.SMEP");
	if (w->user && !w->sup_data)
		textbuf_printf(&o, "; a supervisor data access faults unless EFLAGS.AC=1: CR4.SMAP");
}

int walkfmt_text(const struct vmm_walk *w, char *buf, size_t len)
{
	char verdict[200];
	struct textbuf o;
	int n, err = start(&o, w, buf, len);

	if (err)
		return err;
	if (w->paging == VMM_PAGING_NONE) {
		textbuf_printf(&o, "linear 0x%0*llx = physical 0x%0*llx (paging off)\n", hexw(w, w->linear),
			       (unsigned long long)w->linear, hexw(w, w->phys), (unsigned long long)w->phys);
		if (w->mem_size && w->phys >= w->mem_size)
			textbuf_printf(&o, "  note: beyond guest memory (size 0x%llx)\n", (unsigned long long)w->mem_size);
		return finish(&o);
	}
	textbuf_printf(&o, "linear 0x%0*llx  (%s paging, CR3=0x%llx)\n", hexw(w, w->linear),
		       (unsigned long long)w->linear, vmm_paging_name(w->paging), (unsigned long long)w->cr3);
	if (w->status == VMM_WALK_NONCANONICAL) {
		unsigned top = w->paging == VMM_PAGING_5LEVEL ? 56 : 47;

		textbuf_printf(&o, "  stops: non-canonical address (bits 63..%u must all equal bit %u)\n",
			       top, top);
		return finish(&o);
	}
	n = levels(w);
	for (int i = 0; i < n; i++)
		text_level(&o, w, i, n);
	if (w->status != VMM_WALK_OK) {
		if (w->fail_level >= 0 && w->fail_level < n) {
			const struct vmm_walk_level *l = &w->lvl[w->fail_level];

			textbuf_printf(&o, "  stops at %s[%u]: ", name_of(l), l->index);
			text_reason(&o, w, l);
		} else {
			textbuf_printf(&o, "  stops: %s", vmm_walk_status_name(w->status));
		}
		textbuf_printf(&o, "\n");
		return finish(&o);
	}
	if (n > 0)
		textbuf_printf(&o, "  offset 0x%llx (bits %u..0)\n",
			       (unsigned long long)(w->linear & (w->page_size - 1)), w->lvl[n - 1].bit_lo - 1);
	walkfmt_verdict(w, verdict, sizeof(verdict));
	textbuf_printf(&o, "= physical 0x%0*llx  (%s)\n", hexw(w, w->phys), (unsigned long long)w->phys,
		       verdict);
	if (w->phys >= w->mem_size)
		textbuf_printf(&o, "  note: beyond guest memory (size 0x%llx)\n", (unsigned long long)w->mem_size);
	return finish(&o);
}

static const char *status_id(enum vmm_walk_status s)
{
	switch (s) {
	case VMM_WALK_OK: return "ok";
	case VMM_WALK_NOT_PRESENT: return "not_present";
	case VMM_WALK_RESERVED: return "reserved";
	case VMM_WALK_OUTSIDE_MEMORY: return "outside_memory";
	case VMM_WALK_NONCANONICAL: return "noncanonical";
	}
	return "unknown";
}

/* The flags of level i as a JSON array of strings. */
static void json_flags(struct textbuf *o, const struct vmm_walk *w, int i)
{
	char flags[64], *save = NULL;
	int n = 0;

	vmm_walk_level_flags(w, i, flags, sizeof(flags));
	textbuf_printf(o, "[");
	for (char *f = strtok_r(flags, " ", &save); f; f = strtok_r(NULL, " ", &save))
		textbuf_printf(o, "%s\"%s\"", n++ ? "," : "", f);
	textbuf_printf(o, "]");
}

static void json_level(struct textbuf *o, const struct vmm_walk *w, int i)
{
	const struct vmm_walk_level *l = &w->lvl[i];
	bool unread = i == w->fail_level && w->status == VMM_WALK_OUTSIDE_MEMORY;

	textbuf_printf(o, "%s{\"name\":\"%s\",\"index\":%u,\"bits\":[%u,%u],\"table\":\"0x%llx\","
		       "\"entry_addr\":\"0x%llx\",", i ? "," : "", name_of(l), l->index, l->bit_hi, l->bit_lo,
		       (unsigned long long)l->table, (unsigned long long)l->entry_addr);
	if (unread) {
		textbuf_printf(o, "\"entry\":null,\"flags\":[]");
	} else {
		textbuf_printf(o, "\"entry\":\"0x%llx\",\"flags\":", (unsigned long long)l->entry);
		json_flags(o, w, i);
	}
	textbuf_printf(o, ",\"leaf\":%s}", l->leaf ? "true" : "false");
}

int walkfmt_json(const struct vmm_walk *w, char *buf, size_t len)
{
	struct textbuf o;
	int n, err = start(&o, w, buf, len);

	if (err)
		return err;
	textbuf_printf(&o, "{\"linear\":\"0x%llx\",\"paging\":\"%s\",\"cr3\":\"0x%llx\",\"levels\":[",
		       (unsigned long long)w->linear, vmm_paging_name(w->paging), (unsigned long long)w->cr3);
	n = levels(w);
	for (int i = 0; i < n; i++)
		json_level(&o, w, i);
	textbuf_printf(&o, "],\"status\":\"%s\",\"fail_level\":%d,", status_id(w->status), w->fail_level);
	if (w->status == VMM_WALK_RESERVED)
		textbuf_printf(&o, "\"reserved\":\"0x%llx\",", (unsigned long long)w->reserved);
	if (w->status != VMM_WALK_OK) {
		textbuf_printf(&o, "\"phys\":null,\"page_size\":null,\"writable\":null,\"user\":null,\"nx\":null,"
			       "\"supervisor_write\":null,\"supervisor_fetch\":null,\"supervisor_data\":null}");
		return finish(&o);
	}
	textbuf_printf(&o, "\"phys\":\"0x%llx\",\"page_size\":%llu,\"writable\":%s,\"user\":%s,\"nx\":%s,"
		       "\"supervisor_write\":%s,\"supervisor_fetch\":%s,\"supervisor_data\":%s}",
		       (unsigned long long)w->phys, (unsigned long long)w->page_size,
		       w->writable ? "true" : "false", w->user ? "true" : "false", w->nx ? "true" : "false",
		       w->sup_write ? "true" : "false", w->sup_fetch ? "true" : "false",
		       w->sup_data ? "true" : "false");
	return finish(&o);
}
