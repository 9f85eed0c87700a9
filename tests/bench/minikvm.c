/* minikvm.c - the smallest KVM program that does what `kvmlab run hello --mode long` does.
 *
 * The yardstick of the run-vs-minimal benchmark: kvm-hello-world's long-mode path and
 * nothing else.  Open /dev/kvm, create a VM with 2 MiB of memory, load a flat image at
 * guest physical 0, put the vCPU in 64-bit mode with kvm-hello-world's page tables
 * (PML4 at 0x2000, PDPT at 0x3000, PD at 0x4000, one 2 MiB page), RSP at 2 MiB, run:
 * bytes OUT to port 0xE9 go to stdout, HLT ends the run.  Exit 0 if RAX = 42 at the HLT.
 * No logging, no checks beyond the error paths, no libraries.
 *
 * usage: minikvm FLAT-IMAGE   (e.g. build/guests/hello-flat-64.bin)
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE 0x200000
#define PML4 0x2000
#define PDPT 0x3000
#define PD 0x4000

#define PDE_P 1ull
#define PDE_RW 2ull
#define PDE_US 4ull
#define PDE_PS 0x80ull

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void long_mode(uint8_t *mem, struct kvm_sregs *s)
{
	uint64_t *pml4 = (uint64_t *)(mem + PML4), *pdpt = (uint64_t *)(mem + PDPT);
	uint64_t *pd = (uint64_t *)(mem + PD);
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .selector = 1 << 3, .present = 1,
		.type = 11, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};

	pml4[0] = PDE_P | PDE_RW | PDE_US | PDPT;
	pdpt[0] = PDE_P | PDE_RW | PDE_US | PD;
	pd[0] = PDE_P | PDE_RW | PDE_US | PDE_PS;
	s->cr3 = PML4;
	s->cr4 = 1u << 5;                                     /* PAE */
	s->cr0 = 1u | 1u << 1 | 1u << 4 | 1u << 5 | 1u << 16 | 1u << 18 | 1u << 31;
	s->efer = 1u << 8 | 1u << 10;                         /* LME, LMA */
	s->cs = seg;
	seg.type = 3;
	seg.selector = 2 << 3;
	s->ds = s->es = s->fs = s->gs = s->ss = seg;
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	uint8_t *mem;
	ssize_t n;
	int kvm, vm, vcpu, img;
	long run_size;

	if (argc != 2) {
		fprintf(stderr, "usage: minikvm FLAT-IMAGE\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("KVM_GET_API_VERSION");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");

	img = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (img < 0)
		die(argv[1]);
	n = read(img, mem, PML4);           /* the image must end below the page tables */
	if (n <= 0 || n == PML4)
		die("image (empty, unreadable, or 8 KiB or more)");
	close(img);

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	long_mode(mem, &sregs);
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	regs.rip = 0;
	regs.rsp = MEM_SIZE;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0xE9)
				fwrite((char *)run + run->io.data_offset, run->io.size, run->io.count,
				       stdout);
			continue;
		case KVM_EXIT_HLT:
			if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0)
				die("KVM_GET_REGS");
			fflush(stdout);
			if (regs.rax != 42) {
				fprintf(stderr, "minikvm: halted with RAX=%llu, not 42\n",
					(unsigned long long)regs.rax);
				return 1;
			}
			return 0;
		default:
			fprintf(stderr, "minikvm: unexpected exit %u\n", run->exit_reason);
			return 1;
		}
	}
}
