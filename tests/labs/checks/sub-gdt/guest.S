/* The good guest, but first it loads a GDT of its own whose data descriptor (0x10) has the
 * accessed bit clear: the CPU sets the bit itself when DS is loaded with it, a write to the
 * guest's .data that no instruction of the guest makes. */
	.code32
	.globl _start
_start:
	lgdt gdt_desc
	movw $0x10, %ax
	movw %ax, %ds
	jmp common

	.data
	.balign 8
gdt:	.quad 0
	.quad 0x00cf9b000000ffff   /* 0x08: flat code, accessed */
	.quad 0x00cf92000000ffff   /* 0x10: flat data, accessed bit clear */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt
