/* loader.c - ELF and flat images into guest memory, every byte checked before it is copied. */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "vm.h"

#define MAX_SEGMENTS 64

/* Open path as a regular, non-empty file; *size gets its length. */
static int open_image(const char *path, off_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO must not block */

	if (fd < 0)
		return vmm_fail(-errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vmm_fail(-EINVAL, "%s: not a regular file (a guest image is a file)", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return vmm_fail(-EINVAL, "%s: the file is empty", path);
	}
	*size = st.st_size;
	return fd;
}

int vmm_load_bytes(struct vmm_vm *vm, const void *bytes, uint64_t len, uint64_t addr,
		   struct vmm_image *img)
{
	void *dst = vmm_vm_gpa(vm, addr, len);

	if (!dst || len == 0)
		return vmm_fail(-EFBIG, "image of %llu bytes at 0x%llx does not fit guest memory "
				"(0x0-0x%llx): use a larger --mem or a lower address",
				(unsigned long long)len, (unsigned long long)addr,
				(unsigned long long)vm->mem_size - 1);
	memcpy(dst, bytes, len);
	*img = (struct vmm_image){ .entry = addr, .lo = addr, .hi = addr + len };
	return 0;
}

int vmm_load_flat(struct vmm_vm *vm, const char *path, uint64_t addr, struct vmm_image *img)
{
	off_t size = 0;
	ssize_t got;
	void *dst;
	int fd = open_image(path, &size);

	if (fd < 0)
		return fd;
	dst = vmm_vm_gpa(vm, addr, (uint64_t)size);
	if (!dst) {
		close(fd);
		return vmm_fail(-EFBIG, "%s: %lld bytes at 0x%llx do not fit in %llu bytes of guest "
				"memory: use a larger --mem or a lower --flat address", path,
				(long long)size, (unsigned long long)addr,
				(unsigned long long)vm->mem_size);
	}
	got = pread(fd, dst, (size_t)size, 0);
	close(fd);
	if (got != size)
		return vmm_fail(-EIO, "%s: short read", path);
	*img = (struct vmm_image){ .entry = addr, .lo = addr, .hi = addr + (uint64_t)size };
	return 0;
}

/* Read the optional .kvmlab.mode section naming the guest's start mode. */
static void read_mode_note(Elf *elf, struct vmm_image *img)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;
		char mode[16];

		if (!gelf_getshdr(scn, &sh))
			return;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".kvmlab.mode") != 0)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size == 0 || d->d_size >= sizeof(mode))
			return;
		memcpy(mode, d->d_buf, d->d_size);
		mode[d->d_size] = '\0';
		img->has_mode = vmm_mode_parse(mode, &img->mode) == 0;
		return;
	}
}

/* Check every PT_LOAD against the file and guest memory; fill the image extent. */
static int check_segments(struct vmm_vm *vm, const char *path, Elf *elf, off_t fsize, size_t n,
			  struct vmm_image *img)
{
	int nload = 0;
	bool entry_ok = false;

	img->lo = UINT64_MAX;
	img->hi = 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return vmm_fail(-EINVAL, "%s: program header %zu is unreadable (truncated file?)",
					path, i);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		nload++;
		if (ph.p_filesz > ph.p_memsz)
			return vmm_fail(-EINVAL, "%s: segment %zu has more file bytes (%llu) than memory "
					"bytes (%llu)", path, i, (unsigned long long)ph.p_filesz,
					(unsigned long long)ph.p_memsz);
		if (ph.p_offset > (uint64_t)fsize || ph.p_filesz > (uint64_t)fsize - ph.p_offset)
			return vmm_fail(-EINVAL, "%s: segment %zu claims file bytes 0x%llx+0x%llx but the "
					"file has only %lld bytes (truncated?)", path, i,
					(unsigned long long)ph.p_offset,
					(unsigned long long)ph.p_filesz, (long long)fsize);
		if (!vmm_vm_gpa(vm, ph.p_paddr, ph.p_memsz))
			return vmm_fail(-EFBIG, "%s: segment %zu at 0x%llx-0x%llx lies outside guest "
					"memory (0x0-0x%llx): use a larger --mem or relink the guest",
					path, i, (unsigned long long)ph.p_paddr,
					(unsigned long long)(ph.p_paddr + ph.p_memsz - 1),
					(unsigned long long)vm->mem_size - 1);
		if (ph.p_paddr < img->lo)
			img->lo = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > img->hi)
			img->hi = ph.p_paddr + ph.p_memsz;
		if ((ph.p_flags & PF_X) && img->entry >= ph.p_paddr &&
		    img->entry - ph.p_paddr < ph.p_memsz)
			entry_ok = true;
	}
	if (nload == 0)
		return vmm_fail(-EINVAL, "%s: no loadable segment (PT_LOAD) in this ELF file", path);
	if (!entry_ok)
		return vmm_fail(-EINVAL, "%s: entry point 0x%llx is not inside an executable segment "
				"in guest memory", path, (unsigned long long)img->entry);
	return 0;
}

static int copy_segments(struct vmm_vm *vm, const char *path, int fd, Elf *elf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		uint8_t *dst;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		dst = vmm_vm_gpa(vm, ph.p_paddr, ph.p_memsz);
		if (pread(fd, dst, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
			return vmm_fail(-EIO, "%s: short read of segment %zu", path, i);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz); /* .bss */
	}
	return 0;
}

int vmm_load_elf(struct vmm_vm *vm, const char *path, struct vmm_image *img)
{
	off_t fsize = 0;
	Elf *elf = NULL;
	GElf_Ehdr eh;
	size_t nph;
	int ret, fd = open_image(path, &fsize);

	if (fd < 0)
		return fd;
	memset(img, 0, sizeof(*img));
	if (elf_version(EV_CURRENT) == EV_NONE) {
		ret = vmm_fail(-ENOTSUP, "libelf is too old");
		goto out;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		ret = vmm_fail(-ENOEXEC, "%s: not an ELF file (for a raw binary use --flat ADDR)", path);
		goto out;
	}
	if (!gelf_getehdr(elf, &eh)) {
		ret = vmm_fail(-ENOEXEC, "%s: truncated ELF header", path);
		goto out;
	}
	if (eh.e_shoff > (uint64_t)fsize ||
	    (uint64_t)eh.e_shnum * eh.e_shentsize > (uint64_t)fsize - eh.e_shoff) {
		ret = vmm_fail(-ENOEXEC, "%s: truncated ELF file: its section headers end past its "
			       "%lld bytes", path, (long long)fsize);
		goto out;
	}
	if (eh.e_type != ET_EXEC) {
		ret = vmm_fail(-ENOEXEC, "%s: ELF type %u is not an executable (ET_EXEC): link the "
			       "guest with -static -no-pie", path, eh.e_type);
		goto out;
	}
	if (eh.e_machine != EM_X86_64 && eh.e_machine != EM_386) {
		ret = vmm_fail(-ENOEXEC, "%s: ELF machine %u is not x86 (EM_386 or EM_X86_64)", path,
			       eh.e_machine);
		goto out;
	}
	if (elf_getphdrnum(elf, &nph) != 0 || nph > MAX_SEGMENTS) {
		ret = vmm_fail(-ENOEXEC, "%s: program headers unreadable or too many", path);
		goto out;
	}
	img->entry = eh.e_entry;
	img->elf_class = gelf_getclass(elf) == ELFCLASS64 ? 64 : 32;
	ret = check_segments(vm, path, elf, fsize, nph, img);
	if (ret == 0)
		ret = copy_segments(vm, path, fd, elf, nph);
	if (ret == 0)
		read_mode_note(elf, img);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}
