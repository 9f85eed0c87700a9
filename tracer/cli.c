/* cli.c - the small helpers every subcommand uses: messages, --help, data folders. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Take cand if it is a folder that accept (if any) takes; copy it to out. */
static bool try_data_dir(const char *cand, cli_dir_accept accept, void *ctx, char *out, size_t len)
{
	if (!cand || !*cand || strlen(cand) >= len || !is_dir(cand))
		return false;
	if (accept && !accept(cand, ctx))
		return false;
	memcpy(out, cand, strlen(cand) + 1);
	return true;
}

int cli_find_data_dir(const char *what, const char *env, const char *installed,
		      cli_dir_accept accept, void *ctx, char *out, size_t len)
{
	/* relative to the folder of the executable: the build tree (build/guests), the
	 * source tree when run from build/ (labs/), a relocated or DESTDIR install */
	static const char *const rel[] = { "%s/%s", "%s/../%s", "%s/../share/kvmlab/%s" };
	char exe[PATH_MAX], cand[PATH_MAX * 2];
	const char *e = env ? getenv(env) : NULL;
	ssize_t n;

	if (try_data_dir(e, accept, ctx, out, len))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
			char real[PATH_MAX];

			snprintf(cand, sizeof(cand), rel[i], exe, what);
			/* without the "..": messages and build logs name the folder plainly */
			if (try_data_dir(realpath(cand, real) ? real : cand, accept, ctx, out, len))
				return 0;
		}
	}
	if (try_data_dir(installed, accept, ctx, out, len))
		return 0;
	snprintf(out, len, "%s", installed ? installed : "");
	return -ENOENT;
}

int cli_data_dir(const char *what, const char *env, const char *installed, char *out, size_t len)
{
	return cli_find_data_dir(what, env, installed, NULL, NULL, out, len);
}
