/* datadir.c - finding a folder of kvmlab's data next to the executable, in $ENV or installed. */
#include "datadir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Take cand if it is a folder that accept (if any) takes; copy it to out. */
static bool try_dir(const char *cand, datadir_accept accept, void *ctx, char *out, size_t len)
{
	if (!cand || !*cand || strlen(cand) >= len || !is_dir(cand))
		return false;
	if (accept && !accept(cand, ctx))
		return false;
	memcpy(out, cand, strlen(cand) + 1);
	return true;
}

int datadir_find(const char *what, const char *env, const char *installed,
		 datadir_accept accept, void *ctx, char *out, size_t len)
{
	/* relative to the folder of the executable: the build tree (build/guests), the
	 * source tree when run from build/ (labs/), a relocated or DESTDIR install */
	static const char *const rel[] = { "%s/%s", "%s/../%s", "%s/../share/kvmlab/%s" };
	char exe[PATH_MAX], cand[PATH_MAX * 2];
	const char *e = env ? getenv(env) : NULL;
	ssize_t n;

	if (try_dir(e, accept, ctx, out, len))
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
			if (try_dir(realpath(cand, real) ? real : cand, accept, ctx, out, len))
				return 0;
		}
	}
	if (try_dir(installed, accept, ctx, out, len))
		return 0;
	snprintf(out, len, "%s", installed ? installed : "");
	return -ENOENT;
}
