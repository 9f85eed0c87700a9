/* matrix.c - a two-VM test hypervisor shaped like the course's matrix.c, for `kvmlab exec`.
 *
 * Two VMs with one vCPU each, both in real mode: VM 1 forever writes AX to port 0x10 and
 * increments it, VM 2 writes AX to port 0x11 and decrements it.
 *
 *   matrix [-q MS] [-d MS]   one thread; a POSIX timer signals every MS ms (default 10);
 *                            the handler sets immediate_exit, KVM_RUN ends with
 *                            KVM_EXIT_INTR and the other VM runs; -d: stop after MS ms
 *                            (default 200)
 *   matrix -a [-c N]         one thread; the VMs take turns on every exit, N exits in all
 *   matrix -t [-d MS]        two threads, one per VM, run at the same time
 *
 * Each VM's values must follow one another (0, 1, 2, ... and 0, 0xffff, 0xfffe, ...); at the
 * end it prints "vm1 ok" and "vm2 ok" (or what went wrong) and exits 0 if both are fine.
 * Our own code, written for the tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

extern const unsigned char matrix1[], matrix1_end[], matrix2[], matrix2_end[];

struct vm {
	int n, fd, vcpu_fd;
	char *mem;
	struct kvm_run *run;
	uint16_t next;        /* the value expected next */
	int step;             /* +1 or -1 */
	unsigned long exits, intr;
	int bad;
};

static int sys_fd;
static struct kvm_run *volatile running;   /* the vCPU the timer must stop */
static volatile sig_atomic_t stop;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void vm_init(struct vm *vm, int n, const unsigned char *img, size_t len)
{
	struct kvm_userspace_memory_region region = { .memory_size = 0x10000 };
	struct kvm_sregs s;
	struct kvm_regs r = { .rflags = 2 };
	int size;

	vm->n = n;
	vm->step = n == 1 ? 1 : -1;
	vm->fd = ioctl(sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	vm->mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap");
	memcpy(vm->mem, img, len);
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vm->vcpu_fd = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

/* One KVM_RUN; 1 if it ended with an I/O exit (checked), 0 if interrupted. */
static int run_once(struct vm *vm)
{
	uint16_t v;

	if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
		if (errno != EINTR)
			die("KVM_RUN");
		vm->run->immediate_exit = 0;
		vm->intr++;
		return 0;
	}
	if (vm->run->exit_reason != KVM_EXIT_IO || vm->run->io.port != 0x10 + vm->n - 1) {
		fprintf(stderr, "vm%d: unexpected exit %u\n", vm->n, vm->run->exit_reason);
		exit(1);
	}
	memcpy(&v, (char *)vm->run + vm->run->io.data_offset, 2);
	if (v != vm->next)
		vm->bad++;
	vm->next = (uint16_t)(v + vm->step);
	vm->exits++;
	return 1;
}

static void on_timer(int sig)
{
	struct kvm_run *r = running;

	(void)sig;
	if (r)
		r->immediate_exit = 1;
}

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
	on_timer(sig);
}

static void *thread_main(void *arg)
{
	struct vm *vm = arg;

	while (!stop)
		run_once(vm);
	return NULL;
}

static void arm(int sig, void (*fn)(int), long ms, int periodic)
{
	struct sigaction sa = { .sa_handler = fn };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = sig };
	struct itimerspec it = { .it_value = { ms / 1000, (ms % 1000) * 1000000 } };
	timer_t t;

	if (periodic)
		it.it_interval = it.it_value;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	if (timer_create(CLOCK_MONOTONIC, &ev, &t) < 0 || timer_settime(t, 0, &it, NULL) < 0)
		die("timer");
}

int main(int argc, char **argv)
{
	long quantum = 10, duration = 200, count = 100;
	int opt, alternate = 0, threads = 0, cur = 0;
	struct vm vms[2] = { { 0 } };

	while ((opt = getopt(argc, argv, "q:d:c:at")) != -1) {
		switch (opt) {
		case 'q': quantum = atol(optarg); break;
		case 'd': duration = atol(optarg); break;
		case 'c': count = atol(optarg); break;
		case 'a': alternate = 1; break;
		case 't': threads = 1; break;
		default:
			fprintf(stderr, "usage: %s [-q MS] [-d MS] | -a [-c N] | -t [-d MS]\n", argv[0]);
			return 1;
		}
	}
	if (quantum <= 0 || duration <= 0 || count <= 0)
		return 1;
	sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (sys_fd < 0)
		die("open /dev/kvm");
	vm_init(&vms[0], 1, matrix1, (size_t)(matrix1_end - matrix1));
	vm_init(&vms[1], 2, matrix2, (size_t)(matrix2_end - matrix2));
	if (alternate) {
		for (long i = 0; i < count; i++)
			run_once(&vms[i & 1]);
	} else if (threads) {
		pthread_t th[2];

		arm(SIGUSR1, on_stop, duration, 0);
		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, thread_main, &vms[i]);
		while (!stop)
			usleep(1000);
		for (int i = 0; i < 2; i++) {
			pthread_kill(th[i], SIGUSR1);   /* ends a KVM_RUN still in progress */
			vms[i].run->immediate_exit = 1;
			pthread_join(th[i], NULL);
		}
	} else {
		arm(SIGUSR1, on_stop, duration, 0);
		arm(SIGALRM, on_timer, quantum, 1);
		while (!stop) {
			running = vms[cur].run;
			while (!stop && run_once(&vms[cur]))
				;
			running = NULL;
			vms[cur].run->immediate_exit = 0;
			cur ^= 1;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (vms[i].bad || !vms[i].exits)
			printf("vm%d: %d values out of order in %lu exits\n", i + 1, vms[i].bad, vms[i].exits);
		else
			printf("vm%d ok\n", i + 1);
	}
	return vms[0].bad || vms[1].bad || !vms[0].exits || !vms[1].exits;
}
