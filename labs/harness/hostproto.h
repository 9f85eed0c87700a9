/* hostproto.h - the narrow protocol between the grader and a student's handlers.
 *
 * The handlers run in their own sandboxed process (kvmlab-handlers, handlerhost.c), the
 * VMM stays in the grader.  They talk over one SOCK_SEQPACKET socket, one message per
 * datagram, strictly in turn:
 *
 *   host -> grader   HP_READY    once, after loading: rc 0 and a = the mask of the
 *                                handlers named on its command line that the object
 *                                defines (bit i: the i-th name), or rc < 0 and data = why
 *                                it could not be loaded
 *   grader -> host   HP_CALL     one exit on a hypercall port: port, size, count, rc = 1
 *                                for an IN, b = the first OUT item, data = the OUT bytes;
 *                                a = the hypercall's index (its lab_NAME), or HP_NONE;
 *                                next = 1 if lab_NAME may answer it (it is defined and the
 *                                exit has its direction and size), 0 if it may not (lab_hypercall
 *                                only; without it an IN reads 0)
 *   host -> grader   HP_READ     a = gva, b = length (<= HP_DATA_MAX)   -> HP_REPLY rc, data
 *                    HP_WRITE    a = gva, data (b = total length, data empty: only check
 *                                that [a, a+b) is mapped, so a long write is all or nothing)
 *                                                                       -> HP_REPLY rc
 *                    HP_TRANSLATE a = gva                               -> HP_REPLY rc, a = gpa
 *                    HP_HVA      a = gpa                                -> HP_REPLY a = host address or 0
 *                    HP_EXITS    data = an exit type name, or "total"   -> HP_REPLY a = count
 *                    HP_NEXT     lab_hypercall returned LAB_NEXT: lab_NAME runs now (no reply)
 *                    HP_CLOCK                                           -> HP_REPLY rc, a = KVM_GET_CLOCK ns
 *                    HP_PRINT    data = text for the guest's output     (no reply)
 *                    HP_RETURN   rc = the handler's return value, b = the IN value
 *
 * The grader answers only these, only during a call, checks every address against guest
 * memory itself, and counts exits itself: nothing the host sends is taken as a result
 * except the text it prints and the values it returns to the guest.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define HP_DATA_MAX 4096

enum hp_op {
	HP_READY = 1,
	HP_CALL,
	HP_READ,
	HP_WRITE,
	HP_TRANSLATE,
	HP_HVA,
	HP_EXITS,
	HP_PRINT,
	HP_REPLY,
	HP_RETURN,
	HP_CLOCK,
	HP_NEXT,
};

#define HP_NONE UINT64_MAX        /* HP_CALL's a when the port's hypercalls cannot tell */
#define HP_GENERIC "lab_hypercall" /* the entry point that sees every exit (bit 63 of HP_READY) */

struct hp_msg {
	uint32_t op;
	int32_t rc;
	uint64_t a, b;
	uint32_t len;             /* bytes of data used */
	uint16_t port;            /* HP_CALL: the exit's port, size, count, next */
	uint8_t size;
	uint8_t next;
	uint32_t count;
	uint32_t pad;
	char data[HP_DATA_MAX];
};

#define HP_HEADER offsetof(struct hp_msg, data)
