/* test-engine-goal.c - the engine's stepping policy and its vCPU interface, without KVM.
 *
 * A tvcpu with no direct view of guest memory (mem == NULL, as for a vCPU inside another
 * program) serves reads and writes through its ops: linear reads, page walks and KVM_TRANSLATE
 * restoring the Accessed bits must all go through them.  The goal logic (steps, count, step
 * over, continue; breakpoint and watch hits) is checked on hand-made steps.
 */
#include <errno.h>
#include <stdlib.h>

#include "engine.h"
#include "testkit.h"

#define MEM (1u << 20)

static uint8_t guest[MEM];
static unsigned reads, writes;

static int far_read(struct tvcpu *c, uint64_t gpa, void *buf, size_t len)
{
	(void)c;
	reads++;
	memcpy(buf, guest + gpa, len);
	return 0;
}

static int far_write(struct tvcpu *c, uint64_t gpa, const void *buf, size_t len)
{
	(void)c;
	writes++;
	memcpy(guest + gpa, buf, len);
	return 0;
}

/* KVM_TRANSLATE as KVM does it here: it walks, and sets the Accessed bit of every entry. */
static int far_translate(struct tvcpu *c, uint64_t lin, uint64_t *gpa, bool *valid)
{
	(void)c;
	for (uint64_t a = 0x1000; a <= 0x4000; a += 0x1000)
		guest[a] |= 0x20;
	*gpa = lin;
	*valid = true;
	return 0;
}

static const struct tvcpu_ops far_ops = {
	.mem_read = far_read,
	.mem_write = far_write,
	.translate = far_translate,
};

/* A step from rip to rip_after, writing len bytes at gva (len 0: none). */
static struct step step_at(uint64_t n, uint64_t rip, uint64_t rip_after, uint64_t rsp_after,
			   uint64_t gva, uint8_t len)
{
	struct step st;

	memset(&st, 0, sizeof(st));
	st.n = n;
	st.before.rip = rip;
	st.after.rip = rip_after;
	st.after.rsp = rsp_after;
	if (len) {
		st.nwrites = 1;
		st.w[0].gva = gva;
		st.w[0].len = len;
	}
	return st;
}

static void test_memory(struct engine *e, struct tvcpu *c)
{
	struct kvm_sregs s = { 0 };
	struct vmm_walk w;
	uint8_t buf[16], big[32];
	uint64_t gpa;
	bool valid;

	/* Paging off: linear = physical, read through the ops; the end of memory cuts a read. */
	memcpy(guest + 0x7000, "kvmlab", 6);
	reads = 0;
	CHECK_EQ(engine_read_linear(e, &s, 0x7000, buf, 6), 6);
	CHECK(memcmp(buf, "kvmlab", 6) == 0);
	CHECK(reads > 0);
	CHECK_EQ(engine_read_linear(e, &s, MEM - 4, big, sizeof(big)), 4);
	CHECK_EQ(engine_read_linear(e, &s, MEM + 4096, big, sizeof(big)), 0);
	CHECK_EQ(tvcpu_read(c, MEM - 4, buf, 8), -EFAULT);
	CHECK_EQ(tvcpu_write(c, UINT64_MAX, buf, 1), -EFAULT);

	/* 4-level paging: 0x400000 -> 0x7000 through PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
	put64(guest, 0x1000, 0x2003);
	put64(guest, 0x2000, 0x3003);
	put64(guest, 0x3000 + 2 * 8, 0x4003);
	put64(guest, 0x4000, 0x7003);
	s.cr0 = 0x80000011;
	s.cr3 = 0x1000;
	s.cr4 = 0x20;
	s.efer = 0x500;
	reads = 0;
	CHECK_EQ(engine_walk(e, &s, 0x400000, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.phys, 0x7000);
	CHECK(reads >= 4);
	CHECK_EQ(engine_lin_to_phys(e, &s, 0x400003, &gpa), 0);
	CHECK_EQ(gpa, 0x7003);
	CHECK_EQ(engine_read_linear(e, &s, 0x400000, buf, 6), 6);
	CHECK(memcmp(buf, "kvmlab", 6) == 0);
	CHECK_EQ(engine_lin_to_phys(e, &s, 0x600000, &gpa), -EFAULT);

	/* The cross-check leaves the guest's tables as they were, writing through the ops. */
	writes = 0;
	CHECK_EQ(engine_translate(e, &w, 0x400000, &gpa, &valid), 0);
	CHECK(writes >= 4);
	CHECK_EQ(guest[0x1000], 0x03);
	CHECK_EQ(guest[0x4000], 0x03);
}

static void test_goals(struct engine *e)
{
	struct engine_goal g;
	struct step st;
	/* call rel32 (5 bytes) at rip 0x100: returns to 0x105 */
	static const uint8_t call[] = { 0xe8, 0x10, 0x00, 0x00, 0x00 };
	static const uint8_t nop[] = { 0x90 };
	struct kvm_regs r = { .rip = 0x100, .rsp = 0x8000 };

	e->nbrk = e->nwatch = 0;
	CHECK_EQ(engine_add_break(e, 0x300), 0);
	CHECK_EQ(engine_add_watch(e, 0x5000, 8), 0);

	/* STEPS n: n steps, or fewer when a breakpoint is reached. */
	engine_goal_init(e, &g, ENGINE_GOAL_STEPS, 3, NULL, 0, NULL, 0);
	st = step_at(1, 0x100, 0x101, 0x8000, 0, 0);
	CHECK(!engine_goal_reached(e, &g, &st));
	st = step_at(2, 0x101, 0x102, 0x8000, 0, 0);
	CHECK(!engine_goal_reached(e, &g, &st));
	st = step_at(3, 0x102, 0x103, 0x8000, 0, 0);
	CHECK(engine_goal_reached(e, &g, &st));
	CHECK_EQ(g.hit_break, -1);
	engine_goal_init(e, &g, ENGINE_GOAL_STEPS, 10, NULL, 0, NULL, 0);
	st = step_at(1, 0x2ff, 0x300, 0x8000, 0, 0);
	CHECK(engine_goal_reached(e, &g, &st));
	CHECK_EQ(g.hit_break, 0);

	/* A write overlapping the watched range stops it; one beside it does not. */
	engine_goal_init(e, &g, ENGINE_GOAL_CONTINUE, 0, NULL, 0, NULL, 0);
	st = step_at(1, 0x100, 0x101, 0x8000, 0x4ffc, 4);
	CHECK(!engine_goal_reached(e, &g, &st));
	st = step_at(2, 0x101, 0x102, 0x8000, 0x4ffd, 4);
	CHECK(engine_goal_reached(e, &g, &st));
	CHECK_EQ(g.hit_watch, 0);

	/* COUNT ignores breakpoints. */
	engine_goal_init(e, &g, ENGINE_GOAL_COUNT, 2, NULL, 0, NULL, 0);
	st = step_at(1, 0x2ff, 0x300, 0x8000, 0, 0);
	CHECK(!engine_goal_reached(e, &g, &st));
	CHECK(engine_goal_reached(e, &g, &st));

	/* OVER a CALL: inside the callee (deeper stack) goes on; back at 0x105 with the stack
	 * as it was stops.  OVER anything else is one step. */
	engine_goal_init(e, &g, ENGINE_GOAL_OVER, 1, &r, 64, call, sizeof(call));
	CHECK(g.call);
	CHECK_EQ(g.ret_rip, 0x105);
	st = step_at(1, 0x100, 0x115, 0x7ff8, 0, 0);
	CHECK(!engine_goal_reached(e, &g, &st));
	st = step_at(2, 0x115, 0x105, 0x7ff8, 0, 0);  /* recursion back at 0x105, deeper stack */
	CHECK(!engine_goal_reached(e, &g, &st));
	st = step_at(3, 0x116, 0x105, 0x8000, 0, 0);
	CHECK(engine_goal_reached(e, &g, &st));
	engine_goal_init(e, &g, ENGINE_GOAL_OVER, 1, &r, 64, nop, sizeof(nop));
	CHECK(!g.call);
	st = step_at(1, 0x100, 0x101, 0x8000, 0, 0);
	CHECK(engine_goal_reached(e, &g, &st));

	/* Breakpoints and watches are refused where the address has no memory behind it. */
	CHECK_EQ(engine_del_break(e, 0x300), 0);
	CHECK_EQ(engine_del_break(e, 0x300), -ENOENT);
	CHECK_EQ(engine_add_break(e, MEM + 0x1000), -EFAULT);
	CHECK_EQ(engine_add_watch(e, 0x5000, 0), -EINVAL);
}

int main(void)
{
	static struct engine e;
	struct tvcpu c = { .ops = &far_ops, .mem = NULL, .mem_size = MEM };

	e.cpu = &c;
	CHECK_EQ(disasm_init(&e.dis), 0);
	test_memory(&e, &c);
	test_goals(&e);
	return check_summary();
}
