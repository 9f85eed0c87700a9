/* kvmdecode.c - KVM ioctl arguments and exits as named fields (see kvmdecode.h). */
#include "kvmdecode.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "exits.h"
#include "model.h"
#include "x86.h"

static const struct {
	uint64_t cap;
	const char *name;
} caps[] = {
#define CAP(c) { c, #c },
#include "kvmcaps.h"
#undef CAP
};

const char *kvmdec_cap_name(uint64_t cap)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (caps[i].cap == cap)
			return caps[i].name;
	return NULL;
}

int kvmdec_arg_is_pointer(unsigned long req)
{
	/* _IO requests take a value; KVM_CREATE_VCPU, KVM_CHECK_EXTENSION, ... all are _IO */
	return _IOC_DIR(req) != _IOC_NONE && _IOC_SIZE(req) > 0;
}

size_t kvmdec_arg_size(unsigned long req, const uint8_t *head, size_t have)
{
	size_t n = _IOC_SIZE(req), each = 0;
	uint32_t count = 0;

	if (have >= 4)
		memcpy(&count, head, 4);
	switch (req) {
	case KVM_SET_CPUID2: case KVM_GET_CPUID2: case KVM_GET_SUPPORTED_CPUID:
	case KVM_GET_EMULATED_CPUID:
		each = sizeof(struct kvm_cpuid_entry2);
		break;
	case KVM_GET_MSRS: case KVM_SET_MSRS:
		each = sizeof(struct kvm_msr_entry);
		break;
	case KVM_GET_MSR_INDEX_LIST: case KVM_GET_MSR_FEATURE_INDEX_LIST:
		each = sizeof(uint32_t);
		break;
	default:
		return n;
	}
	if (count > (KVMDEC_ARG_MAX - n) / each)
		count = (uint32_t)((KVMDEC_ARG_MAX - n) / each);
	return n + count * each;
}

/* Copy a structure out of what was read; missing bytes read as 0 (structure() says when
 * the program's memory gave fewer bytes than the request's size). */
static void load(void *dst, size_t size, const uint8_t *b, size_t len)
{
	memset(dst, 0, size);
	memcpy(dst, b, len < size ? len : size);
}

#define LOAD(dst, buf, len) load(&(dst), sizeof(dst), (buf), (len))

static void bits(struct fieldw *w, const char *key, uint64_t v, const struct x86_bit *t)
{
	char names[160];

	x86_bits_text(v, t, names, sizeof(names));
	fieldw_bits(w, key, v, names);
}

static void segment(struct fieldw *w, const char *key, const struct kvm_segment *s)
{
	fieldw_begin(w, key);
	fieldw_hex(w, "sel", s->selector);
	fieldw_hex(w, "base", s->base);
	fieldw_hex(w, "limit", s->limit);
	fieldw_u64(w, "type", s->type);
	fieldw_str(w, "kind", tui_seg_type(s));
	fieldw_u64(w, "present", s->present);
	fieldw_u64(w, "dpl", s->dpl);
	fieldw_u64(w, "db", s->db);
	fieldw_u64(w, "s", s->s);
	fieldw_u64(w, "l", s->l);
	fieldw_u64(w, "g", s->g);
	fieldw_u64(w, "avl", s->avl);
	if (s->unusable)
		fieldw_u64(w, "unusable", s->unusable);
	fieldw_end(w);
}

static void dtable(struct fieldw *w, const char *key, const struct kvm_dtable *d)
{
	fieldw_begin(w, key);
	fieldw_hex(w, "base", d->base);
	fieldw_hex(w, "limit", d->limit);
	fieldw_end(w);
}

void kvmdec_regs(struct fieldw *w, const char *key, const struct kvm_regs *r)
{
	fieldw_begin(w, key);
	fieldw_hex(w, "rax", r->rax); fieldw_hex(w, "rbx", r->rbx);
	fieldw_hex(w, "rcx", r->rcx); fieldw_hex(w, "rdx", r->rdx);
	fieldw_hex(w, "rsi", r->rsi); fieldw_hex(w, "rdi", r->rdi);
	fieldw_hex(w, "rsp", r->rsp); fieldw_hex(w, "rbp", r->rbp);
	fieldw_hex(w, "r8", r->r8); fieldw_hex(w, "r9", r->r9);
	fieldw_hex(w, "r10", r->r10); fieldw_hex(w, "r11", r->r11);
	fieldw_hex(w, "r12", r->r12); fieldw_hex(w, "r13", r->r13);
	fieldw_hex(w, "r14", r->r14); fieldw_hex(w, "r15", r->r15);
	fieldw_hex(w, "rip", r->rip);
	bits(w, "rflags", r->rflags, x86_rflags_bits);
	fieldw_end(w);
}

/* The special registers both SREGS and SREGS2 hold. */
#define SREGS_COMMON(w, s) do { \
	segment(w, "cs", &(s)->cs); segment(w, "ds", &(s)->ds); segment(w, "es", &(s)->es); \
	segment(w, "fs", &(s)->fs); segment(w, "gs", &(s)->gs); segment(w, "ss", &(s)->ss); \
	segment(w, "tr", &(s)->tr); segment(w, "ldt", &(s)->ldt); \
	dtable(w, "gdt", &(s)->gdt); dtable(w, "idt", &(s)->idt); \
	bits(w, "cr0", (s)->cr0, x86_cr0_bits); fieldw_hex(w, "cr2", (s)->cr2); \
	fieldw_hex(w, "cr3", (s)->cr3); bits(w, "cr4", (s)->cr4, x86_cr4_bits); \
	fieldw_hex(w, "cr8", (s)->cr8); bits(w, "efer", (s)->efer, x86_efer_bits); \
	fieldw_hex(w, "apic_base", (s)->apic_base); \
} while (0)

void kvmdec_sregs(struct fieldw *w, const char *key, const struct kvm_sregs *s)
{
	bool pending = false;

	fieldw_begin(w, key);
	SREGS_COMMON(w, s);
	for (size_t i = 0; i < sizeof(s->interrupt_bitmap) / sizeof(s->interrupt_bitmap[0]); i++)
		pending |= s->interrupt_bitmap[i] != 0;
	if (pending) {
		fieldw_abegin(w, "interrupt_bitmap");
		for (size_t i = 0; i < sizeof(s->interrupt_bitmap) / sizeof(s->interrupt_bitmap[0]); i++)
			fieldw_hex(w, NULL, s->interrupt_bitmap[i]);
		fieldw_aend(w);
	}
	fieldw_end(w);
}

static void sregs2(struct fieldw *w, const char *key, const struct kvm_sregs2 *s)
{
	fieldw_begin(w, key);
	SREGS_COMMON(w, s);
	fieldw_hex(w, "flags", s->flags);
	fieldw_abegin(w, "pdptrs");
	for (int i = 0; i < 4; i++)
		fieldw_hex(w, NULL, s->pdptrs[i]);
	fieldw_aend(w);
	fieldw_end(w);
}

static void memory_region(struct fieldw *w, const uint8_t *b, size_t len)
{
	struct kvm_userspace_memory_region m;

	LOAD(m, b, len);
	fieldw_begin(w, "arg");
	fieldw_u64(w, "slot", m.slot & 0xffff);
	if (m.slot >> 16)
		fieldw_u64(w, "address_space", m.slot >> 16);
	fieldw_hex(w, "flags", m.flags);
	if (m.flags & (KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
		fieldw_str(w, "flag_names", (m.flags & KVM_MEM_READONLY) ?
			   ((m.flags & KVM_MEM_LOG_DIRTY_PAGES) ? "LOG_DIRTY_PAGES|READONLY" : "READONLY")
			   : "LOG_DIRTY_PAGES");
	fieldw_hex(w, "guest_phys_addr", m.guest_phys_addr);
	fieldw_hex(w, "memory_size", m.memory_size);
	fieldw_hex(w, "userspace_addr", m.userspace_addr);
	fieldw_end(w);
}

static void cpuid(struct fieldw *w, const char *key, const uint8_t *b, size_t len)
{
	struct kvm_cpuid2 h;
	size_t have;

	LOAD(h, b, len);
	have = len > sizeof(h) ? (len - sizeof(h)) / sizeof(struct kvm_cpuid_entry2) : 0;
	fieldw_begin(w, key);
	fieldw_u64(w, "nent", h.nent);
	fieldw_abegin(w, "entries");
	for (size_t i = 0; i < h.nent && i < have; i++) {
		struct kvm_cpuid_entry2 e;

		memcpy(&e, b + sizeof(h) + i * sizeof(e), sizeof(e));
		fieldw_begin(w, NULL);
		fieldw_hex(w, "function", e.function);
		fieldw_hex(w, "index", e.index);
		fieldw_hex(w, "flags", e.flags);
		fieldw_hex(w, "eax", e.eax);
		fieldw_hex(w, "ebx", e.ebx);
		fieldw_hex(w, "ecx", e.ecx);
		fieldw_hex(w, "edx", e.edx);
		fieldw_end(w);
	}
	fieldw_aend(w);
	if (h.nent > have)
		fieldw_u64(w, "entries_not_read", h.nent > have ? h.nent - have : 0);
	fieldw_end(w);
}

static void msrs(struct fieldw *w, const char *key, const uint8_t *b, size_t len, bool data)
{
	struct kvm_msrs h;
	size_t have;

	LOAD(h, b, len);
	have = len > sizeof(h) ? (len - sizeof(h)) / sizeof(struct kvm_msr_entry) : 0;
	fieldw_begin(w, key);
	fieldw_u64(w, "nmsrs", h.nmsrs);
	fieldw_abegin(w, "entries");
	for (size_t i = 0; i < h.nmsrs && i < have; i++) {
		struct kvm_msr_entry e;

		memcpy(&e, b + sizeof(h) + i * sizeof(e), sizeof(e));
		fieldw_begin(w, NULL);
		fieldw_hex(w, "index", e.index);
		if (data)
			fieldw_hex(w, "data", e.data);
		fieldw_end(w);
	}
	fieldw_aend(w);
	fieldw_end(w);
}

static void msr_list(struct fieldw *w, const char *key, const uint8_t *b, size_t len)
{
	uint32_t n = 0;
	size_t have = len > 4 ? (len - 4) / 4 : 0;

	if (len >= 4)
		memcpy(&n, b, 4);
	fieldw_begin(w, key);
	fieldw_u64(w, "nmsrs", n);
	fieldw_abegin(w, "indices");
	for (size_t i = 0; i < n && i < have; i++) {
		uint32_t idx;

		memcpy(&idx, b + 4 + i * 4, 4);
		fieldw_hex(w, NULL, idx);
	}
	fieldw_aend(w);
	fieldw_end(w);
}

static void guest_debug(struct fieldw *w, const uint8_t *b, size_t len)
{
	static const struct x86_bit ctl[] = {
		{ 0, "ENABLE" }, { 1, "SINGLESTEP" }, { 16, "USE_SW_BP" }, { 17, "USE_HW_BP" },
		{ 18, "INJECT_DB" }, { 19, "INJECT_BP" }, { 20, "BLOCKIRQ" }, { 0, NULL },
	};
	struct kvm_guest_debug d;

	LOAD(d, b, len);
	fieldw_begin(w, "arg");
	bits(w, "control", d.control, ctl);
	fieldw_abegin(w, "debugreg");
	for (int i = 0; i < 8; i++)
		fieldw_hex(w, NULL, d.arch.debugreg[i]);
	fieldw_aend(w);
	fieldw_end(w);
}

static void translate(struct fieldw *w, const char *key, const uint8_t *b, size_t len, bool out)
{
	struct kvm_translation t;

	LOAD(t, b, len);
	fieldw_begin(w, key);
	fieldw_hex(w, "linear_address", t.linear_address);
	if (out) {
		fieldw_hex(w, "physical_address", t.physical_address);
		fieldw_u64(w, "valid", t.valid);
		fieldw_u64(w, "writeable", t.writeable);
		fieldw_u64(w, "usermode", t.usermode);
	}
	fieldw_end(w);
}

static void enable_cap(struct fieldw *w, const uint8_t *b, size_t len)
{
	struct kvm_enable_cap e;
	const char *name;

	LOAD(e, b, len);
	name = kvmdec_cap_name(e.cap);
	fieldw_begin(w, "arg");
	fieldw_u64(w, "cap", e.cap);
	if (name)
		fieldw_str(w, "cap_name", name);
	fieldw_hex(w, "flags", e.flags);
	fieldw_abegin(w, "args");
	for (int i = 0; i < 4; i++)
		fieldw_hex(w, NULL, e.args[i]);
	fieldw_aend(w);
	fieldw_end(w);
}

static void debugregs(struct fieldw *w, const char *key, const uint8_t *b, size_t len)
{
	struct kvm_debugregs d;

	LOAD(d, b, len);
	fieldw_begin(w, key);
	fieldw_abegin(w, "db");
	for (int i = 0; i < 4; i++)
		fieldw_hex(w, NULL, d.db[i]);
	fieldw_aend(w);
	fieldw_hex(w, "dr6", d.dr6);
	fieldw_hex(w, "dr7", d.dr7);
	fieldw_hex(w, "flags", d.flags);
	fieldw_end(w);
}

static void fpu(struct fieldw *w, const char *key, const uint8_t *b, size_t len)
{
	struct kvm_fpu f;

	LOAD(f, b, len);
	fieldw_begin(w, key);
	fieldw_hex(w, "fcw", f.fcw);
	fieldw_hex(w, "fsw", f.fsw);
	fieldw_hex(w, "ftwx", f.ftwx);
	fieldw_hex(w, "last_opcode", f.last_opcode);
	fieldw_hex(w, "last_ip", f.last_ip);
	fieldw_hex(w, "last_dp", f.last_dp);
	fieldw_hex(w, "mxcsr", f.mxcsr);
	fieldw_end(w);
}

static void events(struct fieldw *w, const char *key, const uint8_t *b, size_t len)
{
	struct kvm_vcpu_events e;

	LOAD(e, b, len);
	fieldw_begin(w, key);
	fieldw_begin(w, "exception");
	fieldw_u64(w, "injected", e.exception.injected);
	fieldw_u64(w, "nr", e.exception.nr);
	fieldw_u64(w, "has_error_code", e.exception.has_error_code);
	fieldw_u64(w, "pending", e.exception.pending);
	fieldw_hex(w, "error_code", e.exception.error_code);
	fieldw_end(w);
	fieldw_begin(w, "interrupt");
	fieldw_u64(w, "injected", e.interrupt.injected);
	fieldw_u64(w, "nr", e.interrupt.nr);
	fieldw_u64(w, "soft", e.interrupt.soft);
	fieldw_u64(w, "shadow", e.interrupt.shadow);
	fieldw_end(w);
	fieldw_begin(w, "nmi");
	fieldw_u64(w, "injected", e.nmi.injected);
	fieldw_u64(w, "pending", e.nmi.pending);
	fieldw_u64(w, "masked", e.nmi.masked);
	fieldw_end(w);
	fieldw_hex(w, "flags", e.flags);
	fieldw_end(w);
}

static const char *mp_state_name(uint32_t s)
{
	static const char *const names[] = {
		"RUNNABLE", "UNINITIALIZED", "INIT_RECEIVED", "HALTED", "SIPI_RECEIVED",
		"STOPPED", "CHECK_STOP", "OPERATING", "LOAD", "AP_RESET_HOLD", "SUSPENDED",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* A structure the decoder does not know: its size and up to 64 of its bytes. */
static void raw(struct fieldw *w, const char *key, const uint8_t *b, size_t len)
{
	fieldw_begin(w, key);
	fieldw_u64(w, "size", len);
	fieldw_bytes(w, "bytes", b, len < 64 ? len : 64);
	fieldw_end(w);
}

static void decode_struct(struct fieldw *w, const char *key, unsigned long req, const uint8_t *b,
		       size_t len, bool out);

/* Decode the structure b[0..len) of request req as `key`; out: after the call.  Bytes the
 * program's memory did not give read as 0, and key_bytes_read says how many it gave. */
static void structure(struct fieldw *w, const char *key, unsigned long req, const uint8_t *b,
		      size_t len, bool out)
{
	decode_struct(w, key, req, b, len, out);
	if (len < _IOC_SIZE(req)) {
		char k[32];

		snprintf(k, sizeof(k), "%s_bytes_read", key);
		fieldw_u64(w, k, len);
	}
}

static void decode_struct(struct fieldw *w, const char *key, unsigned long req, const uint8_t *b,
		       size_t len, bool out)
{

	switch (req) {
	case KVM_GET_REGS: case KVM_SET_REGS: {
		struct kvm_regs r;

		LOAD(r, b, len);
		kvmdec_regs(w, key, &r);
		return;
	}
	case KVM_GET_SREGS: case KVM_SET_SREGS: {
		struct kvm_sregs s;

		LOAD(s, b, len);
		kvmdec_sregs(w, key, &s);
		return;
	}
	case KVM_GET_SREGS2: case KVM_SET_SREGS2: {
		struct kvm_sregs2 s;

		LOAD(s, b, len);
		sregs2(w, key, &s);
		return;
	}
	case KVM_SET_USER_MEMORY_REGION:
		memory_region(w, b, len);
		return;
	case KVM_SET_CPUID2: case KVM_GET_CPUID2: case KVM_GET_SUPPORTED_CPUID:
	case KVM_GET_EMULATED_CPUID:
		cpuid(w, key, b, len);
		return;
	case KVM_GET_MSRS: case KVM_SET_MSRS:
		msrs(w, key, b, len, req == KVM_SET_MSRS || out);
		return;
	case KVM_GET_MSR_INDEX_LIST: case KVM_GET_MSR_FEATURE_INDEX_LIST:
		msr_list(w, key, b, len);
		return;
	case KVM_SET_GUEST_DEBUG:
		guest_debug(w, b, len);
		return;
	case KVM_TRANSLATE:
		translate(w, key, b, len, out);
		return;
	case KVM_ENABLE_CAP:
		enable_cap(w, b, len);
		return;
	case KVM_GET_DEBUGREGS: case KVM_SET_DEBUGREGS:
		debugregs(w, key, b, len);
		return;
	case KVM_GET_FPU: case KVM_SET_FPU:
		fpu(w, key, b, len);
		return;
	case KVM_GET_VCPU_EVENTS: case KVM_SET_VCPU_EVENTS:
		events(w, key, b, len);
		return;
	case KVM_GET_MP_STATE: case KVM_SET_MP_STATE: {
		struct kvm_mp_state m;

		LOAD(m, b, len);
		fieldw_begin(w, key);
		fieldw_u64(w, "mp_state", m.mp_state);
		fieldw_str(w, "name", mp_state_name(m.mp_state));
		fieldw_end(w);
		return;
	}
	case KVM_GET_CLOCK: case KVM_SET_CLOCK: {
		struct kvm_clock_data c;

		LOAD(c, b, len);
		fieldw_begin(w, key);
		fieldw_u64(w, "clock", c.clock);
		fieldw_hex(w, "flags", c.flags);
		fieldw_end(w);
		return;
	}
	case KVM_IRQ_LINE: {
		struct kvm_irq_level l;

		LOAD(l, b, len);
		fieldw_begin(w, key);
		fieldw_u64(w, "irq", l.irq);
		fieldw_u64(w, "level", l.level);
		fieldw_end(w);
		return;
	}
	case KVM_SET_IDENTITY_MAP_ADDR: {
		uint64_t a;

		LOAD(a, b, len);
		fieldw_hex(w, key, a);
		return;
	}
	default:
		raw(w, key, b, len);
	}
}

/* Requests whose argument the kernel writes (all of it, or besides reading it). */
static bool writes_back(unsigned long req)
{
	return kvmdec_arg_is_pointer(req) && (_IOC_DIR(req) & _IOC_READ);
}

static bool reads_in(unsigned long req)
{
	return kvmdec_arg_is_pointer(req) && (_IOC_DIR(req) & _IOC_WRITE);
}

void kvmdec_args(struct fieldw *w, const struct kvmdec_call *c)
{
	if (!kvmdec_arg_is_pointer(c->req)) {
		switch (c->req) {
		case KVM_RUN: case KVM_GET_API_VERSION: case KVM_GET_VCPU_MMAP_SIZE:
		case KVM_CREATE_IRQCHIP: case KVM_GET_TSC_KHZ: case KVM_NMI:
		case KVM_KVMCLOCK_CTRL:
			return;
		case KVM_CHECK_EXTENSION: {
			const char *name = kvmdec_cap_name(c->arg);

			fieldw_u64(w, "cap", c->arg);
			if (name)
				fieldw_str(w, "cap_name", name);
			return;
		}
		case KVM_CREATE_VM:
			fieldw_u64(w, "type", c->arg);
			return;
		case KVM_CREATE_VCPU:
			fieldw_u64(w, "vcpu_id", c->arg);
			return;
		case KVM_SET_TSS_ADDR:
			fieldw_hex(w, "addr", c->arg);
			return;
		default:
			fieldw_hex(w, "arg", c->arg);
			return;
		}
	}
	fieldw_hex(w, "argp", c->arg);
	if (!reads_in(c->req))
		return;
	if (!c->in || c->in_len == 0) {
		fieldw_str(w, "arg", "unreadable");
		return;
	}
	structure(w, "arg", c->req, c->in, c->in_len, false);
}

void kvmdec_result(struct fieldw *w, const struct kvmdec_call *c)
{
	if (c->ret < 0) {
		const char *name = strerrorname_np((int)-c->ret);
		char num[32];

		fieldw_i64(w, "ret", -1);
		snprintf(num, sizeof(num), "%ld", -c->ret);
		fieldw_str(w, "errno", name ? name : num);
		return;
	}
	fieldw_i64(w, "ret", c->ret);
	if (!writes_back(c->req))
		return;
	if (!c->out || c->out_len == 0) {
		fieldw_str(w, "out", "unreadable");
		return;
	}
	structure(w, "out", c->req, c->out, c->out_len, true);
}

void kvmdec_exit(struct fieldw *w, const struct kvm_run *run, const uint8_t *io_data, size_t io_len)
{
	fieldw_str(w, "exit", vmm_kvm_exit_reason_name(run->exit_reason));
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		fieldw_str(w, "dir", run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in");
		fieldw_hex(w, "port", run->io.port);
		fieldw_u64(w, "size", run->io.size);
		fieldw_u64(w, "count", run->io.count);
		fieldw_hex(w, "data_offset", run->io.data_offset);
		if (io_data)
			fieldw_bytes(w, "data", io_data, io_len);
		else
			fieldw_str(w, "data", "outside the kvm_run mapping");
		break;
	case KVM_EXIT_MMIO:
		fieldw_str(w, "dir", run->mmio.is_write ? "write" : "read");
		fieldw_hex(w, "phys_addr", run->mmio.phys_addr);
		fieldw_u64(w, "len", run->mmio.len);
		fieldw_bytes(w, "data", run->mmio.data,
			     run->mmio.len <= 8 ? run->mmio.len : 8);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		fieldw_hex(w, "hardware_entry_failure_reason",
			   run->fail_entry.hardware_entry_failure_reason);
		fieldw_u64(w, "cpu", run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR: {
		static const char *const sub[] = {
			[KVM_INTERNAL_ERROR_EMULATION] = "EMULATION",
			[KVM_INTERNAL_ERROR_SIMUL_EX] = "SIMUL_EX",
			[KVM_INTERNAL_ERROR_DELIVERY_EV] = "DELIVERY_EV",
			[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "UNEXPECTED_EXIT_REASON",
		};
		uint32_t nd = run->internal.ndata;

		fieldw_u64(w, "suberror", run->internal.suberror);
		if (run->internal.suberror < sizeof(sub) / sizeof(sub[0]) && sub[run->internal.suberror])
			fieldw_str(w, "suberror_name", sub[run->internal.suberror]);
		fieldw_abegin(w, "data");
		for (uint32_t i = 0; i < nd && i < 16; i++)
			fieldw_hex(w, NULL, run->internal.data[i]);
		fieldw_aend(w);
		break;
	}
	case KVM_EXIT_DEBUG:
		fieldw_u64(w, "exception", run->debug.arch.exception);
		fieldw_hex(w, "pc", run->debug.arch.pc);
		fieldw_hex(w, "dr6", run->debug.arch.dr6);
		fieldw_hex(w, "dr7", run->debug.arch.dr7);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		fieldw_u64(w, "type", run->system_event.type);
		break;
	case KVM_EXIT_UNKNOWN:
		fieldw_hex(w, "hardware_exit_reason", run->hw.hardware_exit_reason);
		break;
	case KVM_EXIT_EXCEPTION:
		fieldw_u64(w, "exception", run->ex.exception);
		fieldw_hex(w, "error_code", run->ex.error_code);
		break;
	case KVM_EXIT_HYPERCALL:
		fieldw_hex(w, "nr", run->hypercall.nr);
		break;
	case KVM_EXIT_X86_RDMSR: case KVM_EXIT_X86_WRMSR:
		fieldw_hex(w, "index", run->msr.index);
		fieldw_hex(w, "data", run->msr.data);
		break;
	default:
		break;
	}
}
