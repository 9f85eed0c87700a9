# guest2.s - VM 2 of the Matrix: counts down forever, showing each value on port 0x11.
	.code16
	.text
	xor %ax, %ax
1:	out %ax, $0x11
	dec %ax
	jmp 1b
