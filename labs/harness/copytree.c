/* copytree.c - regular files and folders only, never through a link. */
#include "copytree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct copy {
	struct labbuf *log;
	size_t bytes, files;
};

static int copy_fd(int in, int out, struct copy *c)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c->bytes += (size_t)n;
		if (c->bytes > LAB_COPY_MAX_BYTES)
			return -EFBIG;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			off += w;
		}
	}
	return 0;
}

static int copy_dir(int sfd, const char *dst, const char *rel, struct copy *c, int depth)
{
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (depth > 16)
		return -ELOOP;
	if (mkdir(dst, 0700) < 0 && errno != EEXIST)
		return close(sfd), -errno;
	d = fdopendir(sfd);
	if (!d)
		return close(sfd), -errno;
	while (ret == 0 && (e = readdir(d)) != NULL) {
		char to[PATH_MAX], sub[PATH_MAX];
		struct stat st;
		int fd, out;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (++c->files > LAB_COPY_MAX_FILES) {
			ret = -EFBIG;
			break;
		}
		snprintf(to, sizeof(to), "%s/%s", dst, e->d_name);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
			if (c->log)
				labbuf_printf(c->log, "note: %s is not a regular file or folder (a "
					      "symlink?): not copied for the build\n", sub);
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = copy_dir(fd, to, sub, c, depth + 1);
			continue;
		}
		out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0) {
			ret = -errno;
		} else {
			ret = copy_fd(fd, out, c);
			close(out);
		}
		close(fd);
	}
	closedir(d);
	return ret;
}

int lab_copy_tree(const char *src, const char *dst, struct labbuf *log)
{
	struct copy c = { .log = log };
	int fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return copy_dir(fd, dst, "", &c, 0);
}

int lab_copy_file(const char *src, const char *dst)
{
	struct copy c = { 0 };
	char dir[PATH_MAX];
	struct stat st;
	int in, out, ret;

	snprintf(dir, sizeof(dir), "%s", dst);
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	in = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return -EINVAL;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	ret = copy_fd(in, out, &c);
	close(in);
	close(out);
	return ret;
}
