/* labheaders.c - a submission cannot replace a header the lab ships (labheaders.h). */
#include "labheaders.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 16

/* kvmlab's own headers every build gets (runner.c copies them into sys/). */
static const char *const kvmlab_headers[] = { "guest.h", "kvmlab/lab.h" };

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* The file the submission must hand in (a source, the handlers), by its path in sub. */
static bool asked_for(const struct lab *lab, const char *rel)
{
	for (unsigned i = 0; i < lab->guest.sources_count; i++)
		if (strcmp(lab->guest.sources[i], rel) == 0)
			return true;
	return lab->handlers && strcmp(lab->handlers, rel) == 0;
}

/* Whose header rel (a path in sub) would replace: "kvmlab" for guest.h and kvmlab/lab.h,
 * "the lab" for a file named as one of the lab folder's *.h or a lab_sources header;
 * NULL when none. */
static const char *shadows(const struct lab *lab, const char *rel, const char *name)
{
	char path[PATH_MAX * 2];
	struct stat st;

	if (!ends_with(name, ".h") || asked_for(lab, rel))
		return NULL;
	for (size_t i = 0; i < sizeof(kvmlab_headers) / sizeof(*kvmlab_headers); i++)
		if (strcmp(rel, kvmlab_headers[i]) == 0 ||
		    (ends_with(rel, kvmlab_headers[i]) &&
		     rel[strlen(rel) - strlen(kvmlab_headers[i]) - 1] == '/'))
			return "kvmlab";
	for (unsigned i = 0; i < lab->guest.lab_sources_count; i++) {
		const char *s = lab->guest.lab_sources[i];
		const char *base = strrchr(s, '/') ? strrchr(s, '/') + 1 : s;

		if (strcmp(base, name) == 0)
			return "the lab";
	}
	snprintf(path, sizeof(path), "%s/%s", lab->dir, name);   /* the lab's top-level files */
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? "the lab" : NULL;
}

static int walk(const struct lab *lab, const char *sub, const char *rel, int depth,
		struct labbuf *log)
{
	char dir[PATH_MAX * 2], child[PATH_MAX * 2];
	struct dirent **ents;
	int n, ret = 0;

	snprintf(dir, sizeof(dir), "%s%s%s", sub, *rel ? "/" : "", rel);
	n = scandir(dir, &ents, NULL, alphasort);   /* in order: the log is the same each time */
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const struct dirent *e = ents[i];
		const char *whose;

		snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		if (ret < 0 || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			/* nothing */
		} else if (e->d_type == DT_DIR && depth < MAX_DEPTH) {
			ret = walk(lab, sub, child, depth + 1, log);
		} else if (e->d_type == DT_REG && (whose = shadows(lab, child, e->d_name))) {
			labbuf_printf(log, "# %s in the submission is ignored: %s gives %s, and a "
				      "submission cannot replace it\n", child, whose,
				      strcmp(whose, "kvmlab") ? e->d_name : child);
			snprintf(dir, sizeof(dir), "%s/%s", sub, child);
			if (unlink(dir) < 0)
				ret = -errno;
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

int lab_headers_protect(const struct lab *lab, const char *sub, struct labbuf *log)
{
	return lab->program ? 0 : walk(lab, sub, "", 0, log);
}
