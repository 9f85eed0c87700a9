/* explain_exit.c - the VM exits a step caused: port I/O (KVM_EXIT_IO), MMIO, HLT, triple fault,
 * internal error. That an OUT or a HLT leaves the guest and lands in the VMM is the course's
 * central point, so every such sentence names the exit. */
#include <stdio.h>
#include <string.h>

#include "ending.h"
#include "engine.h"
#include "explain_priv.h"
#include "filecalls.h"
#include "hypercall.h"
#include "pagewalk.h"
#include "probe.h"
#include "vm.h"
#include "x86.h"

/* A console byte as text: 'H', '\n' or '.' for the unprintable. */
static void show_char(char *buf, uint8_t c)
{
	if (c == '\n')
		strcpy(buf, "\\n");
	else
		buf[0] = c >= 32 && c < 127 ? (char)c : '.', buf[1] = '\0';
}

static void io(struct engine *e, struct out *o, const struct step_exit *x)
{
	const struct vmm_hc *hc = e->hc;
	const char *reg = x->size == 1 ? "AL" : x->size == 2 ? "AX" : "EAX";
	uint32_t v = 0;
	char text[12] = "", one[3];

	memcpy(&v, x->data, x->size <= 4 ? x->size : 4);
	/* SDM Vol. 3C "Instructions That Cause VM Exits Conditionally" (I/O bitmaps; KVM exits on
	 * every port) and the KVM API, KVM_EXIT_IO: port I/O exits to the VMM */
	if (x->port == VMM_CONSOLE_PORT && !x->in && x->count > 1) {
		show_char(one, x->data[0]);
		say(o, "string OUT to port 0xE9 (console): %u elements of %u byte%s, one VM exit "
		    "(KVM_EXIT_IO) each, starting with '%s'", x->count, x->size, x->size > 1 ? "s" : "", one);
		return;
	}
	if (x->port == VMM_CONSOLE_PORT && x->in) {
		say(o, "IN from port 0xE9 (console): a VM exit (KVM_EXIT_IO); the console answers 0xE9 "
		    "in every byte (the Bochs convention, so a guest can detect it): %s <- 0x%x", reg, v);
		return;
	}
	if (x->port == VMM_CONSOLE_PORT) {
		for (unsigned i = 0; i < x->size && i < 4; i++) {
			show_char(one, x->data[i]);
			strcat(text, one);
		}
		if (x->size == 1)
			say(o, "OUT to port 0xE9 (console): '%s'; a VM exit (KVM_EXIT_IO): KVM stops the "
			    "guest and hands the byte to kvmlab, which prints it", text);
		else
			say(o, "OUT to port 0xE9 (console): %s = 0x%x, %u bytes printed as '%s'; a VM exit "
			    "(KVM_EXIT_IO) hands them to kvmlab", reg, v, x->size, text);
		return;
	}
	int hcid = hc ? vmm_hc_which(hc, x->port, x->in, x->size) : -1;
	int fcid = e->fc ? vmm_fc_find(e->fc, x->port) : -1;

	if (hcid >= 0) {
		enum vmm_hc_id id = (enum vmm_hc_id)hcid;

		say(o, "hypercall %s: %s port 0x%x %s 0x%x, a VM exit (KVM_EXIT_IO) %s", vmm_hc_name(id),
		    x->in ? "IN from" : "OUT to", x->port, x->in ? "->" : "<-", v,
		    vmm_hc_builtin(hc, id) ? "kvmlab answers" :
		    "your own handler answers (kvmlab passes the call on; not kvmlab's handler)");
		return;
	}
	if (fcid >= 0) {
		int id = fcid;

		say(o, "file hypercall %s: %s port 0x%x %s 0x%x, a VM exit (KVM_EXIT_IO)%s", vmm_fc_name(id),
		    x->in ? "IN from" : "OUT to", x->port, x->in ? "->" : "<-", v,
		    e->fc->dirfd < 0 ? " (file hypercalls are off: run with --files DIR)" : "");
		return;
	}
	if (x->in)
		say(o, "IN from port 0x%x (%u byte%s%s): a VM exit (KVM_EXIT_IO); no device there, it "
		    "reads as all ones", x->port, x->size, x->size > 1 ? "s" : "",
		    x->count > 1 ? ", string I/O" : "");
	else
		say(o, "OUT to port 0x%x (%u byte%s%s): %s = 0x%x; a VM exit (KVM_EXIT_IO); no device "
		    "there, the write is ignored", x->port, x->size, x->size > 1 ? "s" : "",
		    x->count > 1 ? ", string I/O, first element" : "", reg, v);
}

/* Whether this host runs 32-bit/PAE paging (HOST-KVM.md: PVM hosts do not), probed once. */
static bool host_runs_paging32(struct explain_ctx *ctx, enum vmm_paging p)
{
	char why[160];

	if (ctx->host_paged32 < 0)
		ctx->host_paged32 = vmm_probe_mode(NULL, p == VMM_PAGING_32 ? VMM_MODE_PAGED32 :
						   VMM_MODE_PAE, why, sizeof(why)) == 1;
	return ctx->host_paged32;
}

/* SDM Vol. 3A 6.15 "Interrupt 8 - Double Fault": an exception while delivering another gives
 * #DF (for contributory/page-fault pairs); a fault while delivering #DF is a triple fault, and
 * the CPU shuts down (KVM_EXIT_SHUTDOWN). */
static void shutdown(struct explain_ctx *ctx, struct out *o, const struct step *st)
{
	const struct kvm_sregs *s = &st->safter;
	enum vmm_paging pb = vmm_paging_mode(st->sbefore.cr0, st->sbefore.cr4, st->sbefore.efer);
	enum vmm_paging pa = vmm_paging_mode(s->cr0, s->cr4, s->efer);
	enum vmm_paging p = pa == VMM_PAGING_32 || pa == VMM_PAGING_PAE ? pa : pb;

	/* A host that cannot run 32-bit paging may not even show PG in the state it reports for a
	 * guest kvmlab set up in paged32 or PAE mode (HOST-KVM.md): the set-up mode says it. */
	if (ctx->start_mode == VMM_MODE_PAGED32 || ctx->start_mode == VMM_MODE_PAE)
		p = ctx->start_mode == VMM_MODE_PAE ? VMM_PAGING_PAE : VMM_PAGING_32;
	char who[96] = "this instruction", name[64];

	/* The step's own instruction retired and a later one, at RIP, faulted (tracer/stepflow.c). */
	if (st->flow.retired > 0 || st->flow.unknown)
		snprintf(who, sizeof(who), "the instruction at 0x%llx, after the ones this step retired,",
			 (unsigned long long)engine_pc(&st->after, s));

	if ((p == VMM_PAGING_32 || p == VMM_PAGING_PAE) && !host_runs_paging32(ctx, p)) {
		say(o, "KVM_EXIT_SHUTDOWN with %s paging on, and %s (kvmlab probe): this is the "
		    "host's limit, not a fault of this instruction", vmm_paging_name(p),
		    vmm_probe_paging_fact());
		return;
	}
	ending_exit_words(VMM_EXIT_SHUTDOWN, NULL, name, sizeof(name));
	if (s->cr2 != st->sbefore.cr2)
		say(o, "%s: %s page-faulted at CR2=0x%llx, "
		    "delivering that #PF faulted too (a double fault, #DF), and delivering the #DF faulted "
		    "again (IDT base 0x%llx, limit 0x%x), so the CPU shut down", name, who,
		    (unsigned long long)s->cr2, (unsigned long long)s->idt.base, s->idt.limit);
	else if (s->idt.limit == 0)
		say(o, "%s: %s raised an exception, the IDT "
		    "is empty (limit 0) so delivering it raised #GP and then a double fault (#DF), and "
		    "delivering the #DF failed as well, so the CPU shut down", name, who);
	else
		say(o, "%s: %s raised an exception, "
		    "delivering it faulted (a double fault, #DF), and delivering the #DF faulted again "
		    "(IDT base 0x%llx, limit 0x%x), so the CPU shut down", name, who,
		    (unsigned long long)s->idt.base, s->idt.limit);
}

void explain_exit(struct explain_ctx *ctx, struct out *o, const struct step *st)
{
	const struct step_exit *x = &st->exit;
	char name[96];

	switch (x->kind) {
	case VMM_EXIT_IO_IN:
	case VMM_EXIT_IO_OUT:
		io(ctx->e, o, x);
		break;
	case VMM_EXIT_MMIO_READ:
	case VMM_EXIT_MMIO_WRITE:
		say(o, "MMIO %s of %u bytes at 0x%llx: no RAM there, so KVM exits to the VMM (KVM_EXIT_MMIO); "
		    "no device either, so %s", x->kind == VMM_EXIT_MMIO_READ ? "read" : "write", x->size,
		    (unsigned long long)x->addr,
		    x->kind == VMM_EXIT_MMIO_READ ? "it reads as all ones" : "the write is dropped");
		break;
	case VMM_EXIT_HLT:
		/* SDM Vol. 2A HLT: resumes on an enabled interrupt, NMI, SMI or INIT; KVM API: without
		 * an in-kernel irqchip, HLT exits to user space as KVM_EXIT_HLT */
		say(o, "HLT: a VM exit (KVM_EXIT_HLT): the vCPU halts with RAX=%llu and, with no interrupt "
		    "to wake it, the run ends here%s", (unsigned long long)st->after.rax,
		    st->after.rflags & X86_RFLAGS(IF) ? "" : " (IF=0: only an NMI, SMI or INIT could wake "
		    "this CPU; on hardware it would stay halted for good)");
		break;
	case VMM_EXIT_SHUTDOWN:
		shutdown(ctx, o, st);
		break;
	case VMM_EXIT_INTERNAL_ERROR:
		ending_exit_words(x->kind, NULL, name, sizeof(name));
		say(o, "%s: it could not emulate or deliver this instruction's effects; nothing happened "
		    "and RIP is still 0x%llx", name, (unsigned long long)st->after.rip);
		break;
	case VMM_EXIT_FAIL_ENTRY:
		ending_exit_words(x->kind, NULL, name, sizeof(name));
		say(o, "%s: the CPU refused this state", name);
		break;
	default:
		say(o, "VM exit: %s", vmm_exit_name(x->kind));
		break;
	}
}
