/* cmd_run.c - `kvmlab run`: run a guest at full speed and say how it ended. */
#include <stdio.h>

#include "command.h"
#include "run.h"
#include "session.h"

enum { OPT_STATS = 0x200 };

static int on_opt(int opt, const char *arg, void *ctx)
{
	(void)arg;
	if (opt == OPT_STATS) {
		*(int *)ctx = 1;
		return 0;
	}
	return -1;
}

static int run_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "stats", no_argument, NULL, OPT_STATS },
		{ 0 },
	};
	struct vm_opts o;
	struct session s;
	struct vmm_limits lim;
	enum vmm_stop stop = VMM_STOP_OTHER;
	int stats = 0, ret, status;

	if (cli_wants_help(&cmd_run, argc, argv))
		return 0;
	if (vm_opts_parse(argc, argv, &o, extra, NULL, on_opt, &stats) < 0)
		return EXIT_USAGE;
	status = session_open(&s, &o, NULL, NULL);
	if (status)
		return status;
	lim = (struct vmm_limits){ .max_exits = o.max_exits, .timeout_ms = o.timeout_ms };
	ret = vmm_run(&s.vcpu, &lim, &stop);
	status = session_report(&s, stop, ret);
	if (stats)
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
	"Options:\n"
	"      --stats           print exits by type and the final state\n",
	.main = run_main,
};
