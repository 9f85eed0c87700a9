/* check_exits.c - how many VM exits the run made: of one kind or in total, and IO exits by
 * port (or a hypercall's port), direction and access size, in any combination.  One check
 * for both sorts of lab: the grader's VMM counts kvmlab's own runs as KVM reported them;
 * in a program lab the exits are those kvmlab exec saw the student's program receive. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "exits.h"
#include "portmap.h"
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

static bool is_io(int exit)
{
	return exit == VMM_EXIT_IO_IN || exit == VMM_EXIT_IO_OUT || exit == LAB_EXITS_IO;
}

/* type -> e->exit; 0 or the message's -EINVAL. */
static int prepare_type(struct lab_exits_spec *e, struct lab_diag *d)
{
	struct labbuf names = { 0 };
	char *list;
	int ret;

	e->exit = -2;
	if (!e->type)   /* IO exits, filtered by port, hypercall, dir or size */
		e->exit = LAB_EXITS_IO;
	else if (strcasecmp(e->type, "total") == 0)
		e->exit = -1;
	else if (strcasecmp(e->type, "IO") == 0)
		e->exit = LAB_EXITS_IO;
	for (int k = 0; k < VMM_EXIT__COUNT && e->exit == -2; k++)
		if (strcasecmp(e->type, vmm_exit_name((enum vmm_exit)k)) == 0)
			e->exit = k;
	if (e->exit != -2)
		return 0;
	for (int k = 0; k < VMM_EXIT__COUNT; k++)
		labbuf_printf(&names, "%s\"%s\"", k ? ", " : "", vmm_exit_name((enum vmm_exit)k));
	list = labbuf_take(&names);
	ret = lab_diag_check(d, "exits.type", "unknown exit type '%s' (known: %s, \"IO\", \"total\")",
			     e->type, list ? list : "?");
	free(list);
	return ret;
}

/* port, hypercall, dir, size and vm -> port_num, abi, dirn. */
static int prepare_io(struct lab_exits_spec *e, const struct lab *lab, struct lab_diag *d)
{
	int dirn = e->exit == VMM_EXIT_IO_IN ? 0 : e->exit == VMM_EXIT_IO_OUT ? 1 : -1;

	e->port_num = -1;
	e->abi = -1;
	e->dirn = dirn;
	if (!e->type && !e->port && !e->hypercall && !e->dir && !e->size)
		return lab_diag_check(d, "exits", "give type (\"HLT\", \"IO out\", \"total\", ...), "
				      "or port, hypercall, dir or size for IO exits");
	if ((e->port || e->hypercall || e->dir || e->size) && !is_io(e->exit))
		return lab_diag_check(d, e->port ? "exits.port" : e->hypercall ? "exits.hypercall" :
				      e->dir ? "exits.dir" : "exits.size",
				      "port, hypercall, dir and size go with IO exits (type \"IO\", "
				      "\"IO in\", \"IO out\", or no type)");
	if (e->port && e->hypercall)
		return lab_diag_check(d, "exits.port", "give port or hypercall, not both");
	if (e->port && *e->port > 0xffff)
		return lab_diag_check(d, "exits.port", "port 0x%llx is above 0xffff",
				      (unsigned long long)*e->port);
	if (e->dir && strcmp(e->dir, "in") == 0)
		e->dirn = 0;
	else if (e->dir && strcmp(e->dir, "out") == 0)
		e->dirn = 1;
	else if (e->dir && strcmp(e->dir, "any") == 0)
		e->dirn = -1;
	else if (e->dir)
		return lab_diag_check(d, "exits.dir", "dir is in, out or any, not '%s'", e->dir);
	if (e->dir && dirn >= 0 && e->dirn != dirn)
		return lab_diag_check(d, "exits.dir", "dir '%s' contradicts type \"%s\"", e->dir,
				      e->type);
	if (e->size && *e->size != 1 && *e->size != 2 && *e->size != 4)
		return lab_diag_check(d, "exits.size", "an IO access is 1, 2 or 4 bytes, not %llu",
				      (unsigned long long)*e->size);
	if (e->vm && !lab->program)
		return lab_diag_check(d, "exits.vm", "vm goes with program labs (kvmlab runs one VM)");
	if (e->vm && (*e->vm == 0 || *e->vm > LAB_OBS_MAX_VMS))
		return lab_diag_check(d, "exits.vm", "vm is 1 to %d", LAB_OBS_MAX_VMS);
	if (e->port)
		e->port_num = (int)*e->port;
	if (e->hypercall && lab->program) {   /* the port the submission declares, at run time */
		e->abi = lab_abi_index(lab, e->hypercall);
		if (e->abi < 0)
			return lab_diag_check(d, "exits.hypercall", "'%s' is not in program.abi.names",
					      e->hypercall);
	} else if (e->hypercall) {   /* its port in the lab's map (ports are checked before checks) */
		int call = vmm_portmap_find(e->hypercall, strlen(e->hypercall));

		if (call < 0)
			return lab_diag_check(d, "exits.hypercall", "unknown hypercall '%s'",
					      e->hypercall);
		e->port_num = vmm_portmap_port(&lab->ports, call);
	}
	return 0;
}

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_exits_spec *e = c->exits;
	int ret = prepare_type(e, d);

	if (ret == 0)
		ret = prepare_io(e, lab, d);
	if (ret < 0)
		return ret;
	if (!e->min && !e->max && !e->equals)
		return lab_diag_check(d, "exits", "give min, max or equals");
	if (e->equals && (e->min || e->max))
		return lab_diag_check(d, "exits.equals", "equals excludes min and max");
	if (e->min && e->max && *e->min > *e->max)
		return lab_diag_check(d, "exits.min", "min %llu is above max %llu",
				      (unsigned long long)*e->min, (unsigned long long)*e->max);
	return 0;
}

/* Does one exit kvmlab exec saw match the spec (port: the resolved one, or -1)? */
static bool obs_matches(const struct lab_exits_spec *e, const struct lab_obs_exit *x, int port)
{
	if (e->vm && x->vm != *e->vm)
		return false;
	if (e->exit == -1)
		return true;
	if (!is_io(e->exit))
		return x->type == e->exit;
	if (x->type != VMM_EXIT_IO_IN && x->type != VMM_EXIT_IO_OUT)
		return false;
	if (e->dirn >= 0 && x->type != (e->dirn ? VMM_EXIT_IO_OUT : VMM_EXIT_IO_IN))
		return false;
	return (port < 0 || x->port == port) && (!e->size || x->size == *e->size);
}

/* The count, or -ERANGE when the grader's VMM did not count the port one by one. */
static int64_t count(const struct lab_exits_spec *e, const struct lab_run *run, int port)
{
	int64_t n = 0;

	if (run->obs) {
		for (size_t i = 0; i < run->obs->n; i++)
			n += obs_matches(e, &run->obs->exits[i], port);
		return n;
	}
	if (e->exit == -1)
		return (int64_t)run->total_exits;
	if (!is_io(e->exit))
		return (int64_t)run->exits[e->exit];
	if (port < 0 && !e->size)
		return (int64_t)((e->dirn != 1 ? run->exits[VMM_EXIT_IO_IN] : 0) +
				 (e->dirn != 0 ? run->exits[VMM_EXIT_IO_OUT] : 0));
	return vmm_exit_io_count(&run->stats, port, e->dirn, e->size ? (unsigned)*e->size : 0);
}

/* "IO out exits of 1 byte on print32's port 0x501 (VM 2)", "HLT exits", "exits in total". */
static void describe(const struct lab_exits_spec *e, int port, char *buf, size_t len)
{
	struct labbuf b = { 0 };
	char *s;

	if (e->exit == -1)
		labbuf_printf(&b, "exits in total");
	else if (!is_io(e->exit))
		labbuf_printf(&b, "%s exits", vmm_exit_name((enum vmm_exit)e->exit));
	else
		labbuf_printf(&b, "IO%s exits", e->dirn == 0 ? " in" : e->dirn == 1 ? " out" : "");
	if (e->size)
		labbuf_printf(&b, " of %llu byte%s", (unsigned long long)*e->size,
			      *e->size == 1 ? "" : "s");
	if (port >= 0)
		labbuf_printf(&b, " on %s%sport 0x%x", e->hypercall ? e->hypercall : "",
			      e->hypercall ? "'s " : "", (unsigned)port);
	if (e->vm)
		labbuf_printf(&b, " of VM %llu", (unsigned long long)*e->vm);
	s = labbuf_take(&b);
	snprintf(buf, len, "%s", s ? s : "exits");
	free(s);
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_exits_spec *e = c->exits;
	int port = e->port_num;
	char what[160];
	int64_t n;

	if (e->abi >= 0) {
		port = run->abi_port[e->abi];
		if (port < 0)
			return lab_result_set(r, false, NULL, NULL,
					      lab_strdupf("the submission declares no port for %s",
							  e->hypercall));
	}
	describe(e, port, what, sizeof(what));
	n = count(e, run, port);
	if (n < 0)
		return lab_result_set(r, false, NULL, NULL,
				      lab_strdupf("the guest used more than %d ports: its %s were "
						  "not counted one by one", VMM_PORT_STATS, what));
	return lab_result_set(r, lab_range_ok((uint64_t)n, e->min, e->max, e->equals),
			      lab_range_text(e->min, e->max, e->equals, what),
			      lab_strdupf("%lld %s", (long long)n, what),
			      lab_strdupf("the %s made %lld %s", run->obs ? "guest" : "run",
					  (long long)n, what));
}

const struct lab_check_ops lab_check_exits_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
