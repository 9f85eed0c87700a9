/* intake.c - a class's submissions as they arrive, turned into a folder of folders (intake.h). */
#include "intake.h"
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"

#define SCAN_DEPTH 3

struct ctx {
	struct lab_intake *in;
	struct lab_archive_limits lim;
	char subs[PATH_MAX];
	size_t cap;

};

static int reject(struct ctx *c, const char *id, const char *fmt, const char *what)
{
	struct lab_intake_reject *r;

	r = vmm_array_grow(c->in->rejects, &c->cap, sizeof(*r), c->in->nrejects + 1, 16);
	if (!r)
		return -ENOMEM;
	c->in->rejects = r;
	r = &c->in->rejects[c->in->nrejects++];
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; id[i] && i + 1 < sizeof(r->id); i++)
		r->id[i] = (id[i] > 0x20 && id[i] < 0x7f && id[i] != ',' && id[i] != '"') ? id[i] : '?';
	snprintf(r->reason, sizeof(r->reason), fmt, what);
	return 0;
}

static bool exists(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0;
}

/* Does dir hold an archive, at most depth folders down? */
static bool holds_archive(const char *dir, int depth)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char p[PATH_MAX];
		struct stat sb;

		if (e->d_name[0] == '.' || strcmp(e->d_name, "__MACOSX") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= (int)sizeof(p) ||
		    lstat(p, &sb) < 0)
			continue;
		if (S_ISREG(sb.st_mode) && lab_archive_name(e->d_name, NULL))
			found = true;
		else if (S_ISDIR(sb.st_mode) && depth > 0)
			found = holds_archive(p, depth - 1);
	}
	closedir(d);
	return found;
}

/* The only entry of dir when it is a folder: its name in one, else "". */
static void only_folder(const char *dir, char *one, size_t len)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	one[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n++ == 0 && e->d_type == DT_DIR)
			snprintf(one, len, "%s", e->d_name);
	}
	closedir(d);
	if (n != 1)
		one[0] = '\0';
}

int lab_intake_unpack_one(const char *archive, const char *dest,
			  const struct lab_archive_limits *lim, char *err, size_t errlen)
{
	char work[PATH_MAX + 16], one[256], inner[PATH_MAX + 300];
	struct lab_archive_stats st;
	int ret;

	if (snprintf(work, sizeof(work), "%s.unpack", dest) >= (int)sizeof(work))
		return -ENAMETOOLONG;
	lab_rmtree(work);
	if (mkdir(work, 0755) < 0)
		return -errno;
	ret = lab_archive_unpack_isolated(archive, work, lim, &st, err, errlen);
	if (ret < 0) {
		lab_rmtree(work);
		return ret;
	}
	only_folder(work, one, sizeof(one));
	snprintf(inner, sizeof(inner), "%s/%s", work, one);
	if (one[0] && rename(inner, dest) == 0)
		return lab_rmtree(work);
	return rename(work, dest) < 0 ? -errno : 0;
}

static int add_archive(struct ctx *c, const char *path, const char *name)
{
	char id[128], dest[PATH_MAX + 256], err[512];
	int ret;

	if (lab_archive_student_id(name, id, sizeof(id)) < 0)
		return reject(c, name, "the archive's name '%s' gives no student id (expected "
			      "ID.zip, ID.tar.gz or ID_anything.tar.gz; letters, digits, . - @ +)",
			      name);
	snprintf(dest, sizeof(dest), "%s/%s", c->subs, id);
	if (exists(dest))
		return reject(c, id, "a second submission for student %s: only the first one is "
			      "graded", id);
	ret = lab_intake_unpack_one(path, dest, &c->lim, err, sizeof(err));
	if (ret == -ENOMEM || ret == -ENOSPC || ret == -EACCES || ret == -ENAMETOOLONG)
		return ret;
	if (ret < 0)
		return reject(c, id, "%s", err);
	c->in->unpacked++;
	return 0;
}

static int add_folder(struct ctx *c, const char *path, const char *name)
{
	char dest[PATH_MAX + 300], abs[PATH_MAX];

	if (!lab_archive_id_ok(name))
		return reject(c, name, "the folder name '%s' is not a student id (letters, digits, "
			      ". - @ +)", name);
	snprintf(dest, sizeof(dest), "%s/%s", c->subs, name);
	if (exists(dest))
		return reject(c, name, "a second submission for student %s: only the first one is "
			      "graded", name);
	if (!realpath(path, abs))
		return -errno;
	return symlink(abs, dest) < 0 ? -errno : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every archive and (at the top) every folder without archives in dir, in name order. */
static int scan(struct ctx *c, const char *dir, int depth)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "__MACOSX") == 0)
			continue;
		char **nn = vmm_array_grow(names, &cap, sizeof(*names), n + 1, 64);

		if (!nn) {
			ret = -ENOMEM;
			break;
		}
		names = nn;
		if (!(names[n] = strdup(e->d_name))) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && ret == 0; i++) {
		char p[PATH_MAX];
		struct stat sb;

		if (snprintf(p, sizeof(p), "%s/%s", dir, names[i]) >= (int)sizeof(p) ||
		    lstat(p, &sb) < 0)
			continue;
		if (S_ISREG(sb.st_mode) && lab_archive_name(names[i], NULL))
			ret = add_archive(c, p, names[i]);
		else if (S_ISDIR(sb.st_mode) && holds_archive(p, SCAN_DEPTH - depth - 1))
			ret = depth + 1 < SCAN_DEPTH ? scan(c, p, depth + 1) : 0;
		else if (S_ISDIR(sb.st_mode) && depth == 0)
			ret = add_folder(c, p, names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int make_tmp(struct ctx *c, char *err, size_t errlen)
{
	const char *t = getenv("TMPDIR");
	struct lab_intake *in = c->in;

	snprintf(in->tmp, sizeof(in->tmp), "%s/kvmlab-intake-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(in->tmp)) {
		int ret = -errno;

		snprintf(err, errlen, "cannot make a temporary folder %s: %s", in->tmp,
			 strerror(-ret));
		in->tmp[0] = '\0';
		return ret;
	}
	if (snprintf(c->subs, sizeof(c->subs), "%.4000s/submissions", in->tmp) >=
	    (int)sizeof(c->subs))
		return -ENAMETOOLONG;
	snprintf(in->dir, sizeof(in->dir), "%s", c->subs);
	if (mkdir(c->subs, 0755) < 0) {
		int ret = -errno;

		snprintf(err, errlen, "cannot make %s: %s", c->subs, strerror(-ret));
		return ret;
	}
	return 0;
}

int lab_intake_open(const char *path, const struct lab_archive_limits *lim,
		    struct lab_intake *in, char *err, size_t errlen)
{
	struct ctx c = { .in = in };
	struct stat sb;
	int ret;

	memset(in, 0, sizeof(*in));
	err[0] = '\0';
	if (lim)
		c.lim = *lim;
	else
		lab_archive_limits_default(&c.lim);
	if (stat(path, &sb) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (S_ISDIR(sb.st_mode) && !holds_archive(path, SCAN_DEPTH - 1)) {
		snprintf(in->dir, sizeof(in->dir), "%s", path);   /* folders only: as it is */
		return 0;
	}
	if (!S_ISDIR(sb.st_mode) && !(S_ISREG(sb.st_mode) && lab_archive_name(path, NULL))) {
		snprintf(err, errlen, "%s: neither a folder nor a .zip or .tar(.gz/.bz2/.xz) archive",
			 path);
		return -EINVAL;
	}
	ret = make_tmp(&c, err, errlen);
	if (ret < 0)
		goto fail;
	if (S_ISDIR(sb.st_mode)) {
		ret = scan(&c, path, 0);
	} else {
		struct lab_archive_limits outer = c.lim;
		struct lab_archive_stats st;
		char odir[PATH_MAX + 16];

		outer.max_bytes *= 64;
		outer.max_members *= 64;
		outer.timeout_s *= 4;
		snprintf(odir, sizeof(odir), "%s/class", in->tmp);
		if (mkdir(odir, 0755) < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot make %s: %s", odir, strerror(-ret));
			goto fail;
		}
		ret = lab_archive_unpack_isolated(path, odir, &outer, &st, err, errlen);
		if (ret < 0)
			goto fail;
		ret = scan(&c, odir, 0);   /* folders in it are graded where they are */
	}
	if (ret < 0) {
		snprintf(err, errlen, "unpacking %s: %s", path, strerror(-ret));
		goto fail;
	}
	return 0;
fail:
	lab_intake_free(in);
	return ret;
}

void lab_intake_free(struct lab_intake *in)
{
	if (in->tmp[0])
		lab_rmtree(in->tmp);
	free(in->rejects);
	memset(in, 0, sizeof(*in));
}
