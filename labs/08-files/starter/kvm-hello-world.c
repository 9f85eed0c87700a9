/*
 * kvm-hello-world.c - a small hypervisor on the raw /dev/kvm API, with file
 * hypercalls in the manner of CS695 (2020), Part C.  Starter: the print
 * hypercalls work; serve the file hypercalls (README.md).
 *
 * The guest opens, reads, writes, seeks and closes files that we serve from
 * the folder we are started in (and nowhere else: no absolute paths, no ..,
 * no symbolic links).
 *
 *   ./kvm-hello-world -r | -s | -p | -l
 *
 * One VM with 2 MiB of memory at guest physical 0, one vCPU started at RIP 0
 * in real mode (-r), protected mode without paging (-s), 32-bit paging (-p)
 * or long mode (-l).  The guest talks to us through port I/O; each port is
 * one hypercall (hypercalls.yaml lists them for the grader).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE 0x200000

/* CR0, CR4 and EFER bits */
#define CR0_PE 1u
#define CR0_MP (1u << 1)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)

/* page-table entry bits (32-bit and 64-bit tables alike) */
#define PTE_P 1u
#define PTE_RW (1u << 1)
#define PTE_US (1u << 2)
#define PTE_PS (1u << 7)

/* The hypercall ports. */
#define HC_PRINT8 0xE9      /* OUT byte: print it */
#define HC_PRINT32 0xE8     /* OUT dword: print it in decimal and a newline */
#define HC_PRINTSTR 0xE7    /* OUT dword: guest virtual address of a NUL-terminated string */
#define HC_NUMEXITS 0xEA    /* IN dword: VM exits so far, this one included */
#define HC_GVATOHVA 0xEB    /* OUT dword: a guest virtual address; IN dword: its host address */
#define HC_TIMESTAMP 0xEC   /* IN dword: seconds since the epoch */
/* TODO: your file hypercall port(s) and parameter block */

struct vm {
	int sys_fd;
	int fd;
	char *mem;
};

static int dir_fd = -1;            /* the folder we serve */

struct vcpu {
	int fd;
	struct kvm_run *kvm_run;
	unsigned long exits;      /* VM exits so far */
	uint64_t last_hva;        /* the answer of the last gvaToHva */
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void vm_init(struct vm *vm, size_t mem_size)
{
	struct kvm_userspace_memory_region memreg;
	int api_ver;

	vm->sys_fd = open("/dev/kvm", O_RDWR);
	if (vm->sys_fd < 0)
		die("open /dev/kvm");

	api_ver = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (api_ver < 0)
		die("KVM_GET_API_VERSION");
	if (api_ver != KVM_API_VERSION) {
		fprintf(stderr, "Got KVM api version %d, expected %d\n", api_ver, KVM_API_VERSION);
		exit(1);
	}

	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");

	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap mem");

	memreg.slot = 0;
	memreg.flags = 0;
	memreg.guest_phys_addr = 0;
	memreg.memory_size = mem_size;
	memreg.userspace_addr = (unsigned long)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &memreg) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
}

static void vcpu_init(struct vm *vm, struct vcpu *vcpu)
{
	int mmap_size;

	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vcpu->fd < 0)
		die("KVM_CREATE_VCPU");

	mmap_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");

	vcpu->kvm_run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->kvm_run == MAP_FAILED)
		die("mmap kvm_run");
	vcpu->exits = 0;
	vcpu->last_hva = 0;
}

/*
 * Guest virtual -> guest physical through the guest's own page tables (KVM
 * walks them for us), then -> host virtual through our memory region.
 * Returns NULL for an address that is not mapped or not in guest memory.
 */
static char *gva_to_hva(struct vm *vm, struct vcpu *vcpu, uint64_t gva, size_t len)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (ioctl(vcpu->fd, KVM_TRANSLATE, &tr) < 0)
		die("KVM_TRANSLATE");
	if (!tr.valid || tr.physical_address >= MEM_SIZE || len > MEM_SIZE - tr.physical_address)
		return NULL;
	return vm->mem + tr.physical_address;
}

/* The dword an OUT wrote, or where an IN's answer goes, in the kvm_run page. */
static uint32_t *io_dword(struct vcpu *vcpu)
{
	return (uint32_t *)((char *)vcpu->kvm_run + vcpu->kvm_run->io.data_offset);
}

static void hc_print_str(struct vm *vm, struct vcpu *vcpu, uint32_t gva)
{
	size_t n = 0;
	char *s;

	/* one page at a time: a string may cross into an unmapped page */
	for (;;) {
		s = gva_to_hva(vm, vcpu, gva + n, 1);
		if (!s) {
			printf("Invalid GVA\n");
			return;
		}
		if (*s == '\0')
			break;
		putchar(*s);
		n++;
	}
}

/* TODO: the file hypercalls: open, read, write, seek, close, served from dir_fd only */

/* One port I/O exit: 0 to go on. */
static int handle_io(struct vm *vm, struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->kvm_run;
	char *p = (char *)run + run->io.data_offset;
	uint32_t *d = io_dword(vcpu);

	if (run->io.direction == KVM_EXIT_IO_OUT) {
		switch (run->io.port) {
		case HC_PRINT8:
			fwrite(p, run->io.size, 1, stdout);
			return 0;
		case HC_PRINT32:
			printf("%" PRIu32 "\n", *d);
			return 0;
		case HC_PRINTSTR:
			hc_print_str(vm, vcpu, *d);
			return 0;
		case HC_GVATOHVA: {
			char *hva = gva_to_hva(vm, vcpu, *d, 1);

			if (!hva)
				printf("Invalid GVA\n");
			vcpu->last_hva = (uint64_t)(uintptr_t)hva;
			return 0;
		}
		}
	} else {
		switch (run->io.port) {
		case HC_NUMEXITS:
			*d = (uint32_t)vcpu->exits;
			return 0;
		case HC_GVATOHVA:
			*d = (uint32_t)vcpu->last_hva;
			return 0;
		case HC_TIMESTAMP:
			*d = (uint32_t)time(NULL);
			return 0;
		}
	}
	fprintf(stderr, "unexpected %s of %u bytes on port 0x%x\n",
		run->io.direction == KVM_EXIT_IO_OUT ? "OUT" : "IN", run->io.size, run->io.port);
	return -1;
}

/* 42 in RAX and at 0x400: the guest ran to its end. */
static int check(struct vm *vm, struct vcpu *vcpu, size_t sz)
{
	struct kvm_regs regs;
	uint64_t memval = 0;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0)
		die("KVM_GET_REGS");
	if (regs.rax != 42) {
		printf("Wrong result: {E,R,}AX is %lld\n", regs.rax);
		return 0;
	}
	memcpy(&memval, &vm->mem[0x400], sz);
	if (memval != 42) {
		printf("Wrong result: memory at 0x400 is %llu\n", (unsigned long long)memval);
		return 0;
	}
	return 1;
}

static int run_vm(struct vm *vm, struct vcpu *vcpu, size_t sz)
{
	for (;;) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		vcpu->exits++;

		switch (vcpu->kvm_run->exit_reason) {
		case KVM_EXIT_HLT:
			fflush(stdout);
			return check(vm, vcpu, sz);
		case KVM_EXIT_IO:
			if (handle_io(vm, vcpu) == 0)
				continue;
			return 0;
		default:
			fprintf(stderr, "Got exit_reason %d, expected KVM_EXIT_HLT (%d)\n",
				vcpu->kvm_run->exit_reason, KVM_EXIT_HLT);
			return 0;
		}
	}
}

extern const unsigned char code16[], code16_end[];
extern const unsigned char code32[], code32_end[];
extern const unsigned char code64[], code64_end[];

static void get_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs)
{
	if (ioctl(vcpu->fd, KVM_GET_SREGS, sregs) < 0)
		die("KVM_GET_SREGS");
}

static void set_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs)
{
	if (ioctl(vcpu->fd, KVM_SET_SREGS, sregs) < 0)
		die("KVM_SET_SREGS");
}

/* RIP 0, RFLAGS with only its fixed bit, the stack at the top of memory. */
static void set_start_regs(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	regs.rip = 0;
	regs.rsp = MEM_SIZE;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static void setup_flat_segments(struct kvm_sregs *sregs, int long_code)
{
	struct kvm_segment seg = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = 1 << 3,
		.present = 1,
		.type = 11, /* code: execute, read, accessed */
		.dpl = 0,
		.db = !long_code,
		.s = 1,
		.l = long_code,
		.g = 1,
	};

	sregs->cs = seg;
	seg.type = 3; /* data: read, write, accessed */
	seg.selector = 2 << 3;
	seg.db = 1;
	seg.l = 0;
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = seg;
}

static int run_real_mode(struct vm *vm, struct vcpu *vcpu)
{
	struct kvm_sregs sregs;

	get_sregs(vcpu, &sregs);
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	set_sregs(vcpu, &sregs);
	set_start_regs(vcpu);
	memcpy(vm->mem, code16, code16_end - code16);
	return run_vm(vm, vcpu, 2);
}

static int run_protected_mode(struct vm *vm, struct vcpu *vcpu)
{
	struct kvm_sregs sregs;

	get_sregs(vcpu, &sregs);
	setup_flat_segments(&sregs, 0);
	sregs.cr0 |= CR0_PE;
	set_sregs(vcpu, &sregs);
	set_start_regs(vcpu);
	memcpy(vm->mem, code32, code32_end - code32);
	return run_vm(vm, vcpu, 4);
}

static int run_paged_32bit_mode(struct vm *vm, struct vcpu *vcpu)
{
	uint32_t pd_addr = 0x2000;
	uint32_t *pd = (void *)(vm->mem + pd_addr);
	struct kvm_sregs sregs;

	get_sregs(vcpu, &sregs);
	setup_flat_segments(&sregs, 0);
	/* one 4 MiB page covers all of guest memory */
	pd[0] = PTE_P | PTE_RW | PTE_US | PTE_PS;
	sregs.cr3 = pd_addr;
	sregs.cr4 = CR4_PSE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sregs.efer = 0;
	set_sregs(vcpu, &sregs);
	set_start_regs(vcpu);
	memcpy(vm->mem, code32, code32_end - code32);
	return run_vm(vm, vcpu, 4);
}

static int run_long_mode(struct vm *vm, struct vcpu *vcpu)
{
	uint64_t pml4_addr = 0x2000, pdpt_addr = 0x3000, pd_addr = 0x4000;
	uint64_t *pml4 = (void *)(vm->mem + pml4_addr);
	uint64_t *pdpt = (void *)(vm->mem + pdpt_addr);
	uint64_t *pd = (void *)(vm->mem + pd_addr);
	struct kvm_sregs sregs;

	get_sregs(vcpu, &sregs);
	/* PML4 -> PDPT -> PD -> one 2 MiB page at 0 */
	pml4[0] = PTE_P | PTE_RW | PTE_US | pdpt_addr;
	pdpt[0] = PTE_P | PTE_RW | PTE_US | pd_addr;
	pd[0] = PTE_P | PTE_RW | PTE_US | PTE_PS;
	sregs.cr3 = pml4_addr;
	sregs.cr4 = CR4_PAE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	setup_flat_segments(&sregs, 1);
	set_sregs(vcpu, &sregs);
	set_start_regs(vcpu);
	memcpy(vm->mem, code64, code64_end - code64);
	return run_vm(vm, vcpu, 8);
}

int main(int argc, char **argv)
{
	struct vm vm;
	struct vcpu vcpu;
	enum { REAL_MODE, PROTECTED_MODE, PAGED_32BIT_MODE, LONG_MODE } mode = REAL_MODE;
	int opt;

	while ((opt = getopt(argc, argv, "rspl")) != -1) {
		switch (opt) {
		case 'r':
			mode = REAL_MODE;
			break;
		case 's':
			mode = PROTECTED_MODE;
			break;
		case 'p':
			mode = PAGED_32BIT_MODE;
			break;
		case 'l':
			mode = LONG_MODE;
			break;
		default:
			fprintf(stderr, "Usage: %s [ -r | -s | -p | -l ]\n", argv[0]);
			return 1;
		}
	}

	dir_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		die("open .");
	vm_init(&vm, MEM_SIZE);
	vcpu_init(&vm, &vcpu);

	switch (mode) {
	case REAL_MODE:
		return !run_real_mode(&vm, &vcpu);
	case PROTECTED_MODE:
		return !run_protected_mode(&vm, &vcpu);
	case PAGED_32BIT_MODE:
		return !run_paged_32bit_mode(&vm, &vcpu);
	case LONG_MODE:
		return !run_long_mode(&vm, &vcpu);
	}
	return 1;
}
