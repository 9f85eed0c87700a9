/* ending.c - how a run ended, in words (see ending.h). */
#include "ending.h"


#include "engine.h"
#include "probe.h"
#include "symbols.h"
#include "textbuf.h"

static const char *suberror_words(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION: return ": instruction emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX: return ": exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV: return ": event delivery failed";
	default: return "";
	}
}

size_t ending_exit_words(enum vmm_exit kind, const struct kvm_run *run, char *buf, size_t len)
{
	struct textbuf t;

	if (!buf)
		return 0;
	textbuf_init(&t, buf, len);
	switch (kind) {
	case VMM_EXIT_SHUTDOWN:
		textbuf_printf(&t, "triple fault (KVM_EXIT_SHUTDOWN)");
		break;
	case VMM_EXIT_INTERNAL_ERROR:
		textbuf_printf(&t, "KVM could not continue the guest (KVM_EXIT_INTERNAL_ERROR");
		if (run)
			textbuf_printf(&t, ", suberror %u%s", run->internal.suberror,
				       suberror_words(run->internal.suberror));
		textbuf_printf(&t, ")");
		break;
	case VMM_EXIT_FAIL_ENTRY:
		textbuf_printf(&t, "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY");
		if (run)
			textbuf_printf(&t, ", hardware reason 0x%llx",
				       (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		textbuf_printf(&t, ")");
		break;
	default:
		break;
	}
	return t.n;
}

static void cregs(struct textbuf *t, const struct kvm_sregs *s)
{
	textbuf_printf(t, "CR0=0x%llx CR3=0x%llx CR4=0x%llx EFER=0x%llx", (unsigned long long)s->cr0,
		       (unsigned long long)s->cr3, (unsigned long long)s->cr4, (unsigned long long)s->efer);
}

/* " at step N" when stepping. */
static void at_step(struct textbuf *t, const struct ending *e)
{
	if (e->stepped)
		textbuf_printf(t, " at step %llu", (unsigned long long)e->steps);
}

/* A triple fault right at the start of a paged32/PAE run is the host's limit if the probe agrees. */
static bool host_cannot(const struct ending *e)
{
	char why[160];

	if (e->start_mode != VMM_MODE_PAGED32 && e->start_mode != VMM_MODE_PAE)
		return false;
	if (e->stepped && e->steps > 1)
		return false;
	return vmm_probe_mode(NULL, e->start_mode, why, sizeof(why)) == 0;
}

enum ending_kind ending_text(const struct ending *e, char *buf, size_t len)
{
	struct textbuf t;
	const char *mode = vmm_cpu_mode_name(vmm_cpu_mode(e->sregs));
	unsigned long long rip = e->regs->rip, rax = e->regs->rax;
	char words[200];

	textbuf_init(&t, buf, len);
	switch (e->stop) {
	case VMM_STOP_HLT:
		textbuf_printf(&t, "halted");
		at_step(&t, e);
		textbuf_printf(&t, " in %s mode, RAX=%llu (0x%llx), RIP=0x%llx", mode, rax, rax, rip);
		if (e->at400 >= 0)
			textbuf_printf(&t, ", [0x400]=%d", e->at400);
		textbuf_printf(&t, ", %llu exits", (unsigned long long)e->exits);
		return ENDING_HALTED;
	case VMM_STOP_SHUTDOWN:
		if (host_cannot(e)) {
			textbuf_printf(&t, "%s", vmm_probe_limitation(e->start_mode));
			return ENDING_HOST;
		}
		/* fall through */
	case VMM_STOP_INTERNAL_ERROR:
	case VMM_STOP_FAIL_ENTRY:
		ending_exit_words(e->stop == VMM_STOP_SHUTDOWN ? VMM_EXIT_SHUTDOWN :
				  e->stop == VMM_STOP_INTERNAL_ERROR ? VMM_EXIT_INTERNAL_ERROR :
				  VMM_EXIT_FAIL_ENTRY, e->run, words, sizeof(words));
		textbuf_printf(&t, "%s", words);
		at_step(&t, e);
		textbuf_printf(&t, " at RIP=0x%llx in %s mode%s; ", rip, mode, e->stop == VMM_STOP_SHUTDOWN ?
			       ": a fault while the CPU delivered a double fault" : "");
		cregs(&t, e->sregs);
		if (e->stop == VMM_STOP_SHUTDOWN)
			textbuf_printf(&t, " IDTR=0x%llx/%u", (unsigned long long)e->sregs->idt.base,
				       e->sregs->idt.limit);
		for (unsigned i = 0; e->stop == VMM_STOP_INTERNAL_ERROR && e->run &&
		     i < e->run->internal.ndata && i < 16; i++)
			textbuf_printf(&t, "%s0x%llx", i ? " " : " data: ",
				       (unsigned long long)e->run->internal.data[i]);
		return ENDING_FAULTED;
	case VMM_STOP_EXIT_LIMIT:
	case VMM_STOP_TIMEOUT:
	case VMM_STOP_STEP_LIMIT:
		textbuf_printf(&t, "%s: the guest was still running, in %s mode at RIP=0x%llx, after ",
			       vmm_stop_name(e->stop), mode, rip);
		if (e->stepped)
			textbuf_printf(&t, "%llu instructions and ", (unsigned long long)e->steps);
		textbuf_printf(&t, "%llu exits", (unsigned long long)e->exits);
		return ENDING_LIMITED;
	case VMM_STOP_DEVICE:
		textbuf_printf(&t, "stopped");
		at_step(&t, e);
		textbuf_printf(&t, " at RIP=0x%llx in %s mode: %s", rip, mode,
			       e->device_error && *e->device_error ? e->device_error : "a device refused the access");
		return ENDING_FAULTED;
	default:
		textbuf_printf(&t, "stopped on an exit kvmlab does not handle (%s)",
			       e->run ? vmm_kvm_exit_reason_name(e->run->exit_reason) : vmm_stop_name(e->stop));
		at_step(&t, e);
		textbuf_printf(&t, " at RIP=0x%llx in %s mode", rip, mode);
		return ENDING_FAULTED;
	}
}

bool ending_hit_text(const struct engine *e, int hit_break, int hit_watch, uint64_t step,
		     char *buf, size_t len)
{
	struct textbuf t;
	const struct kvm_regs *r = &e->cpu->regs;
	char name[SYMBOLS_NAME_MAX + 24];

	textbuf_init(&t, buf, len);
	if (hit_break >= 0) {
		textbuf_printf(&t, "breakpoint 0x%llx", (unsigned long long)e->brk[hit_break]);
		if (symbols_label(e->syms, e->brk[hit_break], name, sizeof(name)) == 0)
			textbuf_printf(&t, " (%s)", name);
		textbuf_printf(&t, " reached");
	} else if (hit_watch >= 0) {
		textbuf_printf(&t, "write to watched address 0x%llx reached",
			       (unsigned long long)e->watch[hit_watch].addr);
	} else {
		return false;
	}
	if (step)   /* a recorded step, which may lie in the past */
		textbuf_printf(&t, " by step %llu", (unsigned long long)step);
	else if (e->nsteps)
		textbuf_printf(&t, " after %llu instructions", (unsigned long long)e->nretired);
	else
		textbuf_printf(&t, " after %llu exits (RAX=0x%llx)", (unsigned long long)e->cpu->stats->total,
			       (unsigned long long)r->rax);
	if (!step && hit_watch >= 0 && hit_break < 0)
		textbuf_printf(&t, " (RIP=0x%llx after the write)", (unsigned long long)r->rip);
	return true;
}
