/* ending.h - how a run ended, in words: the one sentence `run`, `trace`, `walk`, the TUI and
 * the lab runner give for a stop, a breakpoint or watch hit, and a fatal exit. */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpumode.h"
#include "exits.h"
#include "run.h"

struct engine;

/* What kind of end it was (the command layer makes an exit status of it). */
enum ending_kind {
	ENDING_HALTED,      /* the guest halted */
	ENDING_FAULTED,     /* triple fault, KVM could not run it, a device stopped it */
	ENDING_LIMITED,     /* a limit (exits, instructions, time) ended the run */
	ENDING_HOST,        /* the host failed, or cannot run this mode */
};

/* What the sentence is made of. */
struct ending {
	enum vmm_stop stop;
	const struct kvm_regs *regs;
	const struct kvm_sregs *sregs;
	const struct kvm_run *run;     /* the exit that ended it (KVM's error details), or NULL */
	uint64_t exits;                /* VM exits so far */
	bool stepped;                  /* the guest was single-stepped: "at step N" */
	uint64_t steps;                /* instructions retired (with stepped) */
	int at400;                     /* the byte at guest physical 0x400, or -1 if not known */
	enum vmm_mode start_mode;      /* paged32/pae: an early triple fault may be the host's limit */
	const char *device_error;      /* VMM_STOP_DEVICE: what the device said, or NULL */
};

/* The name of an exit that ends a run badly ("triple fault (KVM_EXIT_SHUTDOWN)", "KVM could not
 * continue the guest (KVM_EXIT_INTERNAL_ERROR, suberror 1: ...)"), with KVM's details when run
 * is given; "" for other exits.  Length written. */
size_t ending_exit_words(enum vmm_exit kind, const struct kvm_run *run, char *buf, size_t len);

/* The sentence for e ("halted in long mode, RAX=42 (0x2a), RIP=0x1008, [0x400]=42, 15 exits")
 * into buf; what kind of end it was. */
enum ending_kind ending_text(const struct ending *e, char *buf, size_t len);

/* The breakpoint or watched write (indexes into e's lists, -1 for none) that ended a run:
 * by recorded step N ("breakpoint 0x1087 (long_mode) reached by step 36"), or with step 0
 * at the engine's present ("... reached after 36 instructions"); false (buf "") if neither. */
bool ending_hit_text(const struct engine *e, int hit_break, int hit_watch, uint64_t step,
		     char *buf, size_t len);
