/*
 * matrix.c - the Matrix, part 2b.  Reference solution.
 *
 * Two VMs, one vCPU each, in one thread, switched by a timer: a POSIX timer
 * ticks every QUANTUM seconds; its signal sets the running vCPU's
 * immediate_exit, so KVM_RUN returns (EINTR / KVM_EXIT_INTR) and the loop
 * decides whose turn it is.  VM 1 runs FRAC_A quanta, then VM 2 FRAC_B.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <time.h>
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

/* The last value each VM wrote to its port. */
static uint16_t last_data(struct machine *m)
{
	struct kvm_run *run = m->vcpu.kvm_run;
	uint16_t data;

	memcpy(&data, (char *)run + run->io.data_offset, 2);
	return data;
}

/* Set by the timer's signal handler: the vCPU now in KVM_RUN, and ticks since the switch. */
static struct kvm_run *volatile running;
static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
	if (running)
		running->immediate_exit = 1;   /* KVM_RUN returns at once, with EINTR */
}

static void start_timer(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	struct itimerspec its = {
		.it_value = { .tv_sec = QUANTUM },
		.it_interval = { .tv_sec = QUANTUM },
	};
	struct sigaction sa = { .sa_handler = on_tick };  /* no SA_RESTART */
	timer_t timer;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		die("sigaction");
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
		die("timer_create");
	if (timer_settime(timer, 0, &its, NULL) < 0)
		die("timer_settime");
}

int main(void)
{
	static const int share[2] = { FRAC_A, FRAC_B };
	struct machine m[2];
	int cur = 0;

	vm_init(&m[0].vm, MEM_SIZE);
	vcpu_init(&m[0].vm, &m[0].vcpu, guest1, guest1_end - guest1);
	vm_init(&m[1].vm, MEM_SIZE);
	vcpu_init(&m[1].vm, &m[1].vcpu, guest2, guest2_end - guest2);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("VMFD: %d started running\n", m[cur].vm.fd);
	start_timer();
	for (;;) {
		struct kvm_run *run = m[cur].vcpu.kvm_run;

		running = run;
		run->immediate_exit = 0;
		if (ticks >= share[cur]) {
			/* this VM's share of quanta is used up: the other one runs */
			running = NULL;
			ticks = 0;
			printf("VMFD: %d stopped running - last data: %d\n", m[cur].vm.fd, last_data(&m[cur]));
			cur = !cur;
			printf("VMFD: %d started running\n", m[cur].vm.fd);
			continue;
		}
		if (ioctl(m[cur].vcpu.fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
		case KVM_EXIT_INTR:
			break;
		default:
			fprintf(stderr, "VMFD: %d: unexpected exit reason %d\n", m[cur].vm.fd, run->exit_reason);
			return 1;
		}
	}
}
