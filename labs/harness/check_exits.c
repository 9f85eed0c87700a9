/* check_exits.c - how many VM exits of one kind (or in total) the run made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "exits.h"
#include "portmap.h"
#include "labbuf.h"
#include "labdiag.h"

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_exits_spec *e = c->exits;
	struct labbuf names = { 0 };

	e->exit = -2;
	if (strcasecmp(e->type, "total") == 0)
		e->exit = -1;
	for (int k = 0; k < VMM_EXIT__COUNT && e->exit == -2; k++)
		if (strcasecmp(e->type, vmm_exit_name((enum vmm_exit)k)) == 0)
			e->exit = k;
	if (e->exit == -2) {
		char *list;
		int ret;

		for (int k = 0; k < VMM_EXIT__COUNT; k++)
			labbuf_printf(&names, "%s\"%s\"", k ? ", " : "",
				      vmm_exit_name((enum vmm_exit)k));
		list = labbuf_take(&names);
		ret = lab_diag_check(d, "exits.type", "unknown exit type '%s' (known: %s, \"total\")",
				     e->type, list ? list : "?");
		free(list);
		return ret;
	}
	e->port_num = -1;
	if ((e->port || e->hypercall) && e->exit != VMM_EXIT_IO_IN && e->exit != VMM_EXIT_IO_OUT)
		return lab_diag_check(d, e->port ? "exits.port" : "exits.hypercall",
				      "a port goes with type \"IO in\" or \"IO out\"");
	if (e->port && e->hypercall)
		return lab_diag_check(d, "exits.port", "give port or hypercall, not both");
	if (e->port && *e->port > 0xffff)
		return lab_diag_check(d, "exits.port", "port 0x%llx is above 0xffff",
				      (unsigned long long)*e->port);
	if (e->port)
		e->port_num = (int)*e->port;
	if (e->hypercall) {   /* its port in the lab's map (ports are checked before checks) */
		int call = vmm_portmap_find(e->hypercall, strlen(e->hypercall));

		if (call < 0)
			return lab_diag_check(d, "exits.hypercall", "unknown hypercall '%s'",
					      e->hypercall);
		e->port_num = vmm_portmap_port(&lab->ports, call);
	}
	if (!e->min && !e->max && !e->equals)
		return lab_diag_check(d, "exits", "give min, max or equals");
	if (e->equals && (e->min || e->max))
		return lab_diag_check(d, "exits.equals", "equals excludes min and max");
	if (e->min && e->max && *e->min > *e->max)
		return lab_diag_check(d, "exits.min", "min %llu is above max %llu",
				      (unsigned long long)*e->min, (unsigned long long)*e->max);
	return 0;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_exits_spec *e = c->exits;
	uint64_t n = e->exit < 0 ? run->total_exits : run->exits[e->exit];
	char what[64];
	bool ok = true;

	snprintf(what, sizeof(what), "%s exits",
		 e->exit < 0 ? "" : vmm_exit_name((enum vmm_exit)e->exit));
	if (e->exit < 0)
		snprintf(what, sizeof(what), "exits in total");
	if (e->port_num >= 0) {   /* counted by the grader's VMM as KVM reported them */
		n = vmm_exit_port_count(&run->stats, (uint16_t)e->port_num,
					e->exit == VMM_EXIT_IO_IN);
		snprintf(what, sizeof(what), "%s exits on %s%sport 0x%x",
			 vmm_exit_name((enum vmm_exit)e->exit), e->hypercall ? e->hypercall : "",
			 e->hypercall ? "'s " : "", (unsigned)e->port_num);
	}
	ok = lab_range_ok(n, e->min, e->max, e->equals);
	return lab_result_set(r, ok, lab_range_text(e->min, e->max, e->equals, what),
			      lab_strdupf("%llu %s", (unsigned long long)n, what),
			      lab_strdupf("the run made %llu %s", (unsigned long long)n, what));
}

const struct lab_check_ops lab_check_exits_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
