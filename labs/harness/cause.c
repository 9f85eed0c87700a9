/* cause.c - the causes of a failed check seen in a run, and their hints. */
#include "cause.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labbuf.h"

static const char *const names[LAB_CAUSE__COUNT] = {
	[LAB_CAUSE_CRASH] = "crash",
	[LAB_CAUSE_TIMEOUT] = "timeout",
	[LAB_CAUSE_SIZE] = "size",
	[LAB_CAUSE_PORT] = "port",
	[LAB_CAUSE_SILENT] = "silent",
};

static const char *const hints[LAB_CAUSE__COUNT] = {
	[LAB_CAUSE_CRASH] = "A triple fault is an exception the guest could not handle (it has no "
		"IDT); see where it happened with `kvmlab lab trace LAB DIR` (its post-mortem shows "
		"the last instructions and the page walk of the faulting address) or step to it with "
		"`kvmlab lab tui LAB DIR`. When your handlers crashed, `kvmlab lab run LAB DIR` says "
		"which one and how.",
	[LAB_CAUSE_TIMEOUT] = "The guest was still running at the lab's limit: look for a loop "
		"that never ends or a missing hlt; in `kvmlab lab tui LAB DIR`, `c` and then any key "
		"shows where the guest is.",
	[LAB_CAUSE_SIZE] = "Each hypercall port takes one kind of access: print8 an outb, the "
		"others a 32-bit outl (or inl for those that return a value): the instruction's "
		"suffix and register decide the size (outl %eax, (%dx)).",
	[LAB_CAUSE_PORT] = "Nothing is attached to that port: the CPU's write goes nowhere and a "
		"read gives all ones, with no error in the guest. Compare the port your guest uses "
		"with the lab's port map (lab.yaml's hypercalls:, or the lab's README).",
	[LAB_CAUSE_SILENT] = "The hypercall reached its handler, which printed nothing: a handler "
		"prints with lab_print(ctx, ...). `kvmlab lab run LAB DIR` shows what your handlers "
		"print; text kvmlab's own handlers print is labelled [kvmlab's NAME] there.",
};

/* The hypercalls whose handler prints what it is given. */
static bool prints(int id)
{
	return id == VMM_HC_PRINT8 || id == VMM_HC_PRINT32 || id == VMM_HC_PRINTSTR ||
	       id == VMM_HC_GVATOHVA;
}

const char *lab_cause_name(enum lab_cause c)
{
	return (unsigned)c < LAB_CAUSE__COUNT ? names[c] : "?";
}

const char *lab_cause_hint(const struct lab *lab, enum lab_cause c)
{
	const struct lab_cause_hints *h = lab ? lab->cause_hints : NULL;
	const char *own = !h ? NULL : c == LAB_CAUSE_CRASH ? h->crash : c == LAB_CAUSE_TIMEOUT ?
			  h->timeout : c == LAB_CAUSE_SIZE ? h->size : c == LAB_CAUSE_PORT ? h->port :
			  c == LAB_CAUSE_SILENT ? h->silent : NULL;

	return own ? own : (unsigned)c < LAB_CAUSE__COUNT ? hints[c] : "";
}

void lab_port_use_text(const struct lab_port_use *u, char *buf, size_t len)
{
	int n = snprintf(buf, len, "port 0x%x:", u->port);

	if (u->out && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " %llu OUT (the writes went nowhere)%s",
			      (unsigned long long)u->out, u->in ? "," : "");
	if (u->in && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %llu IN (each read gave all ones)",
			 (unsigned long long)u->in);
}

/* "the guest used a port no device answers: port 0x5001: 6 OUT (...)" */
static void ports_text(const struct lab_run *run, struct labbuf *b)
{
	labbuf_printf(b, "the guest used %s no device answers: ",
		      run->nnodev > 1 ? "ports" : "a port");
	for (unsigned i = 0; i < run->nnodev; i++) {
		char one[160];

		lab_port_use_text(&run->nodev[i], one, sizeof(one));
		labbuf_printf(b, "%s%s", i ? "; " : "", one);
	}
}

static void silent_text(const struct lab_run *run, struct labbuf *b)
{
	bool any = false;

	for (int id = 0; id < VMM_HC__COUNT; id++) {
		if (!prints(id) || !run->hc_calls[id] || run->hc_printed[id])
			continue;
		labbuf_printf(b, "%s%s was called %llu time%s and %s printed nothing", any ? "; " : "", vmm_hc_name(id),
			      (unsigned long long)run->hc_calls[id], run->hc_calls[id] == 1 ? "" : "s",
			      run->hc_student[id] ? "your handler" : "kvmlab's handler");
		any = true;
	}
	if (!any && run->output_len == 0)
		labbuf_puts(b, "the guest printed nothing at all");
}

bool lab_cause_seen(const struct lab_run *run, enum lab_cause c, char *buf, size_t len)
{
	struct labbuf b = { 0 };
	bool seen = false;
	char *t;

	if (!run || run->error[0] || !run->shown)   /* not run, or not a VMM lab's run */
		return false;
	switch (c) {
	case LAB_CAUSE_CRASH:
		if (run->handler_died)
			labbuf_puts(&b, "your handlers stopped the run: they crashed, hung or broke the "
				    "protocol (the run's end above says which)");
		else if (run->stop == VMM_STOP_SHUTDOWN || run->stop == VMM_STOP_INTERNAL_ERROR ||
			 run->stop == VMM_STOP_FAIL_ENTRY)
			labbuf_printf(&b, "the guest crashed: %s, so nothing after that point ran",
				      vmm_stop_name(run->stop));
		break;
	case LAB_CAUSE_TIMEOUT:
		if (run->stop == VMM_STOP_TIMEOUT || run->stop == VMM_STOP_EXIT_LIMIT ||
		    run->stop == VMM_STOP_STEP_LIMIT)
			labbuf_printf(&b, "the lab's limit ended the run (%s): the guest never reached "
				      "its hlt", vmm_stop_name(run->stop));
		break;
	case LAB_CAUSE_SIZE:
		if (run->misuse.size)
			labbuf_printf(&b, "the guest used a %u-byte %s on port 0x%x (%s), which takes "
				      "%s", run->misuse.size, run->misuse.in ? "IN" : "OUT",
				      run->misuse.port, vmm_hc_name(run->misuse.id),
				      vmm_hc_access(run->misuse.id));
		break;
	case LAB_CAUSE_PORT:
		if (run->nnodev)
			ports_text(run, &b);
		break;
	case LAB_CAUSE_SILENT:   /* the weaker sign: not when the run was cut short */
		if (!lab_cause_seen(run, LAB_CAUSE_CRASH, NULL, 0) &&
		    !lab_cause_seen(run, LAB_CAUSE_TIMEOUT, NULL, 0) && !run->misuse.size)
			silent_text(run, &b);
		break;
	default:
		break;
	}
	t = labbuf_take(&b);
	seen = t && *t;
	if (len)
		snprintf(buf, len, "%s", t ? t : "");
	free(t);
	return seen;
}

char *lab_causes_text(const struct lab *lab, const struct lab_run *run)
{
	struct labbuf b = { 0 };
	char seen[1024];

	for (int c = 0; c < LAB_CAUSE__COUNT; c++)
		if (lab_cause_seen(run, (enum lab_cause)c, seen, sizeof(seen)))
			labbuf_printf(&b, "%s%s\n%s", b.len ? "\n" : "", seen,
				      lab_cause_hint(lab, (enum lab_cause)c));
	return b.len ? labbuf_take(&b) : (labbuf_release(&b), NULL);
}
