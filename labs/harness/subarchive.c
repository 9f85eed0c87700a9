/* subarchive.c - unpacking a submission archive that nobody trusts (see subarchive.h). */
#include "subarchive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"

#define MAX_DEPTH 64

void lab_archive_limits_default(struct lab_archive_limits *lim)
{
	*lim = (struct lab_archive_limits){
		.max_bytes = 64ull << 20,
		.max_members = 4096,
		.max_ratio = 200,
		.ratio_floor = 1u << 20,
		.max_path = 1024,
		.timeout_s = 30,
	};
}

/* A member's name as it may appear in a message: printable ASCII, at most 120 bytes. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && *s && i + 4 < len && i < 120; s++)
		buf[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	if (s && *s && i + 4 < len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* Split path into components (in buf): no absolute path, no "..", "." and empty skipped.
 * The number of components, or -EINVAL. */
static int split(const char *path, char *buf, size_t len, char **comp, int max)
{
	int n = 0;
	char *save = NULL, *tok;

	if (!path || path[0] == '/' || strlen(path) >= len)
		return -EINVAL;
	strcpy(buf, path);
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0 || n == max)
			return -EINVAL;
		comp[n++] = tok;
	}
	return n;
}

/* Open the folder comp[0..n-1] under root, each step with O_NOFOLLOW (a symlink on the way
 * gives ELOOP or ENOTDIR), creating missing folders when create.  A new fd or -errno. */
static int open_dirs(int root, char **comp, int n, bool create, unsigned *members)
{
	int fd = dup(root);

	if (fd < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		int next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp[i], 0755) < 0 && errno != EEXIST) {
				int err = -errno;

				close(fd);
				return err;
			}
			if (members)
				(*members)++;
			next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int err = errno == ENOTDIR || errno == ELOOP ? -ELOOP : -errno;

			close(fd);
			return err;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/* A symlink at depth `depth` (folders above it inside) may point to target: relative, ".."
 * only as leading components and no more of them than depth (see archive.h). */
static bool link_target_ok(const char *target, int depth)
{
	char buf[4096], *comp[MAX_DEPTH * 4];
	const char *p = target;
	int ups = 0;

	if (!target || !*target || target[0] == '/' || strlen(target) >= sizeof(buf))
		return false;
	while (strncmp(p, "../", 3) == 0 || strcmp(p, "..") == 0) {
		ups++;
		p += p[2] ? 3 : 2;
		while (*p == '/')
			p++;
	}
	if (ups > depth)
		return false;
	return split(p, buf, sizeof(buf), comp, MAX_DEPTH * 4) >= 0;   /* no later ".." */
}

struct unpack {
	struct archive *a;
	int root;
	const struct lab_archive_limits *lim;
	struct lab_archive_stats *st;
	uint64_t archive_size;
	char *err;
	size_t errlen;
};

static int refuse(struct unpack *u, int ret, const char *member, const char *why)
{
	char m[160];

	snprintf(u->err, u->errlen, "the archive is refused: %s%s%s", member ? "'" : "it ",
		 member ? shown(member, m, sizeof(m)) : "", member ? "' " : "");
	snprintf(u->err + strlen(u->err), u->errlen - strlen(u->err), "%s", why);
	return ret;
}

static int write_data(struct unpack *u, int fd, const char *name)
{
	char buf[65536];
	ssize_t n;

	while ((n = archive_read_data(u->a, buf, sizeof(buf))) != 0) {
		if (n < 0)
			return refuse(u, -EINVAL, name, archive_error_string(u->a) ?
				      archive_error_string(u->a) : "is corrupt");
		if (u->st->bytes + (uint64_t)n > u->lim->max_bytes) {
			char why[128];

			snprintf(why, sizeof(why), "goes past the limit of %llu MiB unpacked",
				 (unsigned long long)(u->lim->max_bytes >> 20));
			return refuse(u, -EFBIG, name, why);
		}
		if (u->st->bytes + (uint64_t)n > u->lim->ratio_floor &&
		    (u->st->bytes + (uint64_t)n) / (u->archive_size ? u->archive_size : 1) >
		    u->lim->max_ratio) {
			char why[160];

			snprintf(why, sizeof(why), "unpacks to more than %u times the archive's size "
				 "(a zip bomb?)", u->lim->max_ratio);
			return refuse(u, -EFBIG, name, why);
		}
		u->st->bytes += (uint64_t)n;   /* counted before it is written: never past a cap */
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return refuse(u, -errno, name, "could not be written");
			}
			off += w;
		}
	}
	return 0;
}

static int entry(struct unpack *u, struct archive_entry *e)
{
	const char *path = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	char buf[4096], *comp[MAX_DEPTH];
	int n, dfd, fd, ret = 0;

	if (!path || strlen(path) > u->lim->max_path)
		return refuse(u, -EINVAL, NULL, "holds a member whose name is missing or too long");
	n = split(path, buf, sizeof(buf), comp, MAX_DEPTH);
	if (n < 0)
		return refuse(u, -EINVAL, path, "points outside its folder (an absolute path, "
			      "'..' or too deep)");
	if (n == 0)
		return 0;   /* "./" */
	if (strcmp(comp[0], "__MACOSX") == 0)
		return 0;   /* macOS resource forks: not part of any submission */
	if (++u->st->members > u->lim->max_members) {
		char why[96];

		snprintf(why, sizeof(why), "has more than %u members", u->lim->max_members);
		return refuse(u, -EMLINK, NULL, why);
	}
	if (type == AE_IFDIR && !hard) {
		dfd = open_dirs(u->root, comp, n, true, NULL);
		if (dfd < 0)
			return refuse(u, dfd == -ELOOP ? -EINVAL : dfd, path, dfd == -ELOOP ?
				      "goes through a symlink or a file" : "could not be created");
		close(dfd);
		return 0;
	}
	dfd = open_dirs(u->root, comp, n - 1, true, &u->st->members);
	if (dfd < 0)
		return refuse(u, dfd == -ELOOP ? -EINVAL : dfd, path, dfd == -ELOOP ?
			      "goes through a symlink or a file" : "could not be created");
	if (hard) {
		char tbuf[4096], *tcomp[MAX_DEPTH];
		int tn = split(hard, tbuf, sizeof(tbuf), tcomp, MAX_DEPTH), tfd;
		struct stat sb;

		if (tn <= 0) {
			ret = refuse(u, -EINVAL, path, "is a hard link to outside its folder");
			goto out;
		}
		tfd = open_dirs(u->root, tcomp, tn - 1, false, NULL);
		if (tfd < 0 || fstatat(tfd, tcomp[tn - 1], &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(sb.st_mode) || linkat(tfd, tcomp[tn - 1], dfd, comp[n - 1], 0) < 0)
			ret = refuse(u, -EINVAL, path, "is a hard link to something that is not a "
				     "file unpacked before it");
		if (tfd >= 0)
			close(tfd);
		goto out;
	}
	switch (type) {
	case AE_IFREG:
		fd = openat(dfd, comp[n - 1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    (archive_entry_perm(e) & 0111) ? 0755 : 0644);
		if (fd < 0) {
			ret = refuse(u, errno == EEXIST ? -EINVAL : -errno, path, errno == EEXIST ?
				     "appears twice (or over a folder or link)" : "could not be created");
			goto out;
		}
		ret = write_data(u, fd, path);
		if (close(fd) < 0 && ret == 0)
			ret = refuse(u, -errno, path, "could not be written");
		break;
	case AE_IFLNK:
		if (!link_target_ok(archive_entry_symlink(e), n - 1)) {
			ret = refuse(u, -EINVAL, path, "is a symlink leading outside its folder");
			break;
		}
		if (symlinkat(archive_entry_symlink(e), dfd, comp[n - 1]) < 0)
			ret = refuse(u, errno == EEXIST ? -EINVAL : -errno, path, errno == EEXIST ?
				     "appears twice" : "could not be created");
		break;
	default:
		ret = refuse(u, -EINVAL, path, "is a device, FIFO or socket (only files, folders "
			     "and links inside are accepted)");
	}
out:
	close(dfd);
	return ret;
}

int lab_archive_unpack(const char *archive, const char *dest, const struct lab_archive_limits *lim,
		       struct lab_archive_stats *st, char *err, size_t errlen)
{
	int fd = open(archive, O_RDONLY | O_CLOEXEC), ret;

	memset(st, 0, sizeof(*st));
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "the archive cannot be read: %s", strerror(-ret));
		return ret;
	}
	ret = lab_archive_unpack_fd(fd, dest, lim, st, err, errlen);
	close(fd);
	return ret;
}

int lab_archive_unpack_fd(int fd, const char *dest, const struct lab_archive_limits *lim,
			  struct lab_archive_stats *st, char *err, size_t errlen)
{
	struct unpack u = { .lim = lim, .st = st, .err = err, .errlen = errlen };
	struct archive_entry *e;
	struct stat sb;
	int r, ret = 0;

	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	if (fstat(fd, &sb) < 0) {
		ret = -errno;
		snprintf(err, errlen, "the archive cannot be read: %s", strerror(-ret));
		return ret;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "the archive is not a regular file");
		return -EINVAL;
	}
	u.archive_size = (uint64_t)sb.st_size;
	u.root = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (u.root < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the folder to unpack into: %s", strerror(-ret));
		return ret;
	}
	u.a = archive_read_new();
	if (!u.a) {
		close(u.root);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	archive_read_support_filter_gzip(u.a);
	archive_read_support_filter_bzip2(u.a);
	archive_read_support_filter_xz(u.a);
	archive_read_support_format_tar(u.a);
	archive_read_support_format_gnutar(u.a);
	archive_read_support_format_zip(u.a);
	if (archive_read_open_fd(u.a, fd, 65536) != ARCHIVE_OK) {
		ret = refuse(&u, -EINVAL, NULL, "is not a zip or tar archive this grader reads");
		goto out;
	}
	while ((r = archive_read_next_header(u.a, &e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			char why[200];

			snprintf(why, sizeof(why), "is corrupt or of an unknown kind (%.150s)",
				 archive_error_string(u.a) ? archive_error_string(u.a) : "unreadable");
			ret = refuse(&u, -EINVAL, NULL, why);
			goto out;
		}
		ret = entry(&u, e);
		if (ret < 0)
			goto out;
	}
out:
	archive_read_free(u.a);
	close(u.root);
	return ret;
}

/* ---- names ----------------------------------------------------------------- */

bool lab_archive_name(const char *name, size_t *stem_len)
{
	static const char *const ends[] = { ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2",
					    ".txz", ".tar", ".zip" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t e = strlen(ends[i]);

		if (n > e && strcasecmp(name + n - e, ends[i]) == 0) {
			if (stem_len)
				*stem_len = n - e;
			return true;
		}
	}
	return false;
}

bool lab_archive_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 127 || id[0] == '.')
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(".-@+", *p)))
			return false;
	return true;
}

int lab_archive_student_id(const char *name, char *id, size_t len)
{
	const char *base = strrchr(name, '/');
	size_t stem;

	base = base ? base + 1 : name;
	if (!lab_archive_name(base, &stem))
		stem = strlen(base);
	for (size_t i = 0; i < stem; i++)
		if (base[i] == '_') {
			stem = i;
			break;
		}
	if (stem == 0 || stem >= len || stem > 127)
		return -EINVAL;
	memcpy(id, base, stem);
	id[stem] = '\0';
	return lab_archive_id_ok(id) ? 0 : -EINVAL;
}
