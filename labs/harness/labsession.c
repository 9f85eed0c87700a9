/* labsession.c - a lab's built guest opened with the lab's settings and the student's handlers. */
#include "labsession.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "probe.h"
#include "runner.h"

/* The lab's settings as a session's configuration. */
static void lab_vm_opts(const struct lab *lab, const struct lab_build *b, const char *guest,
			struct vm_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->guest = guest;
	o->dev = b->dev;
	o->mode_set = true;
	o->mode = lab->mode;
	o->mem = lab->mem_size;
	o->flat = lab->guest.kind == LAB_GUEST_FLAT;
	o->flat_addr = lab->guest.load_address;
	o->max_exits = lab->max_exits;
	o->timeout_ms = lab->timeout_ms;
	o->ports = lab->ports;
}

int lab_session_open(struct lab_session *ls, const struct lab *lab, const struct lab_build *b,
		     const char *guest, bool with_handlers, vmm_console_sink sink, void *ctx,
		     char *err, size_t len)
{
	int ret;

	memset(ls, 0, sizeof(*ls));
	lab_vm_opts(lab, b, guest, &ls->opts);
	conlabel_init(&ls->label, sink, ctx);
	/* 32-bit paging on a host whose KVM shuts such guests down (PVM): the host's limit, said
	 * as kvmlab run says it, not a triple fault charged to the student */
	if (lab->mode == VMM_MODE_PAGED32 || lab->mode == VMM_MODE_PAE) {
		char why[160];

		if (vmm_probe_mode(b->dev, lab->mode, why, sizeof(why)) == 0) {
			snprintf(err, len, "%s", vmm_probe_limitation(lab->mode));
			return -ENODEV;
		}
	}
	vmm_clear_error();
	ret = session_open(&ls->s, &ls->opts, conlabel_sink, &ls->label);
	if (ret < 0) {
		snprintf(err, len, "the guest could not be set up: %s", vmm_last_error());
		return ls->s.failed == SESSION_HOST ? -ENODEV : ret;
	}
	ls->label.hc = &ls->s.hc;
	if (b->handlers_so[0] && with_handlers) {
		struct lab_ctx_opts ho = {
			.host = b->host, .so = b->handlers_so, .sandbox_off = !b->sandboxed,
			.uid = b->uid, .timeout_ms = lab->timeout_ms,
		};

		ret = lab_ctx_load(&ls->handlers, &ls->s.hc, &ho, err, len);
		if (ret < 0) {
			session_close(&ls->s);
			return ret == -ENODEV ? -EIO : ret;
		}
	}
	return 0;
}

const char *lab_session_missing(const struct lab_session *ls)
{
	return lab_ctx_missing(ls->handlers);
}

unsigned lab_session_nodev(const struct lab_session *ls, struct lab_port_use *out, unsigned max)
{
	const struct vmm_exit_stats *st = &ls->s.vcpu.stats;
	unsigned n = 0;

	for (unsigned i = 0; i < st->nports && n < max; i++)
		if (!vmm_pio_find(&ls->s.vm.pio, st->ports[i].port))
			out[n++] = (struct lab_port_use){
				.port = st->ports[i].port, .in = st->ports[i].in, .out = st->ports[i].out,
			};
	return n;
}

void lab_session_command(const struct lab *lab, const char *guest, char *buf, size_t len)
{
	uint64_t m = lab->mem_size;
	size_t n;

	n = (size_t)snprintf(buf, len, "kvmlab run --mode %s --mem %llu%s", vmm_mode_name(lab->mode),
			     (unsigned long long)(m % (1u << 20) == 0 ? m >> 20 : m >> 10),
			     m % (1u << 20) == 0 ? "M" : "K");
	if (lab->max_exits && n < len)
		n += (size_t)snprintf(buf + n, len - n, " --max-exits %llu",
				      (unsigned long long)lab->max_exits);
	if (lab->timeout_ms && n < len)
		n += (size_t)snprintf(buf + n, len - n, " --timeout %u", lab->timeout_ms);
	for (int call = 0, first = 1; call < VMM_PORTMAP__COUNT && n < len; call++) {
		uint16_t port = vmm_portmap_port(&lab->ports, call);

		if (port == vmm_portmap_port(NULL, call))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s=0x%x", first ? " --hypercalls " : ",",
				      vmm_portmap_name(call), port);
		first = 0;
	}
	if (lab->guest.kind == LAB_GUEST_FLAT && n < len)
		n += (size_t)snprintf(buf + n, len - n, " --flat 0x%llx",
				      (unsigned long long)lab->guest.load_address);
	if (n < len)
		snprintf(buf + n, len - n, " %s", guest);
}

void lab_session_close(struct lab_session *ls)
{
	lab_ctx_free(ls->handlers);
	ls->handlers = NULL;
	session_close(&ls->s);
}
