/* main.c - kvmlab: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "command.h"

static const struct command *const commands[] = {
	&cmd_run, &cmd_trace, &cmd_tui, &cmd_walk, &cmd_diff, &cmd_probe,
	&cmd_lab, &cmd_grade, &cmd_exec, &cmd_explain, &cmd_serve,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fputs("usage: kvmlab COMMAND [OPTIONS] [ARGS]\n\n"
	      "kvmlab runs small x86 guests on Linux KVM and shows, one instruction at a time,\n"
	      "what the CPU did: registers, modes, segments, page walks and VM exits.\n\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-7s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\n`kvmlab COMMAND --help` explains a command and its options.\n\n"
	      "Exit status: 0 the guest halted (or the command succeeded), 1 bad command line\n"
	      "or the output (a trace, a report) could not be written, 2 the guest or lab could\n"
	      "not be loaded, 3 KVM is missing or cannot run this mode here, 4 the guest faulted\n"
	      "(triple fault, KVM error), 5 a limit ended the run, 6 traces differ (diff) or the\n"
	      "grade is below full marks (grade).\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("kvmlab " KVMLAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->main(argc - 1, argv + 1);
	return cli_error(EXIT_USAGE, "unknown command '%s' (see kvmlab --help)", argv[1]);
}
