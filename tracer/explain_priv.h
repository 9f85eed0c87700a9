/* explain_priv.h - what the explanation files share: the sentence being built, memory reads as
 * of the explained step, and one function per concept (each in its own file).
 *
 * Every rule cites where it comes from: "SDM" is the Intel 64 and IA-32 Architectures Software
 * Developer's Manual (volume and section), "APM" the AMD64 Architecture Programmer's Manual. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disasm.h"
#include "explain.h"
#include "textbuf.h"
#include "x86.h"


#define MSR_EFER 0xc0000080u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u

/* A sentence under construction: clauses joined with "; ". */
struct out {
	struct textbuf t;
};

/* Append a clause. */
void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read guest physical / linear memory as of the explained step; 0 or -errno. */
int explain_read_phys(struct explain_ctx *ctx, uint64_t gpa, void *buf, size_t len);
int explain_read_lin(struct explain_ctx *ctx, const struct kvm_sregs *s, uint64_t lin, void *buf,
		     size_t len);

/* The same signature as idtgate_read_fn, reading through ctx with the step's before state. */
struct explain_lin {
	struct explain_ctx *ctx;
	const struct kvm_sregs *s;
};
int explain_lin_reader(void *lr, uint64_t lin, void *buf, size_t len);

/* CPL from a state: CS.RPL (SDM Vol. 3A 5.5). */
static inline unsigned explain_cpl(const struct kvm_sregs *s)
{
	return (s->cr0 & X86_CR0(PE)) ? s->cs.selector & 3 : 0;
}

/* One clause per concept; in is the step's decoded instruction or NULL. */
void explain_control(struct out *o, const struct step *st);                           /* explain_cr.c */
void explain_segments(struct explain_ctx *ctx, struct out *o, const struct step *st,
		      const struct insn *in);                                              /* explain_seg.c */
void explain_tables(struct explain_ctx *ctx, struct out *o, const struct step *st);  /* explain_seg.c */
void explain_interrupts(struct explain_ctx *ctx, struct out *o, const struct step *st,
			const struct insn *in);                                          /* explain_int.c */
void explain_insn(struct explain_ctx *ctx, struct out *o, const struct step *st,
		  const struct insn *in);                                                /* explain_insn.c */
void explain_ptwrites(struct explain_ctx *ctx, struct out *o, const struct step *st); /* explain_ptw.c */
void explain_exit(struct explain_ctx *ctx, struct out *o, const struct step *st);     /* explain_exit.c */
void explain_flow(struct explain_ctx *ctx, struct out *o, const struct step *st);     /* explain.c */
