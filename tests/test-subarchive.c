/* test-subarchive.c - the submission unpacker against archives written here with libarchive:
 * good ones (folders, files, links inside) and hostile ones (paths out, links out, devices,
 * twice the same member, a bomb, past the caps, corrupt), each refused with nothing written
 * outside its folder, in the sandbox (kvmlab-unpack) and, for the bomb, in the forked child
 * --no-sandbox uses; and student ids from archive names. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runner.h"
#include "sandbox.h"
#include "subarchive.h"
#include "testkit.h"

static char top[256];

enum kind { F, D, L, H, DEV };

struct member {
	enum kind kind;
	const char *path;
	const char *data;         /* file contents; link target */
	size_t zeros;             /* F: this many zero bytes instead of data */
	bool random;              /* F: `zeros` random bytes instead */
};

/* Write members into an archive at path; zip or tar.gz by `zip`. */
static void make(const char *path, bool zip, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	if (zip) {
		archive_write_set_format_zip(a);
	} else {
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
	}
	archive_write_open_filename(a, path);
	for (size_t i = 0; i < n; i++) {
		size_t size = m[i].kind == F ? (m[i].zeros ? m[i].zeros : strlen(m[i].data)) : 0;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, m[i].path);
		archive_entry_set_perm(e, 0644);
		switch (m[i].kind) {
		case F: archive_entry_set_filetype(e, AE_IFREG); break;
		case D: archive_entry_set_filetype(e, AE_IFDIR); break;
		case L:
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, m[i].data);
			break;
		case H:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, m[i].data);
			break;
		case DEV:
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdev(e, makedev(1, 3));
			break;
		}
		archive_entry_set_size(e, (la_int64_t)size);
		archive_write_header(a, e);
		if (m[i].kind == F && m[i].zeros) {
			static char buf[65536];

			for (size_t off = 0; off < size; off += sizeof(buf)) {
				size_t k = size - off < sizeof(buf) ? size - off : sizeof(buf);

				if (m[i].random)
					for (size_t j = 0; j < k; j++)
						buf[j] = (char)rand();
				else
					memset(buf, 0, k);
				archive_write_data(a, buf, k);
			}
		} else if (m[i].kind == F) {
			archive_write_data(a, m[i].data, size);
		}
	}
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
}

static int casen;

/* Unpack members (as zip or tar.gz) into a fresh folder under top; the return value. */
static int unpack(const struct member *m, size_t n, bool zip, const struct lab_archive_limits *lim,
		  char *dest, char *err, size_t errlen, struct lab_archive_stats *st)
{
	char arch[512];
	struct lab_archive_limits def;

	casen++;
	snprintf(arch, sizeof(arch), "%s/a%d.%s", top, casen, zip ? "zip" : "tar.gz");
	snprintf(dest, 400, "%s/d%d/sub", top, casen);
	make(arch, zip, m, n);
	snprintf(err, errlen, "%s/d%d", top, casen);
	mkdir(err, 0755);
	mkdir(dest, 0755);
	if (!lim) {
		lab_archive_limits_default(&def);
		lim = &def;
	}
	return lab_archive_unpack_isolated(arch, dest, lim, st, err, errlen);
}

static bool exists(const char *fmt, const char *a)
{
	char p[600];
	struct stat sb;

	snprintf(p, sizeof(p), fmt, a);
	return lstat(p, &sb) == 0;
}

static void refused(const struct member *m, size_t n, const char *why, const char *outside)
{
	char dest[400], err[512];
	struct lab_archive_stats st;

	for (int zip = 0; zip < 2; zip++) {
		int ret = unpack(m, n, zip, NULL, dest, err, sizeof(err), &st);

		CHECK_MSG(ret == -EINVAL, "case %d (%s): %d %s", casen, why, ret, err);
		CHECK_MSG(strstr(err, why) != NULL, "case %d: '%s' lacks '%s'", casen, err, why);
		if (outside && outside[0] == '/')
			CHECK_MSG(!exists("%s", outside), "case %d: %s was written", casen, outside);
		else if (outside)
			CHECK_MSG(!exists("%s/../evil", dest), "case %d: ../evil was written", casen);
	}
}

static void good(void)
{
	static const struct member m[] = {
		{ D, "sub/", NULL, 0, false },
		{ F, "sub/guest.c", "int main;\n", 0, false },
		{ F, "./handlers.c", "void h(void) {}\n", 0, false },
		{ L, "sub/link", "guest.c", 0, false },
		{ L, "sub/up", "../handlers.c", 0, false },
		{ H, "hard.c", "handlers.c", 0, false },
		{ F, "__MACOSX/._guest.c", "junk", 0, false },
	};
	char dest[400], err[512], p[600], buf[64];
	struct lab_archive_stats st;

	for (int zip = 0; zip < 2; zip++) {
		int ret = unpack(m, sizeof(m) / sizeof(m[0]) - (zip ? 2 : 0), zip, NULL, dest, err,
				 sizeof(err), &st);
		int fd;
		ssize_t k;

		CHECK_MSG(ret == 0, "good archive (%s): %d %s", zip ? "zip" : "tar", ret, err);
		snprintf(p, sizeof(p), "%s/sub/link", dest);
		fd = open(p, O_RDONLY);
		k = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		CHECK(k == 10 && memcmp(buf, "int main;\n", 10) == 0);
		CHECK(exists("%s/sub/up", dest));
		CHECK(!exists("%s/__MACOSX", dest));
		if (!zip)
			CHECK(exists("%s/hard.c", dest));
		CHECK(st.bytes > 0 && st.members >= 4);
	}
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dest[400], err[512], cmd[420];
	struct lab_archive_stats st;
	struct lab_archive_limits lim;
	char id[128];
	int ret;

	snprintf(top, sizeof(top), "%s/test-subarchive-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top))
		return 1;
	good();
	{
		const struct member m[] = { { F, "../evil", "x", 0, false } };

		refused(m, 1, "points outside its folder", "../evil");
	}
	{
		char abs[400];
		const struct member m[] = { { F, abs, "x", 0, false } };

		snprintf(abs, sizeof(abs), "%s/absolute", top);
		refused(m, 1, "points outside its folder", abs);
	}
	{
		const struct member m[] = { { F, "a/../../evil", "x", 0, false } };

		refused(m, 1, "points outside its folder", NULL);
	}
	{
		const struct member m[] = { { L, "shadow", "/etc/shadow", 0, false } };

		refused(m, 1, "symlink leading outside", NULL);
	}
	{
		const struct member m[] = { { L, "a/l", "../../evil", 0, false } };

		refused(m, 1, "symlink leading outside", NULL);
	}
	{
		const struct member m[] = { { L, "l", "a/../..", 0, false } };

		refused(m, 1, "symlink leading outside", NULL);
	}
	{	/* a link inside, then a member written through it */
		const struct member m[] = { { D, "real", NULL, 0, false }, { L, "d", "real", 0, false },
					    { F, "d/f", "x", 0, false } };

		refused(m, 3, "goes through a symlink", NULL);
	}
	{	/* a link out, then a member written through it: refused at the link */
		const struct member m[] = { { L, "d", "..", 0, false }, { F, "d/evil", "x", 0, false } };

		refused(m, 2, "symlink leading outside", "../evil");
	}
	{
		const struct member m[] = { { H, "h", "/etc/passwd", 0, false } };

		ret = unpack(m, 1, false, NULL, dest, err, sizeof(err), &st);
		CHECK_MSG(ret == -EINVAL && strstr(err, "hard link"), "hard link out: %d %s", ret, err);
	}
	{
		const struct member m[] = { { F, "x", "1", 0, false }, { H, "h", "../x", 0, false } };

		ret = unpack(m, 2, false, NULL, dest, err, sizeof(err), &st);
		CHECK_MSG(ret == -EINVAL && strstr(err, "hard link"), "hard link up: %d %s", ret, err);
	}
	{
		const struct member m[] = { { DEV, "null", NULL, 0, false } };

		ret = unpack(m, 1, false, NULL, dest, err, sizeof(err), &st);
		CHECK_MSG(ret == -EINVAL && strstr(err, "device"), "device: %d %s", ret, err);
		CHECK(!exists("%s/null", dest));
	}
	{
		const struct member m[] = { { F, "guest.c", "1", 0, false }, { F, "guest.c", "2", 0, false } };

		refused(m, 2, "appears twice", NULL);
	}
	{	/* a bomb: 100 MiB of zeros (a 100 KiB archive); stops at the ratio, far below
		 * the 64 MiB cap */
		const struct member m[] = { { F, "zeros", NULL, 100u << 20, false } };
		struct lab_archive_limits off;

		for (int zip = 0; zip < 2; zip++) {
			ret = unpack(m, 1, zip, NULL, dest, err, sizeof(err), &st);
			CHECK_MSG(ret == -EFBIG && strstr(err, "zip bomb"), "bomb: %d %s", ret, err);
			CHECK_MSG(st.bytes > (1u << 20) && st.bytes < (48u << 20),
				  "bomb: the child says %llu bytes", (unsigned long long)st.bytes);
			snprintf(cmd, sizeof(cmd), "%s/zeros", dest);
			CHECK_MSG(!exists("%s", cmd), "bomb: a refused archive leaves nothing behind");
		}
		/* the same with the sandbox turned off (--no-sandbox): a forked child with limits */
		lab_archive_limits_default(&off);
		off.sandbox_off = true;
		ret = unpack(m, 1, true, &off, dest, err, sizeof(err), &st);
		CHECK_MSG(ret == -EFBIG && strstr(err, "zip bomb"), "bomb, no sandbox: %d %s", ret, err);
		CHECK_MSG(st.bytes > (1u << 20) && st.bytes < (48u << 20), "bomb, no sandbox: %llu",
			  (unsigned long long)st.bytes);
	}
	{	/* past the byte cap with bytes that do not compress */
		const struct member m[] = { { F, "noise", NULL, 3u << 20, true } };

		lab_archive_limits_default(&lim);
		lim.max_bytes = 2u << 20;
		ret = unpack(m, 1, false, &lim, dest, err, sizeof(err), &st);
		CHECK_MSG(ret == -EFBIG && strstr(err, "limit of 2 MiB"), "cap: %d %s", ret, err);
	}
	{	/* past the member cap */
		struct member m[40];
		char names[40][16];

		for (int i = 0; i < 40; i++) {
			snprintf(names[i], sizeof(names[i]), "f%d", i);
			m[i] = (struct member){ F, names[i], "x", 0, false };
		}
		lab_archive_limits_default(&lim);
		lim.max_members = 30;
		ret = unpack(m, 40, true, &lim, dest, err, sizeof(err), &st);
		CHECK_MSG(ret == -EMLINK && strstr(err, "more than 30 members"), "members: %d %s", ret,
			  err);
	}
	{	/* not an archive */
		char arch[400];
		int fd;

		snprintf(arch, sizeof(arch), "%s/junk.tar.gz", top);
		fd = open(arch, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		CHECK(fd >= 0 && write(fd, "this is not a tarball at all, sorry\n", 36) == 36);
		close(fd);
		snprintf(dest, sizeof(dest), "%s/junk", top);
		mkdir(dest, 0755);
		lab_archive_limits_default(&lim);
		ret = lab_archive_unpack_isolated(arch, dest, &lim, &st, err, sizeof(err));
		CHECK_MSG(ret == -EINVAL && strstr(err, "refused"), "junk: %d %s", ret, err);
	}
	/* student ids */
	CHECK(lab_archive_student_id("22b0001_assignment2.tar.gz", id, sizeof(id)) == 0 &&
	      strcmp(id, "22b0001") == 0);
	CHECK(lab_archive_student_id("dir/alice@uni.edu.zip", id, sizeof(id)) == 0 &&
	      strcmp(id, "alice@uni.edu") == 0);
	CHECK(lab_archive_student_id("x.tgz", id, sizeof(id)) == 0 && strcmp(id, "x") == 0);
	CHECK(lab_archive_student_id(".hidden.zip", id, sizeof(id)) == -EINVAL);
	CHECK(lab_archive_student_id("_x.zip", id, sizeof(id)) == -EINVAL);
	CHECK(lab_archive_student_id("a b.zip", id, sizeof(id)) == -EINVAL);
	CHECK(lab_archive_student_id("a\nb.zip", id, sizeof(id)) == -EINVAL);
	CHECK(lab_archive_name("A.TAR.GZ", NULL) && !lab_archive_name("a.gz", NULL) &&
	      !lab_archive_name(".zip", NULL));
	CHECK(lab_rmtree(top) == 0 && !exists("%s", top));
	return check_summary();
}
