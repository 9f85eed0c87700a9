/* snap.c - the guest as it was after the shown step: registers from the history, memory with
 * later writes undone, page walks over the tables of that moment.  Never re-runs the guest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../linread.h"
#include "../steplog.h"
#include "error.h"
#include "tui.h"
#include "vm.h"

/* Copies of all guest memory for past walks are made only up to this size. */
#define SNAP_COPY_MAX (256ull << 20)

int tui_snap_load(struct tui *t)
{
	struct tui_snap *sn = &t->snap;
	struct engine *e = t->e;
	uint64_t count = history_count(&e->hist);
	int ret;

	if (t->pos > count)
		t->pos = count;
	sn->pos = t->pos;
	sn->count = count;
	sn->live = t->pos == count;
	sn->has_step = t->pos > 0;
	sn->explained = false;
	if (sn->live && t->pos > 0 && e->last.n == t->pos) {
		sn->st = e->last;
	} else if (t->pos > 0) {
		ret = history_get(&e->hist, t->pos, &sn->st);
		if (ret < 0)
			return vmm_fail(ret, "cannot rebuild step %llu from the history",
					(unsigned long long)t->pos);
	} else if (count > 0) {
		/* Before the first step: the state step 1 started from. */
		ret = history_get(&e->hist, 1, &sn->st);
		if (ret < 0)
			return vmm_fail(ret, "cannot rebuild step 1 from the history");
		sn->regs = sn->st.before;
		sn->sregs = sn->st.sbefore;
	}
	if (sn->live) {
		sn->regs = e->cpu->regs;
		sn->sregs = e->cpu->sregs;
	} else if (t->pos > 0) {
		sn->regs = sn->st.after;
		sn->sregs = sn->st.safter;
	}
	sn->pc = engine_pc(&sn->regs, &sn->sregs);
	sn->bits = vmm_cpu_code_bits(&sn->sregs);
	return 0;
}

void tui_snap_free(struct tui *t)
{
	free(t->snap.mem);
	t->snap.mem = NULL;
	t->snap.mem_valid = false;
}

int tui_snap_read_phys(struct tui *t, uint64_t gpa, void *buf, size_t len)
{
	struct tvcpu *c = t->e->cpu;

	if (gpa >= c->mem_size || len > c->mem_size - gpa)
		return -EFAULT;
	if (!t->snap.live && t->snap.mem_valid && t->snap.mem_pos == t->snap.pos) {
		memcpy(buf, t->snap.mem + gpa, len);
		return 0;
	}
	if (tvcpu_read(c, gpa, buf, len) < 0)
		return -EFAULT;
	if (t->snap.live)
		return 0;
	return history_undo(&t->e->hist, t->snap.pos, gpa, buf, len) < 0 ? -EFAULT : 0;
}

/* All of guest memory as it was at the shown step, for walks whose tables have changed since. */
static const uint8_t *snapshot(struct tui *t)
{
	struct tvcpu *c = t->e->cpu;
	struct tui_snap *sn = &t->snap;

	if (sn->mem_valid && sn->mem_pos == sn->pos)
		return sn->mem;
	if (c->mem_size > SNAP_COPY_MAX)
		return NULL;
	if (!sn->mem) {
		sn->mem = malloc(c->mem_size);
		if (!sn->mem)
			return NULL;
	}
	sn->mem_valid = false;
	if (tvcpu_read(c, 0, sn->mem, c->mem_size) < 0 ||
	    history_undo(&t->e->hist, sn->pos, 0, sn->mem, c->mem_size) < 0)
		return NULL;
	sn->mem_pos = sn->pos;
	sn->mem_valid = true;
	return sn->mem;
}

int tui_snap_walk(struct tui *t, uint64_t lin, struct vmm_walk *w)
{
	const struct kvm_sregs *s = &t->snap.sregs;
	struct vmm_walk_opts opts;
	struct vmm_mem_view mem = { .base = t->e->cpu->mem, .size = t->e->cpu->mem_size, .read = tvcpu_read_view, .ctx = t->e->cpu };
	enum vmm_paging paging = vmm_paging_mode(s->cr0, s->cr4, s->efer);
	const uint8_t *copy;
	int ret;

	vmm_walk_opts_cpu(&opts, s->cr0, s->cr4, s->efer, t->e->cpu->maxphyaddr);
	ret = vmm_walk_ex(&mem, paging, s->cr3, NULL, lin, &opts, w);
	if (ret < 0 || t->snap.live || paging == VMM_PAGING_NONE)
		return ret;
	/* The walk read today's tables: if every entry it read held the same value at the shown
	 * step, it is that step's walk too; otherwise walk a copy of memory as it was. */
	for (int i = 0; i < w->nlevels && i < 5; i++) {
		uint64_t then = 0;

		if (tui_snap_read_phys(t, w->lvl[i].entry_addr, &then, w->lvl[i].entry_size) < 0)
			break;
		if (then == w->lvl[i].entry)
			continue;
		copy = snapshot(t);
		if (!copy)
			return ret;  /* too big to copy: today's tables are the best we have */
		mem.base = copy;
		return vmm_walk_ex(&mem, paging, s->cr3, NULL, lin, &opts, w);
	}
	return ret;
}

static int snap_lr_walk(const struct linread *r, uint64_t lin, struct vmm_walk *w)
{
	return tui_snap_walk(r->ctx, lin, w);
}

static int snap_lr_read(const struct linread *r, uint64_t gpa, void *buf, size_t len)
{
	return tui_snap_read_phys(r->ctx, gpa, buf, len);
}

static struct linread snap_linread(struct tui *t)
{
	return (struct linread){ .s = &t->snap.sregs, .mem_size = t->e->cpu->mem_size,
				 .walk = snap_lr_walk, .read = snap_lr_read, .ctx = t };
}

int tui_snap_lin_to_phys(struct tui *t, uint64_t lin, uint64_t *gpa)
{
	struct linread r = snap_linread(t);

	return linread_to_phys(&r, lin, gpa);
}

size_t tui_snap_read_linear(struct tui *t, uint64_t lin, void *buf, size_t len)
{
	struct linread r = snap_linread(t);

	return linread_read(&r, lin, buf, len);
}

static int snap_reader(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	return tui_snap_read_phys(ctx, gpa, buf, len);
}

const char *tui_snap_explain(struct tui *t)
{
	struct tui_snap *sn = &t->snap;

	if (!sn->explained) {
		/* Page tables as they were at this step, not as they are now. */
		explain_set_reader(&t->ex, snap_reader, t);
		sn->explain[0] = '\0';
		if (sn->has_step && explain_step(&t->ex, &sn->st, sn->explain, sizeof(sn->explain)) < 0)
			sn->explain[0] = '\0';
		sn->explained = true;
	}
	return sn->explain;
}

const struct tui_write *tui_last_write(const struct tui *t, uint64_t pos)
{
	size_t after = STEPLOG_AFTER(struct tui_write, t->writes, t->nwrites, pos);

	return after ? &t->writes[after - 1] : NULL;
}
