/* kvmlab/lab.h - what a student's hypervisor-side hypercall handlers may use.
 *
 * A lab with `handlers: handlers.c` builds that file with
 *   gcc -shared -fPIC -O2 -I<this folder's parent>
 * and loads it into kvmlab-handlers, a sandboxed process of its own: the VMM
 * and the guest stay in the grader, and each helper below is a request the
 * grader answers.  Define the handlers below; a handler you do not define does
 * nothing (an IN reads 0): kvmlab does not fill in for it.
 *
 * Two ways to answer the guest, and you may mix them:
 *  - lab_hypercall(ctx, exit): every VM exit on any of the lab's hypercall ports,
 *    whole: port, direction, size, count, the bytes the guest wrote, and the
 *    lab's name for it when the port's hypercalls tell it (exit->hypercall).  For
 *    an IN, set exit->value: the guest reads it.  Return LAB_NEXT to hand the
 *    exit to the per-hypercall handler below instead.
 *  - lab_NAME: one per hypercall, called with the value of each OUT item (the
 *    ones with a value or a guest pointer), or returning the value an IN reads.
 * Several hypercalls may share a port (lab.yaml): the grader names the one an
 * exit is by its direction and size (print32 OUT and numExits IN on one port;
 * print8 outb and print32 outl); lab_hypercall sees the port and the data and
 * may tell others apart itself.  gvaToHva is both: an OUT with the address, then
 * an IN that reads the answer; lab_gvaToHva takes the OUT, only lab_hypercall
 * answers the IN.
 *
 * Rules: guest memory is not in your process - use lab_read and lab_write,
 * which check every byte against guest memory; lab_hva gives an address in
 * the VMM's process, to print.  Print with lab_print (printf output goes
 * nowhere).  Return 0 on success; a negative value stops the guest with an
 * error.
 */
#ifndef KVMLAB_LAB_H
#define KVMLAB_LAB_H

#include <stddef.h>
#include <stdint.h>

struct lab_ctx;   /* opaque: the running guest */

/* ---- helpers kvmlab gives you ------------------------------------------ */

/* Copy len bytes at guest virtual gva into buf (through the guest's page
 * tables).  0, or -14 (-EFAULT) if any byte is unmapped or outside memory. */
int lab_read(struct lab_ctx *ctx, uint64_t gva, void *buf, size_t len);

/* Copy len bytes from buf to guest virtual gva.  0 or -EFAULT. */
int lab_write(struct lab_ctx *ctx, uint64_t gva, const void *buf, size_t len);

/* Translate a guest virtual address to a guest physical one.  0 or -EFAULT. */
int lab_translate(struct lab_ctx *ctx, uint64_t gva, uint64_t *gpa);

/* Host address of guest physical gpa, or NULL if gpa is outside guest memory. */
void *lab_hva(struct lab_ctx *ctx, uint64_t gpa);

/* VM exits so far by type ("IO in", "IO out", "HLT", "MMIO read", ...), and in all. */
uint64_t lab_exits(struct lab_ctx *ctx, const char *type);
uint64_t lab_exits_total(struct lab_ctx *ctx);

/* The guest's clock as KVM keeps it (KVM_GET_CLOCK), in nanoseconds. */
uint64_t lab_kvm_clock(struct lab_ctx *ctx);

/* printf to the guest's output (what the grader checks). */
void lab_print(struct lab_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- handlers you may define ------------------------------------------- */

#define LAB_EXIT_DATA_MAX 4096   /* bytes of an exit's data a handler sees at most */
#define LAB_NEXT 1               /* lab_hypercall: let lab_NAME answer this exit */

/* One VM exit on a hypercall port, as KVM reported it. */
struct lab_exit {
	uint16_t port;           /* the I/O port */
	uint8_t in;              /* 1: IN (the guest reads value), 0: OUT */
	uint8_t size;            /* bytes per item: 1 (outb/inb), 2 (outw/inw), 4 (outl/inl) */
	uint32_t count;          /* items: 1, more for string I/O (rep outsb, ...) */
	uint32_t value;          /* OUT: the first item; IN: set it, every item reads it */
	const char *hypercall;   /* the lab's name ("gvaToHva"), or NULL if the port cannot tell */
	const uint8_t *data;     /* OUT: the size * count bytes written (LAB_EXIT_DATA_MAX at most) */
};

/* Every exit on the lab's hypercall ports: 0, LAB_NEXT, or negative to stop the guest. */
int lab_hypercall(struct lab_ctx *ctx, struct lab_exit *exit);

int lab_print8(struct lab_ctx *ctx, uint32_t value);        /* OUT: print one character */
int lab_print32(struct lab_ctx *ctx, uint32_t value);       /* OUT: value in decimal + "\n" */
int lab_printStr(struct lab_ctx *ctx, uint32_t gva);        /* OUT: the string at gva */
uint32_t lab_numExits(struct lab_ctx *ctx);                 /* IN: exits so far */
int lab_numExitsByType(struct lab_ctx *ctx, uint32_t gva);  /* OUT: write "IO in: x\nIO out: y\n" at gva */
int lab_gvaToHva(struct lab_ctx *ctx, uint32_t gva);        /* OUT: translate (the IN: lab_hypercall) */
uint32_t lab_getTimestamp(struct lab_ctx *ctx);             /* IN: the host's time, truncated */

#endif
