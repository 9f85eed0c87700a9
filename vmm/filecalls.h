/* filecalls.h - file hypercalls (open/read/write/seek/close) confined to one host directory.
 *
 * One port per call, default 0x510 + n (portmap.h). Each call is an OUT dword (outl) of a 32-bit guest
 * pointer to a parameter block; the handler writes the result (>= 0, or -errno) back into
 * the block's last field. Off (every call answers -EACCES) until vmm_fc_enable() names a
 * directory; files are opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) under it.
 *
 *   fileOpen  (0x510) { u32 path_ptr; u32 flags; i32 result; }   flags: 0 read-only,
 *                     1 read/write, created and truncated, 2 read/append, created
 *   fileRead  (0x511) { i32 fd; u32 buf_ptr; u32 len; i32 result; }
 *   fileWrite (0x512) { i32 fd; u32 buf_ptr; u32 len; i32 result; }
 *   fileSeek  (0x513) { i32 fd; i32 offset; u32 whence; i32 result; }   whence: 0 SET, 1 CUR, 2 END
 *   fileClose (0x514) { i32 fd; i32 result; }
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pio.h"

struct vmm_vcpu;
struct vmm_portmap;

enum vmm_fc_id {
	VMM_FC_OPEN,
	VMM_FC_READ,
	VMM_FC_WRITE,
	VMM_FC_SEEK,
	VMM_FC_CLOSE,
	VMM_FC__COUNT,
};

#define VMM_FC_PATH_MAX 256      /* path bytes, NUL included */
#define VMM_FC_IO_MAX 65536      /* bytes one fileRead/fileWrite moves at most */
#define VMM_FC_FILES 16          /* open files per VM: guest fds 0..15 */

struct vmm_fc {
	struct vmm_pio_dev dev[VMM_FC__COUNT];   /* dev[id].base: the call's port once attached */
	struct vmm_vcpu *vcpu;
	int dirfd;                   /* the directory (O_PATH), -1: file hypercalls are off */
	int fd[VMM_FC_FILES];        /* host fd of each guest fd, -1 if free */
	bool no_openat2;             /* the kernel has no openat2: lexical checks + O_NOFOLLOW */
	void *buf;                   /* VMM_FC_IO_MAX bytes of bounce buffer */
};

/* Name of a file hypercall ("fileOpen", ...). */
const char *vmm_fc_name(enum vmm_fc_id id);

/* Defaults: off, no files. */
void vmm_fc_init(struct vmm_fc *fc, struct vmm_vcpu *vcpu);

/* Confine the calls to dir (opened once); -errno with a message if it is not a directory. */
int vmm_fc_enable(struct vmm_fc *fc, const char *dir);

/* Register the five calls on bus at their ports in ports (NULL: the default ports). */
int vmm_fc_attach(struct vmm_fc *fc, struct vmm_pio_bus *bus, const struct vmm_portmap *ports);

/* The call attached at port, or -1. */
int vmm_fc_find(const struct vmm_fc *fc, uint16_t port);

/* Close every host fd (the guest's files and the directory). */
void vmm_fc_close(struct vmm_fc *fc);
