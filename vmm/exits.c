/* exits.c - names of exit kinds and of KVM's raw exit reasons. */
#include "exits.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>

static const char *const exit_names[VMM_EXIT__COUNT] = {
	[VMM_EXIT_IO_IN] = "IO in",
	[VMM_EXIT_IO_OUT] = "IO out",
	[VMM_EXIT_MMIO_READ] = "MMIO read",
	[VMM_EXIT_MMIO_WRITE] = "MMIO write",
	[VMM_EXIT_HLT] = "HLT",
	[VMM_EXIT_DEBUG] = "debug",
	[VMM_EXIT_SHUTDOWN] = "shutdown",
	[VMM_EXIT_FAIL_ENTRY] = "fail entry",
	[VMM_EXIT_INTERNAL_ERROR] = "internal error",
	[VMM_EXIT_INTR] = "interrupted",
	[VMM_EXIT_OTHER] = "other",
};

const char *vmm_exit_name(enum vmm_exit e)
{
	return (unsigned)e < VMM_EXIT__COUNT ? exit_names[e] : "?";
}

#define REASON(r) [KVM_EXIT_##r] = "KVM_EXIT_" #r

static const char *const reasons[] = {
	REASON(UNKNOWN), REASON(EXCEPTION), REASON(IO), REASON(HYPERCALL),
	REASON(DEBUG), REASON(HLT), REASON(MMIO), REASON(IRQ_WINDOW_OPEN),
	REASON(SHUTDOWN), REASON(FAIL_ENTRY), REASON(INTR), REASON(SET_TPR),
	REASON(TPR_ACCESS), REASON(NMI), REASON(INTERNAL_ERROR), REASON(SYSTEM_EVENT),
};

const char *vmm_kvm_exit_reason_name(uint32_t reason)
{
	static _Thread_local char buf[32];

	if (reason < sizeof(reasons) / sizeof(reasons[0]) && reasons[reason])
		return reasons[reason];
	snprintf(buf, sizeof(buf), "KVM_EXIT_%u", reason);
	return buf;
}

/* Index of an access size in sized[][]: 0, 1, 2; -1 for another size. */
static int size_index(unsigned size)
{
	return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : -1;
}

void vmm_exit_count_port(struct vmm_exit_stats *s, uint16_t port, bool in, unsigned size)
{
	struct vmm_port_stats *p = NULL;
	int k = size_index(size);

	for (unsigned i = 0; i < s->nports && !p; i++)
		if (s->ports[i].port == port)
			p = &s->ports[i];
	if (!p && s->nports < VMM_PORT_STATS) {
		p = &s->ports[s->nports++];
		p->port = port;
	}
	if (k >= 0)
		s->io_sized[!in][k]++;
	if (!p) {
		s->ports_other++;
		return;
	}
	if (in)
		p->in++;
	else
		p->out++;
	if (k >= 0)
		p->sized[!in][k]++;
}

int64_t vmm_exit_io_count(const struct vmm_exit_stats *s, int port, int dir, unsigned size)
{
	const uint64_t (*sized)[3] = s->io_sized;
	const struct vmm_port_stats *p = NULL;
	int k = size ? size_index(size) : -1;
	uint64_t n = 0;

	if (size && k < 0)
		return 0;
	for (unsigned i = 0; port >= 0 && i < s->nports && !p; i++)
		if (s->ports[i].port == port)
			p = &s->ports[i];
	if (port >= 0 && !p)
		return s->ports_other ? -ERANGE : 0;
	if (p)
		sized = p->sized;
	for (int d = 0; d < 2; d++) {
		if (dir >= 0 && d != dir)
			continue;
		if (k >= 0)
			n += sized[d][k];
		else if (p)
			n += d ? p->out : p->in;
		else
			n += s->count[d ? VMM_EXIT_IO_OUT : VMM_EXIT_IO_IN];
	}
	return (int64_t)n;
}
