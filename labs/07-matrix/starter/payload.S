/* payload.S - the two guest images, linked into the hypervisor as read-only data. */
	.section .rodata
	.globl guest1, guest1_end, guest2, guest2_end
guest1:
	.incbin "guest1.img"
guest1_end:
guest2:
	.incbin "guest2.img"
guest2_end:
	.section .note.GNU-stack, "", @progbits
