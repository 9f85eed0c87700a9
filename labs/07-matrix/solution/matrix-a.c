/*
 * matrix-a.c - the Matrix, part 2a.  Reference solution.
 *
 * Two VMs, one vCPU each, in one thread: they take turns, switching on every
 * VM exit (VM 1 runs until it exits, then VM 2 until it exits, and so on).
 */
#include <errno.h>
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

struct vm {
	int sys_fd;
	int fd;
	char *mem;
};

struct vcpu {
	int fd;
	struct kvm_run *kvm_run;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void vm_init(struct vm *vm, size_t mem_size)
{
	struct kvm_userspace_memory_region memreg;

	vm->sys_fd = open("/dev/kvm", O_RDWR);
	if (vm->sys_fd < 0)
		die("open /dev/kvm");
	if (ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("KVM_GET_API_VERSION");
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

/* One vCPU in real mode at 0:0, running the image copied to address 0. */
static void vcpu_init(struct vm *vm, struct vcpu *vcpu, const unsigned char *code, size_t len)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
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

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	regs.rip = 0;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
	memcpy(vm->mem, code, len);
}

extern const unsigned char guest1[], guest1_end[];
extern const unsigned char guest2[], guest2_end[];

struct machine {
	struct vm vm;
	struct vcpu vcpu;
};

/* Print what one exit was; 0 to go on. */
static int show_exit(struct machine *m)
{
	struct kvm_run *run = m->vcpu.kvm_run;

	printf("VMFD: %d stopped running - exit reason: %d\n", m->vm.fd, run->exit_reason);
	if (run->exit_reason != KVM_EXIT_IO)
		return -1;
	printf("KVM_EXIT_IO\n");
	if (run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 2) {
		uint16_t data;

		memcpy(&data, (char *)run + run->io.data_offset, 2);
		printf("VMFD: %d out port: %d, data: %d\n", m->vm.fd, run->io.port, data);
	}
	return 0;
}

int main(void)
{
	struct machine m[2];
	int cur = 0;

	vm_init(&m[0].vm, MEM_SIZE);
	vcpu_init(&m[0].vm, &m[0].vcpu, guest1, guest1_end - guest1);
	vm_init(&m[1].vm, MEM_SIZE);
	vcpu_init(&m[1].vm, &m[1].vcpu, guest2, guest2_end - guest2);

	for (;;) {
		printf("VMFD: %d started running\n", m[cur].vm.fd);
		if (ioctl(m[cur].vcpu.fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (show_exit(&m[cur]) < 0)
			return 1;
		cur = !cur;    /* the other VM's turn */
	}
}
