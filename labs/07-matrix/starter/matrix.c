/*
 * matrix.c - the Matrix, CS695 (2024), Assignment 2, Part 2.  Starter.
 *
 * Two VMs, one vCPU each, both in real mode: guest1 counts up on port 0x10,
 * guest2 counts down on port 0x11.  Here each VM runs in a thread of its
 * own, so both run at once.  Your tasks (README.md):
 *   2a  matrix-a.c: one thread; the VMs take turns, one VM exit each.
 *   2b  matrix.c:   one thread; a timer switches VMs every QUANTUM, VM 1
 *       running FRAC_A quanta out of FRAC_A + FRAC_B and VM 2 FRAC_B.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE 0x200000

#ifndef QUANTUM
#define QUANTUM 1       /* seconds */
#endif
#ifndef FRAC_A
#define FRAC_A 7
#endif
#ifndef FRAC_B
#define FRAC_B 3
#endif

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

static void *vm_thread(void *arg)
{
	struct machine *m = arg;

	for (;;) {
		printf("VMFD: %d started running\n", m->vm.fd);
		if (ioctl(m->vcpu.fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (show_exit(m) < 0)
			return NULL;
	}
}

int main(void)
{
	struct machine m[2];
	pthread_t t[2];

	vm_init(&m[0].vm, MEM_SIZE);
	vcpu_init(&m[0].vm, &m[0].vcpu, guest1, guest1_end - guest1);
	vm_init(&m[1].vm, MEM_SIZE);
	vcpu_init(&m[1].vm, &m[1].vcpu, guest2, guest2_end - guest2);

	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, vm_thread, &m[i]) != 0)
			die("pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return 0;
}
