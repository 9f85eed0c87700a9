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

/* The port device: check direction and size, then call the handler. */
static int hc_io(struct vmm_pio_dev *dev, struct vmm_vcpu *vcpu, uint16_t port, bool in,
		 void *data, unsigned size)
{
	struct vmm_hc *hc = dev->ctx;
	enum vmm_hc_id id = (enum vmm_hc_id)(dev - hc->dev);
	uint32_t v = 0;
	int ret;
	bool wrong_dir = (in && dirs[id] == 'o') || (!in && dirs[id] == 'i');
	bool wrong_size = id != VMM_HC_PRINT8 && size != vmm_hc_size(id);

	(void)vcpu;
	if ((wrong_dir || wrong_size) && hc->misuse.size == 0)
		hc->misuse = (struct vmm_hc_misuse){ .id = (int)id, .port = port, .size = size,
						     .in = in };
	if (wrong_dir)
		return vmm_fail(-EPROTO, "%s (port 0x%x) is %s with %s, but the guest used %s",
				names[id], port, dirs[id] == 'i' ? "read" : "written",
				dirs[id] == 'i' ? "IN" : "OUT", in ? "IN" : "OUT");
	if (wrong_size)
		return vmm_fail(-EPROTO, "%s (port 0x%x) takes a 32-bit access (outl/inl), but the "
				"guest used %u byte(s)", names[id], port, size);
	if (!in)
		memcpy(&v, data, size);
	hc->serving = (int)id;
	hc->calls[id]++;
	ret = hc->fn[id](hc, in, size, &v);
	hc->serving = -1;
	if (in)
		memcpy(data, &v, size);
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
	return (unsigned)id < VMM_HC__COUNT && hc->fn[id] == builtin[id];
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
	for (int i = 0; i < VMM_HC__COUNT; i++) {
		int ret;

		hc->dev[i] = (struct vmm_pio_dev){
			.name = names[i], .base = vmm_portmap_port(ports, i), .len = 1, .io = hc_io,
			.ctx = hc,
		};
		ret = vmm_pio_register(bus, &hc->dev[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int vmm_hc_find(const struct vmm_hc *hc, uint16_t port)
{
	for (int i = 0; i < VMM_HC__COUNT; i++)
		if (hc->dev[i].io && hc->dev[i].base == port)
			return i;
	return -1;
}
