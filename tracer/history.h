/* history.h - every step of a run kept compactly, any step rebuilt without re-running the guest. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "step.h"

#define HISTORY_ICACHE 64	/* recently seen instruction bytes, by RIP (private) */

/* The fields are private to history.c; the struct is public only so callers can embed it. */
struct history {
	uint8_t *buf;                    /* the step records, one after another */
	size_t len, cap;
	struct history_key *keys;        /* full state every 256 steps */
	size_t nkeys, keys_cap;
	struct kvm_sregs *sregs;         /* distinct sregs the keys point at */
	size_t nsregs, sregs_cap;
	struct history_wlog *wlog;       /* steps with memory writes, in step order */
	size_t nwlog, wlog_cap;
	uint64_t count;                  /* steps stored */
	uint64_t regs[18];               /* after state of the last step (kvm_regs as words) */
	struct kvm_sregs sregs_now;
	struct history_icache {
		uint64_t rip;
		uint8_t len;
		uint8_t bytes[15];
	} icache[HISTORY_ICACHE];
};

/* An empty history; never fails today (returns 0), but check it. */
int history_init(struct history *h);

/* Release everything; h may be initialised again. */
void history_free(struct history *h);

/* Record s, which must be step count+1: 0, -EINVAL (wrong n, insn_len > 15, nwrites > 4,
 * a write longer than STEP_WRITE_MAX) or -ENOMEM (h unchanged). */
int history_append(struct history *h, const struct step *s);

/* Steps stored. */
uint64_t history_count(const struct history *h);

/* Rebuild step n (1..count) into out as appended: n, before/after regs and sregs, insn_len and
 * insn[0..insn_len), has_exit and exit, nwrites and w[0..nwrites) with old/new[0..len).
 * Everything else (unused bytes, exit when !has_exit, padding) is zero. -ERANGE if out of range. */
int history_get(const struct history *h, uint64_t n, struct step *out);

/* Guest memory [gpa, gpa+len) as it was right after step n (n = 0: before the first step) into
 * buf, from live = memory now (after the last step) with every recorded write after step n
 * undone (only the recorded bytes of a cut write). -ERANGE if n > count, -EINVAL if the range
 * is not inside live_size. */
int history_mem(const struct history *h, uint64_t n, const uint8_t *live, uint64_t live_size,
		uint64_t gpa, void *buf, size_t len);

/* The same, for buf already holding memory now at [gpa, gpa+len): undo the writes after step n. */
int history_undo(const struct history *h, uint64_t n, uint64_t gpa, void *buf, size_t len);

/* Heap bytes held (allocated capacity of every buffer) plus the struct itself. */
size_t history_bytes(const struct history *h);
