# explain-64.s - a long-mode flat guest (--flat 0x1000 --mode long) that shows, one step each,
# the instructions whose explanations tests/kvm/explain.sh asserts: IF changes, CPUID, RDTSC,
# console IN and a 2-byte OUT, WRMSR to IA32_KERNEL_GS_BASE and IA32_FS_BASE, SWAPGS, CR3 with
# PWT/PCD, CR0.WP, CR4.PGE, page-table writes (bit 63 without EFER.NXE) and INVLPG, LGDT, LTR,
# LLDT, LIDT, a #GP on a non-canonical address (delivered through the IDT), a far return into
# compatibility mode and a far jump back, IRETQ to CPL 3, and HLT at CPL 3: a #GP whose handler
# sees CPL 3 in the pushed CS and halts at CPL 0 with RAX = 42.
# 125 instructions retired, the last HLT included (the HLT at CPL 3 faults and does not retire).
# (INT n in long mode is in int-64.s: this project's PVM hosts cannot deliver it.)
	.code64
	.text
	.globl start
start:
	cli				# IF was already clear
	pushq $0x202
	popfq				# POPF sets IF
	cli				# IF cleared
	sti				# IF set
	cli
	movl $0x80000008, %eax
	cpuid
	rdtsc
	movw $0xe9, %dx
	inb %dx, %al			# the console answers 0xE9
	movw $0x4241, %ax
	outw %ax, %dx			# 'A', 'B'
	xorl %edx, %edx
	movl $0xc0000102, %ecx
	movl $0x9000, %eax
	wrmsr				# IA32_KERNEL_GS_BASE
	movl $0xc0000100, %ecx
	movl $0x7000, %eax
	wrmsr				# IA32_FS_BASE
	swapgs				# GS.base <-> IA32_KERNEL_GS_BASE
	nop
	nop
	swapgs
	nop
	nop
	movq %cr3, %rax
	orq $0x18, %rax
	movq %rax, %cr3			# PWT=1, PCD=1
	andq $~0x18, %rax
	movq %rax, %cr3
	movq %cr0, %rax
	btrq $16, %rax
	movq %rax, %cr0			# CR0.WP cleared
	btsq $16, %rax
	movq %rax, %cr0
	movq %cr4, %rax
	btsq $7, %rax
	movq %rax, %cr4			# CR4.PGE set
	btrq $7, %rax
	movq %rax, %cr4
	movq $0x1ff028, %rbx		# PD[5] (kvmlab's long-mode tables: PD at 0x1FF000)
	movabsq $0x8000000000a00087, %rax
	movq %rax, (%rbx)		# bit 63 with EFER.NXE=0: reserved
	movq $0, (%rbx)
	invlpg 0xa00000
	movq $0x1f8000, 0x6004		# TSS.RSP0
	lgdt gdtr
	movw $0x38, %ax
	ltr %ax
	movw $0x48, %ax
	lldt %ax
	movl $13, %edi
	movq $gp_handler, %rsi
	movl $0x8e, %edx
	call set_gate
	lidt idtr
	movabsq $0x800000000000, %rbx
	movq (%rbx), %rax		# #GP: not canonical; the handler skips these 3 bytes
	pushq $0x08
	pushq $compat
	lretq				# into compatibility mode
	.code32
compat:
	ljmp $0x18, $back64		# back to 64-bit mode
	.code64
back64:
	pushq $0x2b			# SS = 0x28 | 3
	pushq $0x1f0000
	pushq $0x2
	pushq $0x33			# CS = 0x30 | 3
	pushq $user
	iretq				# to CPL 3
user:
	movl $42, %eax
	hlt				# privileged at CPL 3: #GP

gp_handler:
	testb $3, 16(%rsp)		# the pushed CS: from CPL 3?
	jnz 1f
	addq $8, %rsp			# the error code
	addq $3, (%rsp)			# past the faulting movq (%rbx), %rax
	iretq
1:	hlt

# set_gate(vector %edi, handler %rsi, type and DPL %dl): a 16-byte gate at 0x8000 + 16 * vector.
set_gate:
	movl %edi, %eax
	shll $4, %eax
	addl $0x8000, %eax
	movw %si, (%rax)
	movw $0x18, 2(%rax)
	movb $0, 4(%rax)
	movb %dl, 5(%rax)
	movq %rsi, %rcx
	shrq $16, %rcx
	movw %cx, 6(%rax)
	shrq $16, %rcx
	movl %ecx, 8(%rax)
	movl $0, 12(%rax)
	ret

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	# 0x08 32-bit code
	.quad 0x00cf93000000ffff	# 0x10 data
	.quad 0x00af9b000000ffff	# 0x18 64-bit code
	.quad 0x00cf93000000ffff	# 0x20 data
	.quad 0x00cff3000000ffff	# 0x28 user data
	.quad 0x00affb000000ffff	# 0x30 user 64-bit code
	.quad 0x0000890060000067, 0	# 0x38 TSS at 0x6000
	.quad 0x0000820061000017, 0	# 0x48 LDT at 0x6100
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.quad gdt
idtr:
	.word 0xfff
	.quad 0x8000
