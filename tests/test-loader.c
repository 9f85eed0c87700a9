/* test-loader.c - vmm_load_elf and vmm_load_flat on good guests and on every kind of bad file.
 *
 * The loader needs guest memory, not KVM: each test hands it a struct vmm_vm with only
 * .mem and .mem_size filled in.  The ELF files are the real guests (GUESTS_DIR, set by
 * meson to the guests build folder) and copies of them cut short or patched, written to
 * a fresh temporary folder.  Every refused file must leave guest memory exactly as it
 * was (checked byte for byte): the loader checks everything before it copies anything.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testkit.h"
#include "error.h"
#include "loader.h"
#include "vm.h"

#define MEM_2M (2u << 20)
#define FILL 0xa5

static const char *guests_dir;
static char tmpdir[256];
static uint8_t *mem;
static struct vmm_vm vm;

struct file {
	uint8_t *data;
	size_t size;
};

static void die(const char *what)
{
	fprintf(stderr, "test-loader: %s\n", what);
	exit(1);
}

static struct file read_guest(const char *name)
{
	char path[512];
	struct file f = { 0 };
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", guests_dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "test-loader: cannot open %s (is GUESTS_DIR right?)\n", path);
		exit(1);
	}
	f.size = (size_t)st.st_size;
	f.data = malloc(f.size);
	if (!f.data || read(fd, f.data, f.size) != (ssize_t)f.size)
		die("cannot read a guest");
	close(fd);
	return f;
}

/* Write len bytes of data to tmpdir/name; returns the path (static buffer). */
static const char *write_tmp(const char *name, const void *data, size_t len)
{
	static char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len) || close(fd) < 0)
		die("cannot write a temporary file");
	return path;
}

/* Fresh guest memory of size bytes, all FILL. */
static void reset_mem(uint64_t size)
{
	memset(mem, FILL, MEM_2M);
	vm = (struct vmm_vm){ .mem = mem, .mem_size = size, .kvm_fd = -1, .vm_fd = -1 };
	vmm_clear_error();
}

/* Index of the first byte of guest memory that is not FILL, or -1. */
static long first_touched(void)
{
	for (size_t i = 0; i < MEM_2M; i++)
		if (mem[i] != FILL)
			return (long)i;
	return -1;
}

/* A refused load: negative errno err, a message containing what, memory untouched. */
#define CHECK_REFUSED(call, err, what)                                                    \
	do {                                                                               \
		int r_ = (call);                                                           \
		CHECK_EQ(r_, (unsigned long long)(long long)(err));                        \
		CHECK_CONTAINS(vmm_last_error(), (what));                                  \
		CHECK_EQ(first_touched(), (unsigned long long)-1ll);                       \
	} while (0)

/* ---- ELF header surgery on a copy --------------------------------------- */

static Elf64_Ehdr *eh64(struct file *f)
{
	return (Elf64_Ehdr *)f->data;
}

static Elf64_Phdr *ph64(struct file *f, int i)
{
	return (Elf64_Phdr *)(f->data + eh64(f)->e_phoff + (size_t)i * eh64(f)->e_phentsize);
}

static Elf32_Phdr *ph32(struct file *f, int i)
{
	Elf32_Ehdr *e = (Elf32_Ehdr *)f->data;

	return (Elf32_Phdr *)(f->data + e->e_phoff + (size_t)i * e->e_phentsize);
}

static struct file copy_of(const struct file *f)
{
	struct file c = { malloc(f->size), f->size };

	if (!c.data)
		die("out of memory");
	memcpy(c.data, f->data, f->size);
	return c;
}

/* ---- the tests ----------------------------------------------------------- */

static void test_not_a_file(void)
{
	struct vmm_image img;
	char path[512];

	snprintf(path, sizeof(path), "%s/does-not-exist", tmpdir);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOENT, "does-not-exist");
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_flat(&vm, path, 0, &img), -ENOENT, "No such file");

	/* A directory. */
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, tmpdir, &img), -EINVAL, "not a regular file");
	CHECK_CONTAINS(vmm_last_error(), tmpdir);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_flat(&vm, tmpdir, 0, &img), -EINVAL, "not a regular file");

	/* An empty file. */
	write_tmp("empty", "", 0);
	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "empty");
	CHECK_CONTAINS(vmm_last_error(), path);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_flat(&vm, path, 0, &img), -EINVAL, "empty");
}

static void test_not_elf(void)
{
	static const char text[] = "#!/bin/sh\necho this is not a guest\n";
	struct file f = read_guest("hello-flat-64.bin");
	struct vmm_image img;
	const char *path;

	reset_mem(MEM_2M);
	path = write_tmp("script.sh", text, sizeof(text) - 1);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOEXEC, "not an ELF file");
	CHECK_CONTAINS(vmm_last_error(), "--flat");
	CHECK_CONTAINS(vmm_last_error(), "script.sh");

	/* A flat guest image given as ELF: same answer. */
	reset_mem(MEM_2M);
	path = write_tmp("flat.bin", f.data, f.size);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOEXEC, "not an ELF file");

	/* Just the magic, nothing after it. */
	reset_mem(MEM_2M);
	path = write_tmp("magic", ELFMAG, SELFMAG);
	CHECK(vmm_load_elf(&vm, path, &img) < 0);
	CHECK(vmm_last_error()[0] != '\0');
	CHECK_EQ(first_touched(), (unsigned long long)-1ll);
	free(f.data);
}

/* One past the last file byte any PT_LOAD segment needs. */
static uint64_t seg_file_end(struct file *f)
{
	int is64 = f->data[EI_CLASS] == ELFCLASS64;
	int n = is64 ? eh64(f)->e_phnum : ((Elf32_Ehdr *)f->data)->e_phnum;
	uint64_t end = 0;

	for (int i = 0; i < n; i++) {
		uint64_t type = is64 ? ph64(f, i)->p_type : ph32(f, i)->p_type;
		uint64_t e = is64 ? ph64(f, i)->p_offset + ph64(f, i)->p_filesz
				  : ph32(f, i)->p_offset + ph32(f, i)->p_filesz;

		if (type == PT_LOAD && e > end)
			end = e;
	}
	return end;
}

/* Every prefix of the guest that cuts into its headers or segment bytes is refused. */
static void check_truncations(const char *name)
{
	struct file f = read_guest(name);
	uint64_t seg_end = seg_file_end(&f);
	struct vmm_image img;
	int bad_accept = 0, bad_touch = 0, bad_msg = 0, first_bad = -1;
	int nref = 0, nacc = 0;

	for (size_t cut = 1; cut < f.size; cut++) {
		const char *path;
		int r;

		/* Every length through the headers, around the segment's end and in the
		 * last 64 bytes; every 11th elsewhere (each load checks 2 MiB of memory). */
		if (cut > 512 && cut + 64 < f.size && (cut + 8 < seg_end || cut > seg_end + 8) &&
		    cut % 11 != 0)
			continue;
		path = write_tmp("truncated", f.data, cut);

		reset_mem(MEM_2M);
		r = vmm_load_elf(&vm, path, &img);
		if (r < 0) {
			nref++;
			if (first_touched() != -1)
				bad_touch++;
			if (!strstr(vmm_last_error(), "truncated"))
				bad_msg += !strstr(vmm_last_error(), "not an ELF");
		} else {
			/* Even a cut after the last segment byte loses the section headers,
			 * and with them .kvmlab.mode: a hello-16 cut there would start in
			 * protected mode instead of real mode.  Refuse every cut. */
			nacc++;
			bad_accept++;
			if (first_bad < 0)
				first_bad = (int)cut;
		}
	}
	if (first_bad >= 0)
		fprintf(stderr, "%s: a cut to %d bytes of %zu was accepted%s\n", name, first_bad,
			f.size, (uint64_t)first_bad < seg_end ? " (it cuts into a segment)" : "");
	printf("%s (%zu bytes): %d cuts refused, %d accepted (the last segment byte ends at "
	       "%llu)\n", name, f.size, nref, nacc, (unsigned long long)seg_end);
	CHECK_EQ(bad_accept, 0);  /* every cut is refused */
	CHECK_EQ(bad_touch, 0);   /* and leaves memory alone */
	CHECK_EQ(bad_msg, 0);     /* and says "truncated" (or "not an ELF" for a cut header) */
	free(f.data);
}

static void test_truncated(void)
{
	struct file f = read_guest("hello-64");
	struct vmm_image img;
	const char *path;

	/* A few cuts, message by message. */
	reset_mem(MEM_2M);
	path = write_tmp("hello-64.cut40", f.data, 40);  /* inside the ELF header */
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOEXEC, "hello-64.cut40");
	reset_mem(MEM_2M);
	path = write_tmp("hello-64.cut100", f.data, 100);  /* inside the program headers */
	CHECK(vmm_load_elf(&vm, path, &img) < 0);
	CHECK_CONTAINS(vmm_last_error(), "hello-64.cut100");
	CHECK_EQ(first_touched(), (unsigned long long)-1ll);
	reset_mem(MEM_2M);
	path = write_tmp("hello-64.cut0x1010", f.data, 0x1010);  /* inside .text */
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOEXEC, "truncated");
	reset_mem(MEM_2M);
	path = write_tmp("hello-64.cut-1", f.data, f.size - 1);  /* only the last byte gone */
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOEXEC, "truncated");
	free(f.data);

	/* Every length, for a 64-bit and a 32-bit guest. */
	check_truncations("hello-64");
	check_truncations("hello-16");
	check_truncations("boot");
}

static void test_outside_memory(void)
{
	struct file f = read_guest("hello-64"), c;
	struct vmm_image img;
	const char *path;

	/* Segment moved to 256 MiB: beyond 2 MiB of memory. */
	c = copy_of(&f);
	ph64(&c, 0)->p_paddr = 0x10000000;
	ph64(&c, 0)->p_vaddr = 0x10000000;
	path = write_tmp("high-segment", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EFBIG, "outside guest memory");
	CHECK_CONTAINS(vmm_last_error(), "0x10000000");
	CHECK_CONTAINS(vmm_last_error(), "--mem");
	free(c.data);

	/* Segment straddling the end of 64 KiB of memory (fits in 2 MiB). */
	c = copy_of(&f);
	ph64(&c, 0)->p_paddr = 0x10000 - 0x20;
	eh64(&c)->e_entry = 0x10000 - 0x20;
	path = write_tmp("straddle", c.data, c.size);
	reset_mem(64 << 10);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EFBIG, "outside guest memory");
	reset_mem(MEM_2M);
	CHECK_EQ(vmm_load_elf(&vm, path, &img), 0);
	CHECK_EQ(img.entry, 0x10000 - 0x20);
	free(c.data);

	/* Address + size wrapping around 2^64. */
	c = copy_of(&f);
	ph64(&c, 0)->p_paddr = 0xffffffffffffffe0ull;
	path = write_tmp("wrap", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EFBIG, "outside guest memory");
	free(c.data);

	/* A huge p_memsz (bss of 2^64 - 1 bytes). */
	c = copy_of(&f);
	ph64(&c, 0)->p_memsz = UINT64_MAX;
	path = write_tmp("huge-bss", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EFBIG, "outside guest memory");
	free(c.data);

	/* More file bytes than memory bytes. */
	c = copy_of(&f);
	ph64(&c, 0)->p_memsz = ph64(&c, 0)->p_filesz - 1;
	path = write_tmp("filesz", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "more file bytes");
	free(c.data);

	/* File bytes beyond the end of the file (p_offset patched). */
	c = copy_of(&f);
	ph64(&c, 0)->p_offset = c.size - 4;
	path = write_tmp("offset", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "truncated");
	free(c.data);

	/* A 32-bit guest's segment out of memory too. */
	free(f.data);
	f = read_guest("hello-32");
	c = copy_of(&f);
	ph32(&c, 0)->p_paddr = 0x80000000u;
	path = write_tmp("high-32", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EFBIG, "outside guest memory");
	free(c.data);
	free(f.data);

	/* boot's bss (0x2000-0x4fff) needs 20 KiB; a 16 KiB "memory" cannot hold it. */
	f = read_guest("boot");
	path = write_tmp("boot", f.data, f.size);
	reset_mem(16 << 10);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EFBIG, "segment 1");
	reset_mem(0x5000);
	CHECK_EQ(vmm_load_elf(&vm, path, &img), 0);
	free(f.data);
}

static void test_entry(void)
{
	struct file f = read_guest("hello-64"), c;
	struct vmm_image img;
	uint64_t end = 0x1000 + ph64(&f, 0)->p_memsz;
	const char *path;

	/* Entry in no segment at all. */
	c = copy_of(&f);
	eh64(&c)->e_entry = 0x8000;
	path = write_tmp("entry-nowhere", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "entry point 0x8000");
	/* Outside guest memory altogether. */
	eh64(&c)->e_entry = 0x40000000;
	path = write_tmp("entry-high", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "entry point 0x40000000");
	/* One byte past the segment; the last byte of it is fine. */
	eh64(&c)->e_entry = end;
	path = write_tmp("entry-end", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "not inside an executable segment");
	eh64(&c)->e_entry = end - 1;
	path = write_tmp("entry-last", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_EQ(vmm_load_elf(&vm, path, &img), 0);
	CHECK_EQ(img.entry, end - 1);
	/* In a segment, but not an executable one. */
	ph64(&c, 0)->p_flags = PF_R | PF_W;
	eh64(&c)->e_entry = 0x1000;
	path = write_tmp("entry-noexec", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "not inside an executable segment");
	free(c.data);
	free(f.data);

	/* boot: entry moved into its bss (a data segment). */
	f = read_guest("boot");
	c = copy_of(&f);
	((Elf32_Ehdr *)c.data)->e_entry = 0x2000;
	path = write_tmp("boot-entry-bss", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "entry point 0x2000");
	free(c.data);
	free(f.data);
}

static void test_bad_headers(void)
{
	struct file f = read_guest("hello-64"), c;
	struct vmm_image img;
	const char *path;

	c = copy_of(&f);
	eh64(&c)->e_machine = EM_AARCH64;
	path = write_tmp("arm", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOEXEC, "not x86");
	free(c.data);

	c = copy_of(&f);
	eh64(&c)->e_type = ET_DYN;
	path = write_tmp("pie", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOEXEC, "not an executable");
	free(c.data);

	c = copy_of(&f);
	eh64(&c)->e_type = ET_REL;
	path = write_tmp("object.o", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -ENOEXEC, "-static -no-pie");
	free(c.data);

	/* No PT_LOAD: the text segment turned into PT_NULL. */
	c = copy_of(&f);
	ph64(&c, 0)->p_type = PT_NULL;
	path = write_tmp("noload", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_elf(&vm, path, &img), -EINVAL, "no loadable segment");
	free(c.data);

	/* Program headers said to lie past the end of the file. */
	c = copy_of(&f);
	eh64(&c)->e_phoff = c.size + 4096;
	path = write_tmp("phoff", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK(vmm_load_elf(&vm, path, &img) < 0);
	CHECK(vmm_last_error()[0] != '\0');
	CHECK_EQ(first_touched(), (unsigned long long)-1ll);
	free(c.data);

	/* An absurd number of program headers. */
	c = copy_of(&f);
	eh64(&c)->e_phnum = 0xfff0;
	path = write_tmp("phnum", c.data, c.size);
	reset_mem(MEM_2M);
	CHECK(vmm_load_elf(&vm, path, &img) < 0);
	CHECK_CONTAINS(vmm_last_error(), "program headers");
	CHECK_EQ(first_touched(), (unsigned long long)-1ll);
	free(c.data);
	free(f.data);
}

static void test_flat(void)
{
	static uint8_t big[(64 << 10) + 1];
	struct file f = read_guest("hello-flat-64.bin");
	struct vmm_image img;
	const char *path;

	/* Good: byte for byte at the address, entry = address, nothing else written. */
	path = write_tmp("hello-flat-64.bin", f.data, f.size);
	reset_mem(MEM_2M);
	CHECK_EQ(vmm_load_flat(&vm, path, 0, &img), 0);
	CHECK(memcmp(mem, f.data, f.size) == 0);
	CHECK_EQ(mem[f.size], FILL);
	CHECK_EQ(img.entry, 0);
	CHECK_EQ(img.lo, 0);
	CHECK_EQ(img.hi, f.size);
	CHECK_EQ(img.elf_class, 0);
	CHECK(!img.has_mode);
	reset_mem(MEM_2M);
	CHECK_EQ(vmm_load_flat(&vm, path, 0x7c00, &img), 0);
	CHECK(memcmp(mem + 0x7c00, f.data, f.size) == 0);
	CHECK_EQ(mem[0x7bff], FILL);
	CHECK_EQ(mem[0x7c00 + f.size], FILL);
	CHECK_EQ(img.entry, 0x7c00);
	/* Exactly at the top of memory. */
	reset_mem(MEM_2M);
	CHECK_EQ(vmm_load_flat(&vm, path, MEM_2M - f.size, &img), 0);
	CHECK_EQ(img.hi, MEM_2M);
	/* One byte over. */
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_flat(&vm, path, MEM_2M - f.size + 1, &img), -EFBIG, "do not fit");
	CHECK_CONTAINS(vmm_last_error(), "--flat");
	/* Addresses that overflow. */
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_flat(&vm, path, UINT64_MAX, &img), -EFBIG, "do not fit");
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_flat(&vm, path, UINT64_MAX - 8, &img), -EFBIG, "do not fit");
	free(f.data);

	/* An image larger than memory: 64 KiB + 1 into 64 KiB. */
	memset(big, 0x90, sizeof(big));
	path = write_tmp("big.bin", big, sizeof(big));
	reset_mem(64 << 10);
	CHECK_REFUSED(vmm_load_flat(&vm, path, 0, &img), -EFBIG, "--mem");
	CHECK_CONTAINS(vmm_last_error(), "65537 bytes");
	path = write_tmp("exact.bin", big, sizeof(big) - 1);
	reset_mem(64 << 10);
	CHECK_EQ(vmm_load_flat(&vm, path, 0, &img), 0);
	CHECK_EQ(img.hi, 64 << 10);

	/* vmm_load_bytes: the same checks on a buffer. */
	reset_mem(MEM_2M);
	CHECK_REFUSED(vmm_load_bytes(&vm, big, 0, 0x1000, &img), -EFBIG, "does not fit");
	reset_mem(64 << 10);
	CHECK_REFUSED(vmm_load_bytes(&vm, big, sizeof(big), 0, &img), -EFBIG, "does not fit");
	reset_mem(MEM_2M);
	CHECK_EQ(vmm_load_bytes(&vm, "\xf4", 1, 0x1000, &img), 0);
	CHECK_EQ(mem[0x1000], 0xf4);
	CHECK_EQ(img.entry, 0x1000);
	CHECK_EQ(img.hi, 0x1001);
}

/* Good ELF files: every segment byte in place, bss zero, nothing else written. */
static void test_good_elf(void)
{
	static const struct {
		const char *name;
		int elf_class;
		enum vmm_mode mode;
	} guests[] = {
		{ "hello-16", 32, VMM_MODE_REAL },
		{ "hello-32", 32, VMM_MODE_PROTECTED },
		{ "hello-64", 64, VMM_MODE_LONG },
		{ "boot", 32, VMM_MODE_REAL },
		{ "loop-64", 64, VMM_MODE_LONG },
		{ "tight-64", 64, VMM_MODE_LONG },
	};

	for (size_t g = 0; g < sizeof(guests) / sizeof(guests[0]); g++) {
		struct file f = read_guest(guests[g].name);
		struct vmm_image img;
		char path[512];
		uint64_t lo = UINT64_MAX, hi = 0;
		int bad = 0, nload = 0;
		int is64 = f.data[EI_CLASS] == ELFCLASS64;

		snprintf(path, sizeof(path), "%s/%s", guests_dir, guests[g].name);
		reset_mem(MEM_2M);
		CHECK_EQ(vmm_load_elf(&vm, path, &img), 0);
		CHECK_EQ(img.elf_class, guests[g].elf_class);
		CHECK(img.has_mode);
		CHECK_EQ(img.mode, guests[g].mode);
		CHECK_EQ(img.entry, 0x1000);   /* guest.ld puts _start there */
		for (int i = 0; i < (is64 ? eh64(&f)->e_phnum : ((Elf32_Ehdr *)f.data)->e_phnum); i++) {
			uint64_t type, off, paddr, filesz, memsz;

			if (is64) {
				Elf64_Phdr *p = ph64(&f, i);
				type = p->p_type, off = p->p_offset, paddr = p->p_paddr;
				filesz = p->p_filesz, memsz = p->p_memsz;
			} else {
				Elf32_Phdr *p = ph32(&f, i);
				type = p->p_type, off = p->p_offset, paddr = p->p_paddr;
				filesz = p->p_filesz, memsz = p->p_memsz;
			}
			if (type != PT_LOAD || memsz == 0)
				continue;
			nload++;
			if (memcmp(mem + paddr, f.data + off, filesz) != 0)
				bad++;
			for (uint64_t b = filesz; b < memsz; b++)   /* bss */
				bad += mem[paddr + b] != 0;
			for (uint64_t b = paddr; b < paddr + memsz; b++)
				mem[b] = FILL;                      /* erase what we checked */
			if (paddr < lo)
				lo = paddr;
			if (paddr + memsz > hi)
				hi = paddr + memsz;
		}
		CHECK(nload > 0);
		CHECK_EQ(bad, 0);
		CHECK_EQ(img.lo, lo);
		CHECK_EQ(img.hi, hi);
		/* Nothing outside the segments was written (erased above). */
		CHECK_EQ(first_touched(), (unsigned long long)-1ll);
		free(f.data);
	}

	/* boot's bss in detail: 0x2000-0x4fff zero, right after FILL. */
	{
		struct vmm_image img;
		char path[512];
		int nonzero = 0;

		snprintf(path, sizeof(path), "%s/boot", guests_dir);
		reset_mem(MEM_2M);
		CHECK_EQ(vmm_load_elf(&vm, path, &img), 0);
		for (unsigned a = 0x2000; a < 0x5000; a++)
			nonzero += mem[a] != 0;
		CHECK_EQ(nonzero, 0);
		CHECK_EQ(mem[0x5000], FILL);
		CHECK_EQ(mem[0xfff], FILL);
		CHECK_EQ(img.hi, 0x5000);
	}

	/* A copy without its .kvmlab.mode section name: loads, no mode. */
	{
		struct file f = read_guest("hello-64"), c = copy_of(&f);
		struct vmm_image img;
		const char *path;
		uint8_t *p = memmem(c.data, c.size, ".kvmlab.mode", 12);

		CHECK(p != NULL);
		if (p)
			memcpy(p, ".kvmlab.xxxx", 12);
		path = write_tmp("nomode", c.data, c.size);
		reset_mem(MEM_2M);
		CHECK_EQ(vmm_load_elf(&vm, path, &img), 0);
		CHECK(!img.has_mode);
		CHECK_EQ(img.elf_class, 64);
		free(c.data);
		free(f.data);
	}
}

static void cleanup(void)
{
	static const char *const names[] = {
		"empty", "script.sh", "flat.bin", "magic", "truncated", "hello-64.cut40",
		"hello-64.cut100", "hello-64.cut0x1010", "hello-64.cut-1", "high-segment", "straddle", "wrap",
		"huge-bss", "filesz", "offset", "high-32", "boot", "entry-nowhere", "entry-high",
		"entry-end", "entry-last", "entry-noexec", "boot-entry-bss", "arm", "pie",
		"object.o", "noload", "phoff", "phnum", "hello-flat-64.bin", "big.bin",
		"exact.bin", "nomode",
	};
	char path[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	if (rmdir(tmpdir) < 0)
		fprintf(stderr, "test-loader: %s left behind (unexpected file in it)\n", tmpdir);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	guests_dir = getenv("GUESTS_DIR");
	if (!guests_dir || !*guests_dir)
		die("GUESTS_DIR is not set (meson test sets it to the guests build folder)");
	snprintf(tmpdir, sizeof(tmpdir), "%s/kvmlab-test-loader-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		die("cannot make a temporary folder");
	mem = malloc(MEM_2M);
	if (!mem)
		die("out of memory");

	test_not_a_file();
	test_not_elf();
	test_truncated();
	test_outside_memory();
	test_entry();
	test_bad_headers();
	test_flat();
	test_good_elf();

	cleanup();
	free(mem);
	return check_summary();
}
