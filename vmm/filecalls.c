/* filecalls.c - file hypercalls confined to one host directory (see filecalls.h). */
#include "filecalls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "guestmem.h"
#include "portmap.h"

static const char *const names[VMM_FC__COUNT] = {
	[VMM_FC_OPEN] = "fileOpen",
	[VMM_FC_READ] = "fileRead",
	[VMM_FC_WRITE] = "fileWrite",
	[VMM_FC_SEEK] = "fileSeek",
	[VMM_FC_CLOSE] = "fileClose",
};

/* Parameter block size of each call, in 32-bit words; the last word is the result. */
static const unsigned words[VMM_FC__COUNT] = { 3, 4, 4, 4, 2 };

const char *vmm_fc_name(enum vmm_fc_id id)
{
	return (unsigned)id < VMM_FC__COUNT ? names[id] : "?";
}

void vmm_fc_init(struct vmm_fc *fc, struct vmm_vcpu *vcpu)
{
	memset(fc, 0, sizeof(*fc));
	fc->vcpu = vcpu;
	fc->dirfd = -1;
	for (int i = 0; i < VMM_FC_FILES; i++)
		fc->fd[i] = -1;
}

int vmm_fc_enable(struct vmm_fc *fc, const char *dir)
{
	int fd = open(dir, O_DIRECTORY | O_PATH | O_CLOEXEC);

	if (fd < 0)
		return vmm_fail(-errno, "--files %s: %s%s", dir, strerror(errno),
				errno == ENOTDIR ? " (give a directory)" : "");
	if (!fc->buf && !(fc->buf = malloc(VMM_FC_IO_MAX))) {
		close(fd);
		return vmm_fail(-ENOMEM, "--files: out of memory");
	}
	if (fc->dirfd >= 0)
		close(fc->dirfd);
	fc->dirfd = fd;
	return 0;
}

void vmm_fc_close(struct vmm_fc *fc)
{
	for (int i = 0; i < VMM_FC_FILES; i++) {
		if (fc->fd[i] >= 0)
			close(fc->fd[i]);
		fc->fd[i] = -1;
	}
	if (fc->dirfd >= 0)
		close(fc->dirfd);
	fc->dirfd = -1;
	free(fc->buf);
	fc->buf = NULL;
}

int vmm_fc_find(const struct vmm_fc *fc, uint16_t port)
{
	for (int i = 0; i < VMM_FC__COUNT; i++)
		if (fc->dev[i].io && fc->dev[i].base == port)
			return i;
	return -1;
}

/* Without openat2: refuse absolute paths and ".." components (the final symlink is
 * refused by O_NOFOLLOW; symlinked directories inside the tree are not checked). */
static int lexical_check(const char *path)
{
	const char *p = path;

	if (path[0] == '/')
		return -EXDEV;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return -EXDEV;
		p += len;
		while (*p == '/')
			p++;
	}
	return 0;
}

static int do_open(struct vmm_fc *fc, const char *path, uint32_t flags)
{
	static const int modes[3] = {
		O_RDONLY, O_RDWR | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_APPEND,
	};
	struct stat st;
	int slot, fd = -1, ret;

	if (flags > 2)
		return -EINVAL;
	for (slot = 0; slot < VMM_FC_FILES && fc->fd[slot] >= 0; slot++)
		;
	if (slot == VMM_FC_FILES)
		return -EMFILE;
	if (!fc->no_openat2) {
		struct open_how how = {
			.flags = (uint64_t)(modes[flags] | O_CLOEXEC | O_NONBLOCK | O_NOCTTY),
			.mode = modes[flags] & O_CREAT ? 0644 : 0,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};

		fd = (int)syscall(SYS_openat2, fc->dirfd, path, &how, sizeof(how));
		if (fd < 0 && errno == ENOSYS)
			fc->no_openat2 = true;
		else if (fd < 0)
			return -errno;
	}
	if (fc->no_openat2) {
		ret = lexical_check(path);
		if (ret < 0)
			return ret;
		fd = openat(fc->dirfd, path, modes[flags] | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW,
			    0644);
		if (fd < 0)
			return -errno;
	}
	/* Only regular files: no FIFOs, devices or directories (O_NONBLOCK kept open() from waiting). */
	ret = fstat(fd, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR
		: !S_ISREG(st.st_mode) ? -EACCES : 0;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	fc->fd[slot] = fd;
	return slot;
}

static int host_fd(struct vmm_fc *fc, int32_t gfd)
{
	return gfd >= 0 && gfd < VMM_FC_FILES ? fc->fd[gfd] : -1;
}

/* Run one call on its parameter block p (read from the guest); returns the result to store. */
static int32_t call(struct vmm_fc *fc, enum vmm_fc_id id, uint32_t *p)
{
	char path[VMM_FC_PATH_MAX];
	uint32_t len;
	ssize_t n;
	off_t off;
	int fd, ret;

	if (fc->dirfd < 0)
		return -EACCES;
	switch (id) {
	case VMM_FC_OPEN:
		ret = vmm_read_gstr(fc->vcpu, p[0], path, sizeof(path));
		if (ret == -E2BIG)
			return -ENAMETOOLONG;
		if (ret < 0)
			return -EFAULT;
		return do_open(fc, path, p[1]);
	case VMM_FC_READ:
	case VMM_FC_WRITE:
		fd = host_fd(fc, (int32_t)p[0]);
		if (fd < 0)
			return -EBADF;
		len = p[2] < VMM_FC_IO_MAX ? p[2] : VMM_FC_IO_MAX;
		/* The whole guest buffer must be there before any byte of the file moves. */
		if (vmm_read_gva(fc->vcpu, p[1], fc->buf, len) < 0)
			return -EFAULT;
		if (id == VMM_FC_WRITE) {
			n = write(fd, fc->buf, len);
			return n < 0 ? -errno : (int32_t)n;
		}
		n = read(fd, fc->buf, len);
		if (n < 0)
			return -errno;
		if (vmm_write_gva(fc->vcpu, p[1], fc->buf, (size_t)n) < 0)
			return -EFAULT;
		return (int32_t)n;
	case VMM_FC_SEEK:
		fd = host_fd(fc, (int32_t)p[0]);
		if (fd < 0)
			return -EBADF;
		if (p[2] > 2)
			return -EINVAL;
		off = lseek(fd, (off_t)(int32_t)p[1], (int)p[2]);  /* SEEK_SET/CUR/END are 0/1/2 */
		if (off < 0)
			return -errno;
		return off > INT32_MAX ? -EOVERFLOW : (int32_t)off;
	case VMM_FC_CLOSE:
		fd = host_fd(fc, (int32_t)p[0]);
		if (fd < 0)
			return -EBADF;
		fc->fd[p[0]] = -1;
		return close(fd) < 0 ? -errno : 0;
	default:
		return -ENOSYS;
	}
}

static int fc_io(struct vmm_pio_dev *dev, struct vmm_vcpu *vcpu, uint16_t port, bool in,
		 void *data, unsigned size)
{
	struct vmm_fc *fc = dev->ctx;
	enum vmm_fc_id id = (enum vmm_fc_id)(dev - fc->dev);
	uint32_t ptr, p[4];
	int32_t result;
	unsigned bytes = words[id] * 4;

	(void)vcpu;
	if (in || size != 4)
		return vmm_fail(-EPROTO, "%s (port 0x%x) takes a 32-bit OUT (outl) of a guest pointer, "
				"but the guest used %s of %u byte(s)", names[id], port, in ? "IN" : "OUT",
				size);
	memcpy(&ptr, data, 4);
	if (vmm_read_gva(fc->vcpu, ptr, p, bytes) < 0)
		return vmm_fail(-EFAULT, "%s: parameter block at 0x%x (%u bytes) is not mapped to "
				"guest memory", names[id], ptr, bytes);
	result = call(fc, id, p);
	if (vmm_write_gva(fc->vcpu, (uint64_t)ptr + bytes - 4, &result, 4) < 0)
		return vmm_fail(-EFAULT, "%s: parameter block at 0x%x (%u bytes) is not mapped to "
				"guest memory", names[id], ptr, bytes);
	return 0;
}

int vmm_fc_attach(struct vmm_fc *fc, struct vmm_pio_bus *bus, const struct vmm_portmap *ports)
{
	for (int i = 0; i < VMM_FC__COUNT; i++) {
		int ret;

		fc->dev[i] = (struct vmm_pio_dev){
			.name = names[i], .base = vmm_portmap_port(ports, VMM_PORTMAP_FC + i), .len = 1,
			.io = fc_io, .ctx = fc,
		};
		ret = vmm_pio_register(bus, &fc->dev[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}
