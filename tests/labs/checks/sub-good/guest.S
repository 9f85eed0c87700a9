/* A guest that stays inside its ranges: common.S alone. */
	.code32
	.globl _start
_start:
	jmp common
