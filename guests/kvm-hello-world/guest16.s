# guest16.s - the real-mode guest of the classic kvm-hello-world assignment.
# Plain GNU as (no preprocessor), assembled for i386 (as --32), linked by
# guest.ld into a flat binary.  Load it at 0 and start in real mode at
# CS:IP = 0:0.  It prints nothing: it stores 42 (2 bytes) at 0x400 and halts
# with AX = 42.  Three instructions.
	.code16
	.globl code16, code16_end
code16:
	movw $42, %ax
	movw %ax, 0x400
	hlt
code16_end:
