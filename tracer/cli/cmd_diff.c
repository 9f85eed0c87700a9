/* cmd_diff.c - `kvmlab diff`: the first step where two JSONL traces diverge, and what differs. */
#include <stdio.h>

#include "command.h"
#include "tracediff.h"

static int diff_main(int argc, char **argv)
{
	char msg[8192];
	int ret;

	if (cli_wants_help(&cmd_diff, argc, argv))
		return 0;
	if (argc != 3)
		return cli_error(EXIT_USAGE, "diff: give two trace files (see kvmlab diff --help)");
	ret = trace_diff(argv[1], argv[2], msg, sizeof(msg));
	if (ret < 0)
		return cli_error(EXIT_LOAD, "%s", msg);
	puts(msg);
	return ret ? EXIT_DIFFER : EXIT_HALTED;
}

const struct command cmd_diff = {
	.name = "diff",
	.summary = "find the first step where two JSONL traces diverge",
	.help =
	"usage: kvmlab diff A.jsonl B.jsonl\n\n"
	"Compares two traces written by `kvmlab trace --format jsonl` step by step and\n"
	"reports the first step that differs, field by field (instruction, registers\n"
	"changed, exit, memory written). Exit status 0 if identical, 6 if they differ,\n"
	"2 if a file is unreadable, truncated or not a kvmlab trace (with its line).\n",
	.main = diff_main,
};
