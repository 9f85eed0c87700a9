/* cli.c - the small helpers every subcommand uses for messages and --help. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "options.h"

int cli_error(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("kvmlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int cli_wants_help(const struct command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(cmd->help, stdout);
			if (cmd->guest_opts)
				printf("\n%s", vm_opts_help);
			return 1;
		}
	}
	return 0;
}
