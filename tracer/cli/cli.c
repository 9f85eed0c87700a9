/* cli.c - the small helpers every subcommand uses: messages, --help, a session's exit status. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "probe.h"
#include "error.h"
#include "options.h"

int cli_error(int status, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	/* One write for the whole line: stderr is unbuffered, and another process (kvmlab exec
	 * watching this one) may write to the same terminal in between. */
	memcpy(line, "kvmlab: ", 8);
	va_start(ap, fmt);
	n = vsnprintf(line + 8, sizeof(line) - 9, fmt, ap);
	va_end(ap);
	n = n < 0 ? 0 : n > (int)sizeof(line) - 10 ? (int)sizeof(line) - 10 : n;
	line[8 + n] = '\n';
	fwrite(line, 1, (size_t)n + 9, stderr);
	return status;
}

int cli_wants_help(const struct command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(cmd->help, stdout);
			if (cmd->help_more)
				cmd->help_more(stdout);
			if (cmd->opts && cmd->opts[0]) {
				fputs("\nOptions:\n", stdout);
				for (const struct cli_opt *const *t = cmd->opts; *t; t++)
					cli_opts_help(stdout, *t);
			}
			if (cmd->guest_opts) {
				printf("\nGuest options:\n  %-22s%s\n", "GUEST",
				       "a built-in guest (hello, boot, loop, ...) or a file path");
				cli_opts_help(stdout, vm_opt_table);
			}
			if (cmd->epilogue)
				printf("\n%s", cmd->epilogue);
			return 1;
		}
	}
	return 0;
}

int cli_session_failed(const struct session *s)
{
	static const int status[] = {
		[SESSION_OK] = EXIT_HALTED,
		[SESSION_GUEST] = EXIT_LOAD,
		[SESSION_HOST] = EXIT_HOST,
		[SESSION_CONFIG] = EXIT_USAGE,
	};

	return cli_error(status[s->failed], "%s", vmm_last_error());
}

int cli_mode_refused(const struct session *s, const char *dev)
{
	char why[160];

	if (s->mode != VMM_MODE_PAGED32 && s->mode != VMM_MODE_PAE)
		return 0;
	if (vmm_probe_mode(dev, s->mode, why, sizeof(why)) != 0)
		return 0;
	return cli_error(EXIT_HOST, "%s", vmm_probe_limitation(s->mode));
}

int cli_session_end(struct session *s, enum vmm_stop stop, int err)
{
	static const int status[] = {
		[ENDING_HALTED] = EXIT_HALTED,
		[ENDING_FAULTED] = EXIT_FAULT,
		[ENDING_LIMITED] = EXIT_LIMIT,
		[ENDING_HOST] = EXIT_HOST,
	};
	char msg[1024];
	enum ending_kind end = session_report(s, stop, err, msg, sizeof(msg));

	return cli_error(status[end], "%s", msg);
}
