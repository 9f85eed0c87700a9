/* fastrun.c - run at full speed to a breakpoint (int3) or a data watchpoint (debug registers).
 *
 * Software breakpoints: the original byte is saved, 0xCC written, and the byte restored as soon
 * as the guest stops, so the guest never sees the int3 once control is back with the user.
 * Watchpoints: DR0-DR3 with DR7 set for writes (RW=01) of 1, 2, 4 or 8 aligned bytes.
 * Hardware breakpoints: the debug registers left over, set for execution (RW=00, LEN=00).
 */
#include <errno.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "log.h"
#include "probe.h"
#include "vm.h"

#define DR7_GE (1ull << 9)

/* DR7 LEN encoding for 1, 2, 4, 8 bytes; -1 for other lengths. */
static int dr7_len(uint64_t len)
{
	switch (len) {
	case 1: return 0;
	case 2: return 1;
	case 4: return 3;
	case 8: return 2;
	default: return -1;
	}
}

/* DR7 bits enabling slot for writes (rw 1) or execution (rw 0) of len code. */
static uint64_t dr7_slot(int slot, unsigned rw, unsigned len)
{
	return (1ull << (2 * slot)) | ((uint64_t)rw << (16 + 4 * slot)) | ((uint64_t)len << (18 + 4 * slot));
}

/* Watches take DR0.. first, then hardware breakpoints; int3 goes in for software ones. */
static int arm(struct engine *e, uint64_t gpa[], uint8_t orig[], uint64_t dr[8], int slot_brk[])
{
	static const uint8_t int3 = 0xcc;
	int slot = e->nwatch;

	for (int i = 0; i < e->nwatch; i++) {
		int len = dr7_len(e->watch[i].len);

		if (len < 0 || e->watch[i].addr % e->watch[i].len)
			return vmm_fail(-EINVAL, "watch at 0x%llx:%llu: a hardware watchpoint covers 1, 2, 4 "
					"or 8 bytes aligned to their size", (unsigned long long)e->watch[i].addr,
					(unsigned long long)e->watch[i].len);
		dr[i] = e->watch[i].addr;
		dr[7] |= dr7_slot(i, 1, (unsigned)len);
	}
	if (e->nwatch)
		dr[7] |= DR7_GE;
	for (int i = 0; i < e->nbrk; i++) {
		slot_brk[i] = -1;
		if (e->brk_hw[i]) {
			slot_brk[i] = slot;
			dr[slot] = e->brk[i];
			dr[7] |= dr7_slot(slot++, 0, 0);
		} else if (engine_lin_to_phys(e, &e->cpu->sregs, e->brk[i], &gpa[i]) < 0 ||
			   tvcpu_read(e->cpu, gpa[i], &orig[i], 1) < 0) {
			return vmm_fail(-EFAULT, "breakpoint at 0x%llx: that address is not mapped to guest "
					"memory now", (unsigned long long)e->brk[i]);
		}
	}
	for (int i = 0; i < e->nbrk; i++) {
		if (e->brk_hw[i])
			continue;
		tvcpu_read(e->cpu, gpa[i], &orig[i], 1);  /* two breakpoints at one address: see disarm */
		tvcpu_write(e->cpu, gpa[i], &int3, 1);
	}
	return 0;
}

/* Put the original bytes back, last first (two breakpoints may share an address). */
static void disarm(struct engine *e, const uint64_t gpa[], const uint8_t orig[])
{
	for (int i = e->nbrk - 1; i >= 0; i--)
		if (!e->brk_hw[i])
			tvcpu_write(e->cpu, gpa[i], &orig[i], 1);
}

/* Handle one debug exit: 1 if it was ours (hit recorded), 0 if not understood. */
static int debug_hit(struct engine *e, const int slot_brk[])
{
	const struct kvm_debug_exit_arch *d = &e->cpu->run->debug.arch;

	if (d->exception == 3) {
		for (int i = 0; i < e->nbrk; i++) {
			if (e->brk[i] == d->pc) {
				e->hit_break = i;
				return 1;
			}
		}
	}
	if (d->exception == 1) {
		for (int i = 0; i < e->nwatch; i++) {
			if (d->dr6 & (1ull << i)) {
				e->hit_watch = i;
				return 1;
			}
		}
		for (int i = 0; i < e->nbrk; i++) {
			if (slot_brk[i] >= 0 && (d->dr6 & (1ull << slot_brk[i]))) {
				e->hit_break = i;
				return 1;
			}
		}
	}
	return 0;
}

int engine_run_fast(struct engine *e)
{
	struct tvcpu *c = e->cpu;
	uint32_t blockirq = c->caps & VMM_CAP_BLOCKIRQ ? KVM_GUESTDBG_BLOCKIRQ : 0;
	uint32_t ctl = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP;
	uint64_t gpa[ENGINE_MAX_BREAKS], dr[8] = { 0 };
	uint8_t orig[ENGINE_MAX_BREAKS];
	int slot_brk[ENGINE_MAX_BREAKS], nsw = e->nbrk - (engine_hw_slots(e) - e->nwatch), ret;

	if (e->ended)
		return 1;
	if ((nsw && vmm_probe_sw_breakpoints(NULL) != 1) ||
	    (engine_hw_slots(e) && vmm_probe_hw_watchpoints(NULL) != 1)) {
		vmm_info("this host's KVM does not stop at %s, so kvmlab single-steps there instead "
			 "(exact, slower)", nsw ? "int3 breakpoints (KVM_GUESTDBG_USE_SW_BP)" :
			 "debug-register breakpoints (KVM_GUESTDBG_USE_HW_BP)");
		return -EOPNOTSUPP;
	}
	e->hit_break = e->hit_watch = -1;
	ret = arm(e, gpa, orig, dr, slot_brk);
	if (ret == 0)
		ret = c->ops->set_debug(c, ctl | blockirq, dr);
	while (ret == 0) {
		enum vmm_exit kind;

		ret = c->ops->enter(c, &kind);
		if (ret < 0) {
			if (kind == VMM_EXIT_IO_IN || kind == VMM_EXIT_IO_OUT) {
				e->ended = true;
				e->stop = VMM_STOP_DEVICE;
				ret = 0;
			}
			break;
		}
		if (kind == VMM_EXIT_DEBUG) {
			if (debug_hit(e, slot_brk))
				break;
			continue;
		}
		if (kind == VMM_EXIT_INTR && c->ops->timed_out(c)) {
			e->ended = true;
			e->stop = VMM_STOP_TIMEOUT;
			break;
		}
		if (e->max_exits && c->stats->total >= e->max_exits) {
			e->ended = true;
			e->stop = VMM_STOP_EXIT_LIMIT;
			break;
		}
		if (vmm_exit_stops(kind, &e->stop) == 0) {
			e->ended = true;
			break;
		}
	}
	disarm(e, gpa, orig);
	if (ret == 0)
		ret = c->ops->load(c);
	if (ret == 0)
		ret = c->ops->set_debug(c, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | blockirq, NULL);
	return ret < 0 ? ret : e->ended;
}
