/* guest.h - shared by every kvmlab guest (C and assembly).
 *
 * KVMLAB_MODE("long") records the mode a guest wants to start in, in an ELF
 * section named .kvmlab.mode that holds one NUL-terminated string.  The section
 * is created without the "a" (allocate) flag, so it takes no guest memory and is
 * in no PT_LOAD segment: the VMM reads it from the file, the guest never sees it.
 * Valid names: "real", "protected", "paged32", "pae", "long".
 */
#ifndef KVMLAB_GUEST_H
#define KVMLAB_GUEST_H

/* The debug console port: every byte written here with OUT appears on the host. */
#define KVMLAB_CONSOLE_PORT 0xE9

/* Where the classic kvm-hello-world guests leave their answer (42). */
#define KVMLAB_RESULT_ADDR 0x400

#ifdef __ASSEMBLER__
#define KVMLAB_MODE(name) \
	.pushsection .kvmlab.mode, "", @progbits; \
	.asciz name; \
	.popsection
#else
#define KVMLAB_MODE(name) \
	__asm__(".pushsection .kvmlab.mode, \"\", @progbits\n\t" \
		".asciz \"" name "\"\n\t" \
		".popsection")
#endif

#endif
