/* hypercall.c - the built-in hypercalls and the port map. */
#include "hypercall.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "guestmem.h"
#include "portmap.h"
#include "vcpu.h"
#include "vm.h"

static const char *const names[VMM_HC__COUNT] = {
	[VMM_HC_PRINT8] = "print8",
	[VMM_HC_PRINT32] = "print32",
	[VMM_HC_PRINTSTR] = "printStr",
	[VMM_HC_NUMEXITS] = "numExits",
	[VMM_HC_NUMEXITSBYTYPE] = "numExitsByType",
	[VMM_HC_GVATOHVA] = "gvaToHva",
	[VMM_HC_GETTIMESTAMP] = "getTimestamp",
};

/* Which direction each call uses: 'o' OUT, 'i' IN, 'b' both. */
static const char dirs[VMM_HC__COUNT] = { 'o', 'o', 'o', 'i', 'o', 'b', 'i' };

const char *vmm_hc_name(enum vmm_hc_id id)
{
	return (unsigned)id < VMM_HC__COUNT ? names[id] : "?";
}

void vmm_hc_printf(struct vmm_hc *hc, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		hc->sink(hc->ctx, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

int vmm_hc_format_exits(const struct vmm_vcpu *vcpu, char *buf, unsigned len)
{
	const uint64_t *c = vcpu->stats.count;
	int n = snprintf(buf, len, "IO in: %llu\nIO out: %llu\n",
			 (unsigned long long)c[VMM_EXIT_IO_IN], (unsigned long long)c[VMM_EXIT_IO_OUT]);

	return n < 0 || (unsigned)n >= len ? -ENOSPC : n;
}

static int hc_print8(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v)
{
	char c = (char)*v;

	(void)in;
	(void)size;
	hc->sink(hc->ctx, &c, 1);
	return 0;
}

static int hc_print32(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v)
{
	(void)in;
	(void)size;
	vmm_hc_printf(hc, "%u\n", *v);
	return 0;
}

static int hc_printstr(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v)
{
	char *buf = malloc(VMM_HC_STR_MAX);
	int n;

	(void)in;
	(void)size;
	if (!buf)
		return -ENOMEM;
	n = vmm_read_gstr(hc->vcpu, *v, buf, VMM_HC_STR_MAX);
	if (n >= 0)
		hc->sink(hc->ctx, buf, (size_t)n);
	free(buf);
	if (n == -E2BIG)
		return vmm_fail(n, "printStr: the string at 0x%x has no NUL within %d bytes", *v,
				VMM_HC_STR_MAX);
	if (n < 0)
		return vmm_fail(n, "printStr: pointer 0x%x (or the string after it) is not mapped "
				"to guest memory", *v);
	return 0;
}

static int hc_numexits(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v)
{
	(void)in;
	(void)size;
	*v = (uint32_t)hc->vcpu->stats.total;
	return 0;
}

static int hc_bytype(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v)
{
	char buf[VMM_HC_BYTYPE_LEN];
	int n = vmm_hc_format_exits(hc->vcpu, buf, sizeof(buf));

	(void)in;
	(void)size;
	if (n >= 0)
		n = vmm_write_gva(hc->vcpu, *v, buf, (size_t)n + 1);
	if (n < 0)
		return vmm_fail(n, "numExitsByType: buffer at 0x%x (%d bytes) is not mapped to guest "
				"memory", *v, VMM_HC_BYTYPE_LEN);
	return 0;
}

static int hc_gvatohva(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v)
{
	uint64_t gpa;

	(void)size;
	if (in) {
		*v = (uint32_t)hc->last_hva;
		return 0;
	}
	if (vmm_gva_to_gpa(hc->vcpu, *v, &gpa) < 0) {
		hc->last_hva = 0;
		vmm_hc_printf(hc, "Invalid GVA\n");
		return 0;
	}
	hc->last_hva = (uint64_t)(uintptr_t)vmm_vm_gpa(hc->vcpu->vm, gpa, 1);
	vmm_hc_printf(hc, "0x%llx\n", (unsigned long long)hc->last_hva);
	return 0;
}

static int hc_timestamp(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v)
{
	(void)hc;
	(void)in;
	(void)size;
	*v = (uint32_t)time(NULL);
	return 0;
}

static const vmm_hc_fn builtin[VMM_HC__COUNT] = {
	[VMM_HC_PRINT8] = hc_print8,
	[VMM_HC_PRINT32] = hc_print32,
	[VMM_HC_PRINTSTR] = hc_printstr,
	[VMM_HC_NUMEXITS] = hc_numexits,
	[VMM_HC_NUMEXITSBYTYPE] = hc_bytype,
	[VMM_HC_GVATOHVA] = hc_gvatohva,
	[VMM_HC_GETTIMESTAMP] = hc_timestamp,
};

/* Whether hypercall id takes an access in this direction. */
static bool dir_ok(int id, bool in)
{
	return dirs[id] == 'b' || dirs[id] == (in ? 'i' : 'o');
}

bool vmm_hc_can_share(enum vmm_hc_id a, enum vmm_hc_id b)
{
	bool dirs_meet = dirs[a] == 'b' || dirs[b] == 'b' || dirs[a] == dirs[b];

	return a != b && (!dirs_meet || vmm_hc_size(a) != vmm_hc_size(b));
}

/* Which hypercall at port an access is: the one whose direction and size it has, else the
 * only one with its direction, else the port's only one (its checks then say what is wrong). */
static int classify(const struct vmm_hc *hc, uint16_t port, bool in, unsigned size)
{
	int exact = -1, dir = -1, any = -1, nexact = 0, ndir = 0, nany = 0;

	for (int i = 0; i < VMM_HC__COUNT; i++) {
		if (hc->port[i] != port)
			continue;
		nany++;
		any = i;
		if (!dir_ok(i, in))
			continue;
		ndir++;
		dir = i;
		if (size == vmm_hc_size(i)) {
			nexact++;
			exact = i;
		}
	}
	return nexact == 1 ? exact : nexact ? -1 : ndir == 1 ? dir : ndir ? -1 : nany == 1 ? any : -1;
}

int vmm_hc_which(const struct vmm_hc *hc, uint16_t port, bool in, unsigned size)
{
	int id = port ? classify(hc, port, in, size) : -1;

	return id >= 0 ? id : vmm_hc_find(hc, port);
}

bool vmm_hc_fits(const struct vmm_hc_exit *e)
{
	return e->call >= 0 && e->call < VMM_HC__COUNT && dir_ok(e->call, e->in) &&
	       (e->call == VMM_HC_PRINT8 || e->size == 4);
}

int vmm_hc_check(const struct vmm_hc_exit *e)
{
	int id = e->call;

	if (vmm_hc_fits(e))
		return 0;
	if (id < 0 || id >= VMM_HC__COUNT)
		return vmm_fail(-EPROTO, "port 0x%x: none of the hypercalls that share it takes an "
				"%s of %u byte(s)", e->port, e->in ? "IN" : "OUT", e->size);
	if (!dir_ok(id, e->in))
		return vmm_fail(-EPROTO, "%s (port 0x%x) is %s with %s, but the guest used %s",
				names[id], e->port, dirs[id] == 'i' ? "read" : "written",
				dirs[id] == 'i' ? "IN" : "OUT", e->in ? "IN" : "OUT");
	if (id != VMM_HC_PRINT8 && e->size != 4)
		return vmm_fail(-EPROTO, "%s (port 0x%x) takes a 32-bit access (outl/inl), but the "
				"guest used %u byte(s)", names[id], e->port, e->size);
	return 0;
}

/* The clocks a lab handler's getTimestamp answer may come from, read now. */
static void read_clocks(struct vmm_vcpu *vcpu, struct vmm_hc_clocks *c)
{
	c->s = (uint64_t)time(NULL);
	c->tsc = __builtin_ia32_rdtsc();
	if (vmm_vm_clock(vcpu->vm, &c->kvm_ns) < 0)
		c->kvm_ns = 0;
}

/* The port device: one whole exit, to the lab's handlers or item by item to fn[]. */
static int hc_exit(struct vmm_pio_dev *dev, struct vmm_vcpu *vcpu, uint16_t port, bool in,
		   void *data, unsigned size, unsigned count)
{
	struct vmm_hc *hc = dev->ctx;
	struct vmm_hc_exit e = { .port = port, .in = in, .size = size, .count = count,
				 .data = data, .call = classify(hc, port, in, size) };
	int ret;

	if (e.call >= 0) {   /* what KVM had reported when the call came: the grader's own count */
		uint64_t n = hc->calls[e.call]++;

		if (n < VMM_HC_SEEN) {
			hc->io_seen[e.call][n][0] = vcpu->stats.count[VMM_EXIT_IO_IN];
			hc->io_seen[e.call][n][1] = vcpu->stats.count[VMM_EXIT_IO_OUT];
		}
	}
	if (!vmm_hc_fits(&e) && hc->misuse.size == 0)
		hc->misuse = (struct vmm_hc_misuse){ .id = e.call >= 0 ? e.call : vmm_hc_find(hc, port),
						     .port = port, .size = size, .in = in };
	hc->serving = e.call;
	if (e.call == VMM_HC_GETTIMESTAMP && hc->on_exit)
		read_clocks(vcpu, &hc->ts_before);
	if (hc->on_exit) {
		ret = hc->on_exit(hc, &e);
	} else {
		ret = vmm_hc_check(&e);
		for (unsigned i = 0; ret == 0 && i < count; i++) {
			uint8_t *item = (uint8_t *)data + (size_t)i * size;
			uint32_t v = 0;

			if (!in)
				memcpy(&v, item, size);
			ret = hc->fn[e.call](hc, in, size, &v);
			if (in)
				memcpy(item, &v, size);
		}
	}
	if (e.call == VMM_HC_GETTIMESTAMP && hc->on_exit)
		read_clocks(vcpu, &hc->ts_after);
	hc->serving = -1;
	return ret;
}

static void stdout_sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
}

void vmm_hc_init(struct vmm_hc *hc, struct vmm_vcpu *vcpu, vmm_console_sink sink, void *ctx)
{
	memset(hc, 0, sizeof(*hc));
	hc->vcpu = vcpu;
	hc->sink = sink ? sink : stdout_sink;
	hc->ctx = ctx;
	hc->serving = -1;
	for (int i = 0; i < VMM_HC__COUNT; i++) {
		hc->fn[i] = builtin[i];
	}
}

bool vmm_hc_builtin(const struct vmm_hc *hc, enum vmm_hc_id id)
{
	return !hc->on_exit && (unsigned)id < VMM_HC__COUNT && hc->fn[id] == builtin[id];
}

unsigned vmm_hc_size(enum vmm_hc_id id)
{
	return id == VMM_HC_PRINT8 ? 1 : 4;
}

const char *vmm_hc_access(enum vmm_hc_id id)
{
	if ((unsigned)id >= VMM_HC__COUNT)
		return "?";
	if (id == VMM_HC_PRINT8)
		return "outb";
	return dirs[id] == 'o' ? "outl" : dirs[id] == 'i' ? "inl" : "outl, then inl";
}

int vmm_hc_attach(struct vmm_hc *hc, struct vmm_pio_bus *bus, const struct vmm_portmap *ports)
{
	hc->ndev = 0;
	for (int i = 0; i < VMM_HC__COUNT; i++)
		hc->port[i] = vmm_portmap_port(ports, i);
	for (int i = 0; i < VMM_HC__COUNT; i++) {
		int first = vmm_hc_find(hc, hc->port[i]), ret;

		if (first != i && !vmm_hc_can_share(first, i))
			return vmm_fail(-EBUSY, "%s and %s cannot share port 0x%x: an exit there could "
					"be either (hypercalls share a port only when the direction or "
					"the size tells them apart)", names[first], names[i],
					hc->port[i]);
		if (first != i)
			continue;   /* a port several calls share: one device, registered once */
		hc->dev[hc->ndev] = (struct vmm_pio_dev){
			.name = names[i], .base = hc->port[i], .len = 1, .exit = hc_exit, .ctx = hc,
		};
		ret = vmm_pio_register(bus, &hc->dev[hc->ndev]);
		if (ret < 0)
			return ret;
		hc->ndev++;
	}
	return 0;
}

int vmm_hc_find(const struct vmm_hc *hc, uint16_t port)
{
	for (int i = 0; i < VMM_HC__COUNT; i++)
		if (port && hc->port[i] == port)   /* 0: not attached */
			return i;
	return -1;
}
