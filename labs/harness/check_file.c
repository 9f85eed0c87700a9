/* check_file.c - program labs: a file the run left in its folder (the file hypercalls).
 * Read by the grader after the program and its sandbox are gone; at most 1 MiB, no
 * symlinks followed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"

#define FILE_CAP (1u << 20)
#define SHOW_MAX 200

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	const struct lab_file_spec *f = c->file;
	const char *p = f->path;

	(void)lab;
	if (!lab_path_inside(p))
		return lab_diag_check(d, "file.path", "'%s' must be a relative path without ..", p);
	if ((f->absent ? 1 : 0) + (f->equals ? 1 : 0) + (f->contains ? 1 : 0) != 1)
		return lab_diag_check(d, "file", "give one of equals, contains, absent");
	return 0;
}

/* The file's bytes (NUL-terminated), or NULL with errno. */
static char *slurp(const char *dir, const char *rel, size_t *len)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	struct labbuf b = { 0 };
	char buf[8192];
	ssize_t n;

	if (dfd < 0)
		return NULL;
	fd = openat(dfd, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0 && b.len < FILE_CAP)
		labbuf_add(&b, buf, (size_t)n);
	close(fd);
	*len = b.len;
	return labbuf_take(&b);
}

/* A file kvmlab draws for a program run (its flowchart: .dot, .svg, .png)?  Those are read
 * from the grader's drawing folder only, never from the run's folder, where the program
 * could have written a file of that name itself. */
static bool drawn(const struct lab_run *run, const char *rel)
{
	const char *dot = strrchr(rel, '.');

	return run->drawdir && dot && (strcmp(dot, ".dot") == 0 || strcmp(dot, ".svg") == 0 ||
				       strcmp(dot, ".png") == 0);
}

static char *quote(const char *s, size_t n)
{
	struct labbuf b = { 0 };

	labbuf_quote(&b, s, n, SHOW_MAX);
	return labbuf_take(&b);
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_file_spec *f = c->file;
	size_t n = 0;
	char *data;
	bool ok;

	if (!run->workdir)
		return lab_result_set(r, false, NULL, NULL, strdup("the run had no folder"));
	data = slurp(drawn(run, f->path) ? run->drawdir : run->workdir, f->path, &n);
	if (f->absent) {
		char *act = data ? quote(data, n) : strdup("absent");
		bool gone = !data;

		free(data);
		return lab_result_set(r, gone, lab_strdupf("no file %s", f->path), act,
				      lab_strdupf("%s exists", f->path));
	}
	if (!data)
		return lab_result_set(r, false, lab_strdupf("a file %s", f->path),
				      strdup("absent"), lab_strdupf("%s: %s", f->path,
								    strerror(errno)));
	if (f->equals) {
		size_t ne = strlen(f->equals);

		ok = ne == n && memcmp(data, f->equals, n) == 0;
		lab_result_set(r, ok, quote(f->equals, ne), quote(data, n),
			       lab_strdupf("%s does not hold the expected text", f->path));
	} else {
		ok = memmem(data, n, f->contains, strlen(f->contains)) != NULL;
		lab_result_set(r, ok, quote(f->contains, strlen(f->contains)), quote(data, n),
			       lab_strdupf("%s does not contain the text", f->path));
	}
	free(data);
	return 0;
}

const struct lab_check_ops lab_check_file_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
