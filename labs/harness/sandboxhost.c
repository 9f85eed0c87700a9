/* sandboxhost.c - kvmlab-sandbox: enter the sandbox of student code in this very process,
 * then run the student's program there (progrun.c starts it as the program `kvmlab exec`
 * observes, so that the observer stays outside the sandbox while everything the student
 * wrote runs inside it).
 *
 * usage (by the grader only):
 *   kvmlab-sandbox [--uid U] [--cpu S] [--mem BYTES] [--fsize BYTES] [--nproc N]
 *                  [--cwd DIR] [--bind PATH]... [--ro-bind PATH]... [--kvm NODE]
 *                  -- PROGRAM [ARGS...]
 * Standard input, output and error are the program's; the program is process 1 of its PID
 * namespace (nothing of bwrap's stays inside with it).  On failure it writes one line
 * "kvmlab-sandbox: ..." on standard error and exits 126.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"

enum { OPT_UID = 256, OPT_CPU, OPT_MEM, OPT_FSIZE, OPT_NPROC, OPT_CWD, OPT_BIND, OPT_RO_BIND,
	OPT_KVM };

static const struct option opts[] = {
	{ "uid", required_argument, NULL, OPT_UID },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "fsize", required_argument, NULL, OPT_FSIZE },
	{ "nproc", required_argument, NULL, OPT_NPROC },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
	{ "kvm", required_argument, NULL, OPT_KVM },
	{ 0 },
};

static int fail(const char *what, int err)
{
	fprintf(stderr, "kvmlab-sandbox: %s: %s\n", what, strerror(err));
	return 126;
}

/* A whole decimal number, or -EINVAL. */
static int number(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return end == s || *end || errno || *s == '-' ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	struct lab_sandbox sb;
	uint64_t v;
	int c;

	lab_sandbox_init(&sb, NULL);
	sb.pid1 = true;
	sb.stdin_fd = 0;
	sb.stdout_fd = 1;
	sb.stderr_fd = 2;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == OPT_CWD) {
			sb.cwd = optarg;
		} else if (c == OPT_KVM) {
			sb.kvm_node = optarg;
		} else if (c == OPT_BIND || c == OPT_RO_BIND) {
			if (lab_sandbox_bind(&sb, optarg, c == OPT_BIND) < 0)
				return fail(optarg, E2BIG);
		} else if (c == OPT_UID || c == OPT_CPU || c == OPT_MEM || c == OPT_FSIZE ||
			   c == OPT_NPROC) {
			if (number(optarg, &v) < 0 || ((c == OPT_UID || c == OPT_CPU ||
							 c == OPT_NPROC) && v > UINT32_MAX))
				return fail(optarg, EINVAL);
			if (c == OPT_UID)
				sb.uid = (uid_t)v;
			else if (c == OPT_CPU)
				sb.cpu_s = (unsigned)v;
			else if (c == OPT_MEM)
				sb.mem = v;
			else if (c == OPT_FSIZE)
				sb.fsize = v;
			else
				sb.nproc = (unsigned)v;
		} else {
			fputs("kvmlab-sandbox: run by kvmlab only (see labs/harness/sandboxhost.c)\n",
			      stderr);
			return 2;
		}
	}
	if (optind >= argc)
		return fail("no program", EINVAL);
	sb.argv = (const char *const *)argv + optind;
	return fail("cannot enter the sandbox", -lab_sandbox_exec(&sb));
}
