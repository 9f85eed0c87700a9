/* payload.S - the guest images, linked into the hypervisor as read-only data. */
	.section .rodata
	.globl code16, code16_end, code32, code32_end, code64, code64_end
code16:
	.incbin "guest16.img"
code16_end:
code32:
	.incbin "guest32.img"
code32_end:
code64:
	.incbin "guest64.img"
code64_end:
	.section .note.GNU-stack, "", @progbits
