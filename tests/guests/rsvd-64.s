# rsvd-64.s - a long-mode flat guest (--flat 0x1000 --mode long --mem 4M) that writes a PDE with
# a reserved bit set and reads through it: the #PF (RSVD=1) finds an empty IDT, so the guest
# triple-faults and the post-mortem walks CR2. The bit is 50 (above the MAXPHYADDR the guest's
# CPUID 0x80000008 gives; below 52) or, built with --defsym NX=1, bit 63 while EFER.NXE = 0.
	.code64
	.text
	.globl start
start:
	movq %cr3, %rbx
	addq $0x2000, %rbx		# the PD (kvmlab's long-mode layout: PML4, PDPT, PD)
.ifdef NX
	movabsq $0x8000000000200083, %rax
.else
	movabsq $0x0004000000200083, %rax
.endif
	movq %rax, 8(%rbx)		# PD[1]: the 2 MiB page at 2 MiB, with the reserved bit
	movq 0x200000, %rax		# #PF with RSVD=1
	hlt
