/* ioctlpath.c - the text of `kvmlab explain`: how Linux 6.x serves a KVM ioctl (ioctlpath.h).
 *
 * Function and file names are those of the kernel's sources (fs/ioctl.c,
 * drivers/char/misc.c, virt/kvm/kvm_main.c, arch/x86/kvm/x86.c, arch/x86/kvm/vmx/vmx.c,
 * arch/x86/kvm/svm/svm.c) and of Documentation/virt/kvm/api.rst.
 */
#include "ioctlpath.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "ioctl.h"

#define WIDTH 88
#define END { NULL, NULL, NULL, NULL }

#define MAIN "virt/kvm/kvm_main.c"
#define X86 "arch/x86/kvm/x86.c"

/* ---- the steps every ioctl takes ------------------------------------------ */

static const struct ioctlpath_step common[] = {
	{ "ioctl(fd, request, arg)", "the program, through the C library's ioctl()",
	  "The program calls ioctl(2): the C library puts the system call number (16, __NR_ioctl, "
	  "on x86-64) in rax, fd, request and arg in rdi, rsi, rdx, and executes `syscall`; the CPU "
	  "enters the kernel.",
	  "kvmlab exec stops the program here: its seccomp filter traps every ioctl whose request "
	  "has KVM's type 0xAE, and kvmlab reads the arguments from the program's memory." },
	{ "SYSCALL_DEFINE3(ioctl, ...)", "fs/ioctl.c",
	  "The system call (__x64_sys_ioctl): fdget(fd) finds the struct file behind the number, "
	  "security_file_ioctl() lets a security module refuse, do_vfs_ioctl() serves the few "
	  "requests every file knows (FIOCLEX, FIONBIO, FIONREAD, ...) and returns -ENOIOCTLCMD for "
	  "the rest, so vfs_ioctl() calls filp->f_op->unlocked_ioctl(filp, cmd, arg): the function "
	  "the driver put in the file's struct file_operations (a file without one gives -ENOTTY; "
	  "a 32-bit program goes through compat_sys_ioctl and f_op->compat_ioctl instead).",
	  NULL },
	END,
};

/* What the file's file_operations route the call to. */
static const struct ioctlpath_step fd_steps[][2] = {
	[IOCTLPATH_SYSTEM] = {
		{ "kvm_dev_ioctl", MAIN,
		  "/dev/kvm's file_operations are kvm_chardev_ops, whose .unlocked_ioctl is "
		  "kvm_dev_ioctl: it switches on the request code (KVM_GET_API_VERSION, "
		  "KVM_CREATE_VM, KVM_CHECK_EXTENSION, KVM_GET_VCPU_MMAP_SIZE) and hands any other to "
		  "kvm_arch_dev_ioctl (" X86 ": KVM_GET_SUPPORTED_CPUID, KVM_GET_MSR_INDEX_LIST, ...).",
		  "the object `kvm` in kvmlab exec's log is this file." },
		END,
	},
	[IOCTLPATH_VM] = {
		{ "kvm_vm_ioctl", MAIN,
		  "A VM fd's file_operations are kvm_vm_fops, whose .unlocked_ioctl is kvm_vm_ioctl: "
		  "it first refuses with -EIO a process whose memory map is not the one that created "
		  "the VM (kvm->mm != current->mm), then switches on the request (KVM_CREATE_VCPU, "
		  "KVM_SET_USER_MEMORY_REGION, KVM_CHECK_EXTENSION, KVM_IOEVENTFD, ...) and hands any "
		  "other to kvm_arch_vm_ioctl (" X86 ": KVM_SET_TSS_ADDR, KVM_CREATE_IRQCHIP, ...).",
		  "the objects `vm1`, `vm2`, ... in kvmlab exec's log are these files." },
		END,
	},
	[IOCTLPATH_VCPU] = {
		{ "kvm_vcpu_ioctl", MAIN,
		  "A vCPU fd's file_operations are kvm_vcpu_fops, whose .unlocked_ioctl is "
		  "kvm_vcpu_ioctl (its .mmap, kvm_vcpu_mmap, serves the kvm_run page): -EIO for another "
		  "process's memory map as for the VM, then it takes vcpu->mutex (one ioctl at a time "
		  "per vCPU) and switches on the request (KVM_RUN, KVM_GET_REGS, KVM_SET_REGS, "
		  "KVM_GET_SREGS, KVM_SET_SREGS, KVM_TRANSLATE, KVM_SET_GUEST_DEBUG, ...), handing any "
		  "other to kvm_arch_vcpu_ioctl (" X86 ": KVM_SET_CPUID2, KVM_GET_MSRS, ...).",
		  "the objects `vm1.vcpu0`, ... in kvmlab exec's log are these files." },
		END,
	},
};

/* ---- the topics ----------------------------------------------------------- */

static const struct ioctlpath_step ioctl_general[] = {
	{ "misc_register(&kvm_dev)", MAIN " (kvm_init), drivers/char/misc.c",
	  "How a module registers the ioctls it serves: it fills a struct file_operations with its "
	  "functions (.open, .release, .mmap, .unlocked_ioctl, ...) and ties it to a file. KVM's "
	  "kvm_init() calls misc_register(&kvm_dev), a misc character device with minor KVM_MINOR "
	  "(232) named \"kvm\" and the operations kvm_chardev_ops; devtmpfs (and udev) make "
	  "/dev/kvm, character device 10:232, and opening it runs misc_open(), which puts kvm_chardev_ops in the new "
	  "file's f_op. (A driver with a major number of its own uses register_chrdev() or "
	  "cdev_add() the same way.)",
	  "stat -c '%t:%T' /dev/kvm prints a:e8 (10:232 in hex)." },
	{ "anon_inode_getfile / anon_inode_getfd", "fs/anon_inodes.c, called from " MAIN,
	  "KVM's other files have no name in /dev: KVM_CREATE_VM makes a file \"kvm-vm\" with "
	  "kvm_vm_fops, KVM_CREATE_VCPU one \"kvm-vcpu:N\" with kvm_vcpu_fops, and installs each in "
	  "the program's fd table. So the same ioctl(2) reaches kvm_dev_ioctl, kvm_vm_ioctl or "
	  "kvm_vcpu_ioctl depending on the fd it is made on.",
	  "ls -l /proc/PID/fd of a running VMM shows anon_inode:kvm-vm and anon_inode:kvm-vcpu:0; "
	  "kvmlab exec names them vm1 and vm1.vcpu0 from the call that returned them (new=vm1)." },
	{ "the handler's switch", MAIN,
	  "The handler switches on the request code, built by _IOC(dir, type, nr, size) in "
	  "<linux/ioctl.h>: bits 0-7 the number, 8-15 the type (0xAE for every KVM request), 16-29 "
	  "the size of the structure arg points to, 30-31 the direction seen from user space "
	  "(_IOW: the program passes it in, _IOR: the kernel fills it, _IO: arg is a plain value "
	  "or nothing). A structure is copied in with copy_from_user (or memdup_user) and out with "
	  "copy_to_user; a bad pointer gives -EFAULT.",
	  "kvmlab run --show-ioctls prints dir, size, type and nr of every request; kvmlab "
	  "explain KVM_NAME prints them for one." },
	{ "return to user space", "arch/x86/entry/entry_64.S",
	  "The handler's result goes back in rax: a value >= 0 (a new fd, a size, 0 for done) is "
	  "ioctl's result; -errno becomes -1 with errno set in the program.",
	  "kvmlab exec prints ret=N, or errno=NAME, after each call (read at the system call's "
	  "exit stop), and what the kernel wrote back (out={...})." },
	END,
};

static const struct ioctlpath_step get_api_version[] = {
	{ "case KVM_GET_API_VERSION", MAIN,
	  "kvm_dev_ioctl returns KVM_API_VERSION (12), the version of the stable API; arg must be "
	  "0 (-EINVAL otherwise). A VMM refuses to go on with another number.",
	  NULL },
	END,
};

static const struct ioctlpath_step create_vm[] = {
	{ "kvm_dev_ioctl_create_vm", MAIN,
	  "kvm_create_vm(type) allocates the struct kvm (kvm_arch_init_vm on x86: the MMU's "
	  "state, the I/O buses, ...) and records current->mm as the VM's owner; then "
	  "get_unused_fd_flags, anon_inode_getfile(\"kvm-vm\", &kvm_vm_fops, kvm, O_RDWR) and "
	  "fd_install give the program a new fd for it.",
	  NULL },
	END,
};

static const struct ioctlpath_step check_extension[] = {
	{ "kvm_vm_ioctl_check_extension_generic", MAIN,
	  "Answers whether a capability (KVM_CAP_*) is there and its value; the architecture's "
	  "own ones go to kvm_vm_ioctl_check_extension (" X86 "). Served on /dev/kvm and on a VM "
	  "fd (where the answer may depend on the VM).",
	  NULL },
	END,
};

static const struct ioctlpath_step mmap_size[] = {
	{ "case KVM_GET_VCPU_MMAP_SIZE", MAIN,
	  "kvm_dev_ioctl returns PAGE_SIZE for struct kvm_run, plus on x86 one page for port I/O "
	  "data (KVM_PIO_PAGE_OFFSET 1) and, with CONFIG_KVM_MMIO, one for the coalesced MMIO ring: "
	  "12288 bytes on x86-64.",
	  NULL },
	{ "kvm_vcpu_mmap, kvm_vcpu_fault", MAIN,
	  "The program then mmaps that many bytes of the vCPU fd (MAP_SHARED). kvm_vcpu_mmap sets "
	  "the mapping's fault handler kvm_vcpu_fault, which maps page 0 to vcpu->run (struct "
	  "kvm_run), page 1 to vcpu->arch.pio_data and page 2 to the MMIO ring: the pages KVM "
	  "itself writes at each exit, so the program reads them without a copy. That is why "
	  "io.data_offset is 0x1000: the byte of an OUT is in page 1.",
	  "vm1.vcpu0 mmap len=0x3000 kvm_run=0x7f...: where the program mapped it (kvmlab maps the "
	  "same pages of its own copy of the fd to read each exit)." },
	END,
};

static const struct ioctlpath_step set_tss_addr[] = {
	{ "kvm_vm_ioctl_set_tss_addr", X86,
	  "kvm_vm_ioctl hands it to kvm_arch_vm_ioctl, which calls the vendor's set_tss_addr: "
	  "vmx_set_tss_addr (arch/x86/kvm/vmx/vmx.c), on a CPU without unrestricted guest, "
	  "reserves three pages of guest physical address space at arg for the TSS Intel's VMX "
	  "needs to run real mode (as vm86); with it, and in svm_set_tss_addr, nothing happens. arg is the address itself, not a "
	  "pointer (_IO).",
	  NULL },
	END,
};

static const struct ioctlpath_step set_memory_region[] = {
	{ "kvm_vm_ioctl_set_memory_region", MAIN,
	  "kvm_vm_ioctl copies struct kvm_userspace_memory_region in (copy_from_user) and calls "
	  "kvm_set_memory_region, which takes kvm->slots_lock and calls "
	  "__kvm_set_memory_region.",
	  NULL },
	{ "__kvm_set_memory_region", MAIN,
	  "Checks the region: guest_phys_addr, memory_size and userspace_addr page-aligned, the "
	  "host range one the program may access (access_ok), no overlap with another slot; then "
	  "builds the slot (base_gfn = guest_phys_addr >> 12, npages, userspace_addr) and installs "
	  "it (kvm_set_memslot, kvm_arch_commit_memory_region). Nothing is copied or pinned: a "
	  "guest page is faulted in from the program's memory the first time the guest touches "
	  "it (the MMU's page-fault path, hva_to_pfn), so what the program writes at "
	  "userspace_addr + N is what the guest reads at guest physical guest_phys_addr + N.",
	  "vm1 KVM_SET_USER_MEMORY_REGION arg={slot=0 flags=0x0 guest_phys_addr=0x0 "
	  "memory_size=0x200000 userspace_addr=0x7f...}: kvm-hello-world's 2 MiB at guest "
	  "physical 0; the program labs' checks call userspace_addr hva_base." },
	END,
};

static const struct ioctlpath_step create_vcpu[] = {
	{ "kvm_vm_ioctl_create_vcpu", MAIN,
	  "Allocates struct kvm_vcpu and the page of its struct kvm_run (vcpu->run), "
	  "kvm_vcpu_init, then kvm_arch_vcpu_create (" X86 ": the local APIC, the MMU context, and "
	  "the vendor's vcpu_create: vmx_vcpu_create makes the VMCS, svm_vcpu_create the VMCB). "
	  "The vCPU starts as a CPU after reset: real mode, CS selector 0xf000 with base "
	  "0xffff0000, RIP 0xfff0.",
	  NULL },
	{ "create_vcpu_fd", MAIN,
	  "anon_inode_getfd(\"kvm-vcpu:N\", &kvm_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC): the new fd "
	  "is the result.",
	  "vm1 KVM_CREATE_VCPU vcpu_id=0 ret=5 new=vm1.vcpu0; the KVM_GET_SREGS after it shows the "
	  "reset state (cs={sel=0xf000 base=0xffff0000 ...})." },
	END,
};

static const struct ioctlpath_step get_sregs[] = {
	{ "kvm_arch_vcpu_ioctl_get_sregs", X86,
	  "kvm_vcpu_ioctl allocates a struct kvm_sregs; __get_sregs fills it under vcpu_load: "
	  "every segment register as KVM holds it (kvm_get_segment: selector, base, limit, type "
	  "and flags), CR0, CR2, CR3, CR4, CR8, EFER, APIC base, GDT and IDT; copy_to_user hands "
	  "it to the program (_IOR).",
	  NULL },
	END,
};

static const struct ioctlpath_step set_sregs[] = {
	{ "kvm_arch_vcpu_ioctl_set_sregs", X86,
	  "memdup_user copies the program's struct kvm_sregs in (_IOW); __set_sregs checks the "
	  "combination (kvm_is_valid_sregs: with EFER.LME and CR0.PG set it wants CR4.PAE and "
	  "EFER.LMA too, without them neither EFER.LMA nor a 64-bit CS; -EINVAL otherwise), "
	  "then loads EFER (the vendor's set_efer), CR0 (set_cr0), CR3, CR4, CR8, the "
	  "segments (kvm_set_segment), GDT and IDT, and resets the MMU context "
	  "(kvm_mmu_reset_context), so the next KVM_RUN walks the guest's page tables the way the "
	  "new CR0/CR4/EFER say, starting at the new CR3.",
	  "vm1.vcpu0 KVM_SET_SREGS arg={... cr0=0x80050033(PE MP ET NE WP AM PG) cr3=0x2000 "
	  "cr4=0x20(PAE) efer=0x500(LME LMA) ...}: the mode kvm-hello-world's -l sets; kvmlab "
	  "exec --trace --walk walks the tables at that CR3." },
	END,
};

static const struct ioctlpath_step get_regs[] = {
	{ "kvm_arch_vcpu_ioctl_get_regs", X86,
	  "kvm_vcpu_ioctl allocates a struct kvm_regs; __get_regs fills it under vcpu_load from "
	  "the vCPU's register cache (kvm_rax_read ... kvm_r15_read, kvm_rip_read, "
	  "kvm_get_rflags); copy_to_user hands it to the program.",
	  "vm1.vcpu0 KVM_GET_REGS out={rax=0x2a ...}: after KVM_EXIT_HLT, the 42 kvm-hello-world "
	  "checks (it also reads the 8 bytes at guest physical 0x400 straight from its memory)." },
	END,
};

static const struct ioctlpath_step set_regs[] = {
	{ "kvm_arch_vcpu_ioctl_set_regs", X86,
	  "memdup_user copies the program's struct kvm_regs in; __set_regs writes the general "
	  "registers, RIP and RFLAGS into the vCPU, drops any pending exception and asks for the "
	  "events to be looked at again (kvm_make_request(KVM_REQ_EVENT)). The guest starts at "
	  "this RIP (with the CS base of the sregs) on the next KVM_RUN.",
	  "vm1.vcpu0 KVM_SET_REGS arg={... rsp=0x200000 ... rip=0x0 rflags=0x2}." },
	END,
};

static const struct ioctlpath_step run[] = {
	{ "case KVM_RUN", MAIN,
	  "kvm_vcpu_ioctl: arg must be 0 (-EINVAL otherwise); when another thread than last time "
	  "calls it, the vCPU's pid is updated; then r = kvm_arch_vcpu_ioctl_run(vcpu).",
	  NULL },
	{ "kvm_arch_vcpu_ioctl_run", X86,
	  "vcpu_load (this physical CPU), kvm_sigset_activate, kvm_load_guest_fpu; registers the "
	  "program wrote into kvm_run are taken (sync_regs, with KVM_CAP_SYNC_REGS); if the last "
	  "exit was an I/O or MMIO exit, vcpu->arch.complete_userspace_io finishes that "
	  "instruction first (for an IN, complete_fast_pio_in copies the value the program left "
	  "at io.data_offset into RAX); if kvm_run->immediate_exit is set it returns -EINTR "
	  "without entering the guest; then r = vcpu_run(vcpu).",
	  "immediate_exit=N on every KVM_RUN line is what the program set before the call." },
	{ "vcpu_run", X86,
	  "The loop: while r > 0, vcpu_enter_guest() if the vCPU can run (kvm_vcpu_running), else "
	  "vcpu_block() until an event; a pending signal ends it with r = -EINTR and exit_reason "
	  "KVM_EXIT_INTR (a VMM's timer signal does this).",
	  "ret=-1 errno=EINTR exit=KVM_EXIT_INTR: a KVM_RUN a signal interrupted." },
	{ "vcpu_enter_guest", X86,
	  "Serves pending requests (kvm_check_request: MMU reload, TLB flush, ...) and injects "
	  "pending events (interrupts, exceptions), then enters the guest through the vendor's vcpu_run: "
	  "vmx_vcpu_run (VMLAUNCH/VMRESUME, arch/x86/kvm/vmx/vmx.c) or svm_vcpu_run (VMRUN, "
	  "arch/x86/kvm/svm/svm.c; a host like this project's pvm backend runs the guest its own "
	  "way behind the same call). The guest runs at full speed until a VM exit; then the "
	  "vendor's handle_exit (vmx_handle_exit, svm_handle_exit) calls the handler for the exit "
	  "reason from its table (kvm_vmx_exit_handlers[], svm_exit_handlers[]).",
	  "us=N on a KVM_RUN line: the time the program spent in this call." },
	{ "handle_io -> kvm_fast_pio -> emulator_pio_in_out", "arch/x86/kvm/vmx/vmx.c, " X86,
	  "An IN or OUT: handle_io (VMX) or io_interception (SVM) calls kvm_fast_pio, and "
	  "kvm_fast_pio_out/kvm_fast_pio_in reach emulator_pio_in_out. If no device in the kernel "
	  "claims the port (kernel_pio: the KVM_PIO_BUS), KVM fills vcpu->run: exit_reason = "
	  "KVM_EXIT_IO, io.direction, io.size, io.port, io.count, and io.data_offset = "
	  "KVM_PIO_PAGE_OFFSET * PAGE_SIZE (0x1000), with an OUT's bytes copied to "
	  "vcpu->arch.pio_data (page 1 of the vCPU's mapping), sets complete_userspace_io to "
	  "finish the instruction on the next KVM_RUN, and returns 0: go back to user space. "
	  "(String I/O, ins/outs, goes through the instruction emulator to the same place.)",
	  "exit=KVM_EXIT_IO dir=out port=0xe9 size=1 count=1 data_offset=0x1000 data=[48]\"H\": "
	  "the fields KVM just wrote, and the byte at data_offset." },
	{ "handle_halt -> kvm_emulate_halt", "arch/x86/kvm/vmx/vmx.c, " X86,
	  "A HLT: handle_halt (VMX) calls kvm_emulate_halt (SVM's svm_exit_handlers[] has it "
	  "for SVM_EXIT_HLT itself), which "
	  "skips the instruction and, when the local APIC is emulated in user space (no "
	  "KVM_CREATE_IRQCHIP, as in kvm-hello-world), sets exit_reason = KVM_EXIT_HLT and "
	  "returns 0; with an in-kernel APIC the vCPU blocks in the kernel until an interrupt "
	  "instead, and the program sees nothing. A triple fault gives KVM_EXIT_SHUTDOWN.",
	  "exit=KVM_EXIT_HLT: kvm-hello-world then reads the registers (KVM_GET_REGS) to check "
	  "the 42." },
	{ "an exit KVM handles itself", X86,
	  "A handler that returns 1 (an EPT or page fault on memory a slot maps, an external "
	  "interrupt, a CPUID the kernel emulates) keeps vcpu_run looping: the guest is entered "
	  "again and the program never sees that exit.",
	  "such exits never appear in kvmlab exec's log: only the exits KVM_RUN returns with do." },
	{ "back to user space", X86,
	  "kvm_arch_vcpu_ioctl_run: kvm_put_guest_fpu, store_regs into kvm_run when "
	  "kvm_valid_regs asks (SYNC_REGS), post_kvm_run_save (if_flag, cr8, apic_base, "
	  "ready_for_interrupt_injection), kvm_sigset_deactivate, vcpu_put; the ioctl returns 0 "
	  "and the program reads exit_reason and the exit's fields in its own mapping of "
	  "kvm_run: the same page KVM wrote.",
	  "kvmlab exec reads the exit from its own mapping of that page, as the program does." },
	END,
};

static const struct ioctlpath topics[] = {
	{ "ioctl", IOCTLPATH_NONE,
	  "How a Linux kernel module registers and serves an ioctl, shown on KVM: the device "
	  "file, the file_operations behind each fd, and the way from ioctl(2) to the module's "
	  "function and back.",
	  ioctl_general,
	  "What the handler returns: >= 0, or -1 with errno.",
	  "kvmlab run --show-ioctls (kvmlab's own VMM), kvmlab exec -- PROGRAM (any VMM): one "
	  "line per ioctl, decoded. kvmlab explain KVM_RUN (and the other names kvmlab explain "
	  "--list gives) follows one call all the way." },
	{ "KVM_GET_API_VERSION", IOCTLPATH_SYSTEM,
	  "Which version of the KVM API the kernel speaks (always 12 since Linux 2.6.22).",
	  get_api_version, "12.", "kvm KVM_GET_API_VERSION ret=12" },
	{ "KVM_CREATE_VM", IOCTLPATH_SYSTEM,
	  "Creates a virtual machine with no memory and no vCPU yet; arg is the machine type "
	  "(0 on x86).",
	  create_vm, "A new fd for the VM.", "kvm KVM_CREATE_VM type=0 ret=4 new=vm1" },
	{ "KVM_CHECK_EXTENSION", IOCTLPATH_SYSTEM,
	  "Asks whether an optional feature (a KVM_CAP_* number, the argument) is there.",
	  check_extension, "0 (no) or a positive value.",
	  "vm1 KVM_CHECK_EXTENSION cap=74 cap_name=KVM_CAP_SYNC_REGS ret=7: the capability by name" },
	{ "KVM_GET_VCPU_MMAP_SIZE", IOCTLPATH_SYSTEM,
	  "How many bytes of a vCPU fd to mmap: struct kvm_run and the pages after it.",
	  mmap_size, "The size in bytes (12288 on x86-64).", "kvm KVM_GET_VCPU_MMAP_SIZE ret=12288" },
	{ "KVM_SET_TSS_ADDR", IOCTLPATH_VM,
	  "Where in guest physical address space Intel VMX may keep the three pages it needs to "
	  "run real mode (kvm-hello-world passes 0xfffbd000, below the 4 GiB boundary).",
	  set_tss_addr, "0.", "vm1 KVM_SET_TSS_ADDR addr=0xfffbd000 ret=0" },
	{ "KVM_SET_USER_MEMORY_REGION", IOCTLPATH_VM,
	  "Gives the VM memory: guest physical addresses from guest_phys_addr, memory_size bytes, "
	  "live at host address userspace_addr of the program (slot by slot).",
	  set_memory_region, "0.", "vm1 KVM_SET_USER_MEMORY_REGION arg={...} ret=0" },
	{ "KVM_CREATE_VCPU", IOCTLPATH_VM,
	  "Creates a virtual CPU of the VM; arg is its id (0 for the first).",
	  create_vcpu, "A new fd for the vCPU.", "vm1 KVM_CREATE_VCPU vcpu_id=0 ret=5 new=vm1.vcpu0" },
	{ "KVM_GET_SREGS", IOCTLPATH_VCPU,
	  "Reads the vCPU's special registers: segments, control registers, EFER, GDT, IDT.",
	  get_sregs, "0; the struct filled.", "vm1.vcpu0 KVM_GET_SREGS ret=0 out={cs={...} ...}" },
	{ "KVM_SET_SREGS", IOCTLPATH_VCPU,
	  "Sets the special registers: how a VMM puts the vCPU in protected or long mode, with "
	  "CR3 pointing at page tables it wrote into guest memory.",
	  set_sregs, "0, or -EINVAL for a combination the CPU cannot be in.",
	  "vm1.vcpu0 KVM_SET_SREGS arg={...} ret=0" },
	{ "KVM_GET_REGS", IOCTLPATH_VCPU,
	  "Reads the general registers, RIP and RFLAGS.",
	  get_regs, "0; the struct filled.", "vm1.vcpu0 KVM_GET_REGS ret=0 out={rax=... rip=...}" },
	{ "KVM_SET_REGS", IOCTLPATH_VCPU,
	  "Sets the general registers, RIP and RFLAGS: where the guest starts, its stack.",
	  set_regs, "0.", "vm1.vcpu0 KVM_SET_REGS arg={...} ret=0" },
	{ "KVM_RUN", IOCTLPATH_VCPU,
	  "Runs the guest on this vCPU until something needs the VMM (a VM exit KVM does not "
	  "handle itself), then returns with the reason and its details in struct kvm_run.",
	  run, "0, with kvm_run->exit_reason and the exit's fields filled; -1 with errno EINTR "
	  "when a signal (or immediate_exit) stopped it first.",
	  "vm1.vcpu0 KVM_RUN immediate_exit=0 ret=0 exit=KVM_EXIT_IO dir=out port=0xe9 size=1 "
	  "count=1 data_offset=0x1000 data=[48]\"H\" us=41.3; kvmlab exec --stats counts the "
	  "exits by type, kvmlab exec --trace steps the guest between them" },
};

#define NTOPICS (sizeof(topics) / sizeof(topics[0]))

const struct ioctlpath *ioctlpath_at(size_t i)
{
	return i < NTOPICS ? &topics[i] : NULL;
}

const struct ioctlpath *ioctlpath_find(const char *name)
{
	for (size_t i = 0; name && i < NTOPICS; i++)
		if (strcasecmp(topics[i].name, name) == 0 ||
		    (strncasecmp(topics[i].name, "KVM_", 4) == 0 &&
		     strcasecmp(topics[i].name + 4, name) == 0))
			return &topics[i];
	return NULL;
}

/* ---- writing -------------------------------------------------------------- */

/* text word-wrapped to WIDTH: the first line after first spaces, the others after indent. */
static void wrap2(FILE *f, int first, int indent, const char *text)
{
	const char *p = text;

	for (int lead = first; *p; lead = indent) {
		int room = WIDTH - lead, n = 0, cut = 0;

		while (p[n] && n < room) {
			if (p[n] == ' ')
				cut = n;
			n++;
		}
		if (!p[n])
			cut = n;
		else if (!cut)
			cut = n;   /* one word longer than a line */
		fprintf(f, "%*s%.*s\n", lead, "", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void wrap(FILE *f, int indent, const char *text)
{
	wrap2(f, indent, indent, text);
}

static void step(FILE *f, int n, const struct ioctlpath_step *s)
{
	char head[256];

	snprintf(head, sizeof(head), "%d. %s  (%s)", n, s->func, s->file);
	wrap2(f, 2, 5, head);
	wrap(f, 5, s->what);
	if (s->shows) {
		char shows[1024];

		snprintf(shows, sizeof(shows), "kvmlab shows: %s", s->shows);
		wrap(f, 5, shows);
	}
}

int ioctlpath_write(FILE *f, const struct ioctlpath *p)
{
	unsigned long req = vmm_ioctl_request(p->name);
	char line[1024];
	int n = 1;

	if (req) {
		struct vmm_ioctl_info i;

		vmm_ioctl_decode(req, &i);
		fprintf(f, "%s, an ioctl on %s\nrequest 0x%08lx: dir %s, size %u, type 0x%02X, "
			"nr 0x%02X\n\n", p->name, p->fd == IOCTLPATH_SYSTEM ? "/dev/kvm" :
			p->fd == IOCTLPATH_VM ? "a VM fd" : "a vCPU fd", req, i.dir, i.size, i.type,
			i.nr);
	} else {
		fprintf(f, "%s\n\n", p->name);
	}
	wrap(f, 0, p->summary);
	fputs("\nThe way through the kernel (Linux 6.x):\n", f);
	for (const struct ioctlpath_step *s = common; s->func; s++)
		step(f, n++, s);
	if (p->fd != IOCTLPATH_NONE)
		for (const struct ioctlpath_step *s = fd_steps[p->fd]; s->func; s++)
			step(f, n++, s);
	for (const struct ioctlpath_step *s = p->steps; s->func; s++)
		step(f, n++, s);
	snprintf(line, sizeof(line), "Returns: %s", p->returns);
	fputc('\n', f);
	wrap(f, 0, line);
	snprintf(line, sizeof(line), "In kvmlab: %s", p->shows);
	wrap(f, 0, line);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
