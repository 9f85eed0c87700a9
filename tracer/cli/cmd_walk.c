/* cmd_walk.c - `kvmlab walk`: the page walk of one address at one step, checked against KVM. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "engine.h"
#include "error.h"
#include "options.h"
#include "session.h"
#include "symbols.h"
#include "walkfmt.h"
#include "x86.h"

enum { OPT_AT = 0x400, OPT_ADDR };

struct walk_opts {
	uint64_t at, addr;
	bool have_addr, have_seg;
	enum x86_seg seg;  /* when --addr was SEG:OFFSET */
	const char *sym;   /* --addr named a symbol of the guest (looked up once it is loaded) */
};

static int on_opt(int opt, const char *arg, void *ctx)
{
	struct walk_opts *w = ctx;

	if (opt == OPT_AT)
		return parse_u64("--at", arg, &w->at);
	if (opt == OPT_ADDR) {
		w->have_addr = true;
		if (strlen(arg) > 3 && arg[2] == ':' && x86_seg_parse(arg, 2, &w->seg) == 0) {
			w->have_seg = true;
			arg += 3;
		}
		if (symbols_is_name(arg)) {
			w->sym = arg;
			return 0;
		}
		return parse_u64("--addr", arg, &w->addr);
	}
	return -EINVAL;
}

/* Print what KVM_TRANSLATE says, and whether it agrees with our walk. */
static void cross_check(struct engine *e, struct session *s, const struct vmm_walk *w, uint64_t lin)
{
	uint64_t gpa;
	bool valid, ours = w->status == VMM_WALK_OK;

	if (engine_translate(e, w, lin, &gpa, &valid) < 0) {
		printf("KVM_TRANSLATE: %s\n", vmm_last_error());
		return;
	}
	if (!valid)
		printf("KVM_TRANSLATE: not mapped (valid=0)");
	else
		printf("KVM_TRANSLATE: physical 0x%llx", (unsigned long long)gpa);
	if (valid == ours && (!valid || gpa == w->phys))
		printf("  (agrees)\n");
	else
		printf("  (DISAGREES with the walk above: %s)\n",
		       vmm_cpu_mode(&s->vcpu.sregs) == VMM_CPU_REAL
		       ? "KVM_TRANSLATE is known to answer oddly in real mode on some hosts"
		       : "look at the entries above; this host's KVM may differ");
}

static void discard(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

/* Segmentation first: SEG:OFFSET -> linear, said in words. */
static uint64_t logical_to_linear(const struct kvm_sregs *sr, enum x86_seg seg, uint64_t off)
{
	const struct kvm_segment *sg = x86_seg(sr, seg);
	const char *name = x86_seg_name(seg);
	uint64_t base = x86_seg_base(sr, seg), lin = x86_linear(sr, seg, off), lo, hi;

	printf("logical %s:0x%llx = linear 0x%llx (%s base 0x%llx%s + offset)\n", name,
	       (unsigned long long)off, (unsigned long long)lin, name, (unsigned long long)base,
	       base != sg->base ? ", ignored in 64-bit mode" : "");
	if (x86_code64(sr) || vmm_cpu_mode(sr) == VMM_CPU_REAL)
		return lin;
	if (!x86_seg_range(sg, &lo, &hi))
		printf("note: %s is an expand-down segment with limit 0x%x: no offset is valid, the "
		       "CPU would fault (#GP/#SS)\n", name, sg->limit);
	else if (off < lo || off > hi)
		printf("note: offset 0x%llx is outside %s's valid offsets 0x%llx..0x%llx%s: the CPU "
		       "would fault (#GP/#SS)\n", (unsigned long long)off, name, (unsigned long long)lo,
		       (unsigned long long)hi, lo ? " (expand-down)" : "");
	return lin;
}

static const struct cli_opt walk_opts[] = {
	{ "at", OPT_AT, "STEP", "walk after STEP instructions (default 0)" },
	{ "addr", OPT_ADDR, "VA", "a linear address, a symbol of the guest\n"
	  "(hello_main+0x10), or SEG:OFF (cs, ds, es, fs, gs, ss)" },
	{ 0 },
};
static const struct cli_opt *const walk_tables[] = { walk_opts, NULL };

static int walk_main(int argc, char **argv)
{
	static struct engine e;
	struct walk_opts wo = { 0 };
	struct vm_opts o;
	struct session s;
	struct vmm_walk w;
	char buf[4096];
	uint64_t lin;
	int ret, status = EXIT_HALTED;

	if (cli_wants_help(&cmd_walk, argc, argv))
		return 0;
	if (vm_opts_parse(argc, argv, &o, walk_tables, on_opt, &wo) < 0)
		return EXIT_USAGE;
	if (session_open(&s, &o, discard, NULL) < 0)  /* the walk is the output */
		return cli_session_failed(&s);
	if ((status = cli_mode_refused(&s, o.dev)) != 0) {
		session_close(&s);
		return status;
	}
	status = EXIT_HALTED;
	ret = session_engine_init(&s, &e, false);
	if (ret == 0 && wo.at) {
		struct engine_goal g;

		engine_goal_init(&e, &g, ENGINE_GOAL_COUNT, wo.at, NULL, 0, NULL, 0);
		ret = engine_go(&e, &g, NULL, NULL);
	}
	if (ret < 0) {
		status = cli_error(EXIT_HOST, "%s", vmm_last_error());
		goto out;
	}
	if (wo.sym && (ret = symbols_parse(e.syms, wo.sym, strlen(wo.sym), &wo.addr)) < 0) {
		status = cli_error(EXIT_USAGE, "--addr %s: %s", wo.sym, ret == -ENOENT
				   ? "the guest has no symbol of that name"
				   : "not an address (a number, a symbol like hello_main+0x10, or SEG:OFFSET)");
		goto out;
	}
	if (wo.sym)
		printf("%s = 0x%llx\n", wo.sym, (unsigned long long)wo.addr);
	if (e.nsteps < wo.at) {
		status = cli_error(EXIT_LIMIT, "--at %llu: the guest stopped (%s) after %llu instructions",
				   (unsigned long long)wo.at, vmm_stop_name(e.stop),
				   (unsigned long long)e.nsteps);
		goto out;
	}
	printf("after step %llu: %s mode, CS:RIP %04x:%llx\n", (unsigned long long)e.nsteps,
	       vmm_cpu_mode_name(vmm_cpu_mode(&s.vcpu.sregs)), s.vcpu.sregs.cs.selector,
	       (unsigned long long)s.vcpu.regs.rip);
	lin = !wo.have_addr ? engine_pc(&s.vcpu.regs, &s.vcpu.sregs)
	    : wo.have_seg ? logical_to_linear(&s.vcpu.sregs, wo.seg, wo.addr) : wo.addr;
	if (!wo.have_addr && s.vcpu.sregs.cs.base)
		printf("logical %04x:%llx = linear 0x%llx (CS base 0x%llx + offset)\n",
		       s.vcpu.sregs.cs.selector, (unsigned long long)s.vcpu.regs.rip,
		       (unsigned long long)lin, (unsigned long long)s.vcpu.sregs.cs.base);
	if (engine_walk(&e, &s.vcpu.sregs, lin, &w) < 0) {
		status = cli_error(EXIT_USAGE, "--addr 0x%llx cannot be walked in this paging mode (too "
				   "wide for 32-bit paging?)", (unsigned long long)lin);
		goto out;
	}
	walkfmt_text(&w, buf, sizeof(buf));
	fputs(buf, stdout);
	cross_check(&e, &s, &w, lin);
out:
	engine_free(&e);
	session_close(&s);
	return status;
}

const struct command cmd_walk = {
	.name = "walk",
	.summary = "show the page walk of an address at a given step",
	.help =
	"usage: kvmlab walk [OPTIONS] GUEST [--at STEP] [--addr VA]\n\n"
	"Runs GUEST for STEP instructions (default 0: before the first), then walks the\n"
	"linear address VA (default: the current instruction) through the guest's page\n"
	"tables, level by level, and cross-checks the result with KVM_TRANSLATE.\n\n"
	"  kvmlab walk boot --at 36\n"
	"  kvmlab walk hello --mode long --addr 0x400\n"
	"  kvmlab walk boot --at 20 --addr ds:0x2000\n",
	.opts = walk_tables,
	.main = walk_main,
	.guest_opts = true,
};
