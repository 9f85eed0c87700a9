/* check_mapping.c - a virtual address maps to a physical one with given flags, by page walk
 * over the final memory and control registers (vmm_walk_ex from vmm/pagewalk.h); a failure
 * shows the walk as `kvmlab walk` prints it (walkfmt_text from tracer/walkfmt.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"
#include "labschema.h"
#include "pagewalk.h"
#include "walkfmt.h"
#include "x86.h"

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	const struct lab_mapping_spec *m = c->mapping;

	(void)lab;
	if (m->unmapped && (m->pa || m->flags || m->absent_flags || m->page_size))
		return lab_diag_check(d, "mapping.unmapped", "an unmapped address has no pa, "
				      "flags or page_size");
	if (!m->unmapped && !m->pa && !m->flags && !m->absent_flags && !m->page_size)
		return lab_diag_check(d, "mapping", "give pa, flags, absent_flags, page_size "
				      "or unmapped: true");
	if (m->flags & m->absent_flags)
		return lab_diag_check(d, "mapping.absent_flags", "a flag cannot be both set "
				      "and absent");
	return 0;
}

/* The flags in force for the walked address: permissions over all levels, others from the leaf. */
static unsigned walk_flags(const struct vmm_walk *w)
{
	uint64_t leaf = w->nlevels ? w->lvl[w->nlevels - 1].entry : 0;
	unsigned f = LAB_PF_P;

	f |= w->writable ? LAB_PF_RW : 0;
	f |= w->user ? LAB_PF_US : 0;
	f |= w->nx ? LAB_PF_NX : 0;
	f |= leaf & X86_PTE(PWT) ? LAB_PF_PWT : 0;
	f |= leaf & X86_PTE(PCD) ? LAB_PF_PCD : 0;
	f |= leaf & X86_PTE(A) ? LAB_PF_A : 0;
	f |= leaf & X86_PTE(D) ? LAB_PF_D : 0;
	f |= w->page_size > 4096 ? LAB_PF_PS : 0;
	f |= leaf & X86_PTE(G) ? LAB_PF_G : 0;
	return f;
}

/* The walk level by level, as `kvmlab walk` shows it (walkfmt.h), without the last newline. */
static void walk_text(struct labbuf *b, const struct vmm_walk *w)
{
	char text[2048];
	const char *p = text;
	int n = walkfmt_text(w, text, sizeof(text));

	if (n < 0 && n != -ENOSPC) {
		labbuf_printf(b, "walk of 0x%llx: %s", (unsigned long long)w->linear,
			      vmm_walk_status_name(w->status));
		return;
	}
	while (*p) {
		size_t len = strcspn(p, "\n");

		if (b->len && b->s[b->len - 1] != '\n')
			labbuf_putc(b, '\n');
		labbuf_add(b, p, len);
		p += len + (p[len] == '\n');
	}
}

static char *expected_text(const struct lab_mapping_spec *m)
{
	struct labbuf b = { 0 };
	char f[96];

	labbuf_printf(&b, "0x%llx", (unsigned long long)m->va);
	if (m->unmapped)
		labbuf_puts(&b, " not mapped");
	if (m->pa)
		labbuf_printf(&b, " -> 0x%llx", (unsigned long long)*m->pa);
	if (m->flags) {
		lab_page_flags_text(m->flags, f, sizeof(f));
		labbuf_printf(&b, " with %s", f);
	}
	if (m->absent_flags) {
		lab_page_flags_text(m->absent_flags, f, sizeof(f));
		labbuf_printf(&b, "%s without %s", m->flags ? "," : "", f);
	}
	if (m->page_size)
		labbuf_printf(&b, " in a %llu KiB page", (unsigned long long)(*m->page_size >> 10));
	return labbuf_take(&b);
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_mapping_spec *m = c->mapping;
	const struct kvm_sregs *s = &run->sregs;
	struct vmm_mem_view mem = { .base = run->mem, .size = run->mem_size };
	enum vmm_paging p = vmm_paging_mode(s->cr0, s->cr4, s->efer);
	struct labbuf act = { 0 }, why = { 0 };
	struct vmm_walk_opts opts;
	struct vmm_walk w;
	unsigned have;
	char f[96];
	int ret;

	if (p == VMM_PAGING_NONE)
		return lab_result_set(r, false, expected_text(m), strdup("paging is off"),
				      lab_strdupf("paging is off at exit (CR0 0x%llx)",
						  (unsigned long long)s->cr0));
	vmm_walk_opts_init(&opts, s->cr4, s->efer);
	ret = vmm_walk_ex(&mem, p, s->cr3, NULL, m->va, &opts, &w);
	if (ret < 0)
		return lab_result_set(r, false, expected_text(m), NULL,
				      lab_strdupf("0x%llx cannot be walked with %s paging",
						  (unsigned long long)m->va, vmm_paging_name(p)));
	if (w.status != VMM_WALK_OK) {
		labbuf_printf(&act, "0x%llx not mapped (%s)", (unsigned long long)m->va,
			      vmm_walk_status_name(w.status));
		if (!m->unmapped)
			walk_text(&why, &w);
		return lab_result_set(r, m->unmapped, expected_text(m), labbuf_take(&act),
				      labbuf_take(&why));
	}
	have = walk_flags(&w);
	lab_page_flags_text(have, f, sizeof(f));
	labbuf_printf(&act, "0x%llx -> 0x%llx with %s", (unsigned long long)m->va,
		      (unsigned long long)w.phys, f);
	if (m->page_size)
		labbuf_printf(&act, " in a %llu KiB page", (unsigned long long)(w.page_size >> 10));
	if (m->unmapped)
		labbuf_puts(&why, "the address is mapped\n");
	if (m->pa && w.phys != *m->pa)
		labbuf_printf(&why, "it maps to 0x%llx, not 0x%llx\n", (unsigned long long)w.phys,
			      (unsigned long long)*m->pa);
	if ((have & m->flags) != m->flags) {
		lab_page_flags_text(m->flags & ~have, f, sizeof(f));
		labbuf_printf(&why, "flags missing: %s\n", f);
	}
	if (have & m->absent_flags) {
		lab_page_flags_text(have & m->absent_flags, f, sizeof(f));
		labbuf_printf(&why, "flags that must be clear: %s\n", f);
	}
	if (m->page_size && w.page_size != *m->page_size)
		labbuf_printf(&why, "the page is %llu KiB, not %llu KiB\n",
			      (unsigned long long)(w.page_size >> 10),
			      (unsigned long long)(*m->page_size >> 10));
	if (why.len == 0) {
		labbuf_release(&why);
		return lab_result_set(r, true, expected_text(m), labbuf_take(&act), NULL);
	}
	walk_text(&why, &w);
	return lab_result_set(r, false, expected_text(m), labbuf_take(&act), labbuf_take(&why));
}

const struct lab_check_ops lab_check_mapping_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
