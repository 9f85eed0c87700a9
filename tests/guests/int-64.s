# int-64.s - a long-mode flat guest (--flat 0x1000 --mode long): INT 0x30 through a 16-byte
# interrupt gate at IDTR.base + 0x300; the handler halts with RAX = 42. On this project's PVM
# hosts KVM cannot deliver it (KVM_EXIT_INTERNAL_ERROR at the INT); on VMX/SVM it is delivered.
# With --defsym, SHORT_IDT=1 the IDT limit (0x2ff) cuts off the gate: #GP, then (no #GP gate)
# a double fault and a triple fault.
	.code64
	.text
	.globl start
start:
	movq $handler, %rax
	movw %ax, 0x8300		# offset 15:0
	movw $0x18, 0x8302		# kvmlab's 64-bit code selector
	movw $0x8e00, 0x8304		# present interrupt gate, DPL 0
	shrq $16, %rax
	movw %ax, 0x8306
	shrq $16, %rax
	movq %rax, 0x8308
	lidt idtr
	int $0x30
	hlt

handler:
	movl $42, %eax
	hlt

idtr:
.ifdef SHORT_IDT
	.word 0x2ff
.else
	.word 0xfff
.endif
	.quad 0x8000
