/* cmd_exec.c - `kvmlab exec`: run another KVM program and show what it does with KVM. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "error.h"
#include "exec/execflow.h"
#include "exec/execlog.h"
#include "exec/execmem.h"
#include "exec/exectrace.h"
#include "exec/foreign.h"
#include "tui/tui.h"
#include "exec/observe.h"
#include "options.h"
#include "probe.h"
#include "stoppoints.h"
#include "x86.h"

/* Statuses of their own (the program's status is passed on otherwise), as env(1) and
 * timeout(1) use them. */
enum { EXEC_TIMEOUT = 124, EXEC_CANNOT_RUN = 126, EXEC_NOT_FOUND = 127 };

enum { OPT_FORMAT = 256, OPT_STATS, OPT_TIMEOUT, OPT_TRACE, OPT_WALK, OPT_MAX_STEPS, OPT_VM, OPT_TUI,
	OPT_FLOW, OPT_MEMORY, OPT_OBSERVE };

struct exec_opts {
	const char *output;
	const char *flow;         /* --flow FILE: the flowchart, in DOT */
	const char *memory;       /* --memory PREFIX: guest memory when a guest stops */
	enum fieldw_format fmt;
	bool stats;
	unsigned timeout_ms;
	bool trace, walk, tui;
	enum obs_mode observe;
	uint64_t max_steps, vm;
	struct stoppoints points;
	bool any_points;
};

static const struct cli_opt exec_opts[] = {
	{ "output", 'o', "FILE", "write the log to FILE (default: standard error)" },
	{ "format", OPT_FORMAT, "FMT", "text (default) or jsonl (one JSON object per line)" },
	{ "stats", OPT_STATS, NULL, "at the end, per VM and vCPU: KVM_RUN calls, exits by\n"
	  "type and direction, time in KVM_RUN" },
	{ "observe", OPT_OBSERVE, "HOW", "how KVM_RUN is seen: auto (default: tracepoints where\n"
	  "they can be used, else ptrace), tracepoints (the\n"
	  "kernel's KVM tracepoints; KVM_RUN is not stopped) or\n"
	  "ptrace (every KVM_RUN stopped; PROGRAM and kvmlab\n"
	  "pinned to one CPU)" },
	{ "timeout", OPT_TIMEOUT, "MS", "end PROGRAM after MS milliseconds (SIGTERM, then SIGKILL\n"
	  "500 ms later), and still report" },
	{ "flow", OPT_FLOW, "FILE", "also draw the flowchart of what PROGRAM asked KVM (each\n"
	  "logical action, its KVM call and inputs; KVM_RUN loops\n"
	  "with their exits) in Graphviz DOT: dot -Tsvg FILE -o\n"
	  "flow.svg (or -Tpng)" },
	{ "memory", OPT_MEMORY, "PREFIX", "when a guest stops (HLT, SHUTDOWN, FAIL_ENTRY,\n"
	  "INTERNAL_ERROR), write its VM's guest physical memory,\n"
	  "read from PROGRAM through its memory slots, to\n"
	  "PREFIX.vmN (byte G at offset G: xxd -s 0x400 -l 8\n"
	  "PREFIX.vm1), and the ranges read to PREFIX.vmN.slots\n"
	  "(KVM_RUN is then observed with ptrace)" },
	{ "trace", OPT_TRACE, NULL, "instead of the log, single-step PROGRAM's guest as\n"
	  "`kvmlab trace` does (same steps, explanations and\n"
	  "JSONL fields); PROGRAM still sees exactly its own exits\n"
	  "and ends as it would alone" },
	{ "walk", OPT_WALK, NULL, "with --trace: each step's page walk (through PROGRAM's\n"
	  "memory)" },
	{ "max-steps", OPT_MAX_STEPS, "N", "with --trace: step N instructions, then let PROGRAM\n"
	  "run on" },
	{ "tui", OPT_TUI, NULL, "instead of the log, step PROGRAM's guest in the TUI of\n"
	  "`kvmlab tui` (PROGRAM's output is kept, and shown when\n"
	  "the TUI closes)" },
	{ "vm", OPT_VM, "N", "with --trace or --tui: step the vCPU of vmN (default:\n"
	  "the first VM to run)" },
	{ 0 },
};
static const struct cli_opt *const exec_tables[] = { exec_opts, stoppoint_opts, NULL };

static int parse_with(int argc, char **argv, struct exec_opts *o, const struct option *longopts,
		      const char *shorts)
{
	bool jsonl;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_FORMAT:
			if (parse_format("exec: --format", optarg, &jsonl) < 0)
				return EXIT_USAGE;
			o->fmt = jsonl ? FIELDW_JSON : FIELDW_TEXT;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout_ms("exec: --timeout", optarg, &o->timeout_ms) < 0)
				return EXIT_USAGE;
			break;
		case OPT_TRACE:
			o->trace = true;
			break;
		case OPT_TUI:
			o->tui = true;
			break;
		case OPT_WALK:
			o->walk = true;
			break;
		case OPT_MAX_STEPS:
			if (parse_u64("--max-steps", optarg, &o->max_steps) < 0)
				return EXIT_USAGE;
			break;
		case OPT_VM:
			if (parse_u64("--vm", optarg, &o->vm) < 0)
				return EXIT_USAGE;
			if (o->vm == 0 || o->vm > 1000000)
				return cli_error(EXIT_USAGE, "exec: --vm: VMs are numbered from 1 (vm1, vm2, ...)");
			break;
		case STOPPOINT_OPT_BREAK: case STOPPOINT_OPT_HBREAK: case STOPPOINT_OPT_WATCH:
			if (stoppoints_option(&o->points, c, optarg) != 0)
				return EXIT_USAGE;
			o->any_points = true;
			break;
		case OPT_FLOW:
			o->flow = optarg;
			break;
		case OPT_MEMORY:
			o->memory = optarg;
			break;
		case OPT_OBSERVE:
			if (strcmp(optarg, "auto") == 0)
				o->observe = OBS_MODE_AUTO;
			else if (strcmp(optarg, "ptrace") == 0)
				o->observe = OBS_MODE_PTRACE;
			else if (strcmp(optarg, "tracepoints") == 0)
				o->observe = OBS_MODE_TRACEPOINTS;
			else
				return cli_error(EXIT_USAGE, "exec: --observe %s: give auto, tracepoints or ptrace",
						 optarg);
			break;
		default:
			return cli_error(EXIT_USAGE, "exec: unknown option '%s' (see kvmlab exec --help)",
					 argv[optind - 1]);
		}
	}
	if (o->trace && o->tui)
		return cli_error(EXIT_USAGE, "exec: --trace or --tui, not both");
	if ((o->trace || o->tui) && o->flow)
		return cli_error(EXIT_USAGE, "exec: --flow draws the ioctls, not the steps of --trace or --tui");
	if ((o->trace || o->tui) && o->memory)
		return cli_error(EXIT_USAGE, "exec: --memory goes with the ioctl log, not with --trace or --tui");
	if (o->memory && o->observe == OBS_MODE_TRACEPOINTS)
		return cli_error(EXIT_USAGE, "exec: --memory reads guest memory while KVM_RUN's thread is "
				 "stopped at the guest's stop: it needs --observe ptrace (auto chooses it)");
	if (o->memory) {   /* its files are PREFIX-..., so PREFIX's folder must take them */
		const char *slash = strrchr(o->memory, '/');
		char dir[4096];

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - o->memory + 1) : 1,
			 slash ? o->memory : ".");
		if (access(dir, W_OK | X_OK) < 0)
			return cli_error(EXIT_USAGE, "exec: --memory %s: cannot write into %s: %s",
					 o->memory, dir, strerror(errno));
	}
	if ((o->walk || o->max_steps || o->any_points) && !o->trace)
		return cli_error(EXIT_USAGE, "exec: --walk, --max-steps, --break, --hbreak and --watch go "
				 "with --trace");
	if ((o->trace || o->tui) && o->observe == OBS_MODE_TRACEPOINTS)
		return cli_error(EXIT_USAGE, "exec: --trace and --tui step the guest through ptrace stops "
				 "at KVM_RUN: --observe tracepoints is for the ioctl log");
	if (o->vm && !o->trace && !o->tui)
		return cli_error(EXIT_USAGE, "exec: --vm goes with --trace or --tui");
	if ((o->trace || o->tui) && o->stats)
		return cli_error(EXIT_USAGE, "exec: --stats is for the ioctl log, not for --trace or --tui");
	if (optind >= argc)
		return cli_error(EXIT_USAGE, "exec: give the program to run: kvmlab exec [OPTIONS] -- PROGRAM [ARGS...]");
	return 0;
}

/* The options before PROGRAM (getopt stops at the first argument that is not one: "+"). */
static int parse(int argc, char **argv, struct exec_opts *o)
{
	struct option *longopts;
	char *shorts, *plus;
	int ret;

	if (cli_opts_getopt(exec_tables, &longopts, &shorts) < 0)
		return cli_error(EXIT_USAGE, "exec: out of memory");
	plus = malloc(strlen(shorts) + 2);
	if (plus) {
		sprintf(plus, "+%s", shorts);
		ret = parse_with(argc, argv, o, longopts, plus);
	} else {
		ret = cli_error(EXIT_USAGE, "exec: out of memory");
	}
	free(plus);
	free(longopts);
	free(shorts);
	return ret;
}

/* Why a program could not be executed, in words, and the status for it. */
static int cannot_run(const char *prog, int err)
{
	if (err == ENOENT)
		return cli_error(EXEC_NOT_FOUND, "exec: %s: no such program (not a file, and not found on PATH)", prog);
	if (err == EACCES)
		return cli_error(EXEC_CANNOT_RUN, "exec: %s: permission denied (not an executable file?)", prog);
	if (err == ENOEXEC)
		return cli_error(EXEC_CANNOT_RUN, "exec: %s: not an executable format this system runs", prog);
	return cli_error(EXEC_CANNOT_RUN, "exec: %s: cannot be executed: %s", prog, strerror(err));
}

/*
 * A vCPU that ended in a shutdown with 32-bit paging set up by the program (CR0.PG without
 * EFER.LMA): on a host that cannot run 32-bit paging at all, say so rather than leave a bare
 * triple fault.
 */
static void paging_limit(const struct obs_obj *objs)
{
	struct vmm_probe p;
	bool probed = false;

	for (const struct obs_obj *x = objs; x; x = x->next) {
		if (x->kind != OBS_VCPU || !x->exited || x->last_exit != KVM_EXIT_SHUTDOWN ||
		    !x->sregs_set || !(x->cr0 & X86_CR0(PG)) || (x->efer & X86_EFER(LMA)))
			continue;
		if (!probed && vmm_probe(NULL, &p) < 0)
			return;
		probed = true;
		if (p.mode_ok[VMM_MODE_PAGED32] || p.mode_ok[VMM_MODE_PAE])
			return;
		cli_error(0, "exec: %s ended in KVM_EXIT_SHUTDOWN with 32-bit paging on (CR0.PG set, "
			  "EFER.LMA clear), and %s (kvmlab probe): this is the host's limit, not "
			  "necessarily the program's fault", x->name, vmm_probe_paging_fact());
	}
}

static int report_end(const struct execlog *log, const struct obs_result *r, const char *prog,
		      const struct exec_opts *o)
{
	const char *last[EXECLOG_LAST];
	unsigned n;

	paging_limit(r->objs);
	if (!r->kvm_calls)
		cli_error(0, "exec: %s made no KVM ioctl: it never used /dev/kvm", prog);
	if (r->tampered[0])
		cli_error(0, "exec: the tracepoint recording was changed while %s ran (%s): the log may "
			  "miss KVM_RUN calls (use --observe ptrace)", prog, r->tampered);
	if (r->lost)
		cli_error(0, "exec: the kernel dropped %llu tracepoint records (a ring was full): the log "
			  "misses KVM_RUN calls; the lines say where (set KVMLAB_EXEC_RING_PAGES higher, "
			  "or use --observe ptrace)", (unsigned long long)r->lost);
	if (r->timed_out) {
		cli_error(0, "exec: %s was still running after %u ms: ended it (SIGTERM, then SIGKILL)",
			  prog, o->timeout_ms);
		return EXEC_TIMEOUT;
	}
	if (WIFEXITED(r->status))
		return WEXITSTATUS(r->status);
	if (!WIFSIGNALED(r->status))
		return EXIT_USAGE;
	n = execlog_last(log, last);
	cli_error(0, "exec: %s was killed by signal %d (%s)%s", prog, WTERMSIG(r->status),
		  strsignal(WTERMSIG(r->status)), n ? "; its last KVM ioctls:" : "");
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr, "  %s\n", last[i]);
	return 128 + WTERMSIG(r->status);
}

static int points_setup(struct engine *e, void *ctx)
{
	return stoppoints_apply(ctx, e);
}

static void points_done(const struct engine *e, void *ctx)
{
	(void)ctx;
	stoppoints_report(e);
}

/* `exec --tui`: the TUI on the program's vCPU; its output waits in out/err until the
 * screen is gone.  0, or an exit status after a message. */
/* "N steps/s on two CPUs": the rate, and where kvmlab's agent made the program's KVM_RUN
 * calls (tracer/exec/agent.h): one CPU, two, or two for part of them. */
static const char *step_rate(const struct exec_trace_result *tr)
{
	static char buf[96];
	int n = snprintf(buf, sizeof(buf), "%.0f steps/s",
			 tr->ns ? (double)tr->steps * 1e9 / (double)tr->ns : 0.0);

	if (tr->runs_two == 0)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " on one CPU");
	else if (tr->runs_two == tr->runs)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " on two CPUs");
	else
		snprintf(buf + n, sizeof(buf) - (size_t)n, " on two CPUs for %llu%% of the steps",
			 (unsigned long long)(tr->runs_two * 100 / tr->runs));
	return buf;
}

static int exec_tui(struct obs *obs, const struct exec_opts *o, const char *prog)
{
	static struct tui t;
	static struct engine e;
	static struct foreign f;
	int ret, status = 0;

	ret = foreign_open(&f, obs, (int)o->vm);
	if (ret != 0)
		return ret < 0 ? cli_error(EXIT_HOST, "exec: %s", vmm_last_error())
			       : cli_error(0, "exec: %s never ran a vCPU%s: nothing to step", prog,
					   o->vm ? " of that VM" : "");
	ret = engine_init(&e, &f.cpu, true);
	if (ret == 0)
		ret = tui_init(&t, &e, prog, foreign_start_mode(&f));
	if (ret == 0)
		ret = tui_run(&t);
	if (ret < 0)
		status = cli_error(EXIT_USAGE, "exec: %s", *vmm_last_error() ? vmm_last_error() : "out of memory");
	else
		fprintf(stderr, "kvmlab exec: left %s at step %llu of %llu\n", f.hold.vcpu->name,
			(unsigned long long)t.pos, (unsigned long long)history_count(&e.hist));
	if (!f.ended && foreign_release(&f, e.ended && e.stop == VMM_STOP_HLT) < 0 && !status)
		status = cli_error(EXIT_HOST, "exec: %s", vmm_last_error());
	tui_free(&t);
	engine_free(&e);
	return status;
}

/* What the program wrote while the TUI had the screen, to where it would have gone. */
static void replay(int fd, FILE *to)
{
	char buf[65536];
	ssize_t n;

	fflush(to);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(fileno(to), buf, (size_t)n) != n)
			break;
	close(fd);
}

/* $KVMLAB_EXEC_RING_PAGES: the pages of each tracepoint ring (a power of two; 0: 8 MiB). */
static unsigned ring_pages(void)
{
	const char *s = getenv("KVMLAB_EXEC_RING_PAGES");

	return s ? (unsigned)strtoul(s, NULL, 0) : 0;
}

static int exec_main(int argc, char **argv)
{
	struct exec_opts o = { .fmt = FIELDW_TEXT };
	static struct execlog log;
	static struct execflow flow;
	static struct execmem mem;
	struct obs_opts oo = { 0 };
	struct obs_result res = { 0 };
	struct obs_sink sink;
	struct obs *obs;
	FILE *out = stderr;
	char **prog, path[4096], why[256] = "";
	int ret, status;

	if (cli_wants_help(&cmd_exec, argc, argv))
		return 0;
	ret = parse(argc, argv, &o);
	if (ret)
		return ret;
	prog = argv + optind;
	if (o.output) {
		out = fopen(o.output, "we");
		if (!out)
			return cli_error(EXIT_USAGE, "exec: -o %s: %s", o.output, strerror(errno));
	}
	execlog_init(&log, out, o.fmt, out == stderr || !o.output);
	execlog_sink(&log, &sink);
	if (o.trace || o.tui)
		sink = (struct obs_sink){ .ctx = &log };  /* the steps instead of the ioctls */
	if (o.flow) {
		struct obs_sink inner = sink;

		execflow_init(&flow, &inner, &sink);
	}
	if (o.memory) {
		struct obs_sink inner = sink;

		execmem_init(&mem, o.memory, &inner, &sink);
	}
	ret = obs_find_program(prog[0], path, sizeof(path));
	if (ret < 0) {
		if (out != stderr)
			fclose(out);
		return cannot_run(prog[0], -ret);
	}
	oo.path = path;
	oo.argv = prog;
	oo.out_fd = oo.err_fd = -1;
	if (o.tui) {
		oo.out_fd = memfd_create("kvmlab-exec-stdout", MFD_CLOEXEC);
		oo.err_fd = memfd_create("kvmlab-exec-stderr", MFD_CLOEXEC);
		if (oo.out_fd < 0 || oo.err_fd < 0)
			return cli_error(EXIT_HOST, "exec: memfd_create: %s", strerror(errno));
	}
	oo.timeout_ms = o.timeout_ms;
	oo.mode = o.trace || o.tui || o.memory ? OBS_MODE_PTRACE : o.observe;
	oo.ring_pages = ring_pages();
	oo.sink = &sink;
	ret = obs_start(&oo, &obs, why, sizeof(why));
	if (ret < 0) {
		if (out != stderr)
			fclose(out);
		if (ret == -EOPNOTSUPP)
			return cli_error(EXIT_HOST, "exec: --observe tracepoints: the KVM tracepoints cannot be "
					 "used here: %s (--observe ptrace works without them)", why);
		return cli_error(EXIT_HOST, "exec: cannot start %s under observation: %s", prog[0],
				 strerror(-ret));
	}
	if (o.trace) {
		struct exec_trace_opts to = {
			.format = o.fmt == FIELDW_JSON ? TRACE_JSONL : TRACE_TEXT, .walk = o.walk,
			.max_steps = o.max_steps, .vm_no = (int)o.vm, .out = out,
			.setup = points_setup, .done = points_done, .ctx = &o.points,
		};
		struct exec_trace_result tr;

		ret = exec_trace(obs, &to, &tr);
		if (ret < 0)
			cli_error(0, "exec: stepping %s's guest: %s", prog[0], vmm_last_error());
		else if (!tr.ran)
			cli_error(0, "exec: %s never ran a vCPU%s: nothing to step", prog[0],
				  o.vm ? " of that VM" : "");
		else if (!tr.program_ended && !tr.ended)
			cli_error(0, "exec: %s: %llu instructions retired; %s runs on", tr.vcpu,
				  (unsigned long long)tr.steps, prog[0]);
		else if (tr.program_ended)
			cli_error(0, "exec: %s: %llu instructions retired, then %s stopped running it "
				  "(%s)", tr.vcpu, (unsigned long long)tr.steps, prog[0], step_rate(&tr));
		else
			cli_error(0, "exec: %s: %llu instructions retired (%s; %s)", tr.vcpu,
				  (unsigned long long)tr.steps, vmm_stop_name(tr.stop), step_rate(&tr));
		if (tr.write_err)
			cli_error(0, "exec: writing the trace: %s", strerror(tr.write_err));
	}
	if (o.tui) {
		int st = exec_tui(obs, &o, prog[0]);

		if (st) {
			obs_free(obs);
			replay(oo.out_fd, stdout);
			replay(oo.err_fd, stderr);
			return st;
		}
	}
	ret = obs_run(obs, &res);
	if (ret < 0)
		cli_error(0, "exec: observing %s failed: %s", prog[0], strerror(-ret));
	if (o.tui) {
		replay(oo.out_fd, stdout);
		replay(oo.err_fd, stderr);
	}
	if (o.stats && res.started)
		execlog_stats(&log, res.objs);
	if (o.memory && mem.err)
		cli_error(0, "exec: --memory %s: %s", o.memory, strerror(mem.err));
	execlog_flush(&log);
	if (o.flow && res.started) {
		FILE *ff = fopen(o.flow, "we");

		if (!ff || execflow_write(&flow, ff, prog[0]) < 0 || fclose(ff) != 0) {
			cli_error(0, "exec: --flow %s: %s", o.flow, strerror(errno ? errno : EIO));
			if (out != stderr)
				fclose(out);
			obs_free(obs);
			return EXIT_USAGE;
		}
	}
	if (!res.started)
		status = cannot_run(prog[0], res.exec_errno);
	else
		status = report_end(&log, &res, prog[0], &o);
	obs_free(obs);
	if (out != stderr && fclose(out) != 0)
		return cli_error(EXIT_USAGE, "exec: -o %s: %s", o.output, strerror(errno));
	return status;
}

const struct command cmd_exec = {
	.name = "exec",
	.summary = "run another KVM program and log its KVM ioctls and exits, decoded",
	.help =
	"usage: kvmlab exec [OPTIONS] [--] PROGRAM [ARGS...]\n\n"
	"Runs PROGRAM (an unmodified KVM program: kvm-hello-world, your own VMM, QEMU) and\n"
	"writes one line for every ioctl it makes on /dev/kvm and on the VM and vCPU fds it\n"
	"creates: the object (kvm, vm1, vm1.vcpu0), the request by name, every argument and\n"
	"result decoded (memory regions, regs, sregs with CR0/CR4/EFER bit names, CPUID, MSRs,\n"
	"guest debug, capabilities), where kvm_run is mapped, and after each KVM_RUN the exit\n"
	"with all its fields (an I/O exit's port, size, count, data_offset and the bytes there)\n"
	"and the time spent in KVM_RUN. Threads, child processes and several VMs are followed.\n"
	"PROGRAM's own standard output and error pass through unchanged.\n\n"
	"The ioctls are seen from outside (ptrace and a seccomp filter; KVM_RUN through the\n"
	"kernel's KVM tracepoints where they can be used, so that an exit costs the program\n"
	"no stop: see --observe), so raw system calls and static linking do not hide them.\n"
	"The log's first line says which way KVM_RUN is watched.\n",
	.opts = exec_tables,
	.main = exec_main,
	.epilogue =
	"Exit status: PROGRAM's own; 128+N if a signal N killed it; 124 after --timeout;\n"
	"126 if it cannot be executed, 127 if it does not exist; 1 for a bad command line;\n"
	"3 if --observe tracepoints was asked for where they cannot be used.\n"
	"Environment: KVMLAB_EXEC_RING_PAGES (pages of each CPU's tracepoint ring, a power\n"
	"of two; default 2048), KVMLAB_TRACEFS (where tracefs is mounted).\n",
};
