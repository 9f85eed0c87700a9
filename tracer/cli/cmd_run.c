/* cmd_run.c - `kvmlab run`: run a guest at full speed and say how it ended. */
#include <errno.h>
#include <stdio.h>

#include "command.h"
#include "engine.h"
#include "error.h"
#include "options.h"
#include "stoppoints.h"
#include "run.h"
#include "session.h"

enum { OPT_STATS = 0x200 };

struct run_opts {
	int stats;
	struct stoppoints points;
};

static int on_opt(int opt, const char *arg, void *ctx)
{
	struct run_opts *r = ctx;

	if (opt == OPT_STATS) {
		r->stats = 1;
		return 0;
	}
	return stoppoints_option(&r->points, opt, arg) == 0 ? 0 : -EINVAL;
}

/* --break/--watch: full speed with int3 and debug registers, then report where it stopped. */
static int run_to_point(struct session *s, const struct stoppoints *p, const struct vmm_limits *lim)
{
	static struct engine e;
	struct engine_goal g;
	int ret = session_engine_init(s, &e, false), status;

	if (ret == 0)
		ret = stoppoints_apply(p, &e);
	if (ret < 0) {
		status = cli_error(EXIT_USAGE, "%s", vmm_last_error());
		goto out;
	}
	e.max_exits = lim->max_exits;
	e.timeout_ms = lim->timeout_ms;
	engine_goal_init(&e, &g, ENGINE_GOAL_CONTINUE, 0, NULL, 0, NULL, 0);
	g.fast = true;
	ret = engine_go(&e, &g, NULL, NULL);
	if (ret < 0)
		status = cli_error(EXIT_HOST, "%s", vmm_last_error());
	else if (stoppoints_report(&e))
		status = EXIT_HALTED;
	else
		status = cli_session_end(s, e.stop, 0);
out:
	engine_free(&e);
	return status;
}

static const struct cli_opt run_opts[] = {
	{ "stats", OPT_STATS, NULL, "print exits by type and the final state" },
	{ 0 },
};
static const struct cli_opt *const run_tables[] = { run_opts, stoppoint_opts, NULL };

static int run_main(int argc, char **argv)
{
	struct vm_opts o;
	struct session s;
	struct vmm_limits lim;
	enum vmm_stop stop = VMM_STOP_OTHER;
	static struct run_opts ro;
	int ret, status;

	if (cli_wants_help(&cmd_run, argc, argv))
		return 0;
	if (vm_opts_parse(argc, argv, &o, run_tables, on_opt, &ro) < 0)
		return EXIT_USAGE;
	if (session_open(&s, &o, NULL, NULL) < 0)
		return cli_session_failed(&s);
	lim = (struct vmm_limits){ .max_exits = o.max_exits, .timeout_ms = o.timeout_ms };
	if (ro.points.nbrk || ro.points.nhbrk || ro.points.nwatch)
		status = run_to_point(&s, &ro.points, &lim);
	else {
		ret = vmm_run(&s.vcpu, &lim, &stop);
		status = cli_session_end(&s, stop, ret);
	}
	if (ro.stats)
		session_print_stats(&s, stderr);
	session_close(&s);
	return status;
}

const struct command cmd_run = {
	.name = "run",
	.summary = "run a guest until it halts, faults or hits a limit",
	.help =
	"usage: kvmlab run [OPTIONS] GUEST\n\n"
	"Runs GUEST on KVM at full speed. Bytes the guest writes to port 0xE9 (and the\n"
	"hypercalls' output) go to standard output; the last line on standard error says\n"
	"how the run ended, e.g. 'halted in long mode, RAX=42'.\n\n"
	"Built-in guests: hello (picks hello-16/-32/-64 for the mode), boot (real ->\n"
	"protected -> long by itself), loop, ud2, tight, pagetest; see guests/README.md.\n\n"
	"  kvmlab run hello --mode real\n"
	"  kvmlab run boot --stats\n"
	"  kvmlab run --flat 0 --mode long build/guests/hello-flat-64.bin\n\n"
	"--break, --hbreak and --watch run the guest at full speed where the host\n"
	"supports it (see kvmlab probe); a --watch then covers 1, 2, 4 or 8 aligned\n"
	"bytes.\n",
	.opts = run_tables,
	.main = run_main,
	.guest_opts = true,
};
