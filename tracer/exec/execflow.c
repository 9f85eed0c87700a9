/* execflow.c - the flowchart of `kvmlab exec --flow` (see execflow.h). */
#include "execflow.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ioctl.h"

/* What each request does, in the words of a VMM's author. */
static const struct {
	unsigned long req;
	const char *action;
} actions[] = {
	{ KVM_GET_API_VERSION, "Check that /dev/kvm speaks API version 12" },
	{ KVM_CHECK_EXTENSION, "Ask whether KVM has a capability" },
	{ KVM_CREATE_VM, "Create a VM (an empty machine: no memory, no CPU)" },
	{ KVM_SET_TSS_ADDR, "Reserve guest addresses for the TSS (Intel real mode)" },
	{ KVM_SET_IDENTITY_MAP_ADDR, "Reserve guest addresses for the identity map page" },
	{ KVM_SET_USER_MEMORY_REGION, "Give the guest its memory: host memory at a guest physical address" },
	{ KVM_CREATE_VCPU, "Create a virtual CPU in the VM" },
	{ KVM_GET_VCPU_MMAP_SIZE, "Ask how big the shared kvm_run area is" },
	{ KVM_GET_SUPPORTED_CPUID, "Ask which CPUID leaves KVM supports" },
	{ KVM_SET_CPUID2, "Tell the vCPU what CPUID reports" },
	{ KVM_GET_SREGS, "Read the special registers (segments, CR0/CR3/CR4, EFER)" },
	{ KVM_SET_SREGS, "Set the CPU mode: segments, control registers, page tables (CR3)" },
	{ KVM_GET_REGS, "Read the general registers (to check the guest's result)" },
	{ KVM_SET_REGS, "Set where the guest starts: RIP, RSP, RFLAGS" },
	{ KVM_SET_GUEST_DEBUG, "Set guest debugging (single-step, breakpoints)" },
	{ KVM_TRANSLATE, "Translate a guest virtual address through the guest's page tables" },
	{ KVM_RUN, "Run the guest until it exits" },
};

static void fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
}

static struct execflow_box *next_box(struct execflow *f, const char *obj, const char *action,
				     const char *call)
{
	struct execflow_box *b = f->n ? &f->box[f->n - 1] : NULL;

	/* the same action on the same object again: one box, counted */
	if (b && strcmp(b->obj, obj) == 0 && strcmp(b->call, call) == 0 &&
	    strcmp(b->action, action) == 0) {
		b->count++;
		return b;
	}
	if (f->n == EXECFLOW_MAX) {
		f->dropped++;
		return NULL;
	}
	b = &f->box[f->n++];
	memset(b, 0, sizeof(*b));
	b->count = 1;
	fmt(b->obj, sizeof(b->obj), "%s", obj);
	fmt(b->action, sizeof(b->action), "%s", action);
	fmt(b->call, sizeof(b->call), "%s", call);
	return b;
}

static void inputs(const struct obs_call *c, char *buf, size_t len)
{
	const struct kvmdec_call *k = &c->c;

	buf[0] = '\0';
	switch (k->req) {
	case KVM_SET_USER_MEMORY_REGION:
		if (k->in && k->in_len >= sizeof(struct kvm_userspace_memory_region)) {
			struct kvm_userspace_memory_region m;

			memcpy(&m, k->in, sizeof(m));
			fmt(buf, len, "slot %u, guest physical 0x%llx, %llu KiB, host address 0x%llx",
			    m.slot, (unsigned long long)m.guest_phys_addr,
			    (unsigned long long)m.memory_size >> 10,
			    (unsigned long long)m.userspace_addr);
		}
		return;
	case KVM_SET_SREGS:
		if (k->in && k->in_len >= sizeof(struct kvm_sregs)) {
			struct kvm_sregs s;

			memcpy(&s, k->in, sizeof(s));
			fmt(buf, len, "CR0=0x%llx CR3=0x%llx CR4=0x%llx EFER=0x%llx, CS base 0x%llx "
			    "L=%u D=%u", (unsigned long long)s.cr0, (unsigned long long)s.cr3,
			    (unsigned long long)s.cr4, (unsigned long long)s.efer,
			    (unsigned long long)s.cs.base, s.cs.l, s.cs.db);
		}
		return;
	case KVM_SET_REGS:
		if (k->in && k->in_len >= sizeof(struct kvm_regs)) {
			struct kvm_regs r;

			memcpy(&r, k->in, sizeof(r));
			fmt(buf, len, "RIP=0x%llx RSP=0x%llx RFLAGS=0x%llx", (unsigned long long)r.rip,
			    (unsigned long long)r.rsp, (unsigned long long)r.rflags);
		}
		return;
	case KVM_GET_REGS:
		if (k->out && k->out_len >= sizeof(struct kvm_regs)) {
			struct kvm_regs r;

			memcpy(&r, k->out, sizeof(r));
			fmt(buf, len, "RAX=0x%llx RIP=0x%llx", (unsigned long long)r.rax,
			    (unsigned long long)r.rip);
		}
		return;
	case KVM_CREATE_VCPU:
		fmt(buf, len, "vCPU id %llu -> fd %ld", (unsigned long long)k->arg, k->ret);
		return;
	case KVM_CREATE_VM:
		fmt(buf, len, "type %llu -> fd %ld", (unsigned long long)k->arg, k->ret);
		return;
	default:
		if (k->ret < 0)
			fmt(buf, len, "failed: errno %ld", -k->ret);
		else
			fmt(buf, len, "-> %ld", k->ret);
	}
}

/* "IO out 0xe9", "HLT", ... for a KVM_RUN's exit */
static void exit_text(const struct obs_call *c, char *buf, size_t len)
{
	const struct kvm_run *r = &c->run;

	if (c->c.ret < 0) {
		fmt(buf, len, "interrupted (EINTR)");
		return;
	}
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		fmt(buf, len, "IO %s port 0x%x", r->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		    r->io.port);
		return;
	case KVM_EXIT_MMIO:
		fmt(buf, len, "MMIO %s", r->mmio.is_write ? "write" : "read");
		return;
	default:
		fmt(buf, len, "%s", vmm_kvm_exit_reason_name(r->exit_reason));
	}
}

static void on_call(void *ctx, const struct obs_call *c)
{
	struct execflow *f = ctx;
	const char *name = vmm_ioctl_name(c->c.req), *action = NULL;
	const char *obj = c->obj ? c->obj->name : "?";
	struct execflow_box *b;
	char call[64];

	if (f->inner.call)
		f->inner.call(f->inner.ctx, c);
	if (c->unfinished)
		return;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]) && !action; i++)
		if (actions[i].req == c->c.req)
			action = actions[i].action;
	fmt(call, sizeof(call), "%s", name ? name : "a KVM ioctl");
	b = next_box(f, obj, action ? action : "KVM call", call);
	if (!b)
		return;
	if (c->c.req == KVM_RUN && c->has_exit) {
		char what[48];
		unsigned i;

		exit_text(c, what, sizeof(what));
		for (i = 0; i < b->nexits && strcmp(b->exits[i].what, what) != 0; i++)
			;
		if (i == b->nexits && b->nexits < sizeof(b->exits) / sizeof(b->exits[0]))
			fmt(b->exits[b->nexits++].what, sizeof(b->exits[0].what), "%s", what);
		if (i < b->nexits)
			b->exits[i].n++;
		return;
	}
	if (b->count == 1)
		inputs(c, b->inputs, sizeof(b->inputs));
}

static void on_mapped(void *ctx, pid_t tid, const struct obs_obj *vcpu, uint64_t addr, uint64_t len)
{
	struct execflow *f = ctx;
	struct execflow_box *b;

	if (f->inner.mapped)
		f->inner.mapped(f->inner.ctx, tid, vcpu, addr, len);
	b = next_box(f, vcpu->name, "Map the vCPU's kvm_run area into the VMM", "mmap (vCPU fd)");
	if (b)
		fmt(b->inputs, sizeof(b->inputs), "%llu bytes at 0x%llx: exits are read there",
		    (unsigned long long)len, (unsigned long long)addr);
}

static void on_proc(void *ctx, enum obs_proc_event ev, pid_t pid, int status, const char *what)
{
	struct execflow *f = ctx;

	if (f->inner.proc)
		f->inner.proc(f->inner.ctx, ev, pid, status, what);
}

void execflow_init(struct execflow *f, const struct obs_sink *inner, struct obs_sink *sink)
{
	memset(f, 0, sizeof(*f));
	if (inner)
		f->inner = *inner;
	*sink = (struct obs_sink){ .call = on_call, .mapped = on_mapped, .proc = on_proc, .ctx = f };
}

/* s as a DOT string body: quotes and backslashes escaped */
static void dot_str(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

int execflow_write(const struct execflow *f, FILE *out, const char *title)
{
	fprintf(out, "digraph kvm_flow {\n\tlabel=\"");
	dot_str(out, title);
	fprintf(out, ": what the VMM asked KVM, in order (kvmlab exec --flow)\";\n"
		"\tlabelloc=t;\n\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
	for (unsigned i = 0; i < f->n; i++) {
		const struct execflow_box *b = &f->box[i];

		fprintf(out, "\tn%u [label=\"%u. ", i, i + 1);
		dot_str(out, b->action);
		fprintf(out, "\\n");
		dot_str(out, b->call);
		fprintf(out, " on ");
		dot_str(out, b->obj);
		if (b->count > 1)
			fprintf(out, " (x%u)", b->count);
		if (b->inputs[0]) {
			fprintf(out, "\\n");
			dot_str(out, b->inputs);
		}
		for (unsigned e = 0; e < b->nexits; e++) {
			fprintf(out, "\\nexit: ");
			dot_str(out, b->exits[e].what);
			fprintf(out, " x%u", b->exits[e].n);
		}
		fprintf(out, "\"];\n");
		if (i)
			fprintf(out, "\tn%u -> n%u;\n", i - 1, i);
		if (b->nexits && b->count > 1)
			fprintf(out, "\tn%u -> n%u [label=\"handle the exit, run again\"];\n", i, i);
	}
	if (f->dropped)
		fprintf(out, "\tmore [label=\"... %u more actions\"];\n\tn%u -> more;\n", f->dropped,
			f->n - 1);
	fprintf(out, "}\n");
	return ferror(out) ? -EIO : 0;
}
