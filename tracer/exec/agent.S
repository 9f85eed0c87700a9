/* agent.S - the loop kvmlab runs inside a program under `kvmlab exec --trace` (agent.h).
 *
 * These bytes are never executed in kvmlab: they are copied into a page shared with the
 * program, and the program's stopped vCPU thread is pointed at agent_code with
 *   rbx = the program's address of the command box (struct agent_box),
 *   r13 = the filter's cookie (the fourth argument of its KVM_RUN),
 *   r14 = the number of the last command taken.
 * It waits for the next command (looking at box->req_seq box->spin times, then sleeping on
 * its futex), makes the ioctl, stores the result, copies the pages of guest memory kvmlab
 * listed in the box (box->npages addresses in box->page[], into the pages that follow the
 * box), publishes the command's number in box->done_seq and wakes kvmlab if it sleeps;
 * AGENT_QUIT stops it on an int3.  It touches no memory but the box, its copies and the
 * listed pages (a page that faults: kvmlab empties the list and resumes it at
 * agent_publish), and needs no stack.
 */
	.equ REQ_SEQ, 0
	.equ CMD, 4
	.equ FD, 8
	.equ REQ, 16
	.equ ARG, 24
	.equ AGENT_SLEEPS, 32
	.equ SPIN, 36
	.equ DONE_SEQ, 64
	.equ HOST_SLEEPS, 68
	.equ RET, 72
	.equ NPAGES, 80
	.equ PAGES, 88
	.equ CMD_QUIT, 2
	.equ SYS_IOCTL, 16
	.equ SYS_FUTEX, 202
	.equ FUTEX_WAIT, 0
	.equ FUTEX_WAKE, 1

	.section .rodata
	.globl agent_code, agent_publish, agent_quit, agent_code_end
	.code64
agent_code:
1:	movl SPIN(%rbx), %ecx
2:	movl REQ_SEQ(%rbx), %eax
	cmpl %r14d, %eax
	jne 4f
	subl $1, %ecx
	jb 3f
	pause
	jmp 2b
3:
	/* nothing yet: sleep until kvmlab changes req_seq (it wakes us when AGENT_SLEEPS) */
	movl $1, AGENT_SLEEPS(%rbx)
	mfence
	leaq REQ_SEQ(%rbx), %rdi
	movl $FUTEX_WAIT, %esi
	movl %r14d, %edx
	xorl %r10d, %r10d
	movl $SYS_FUTEX, %eax
	syscall
	movl $0, AGENT_SLEEPS(%rbx)
	jmp 1b
4:	movl %eax, %r14d
	cmpl $CMD_QUIT, CMD(%rbx)
	je agent_quit
	movq FD(%rbx), %rdi
	movq REQ(%rbx), %rsi
	movq ARG(%rbx), %rdx
	movq %r13, %r10
	movl $SYS_IOCTL, %eax
	syscall
	movq %rax, RET(%rbx)
	cld
	movl NPAGES(%rbx), %r8d
	leaq 4096(%rbx), %rdi
	leaq PAGES(%rbx), %r9
5:	subl $1, %r8d
	jb agent_publish
	movq (%r9), %rsi
	movl $4096, %ecx
	rep movsb
	addq $8, %r9
	jmp 5b
agent_publish:
	movl %r14d, DONE_SEQ(%rbx)
	mfence
	cmpl $0, HOST_SLEEPS(%rbx)
	je 1b
	leaq DONE_SEQ(%rbx), %rdi
	movl $FUTEX_WAKE, %esi
	movl $1, %edx
	movl $SYS_FUTEX, %eax
	syscall
	jmp 1b
agent_quit:
	int3
agent_code_end:

	.section .note.GNU-stack, "", @progbits
