/* classic.c - a one-VM test hypervisor in kvm-hello-world's style, for `kvmlab exec` tests.
 *
 *   classic [-r | -s | -p | -l]   real, protected, 32-bit paged (page directory at 0x2000,
 *                                 one 4 MiB page) or long mode (PML4 0x2000, PDPT 0x3000,
 *                                 PD 0x4000, one 2 MiB page); 2 MiB of memory at 0, guest at 0
 *   -n N     long mode, a guest making N port writes (0x80) before it halts
 *   -I N     long mode, a guest making N word reads of port 0x81 (answered 0x100, 0x101,
 *            ...), each after a byte written to port 0x84 and written back to port 0x80,
 *            before it halts
 *   -k       port 0x84 handled in the kernel (an ioeventfd), so a KVM_RUN of -I sees the
 *            guest write it and then exits for the read of port 0x81
 *   -C       long mode, a guest that counts to 20,000 without exiting, then halts
 *   -H       long mode, a guest that loops without exiting (for --timeout)
 *   -D FILE  write the guest image the other options pick to FILE and exit (to run the same
 *            bytes under kvmlab itself)
 *   -K       kill itself with SIGSEGV after the third exit
 *   -U       unmap the page of guest memory at 0x2000 (long mode: the PML4) after the first
 *            exit, as a careless or hostile program might, and run on
 *   -R       close the VM and vCPU fds and make them again (the numbers are reused), and
 *            run the vCPU through a dup2'd fd 20
 *   -F       fork first: the child runs the VM, the parent waits and passes on its status
 *   -E PROG  when done, exec PROG (with no arguments)
 *
 * Bytes written to port 0xE9 go to stdout; at HLT, RAX and the bytes at 0x400 must be 42
 * ("Wrong result" otherwise, as kvm-hello-world says).  Our own code, written for the tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MEM_SIZE 0x200000

extern const unsigned char hello16[], hello16_end[], hello32[], hello32_end[];
extern const unsigned char hello64[], hello64_end[], spin64[], spin64_end[];
extern const unsigned char hang64[], hang64_end[], count64[], count64_end[];
extern const unsigned char echo64[], echo64_end[];

struct vm {
	int sys_fd, fd, vcpu_fd;
	char *mem;
	struct kvm_run *run;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void vm_make(struct vm *vm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	int size;

	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vm->vcpu_fd = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");
}

/* Port 0x84 handled in the kernel: an ioeventfd the guest's writes signal, without an exit. */
static void in_kernel_port(struct vm *vm)
{
	struct kvm_ioeventfd io = { .addr = 0x84, .len = 1, .flags = KVM_IOEVENTFD_FLAG_PIO };

	io.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io.fd < 0 || ioctl(vm->fd, KVM_IOEVENTFD, &io) < 0)
		die("KVM_IOEVENTFD");
}

static void vm_init(struct vm *vm, int reuse)
{
	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		die("open /dev/kvm");
	if (ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("KVM_GET_API_VERSION");
	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap");
	vm_make(vm);
	if (!reuse)
		return;
	/* close both and make them again: the new fds get the old numbers */
	munmap(vm->run, 4096);
	close(vm->vcpu_fd);
	close(vm->fd);
	vm_make(vm);
	if (dup2(vm->vcpu_fd, 20) < 0)
		die("dup2");
	close(vm->vcpu_fd);
	vm->vcpu_fd = 20;
}

static void segments(struct kvm_sregs *s, int long_mode)
{
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .selector = 1 << 3, .present = 1,
		.type = 11, .dpl = 0, .db = !long_mode, .s = 1, .l = long_mode, .g = 1,
	};

	s->cs = seg;
	seg.type = 3;
	seg.selector = 2 << 3;
	seg.db = 1;
	seg.l = 0;
	s->ds = s->es = s->fs = s->gs = s->ss = seg;
}

static void setup(struct vm *vm, int mode, const unsigned char *img, size_t len, uint64_t rcx)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	switch (mode) {
	case 'r':
		s.cs.selector = 0;
		s.cs.base = 0;
		break;
	case 's':
		segments(&s, 0);
		s.cr0 |= 1;
		break;
	case 'p': {
		uint32_t *pd = (uint32_t *)(vm->mem + 0x2000);

		pd[0] = 0x87;  /* present, writable, user, 4 MiB page at 0 */
		segments(&s, 0);
		s.cr3 = 0x2000;
		s.cr4 = 0x10;  /* PSE */
		s.cr0 = 0x80050033;
		s.efer = 0;
		break;
	}
	default: {
		uint64_t *pml4 = (uint64_t *)(vm->mem + 0x2000), *pdpt = (uint64_t *)(vm->mem + 0x3000);
		uint64_t *pd = (uint64_t *)(vm->mem + 0x4000);

		pml4[0] = 0x3000 | 7;
		pdpt[0] = 0x4000 | 7;
		pd[0] = 0x87;
		segments(&s, 1);
		s.cr3 = 0x2000;
		s.cr4 = 0x20;  /* PAE */
		s.cr0 = 0x80050033;
		s.efer = 0x500;  /* LME, LMA */
		break;
	}
	}
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
	memset(&r, 0, sizeof(r));
	r.rflags = 2;
	r.rsp = MEM_SIZE;
	r.rcx = rcx;
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
	memcpy(vm->mem, img, len);
}

static int run(struct vm *vm, size_t check_size, int kill_after, int unmap)
{
	struct kvm_regs r;
	uint64_t val = 0;
	uint16_t answer = 0x100;
	int exits = 0;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (kill_after && ++exits == 3)
			raise(SIGSEGV);
		if (unmap && unmap-- == 1 && munmap(vm->mem + 0x2000, 4096) < 0)
			die("munmap");
		switch (vm->run->exit_reason) {
		case KVM_EXIT_HLT:
			goto check;
		case KVM_EXIT_IO:
			if (vm->run->io.direction == KVM_EXIT_IO_OUT && vm->run->io.port == 0xE9) {
				fwrite((char *)vm->run + vm->run->io.data_offset, vm->run->io.size, 1, stdout);
				fflush(stdout);
				continue;
			}
			if (vm->run->io.direction == KVM_EXIT_IO_OUT &&
			    (vm->run->io.port == 0x80 || vm->run->io.port == 0x84))
				continue;
			if (vm->run->io.direction == KVM_EXIT_IO_IN && vm->run->io.port == 0x81 &&
			    vm->run->io.size == 2) {
				memcpy((char *)vm->run + vm->run->io.data_offset, &answer, 2);
				answer++;
				continue;
			}
			/* fall through */
		default:
			fprintf(stderr, "Got exit_reason %d, expected KVM_EXIT_HLT (%d)\n",
				vm->run->exit_reason, KVM_EXIT_HLT);
			return 1;
		}
	}
check:
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) < 0)
		die("KVM_GET_REGS");
	memcpy(&val, vm->mem + 0x400, check_size);
	if (r.rax != 42 || val != 42) {
		printf("Wrong result: RAX %llu, memory at 0x400 %llu\n", (unsigned long long)r.rax,
		       (unsigned long long)val);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int opt, mode = 'r', kill_after = 0, reuse = 0, do_fork = 0, hang = 0, count = 0, echo = 0;
	int kernel_port = 0, status, unmap = 0;
	const char *then = NULL, *dump = NULL;
	const unsigned char *img;
	size_t len;
	unsigned long spins = 0;
	struct vm vm;

	while ((opt = getopt(argc, argv, "rsplCHKRUFkn:I:E:D:")) != -1) {
		switch (opt) {
		case 'r': case 's': case 'p': case 'l':
			mode = opt;
			break;
		case 'n':
			mode = 'l';
			spins = strtoul(optarg, NULL, 0);
			break;
		case 'I':
			mode = 'l';
			echo = 1;
			spins = strtoul(optarg, NULL, 0);
			break;
		case 'H':
			mode = 'l';
			hang = 1;
			break;
		case 'C':
			mode = 'l';
			count = 1;
			break;
		case 'D':
			dump = optarg;
			break;
		case 'K':
			kill_after = 1;
			break;
		case 'k':
			kernel_port = 1;
			break;
		case 'U':
			unmap = 1;
			break;
		case 'R':
			reuse = 1;
			break;
		case 'F':
			do_fork = 1;
			break;
		case 'E':
			then = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-r | -s | -p | -l | -n N | -I N | -C | -H] [-k] [-K] [-U] [-R] [-F] [-E PROG] [-D FILE]\n",
				argv[0]);
			return 1;
		}
	}
	if (do_fork) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid > 0) {
			if (waitpid(pid, &status, 0) < 0)
				die("waitpid");
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		}
	}
	if (hang)
		img = hang64, len = (size_t)(hang64_end - hang64);
	else if (count)
		img = count64, len = (size_t)(count64_end - count64);
	else if (echo)
		img = echo64, len = (size_t)(echo64_end - echo64);
	else if (spins)
		img = spin64, len = (size_t)(spin64_end - spin64);
	else if (mode == 'r')
		img = hello16, len = (size_t)(hello16_end - hello16);
	else if (mode == 'l')
		img = hello64, len = (size_t)(hello64_end - hello64);
	else
		img = hello32, len = (size_t)(hello32_end - hello32);
	if (dump) {
		FILE *f = fopen(dump, "wb");

		if (!f || fwrite(img, 1, len, f) != len || fclose(f) != 0)
			die(dump);
		return 0;
	}
	vm_init(&vm, reuse);
	if (kernel_port)
		in_kernel_port(&vm);
	setup(&vm, mode, img, len, spins);
	status = run(&vm, mode == 'r' ? 2 : mode == 'l' ? 8 : 4, kill_after, unmap);
	if (then && status == 0) {
		execl(then, then, (char *)NULL);
		die(then);
	}
	return status;
}
