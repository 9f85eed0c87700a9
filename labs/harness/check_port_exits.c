/* check_port_exits.c - program labs: how many IO exits the program's guest made on one port,
 * as kvmlab exec saw them (the student's port of a hypercall, or a port the lab names). */
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"

int lab_abi_index(const struct lab *lab, const char *name)
{
	const struct lab_program_abi *abi = lab->program ? lab->program->abi : NULL;

	for (unsigned i = 0; abi && i < abi->names_count && i < LAB_ABI_MAX; i++)
		if (strcmp(abi->names[i], name) == 0)
			return (int)i;
	return -1;
}

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_port_exits_spec *e = c->port_exits;

	if (!e->hypercall == !e->port)
		return lab_diag_check(d, "port_exits", "give hypercall (a name of program.abi.names) "
				      "or port, not both");
	e->abi = e->hypercall ? lab_abi_index(lab, e->hypercall) : -1;
	if (e->hypercall && e->abi < 0)
		return lab_diag_check(d, "port_exits.hypercall", "'%s' is not in program.abi.names",
				      e->hypercall);
	if (e->port && *e->port > 0xffff)
		return lab_diag_check(d, "port_exits.port", "0x%llx is not a 16-bit port",
				      (unsigned long long)*e->port);
	e->dirn = -1;
	if (e->dir && strcmp(e->dir, "in") == 0)
		e->dirn = KVM_EXIT_IO_IN;
	else if (e->dir && strcmp(e->dir, "out") == 0)
		e->dirn = KVM_EXIT_IO_OUT;
	else if (e->dir && strcmp(e->dir, "any") != 0)
		return lab_diag_check(d, "port_exits.dir", "dir is in, out or any, not '%s'", e->dir);
	if (e->vm && (*e->vm == 0 || *e->vm > LAB_OBS_MAX_VMS))
		return lab_diag_check(d, "port_exits.vm", "vm is 1 to %d", LAB_OBS_MAX_VMS);
	if (!e->min && !e->max && !e->equals)
		return lab_diag_check(d, "port_exits", "give min, max or equals");
	if (e->equals && (e->min || e->max))
		return lab_diag_check(d, "port_exits.equals", "equals excludes min and max");
	if (e->min && e->max && *e->min > *e->max)
		return lab_diag_check(d, "port_exits.min", "min is above max");
	return 0;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_port_exits_spec *e = c->port_exits;
	const char *dirname = e->dirn == KVM_EXIT_IO_IN ? "IN " :
			      e->dirn == KVM_EXIT_IO_OUT ? "OUT " : "";
	char what[128];
	uint64_t n = 0;
	int port;
	bool ok = true;

	if (!run->obs)
		return lab_result_set(r, false, NULL, NULL, strdup("nothing was observed"));
	if (e->hypercall) {
		port = run->abi_port[e->abi];
		if (port < 0)
			return lab_result_set(r, false, NULL, NULL,
					      lab_strdupf("the submission declares no port for %s",
							  e->hypercall));
		snprintf(what, sizeof(what), "%sexits on port 0x%x (%s)", dirname, port, e->hypercall);
	} else {
		port = (int)*e->port;
		snprintf(what, sizeof(what), "%sexits on port 0x%x", dirname, port);
	}
	for (size_t i = 0; i < run->obs->n; i++) {
		const struct lab_obs_exit *x = &run->obs->exits[i];

		if (x->type != VMM_EXIT_IO_IN && x->type != VMM_EXIT_IO_OUT)
			continue;
		if (x->port != port || (e->dirn >= 0 && x->dir != e->dirn))
			continue;
		if (e->vm && x->vm != *e->vm)
			continue;
		n++;
	}
	ok = lab_range_ok(n, e->min, e->max, e->equals);
	return lab_result_set(r, ok, lab_range_text(e->min, e->max, e->equals, what),
			      lab_strdupf("%llu %s", (unsigned long long)n, what),
			      lab_strdupf("the guest made %llu %s", (unsigned long long)n, what));
}

const struct lab_check_ops lab_check_port_exits_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
