/* export.c - a lab packaged for Gradescope, GitHub Classroom and Slurm (export.h). */
#include "export.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* labs/harness/deploy/, embedded by embed.py */
extern const char lab_deploy_gradescope_setup[], lab_deploy_gradescope_run[],
	lab_deploy_slurm_grade[], lab_deploy_slurm_merge[], lab_deploy_github_workflow[],
	lab_deploy_github_grade[];

/* The parts of kvmlab's source tree a build needs. */
static const char *const src_parts[] = { "meson.build", "LICENSE", "README.md", "vmm", "tracer",
					 "guests", "labs", "tests" };

int lab_export_check_service(const char *url, const char *token, char *err, size_t errlen)
{
	static const char ok_url[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789-._~:/[]@%";
	static const char ok_token[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789-_.~+/=";

	if (!url && !token)
		return 0;
	if (!url || !token) {
		snprintf(err, errlen, "--service and --token go together");
		return -EINVAL;
	}
	if ((strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || strlen(url) > 400 ||
	    strspn(url, ok_url) != strlen(url)) {
		snprintf(err, errlen, "--service %s: expected http://HOST[:PORT] or https://...", url);
		return -EINVAL;
	}
	if (strlen(token) < 16 || strlen(token) > 127 || strspn(token, ok_token) != strlen(token)) {
		snprintf(err, errlen, "--token: 16 to 127 URL-safe characters, as in serve's --tokens");
		return -EINVAL;
	}
	return 0;
}

static int fail_ar(struct archive *a, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, archive_error_string(a) ? archive_error_string(a) :
		 "write error");
	return -EIO;
}

static int add_mem(struct archive *a, const char *name, const char *data, size_t len, int mode,
		   char *err, size_t errlen)
{
	struct archive_entry *e = archive_entry_new();
	int ret = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, 0, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(a, data, len) != (la_ssize_t)len))
		ret = fail_ar(a, err, errlen, name);
	archive_entry_free(e);
	return ret;
}

static int add_file(struct archive *a, const char *path, const char *name, char *err,
		    size_t errlen)
{
	struct stat sb;
	char *buf;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	buf = malloc((size_t)sb.st_size + 1);
	while (buf && got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	ret = add_mem(a, name, buf, got, (sb.st_mode & 0111) ? 0755 : 0644, err, errlen);
	free(buf);
	return ret;
}

/* A folder or file met by walk(): path on disk, name where it goes (in the zip, or on disk). */
typedef int (*visit_fn)(void *ctx, const char *path, const char *name, bool dir, char *err,
			size_t errlen);

/* Visit everything under path (name: where it goes) in name order, without build folders,
 * dot files, symlinks and folders named skip1 or skip2 at any depth; folders before what
 * they hold. */
static int walk(const char *path, const char *name, const char *skip1, const char *skip2,
		visit_fn fn, void *ctx, char *err, size_t errlen)
{
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort), ret = 0;

	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	for (int i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		char p[PATH_MAX], nm[PATH_MAX];
		struct stat sb;

		if (ret == 0 && d[0] != '.' && strncmp(d, "build", 5) != 0 &&
		    !(skip1 && strcmp(d, skip1) == 0) && !(skip2 && strcmp(d, skip2) == 0) &&
		    snprintf(p, sizeof(p), "%s/%s", path, d) < (int)sizeof(p) &&
		    snprintf(nm, sizeof(nm), "%s/%s", name, d) < (int)sizeof(nm) &&
		    lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode)) {
				ret = fn(ctx, p, nm, true, err, errlen);
				if (ret == 0)
					ret = walk(p, nm, skip1, skip2, fn, ctx, err, errlen);
			} else if (S_ISREG(sb.st_mode)) {
				ret = fn(ctx, p, nm, false, err, errlen);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

static int zip_visit(void *ctx, const char *path, const char *name, bool dir, char *err,
		     size_t errlen)
{
	return dir ? 0 : add_file(ctx, path, name, err, errlen);
}

/* Folder path into the zip as name/... (walk's filters; folders named skip left out). */
static int add_tree(struct archive *a, const char *path, const char *name, const char *skip,
		    char *err, size_t errlen)
{
	return walk(path, name, skip, NULL, zip_visit, a, err, errlen);
}

/* kvmlab.conf: shell assignments run_autograder sources (values checked: no quoting needed). */
static int conf(const struct lab_export *e, char *buf, size_t len)
{
	int n = snprintf(buf, len, "# written by kvmlab lab export: the lab graded and the grading "
			 "service used where this container has no KVM\nLAB='%s'\nSERVICE_URL='%s'\n"
			 "SERVICE_TOKEN='%s'\nSERVICE_WAIT=600\n", e->lab_id,
			 e->service_url ? e->service_url : "", e->service_token ? e->service_token : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : n;
}

int lab_export_gradescope(const struct lab_export *e, const char *zip, char *err, size_t errlen)
{
	struct archive *a;
	char text[2048];
	int ret, n;

	err[0] = '\0';
	ret = lab_export_check_service(e->service_url, e->service_token, err, errlen);
	if (ret < 0)
		return ret;
	if (strspn(e->lab_id, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(e->lab_id)) {
		snprintf(err, errlen, "the lab's folder name '%s' is not a plain name", e->lab_id);
		return -EINVAL;
	}
	n = conf(e, text, sizeof(text));
	if (n < 0)
		return n;
	a = archive_write_new();
	if (!a)
		return -ENOMEM;
	archive_write_set_format_zip(a);
	if (archive_write_open_filename(a, zip) != ARCHIVE_OK) {
		ret = fail_ar(a, err, errlen, zip);
		archive_write_free(a);
		return ret;
	}
	ret = add_mem(a, "setup.sh", lab_deploy_gradescope_setup, strlen(lab_deploy_gradescope_setup),
		      0755, err, errlen);
	if (ret == 0)
		ret = add_mem(a, "run_autograder", lab_deploy_gradescope_run,
			      strlen(lab_deploy_gradescope_run), 0755, err, errlen);
	if (ret == 0)
		ret = add_mem(a, "kvmlab.conf", text, (size_t)n, 0644, err, errlen);
	if (ret == 0)   /* the reference solution stays with the instructor */
		ret = add_tree(a, e->lab_dir, "lab", "solution", err, errlen);
	for (size_t i = 0; ret == 0 && e->src_dir && i < sizeof(src_parts) / sizeof(*src_parts); i++) {
		char p[PATH_MAX], nm[128];
		struct stat sb;

		snprintf(p, sizeof(p), "%.3900s/%s", e->src_dir, src_parts[i]);
		snprintf(nm, sizeof(nm), "kvmlab-src/%s", src_parts[i]);
		if (lstat(p, &sb) < 0)
			continue;
		ret = S_ISDIR(sb.st_mode) ? add_tree(a, p, nm, "solution", err, errlen) :
			add_file(a, p, nm, err, errlen);
	}
	if (archive_write_close(a) != ARCHIVE_OK && ret == 0)
		ret = fail_ar(a, err, errlen, zip);
	archive_write_free(a);
	if (ret < 0)
		unlink(zip);
	return ret;
}

/* A template with @KVMLAB@ and @LAB@ replaced; malloc'ed, or NULL. */
static char *subst(const char *t, const char *kvmlab, const char *lab)
{
	size_t len = strlen(t) + 8 * (strlen(kvmlab) + strlen(lab)) + 1, n = 0;
	char *out = malloc(len);

	while (out && *t) {
		const char *v = strncmp(t, "@KVMLAB@", 8) == 0 ? kvmlab :
			strncmp(t, "@LAB@", 5) == 0 ? lab : NULL;

		if (v && n + strlen(v) + 2 < len) {
			n += (size_t)snprintf(out + n, len - n, "'%s'", v);
			t += v == kvmlab ? 8 : 5;
		} else if (n + 1 < len) {
			out[n++] = *t++;
		} else {
			break;
		}
	}
	if (out)
		out[n] = '\0';
	return out;
}

static int write_script(const char *dir, const char *name, const char *text, char *err,
			size_t errlen)
{
	char path[PATH_MAX + 64];
	size_t len = strlen(text);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%.4000s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0755);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, 0755) < 0)
		ret = -errno;
	if (fd >= 0 && close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

/* A path safe between single quotes in a script. */
static bool quotable(const char *p)
{
	return p && p[0] == '/' && !strpbrk(p, "'\n\r") && strlen(p) < 1024;
}

int lab_export_slurm(const struct lab_export *e, const char *dir, char *err, size_t errlen)
{
	char *grade, *merge;
	int ret;

	err[0] = '\0';
	if (!quotable(e->kvmlab) || !quotable(e->lab_dir)) {
		snprintf(err, errlen, "the paths of kvmlab and of the lab must be absolute, without "
			 "quotes or newlines");
		return -EINVAL;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	grade = subst(lab_deploy_slurm_grade, e->kvmlab, e->lab_dir);
	merge = subst(lab_deploy_slurm_merge, e->kvmlab, e->lab_dir);
	ret = grade && merge ? 0 : -ENOMEM;
	if (ret == 0)
		ret = write_script(dir, "grade.sbatch", grade, err, errlen);
	if (ret == 0)
		ret = write_script(dir, "merge.sbatch", merge, err, errlen);
	free(grade);
	free(merge);
	return ret;
}

/* ---- GitHub Classroom: a template repository on disk ------------------------------- */

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	char buf[65536];
	struct stat sb;
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1, ret = 0;
	ssize_t n;

	if (in < 0 || fstat(in, &sb) < 0 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (sb.st_mode & 0111) ? 0755 : 0644)) < 0)
		ret = -errno;
	while (ret == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			ret = -errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		snprintf(err, errlen, "%s -> %s: %s", from, to, strerror(-ret));
	return ret;
}

static int copy_visit(void *ctx, const char *path, const char *name, bool dir, char *err,
		      size_t errlen)
{
	(void)ctx;
	if (dir && mkdir(name, 0755) < 0 && errno != EEXIST) {
		int ret = -errno;

		snprintf(err, errlen, "%s: %s", name, strerror(-ret));
		return ret;
	}
	return dir ? 0 : copy_file(path, name, err, errlen);
}

/* Copy folder from into to (made), with walk's filters. */
static int copy_tree(const char *from, const char *to, const char *skip1, const char *skip2,
		     char *err, size_t errlen)
{
	int ret = copy_visit(NULL, from, to, true, err, errlen);

	return ret < 0 ? ret : walk(from, to, skip1, skip2, copy_visit, NULL, err, errlen);
}

static int put(const char *dir, const char *name, const char *text, int mode, char *err,
	       size_t errlen)
{
	int ret = write_script(dir, name, text, err, errlen);
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%.4000s/%s", dir, name);
	if (ret == 0 && chmod(path, (mode_t)mode) < 0)
		ret = -errno;
	return ret;
}

static bool empty_or_missing(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return errno == ENOENT;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

int lab_export_github(const struct lab_export *e, const char *dir, char *err, size_t errlen)
{
	char p[PATH_MAX + 64], q[PATH_MAX + 64], points[64];
	int ret;

	err[0] = '\0';
	if (!empty_or_missing(dir)) {
		snprintf(err, errlen, "%s is not empty: give a new folder for the template", dir);
		return -EEXIST;
	}
	if ((mkdir(dir, 0755) < 0 && errno != EEXIST)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	snprintf(p, sizeof(p), "%.4000s/starter", e->lab_dir);
	ret = copy_tree(p, dir, NULL, NULL, err, errlen);   /* the student's files at the top */
	snprintf(p, sizeof(p), "%.4000s/README.md", e->lab_dir);
	snprintf(q, sizeof(q), "%.4000s/README.md", dir);
	if (ret == 0 && access(p, R_OK) == 0)
		ret = copy_file(p, q, err, errlen);
	snprintf(q, sizeof(q), "%.4000s/.kvmlab", dir);
	if (ret == 0 && mkdir(q, 0755) < 0)
		ret = -errno;
	snprintf(p, sizeof(p), "%.4000s/.kvmlab/lab", dir);
	if (ret == 0)   /* the grader's copy: without the solution, nor the starter again */
		ret = copy_tree(e->lab_dir, p, "solution", "starter", err, errlen);
	snprintf(p, sizeof(p), "%.4000s/.kvmlab/src", dir);
	if (ret == 0 && e->src_dir) {
		if (mkdir(p, 0755) < 0)
			ret = -errno;
		for (size_t i = 0; ret == 0 && i < sizeof(src_parts) / sizeof(*src_parts); i++) {
			char from[PATH_MAX], to[PATH_MAX + 96];
			struct stat sb;

			snprintf(from, sizeof(from), "%.3900s/%s", e->src_dir, src_parts[i]);
			snprintf(to, sizeof(to), "%.4000s/%s", p, src_parts[i]);
			if (lstat(from, &sb) < 0)
				continue;
			ret = S_ISDIR(sb.st_mode) ? copy_tree(from, to, "solution", NULL, err, errlen) :
				copy_file(from, to, err, errlen);
		}
	}
	snprintf(points, sizeof(points), "# points: %u\n", e->points);
	if (ret == 0)
		ret = put(q, "grade.sh", lab_deploy_github_grade, 0755, err, errlen);
	if (ret == 0)
		ret = put(q, "lab.points", points, 0644, err, errlen);
	if (ret == 0)
		ret = put(dir, ".gitignore", "/.kvmlab/build/\n/.kvmlab/build.log\n"
			  "/.kvmlab/result.json\n/.kvmlab/grade.err\n", 0644, err, errlen);
	snprintf(p, sizeof(p), "%.4000s/.github", dir);
	if (ret == 0 && mkdir(p, 0755) < 0)
		ret = -errno;
	snprintf(p, sizeof(p), "%.4000s/.github/workflows", dir);
	if (ret == 0 && mkdir(p, 0755) < 0)
		ret = -errno;
	if (ret == 0)
		ret = put(p, "classroom.yml", lab_deploy_github_workflow, 0644, err, errlen);
	if (ret < 0 && !err[0])
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
	return ret;
}
