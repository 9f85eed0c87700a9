# guest1.s - VM 1 of the Matrix: counts up forever, showing each value on port 0x10.
	.code16
	.text
	xor %ax, %ax
1:	out %ax, $0x10
	inc %ax
	jmp 1b
