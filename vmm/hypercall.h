/* hypercall.h - hypercalls over port I/O: one port per call, ports from a map (portmap.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "console.h"

struct vmm_vcpu;
struct vmm_hc;
struct vmm_portmap;

enum vmm_hc_id {
	VMM_HC_PRINT8,          /* OUT byte: print it as a character */
	VMM_HC_PRINT32,         /* OUT dword: print it in decimal on its own line */
	VMM_HC_PRINTSTR,        /* OUT dword: guest pointer to a NUL-terminated string to print */
	VMM_HC_NUMEXITS,        /* IN dword: VM exits so far, this one included */
	VMM_HC_NUMEXITSBYTYPE,  /* OUT dword: guest pointer to a buffer of VMM_HC_BYTYPE_LEN bytes */
	VMM_HC_GVATOHVA,        /* OUT dword: a GVA; prints its host address or "Invalid GVA"; IN: low 32 bits, 0 if invalid */
	VMM_HC_GETTIMESTAMP,    /* IN dword: host time in seconds since 1970 */
	VMM_HC__COUNT,
};

#define VMM_HC_STR_MAX 4096     /* longest string printStr prints in one exit */
#define VMM_HC_BYTYPE_LEN 64    /* bytes numExitsByType writes at most, NUL included */

/* One access to a hypercall port: value holds the OUT data, or receives the IN result. */
typedef int (*vmm_hc_fn)(struct vmm_hc *hc, bool in, unsigned size, uint32_t *value);

/* An access a hypercall port refused: the wrong direction or size. */
struct vmm_hc_misuse {
	int id;                 /* the hypercall */
	uint16_t port;
	unsigned size;          /* bytes the guest used; 0: no refused access so far */
	bool in;                /* the guest read (IN) */
};

struct vmm_hc {
	struct vmm_pio_dev dev[VMM_HC__COUNT];   /* dev[id].base: the call's port once attached */
	vmm_hc_fn fn[VMM_HC__COUNT];
	struct vmm_vcpu *vcpu;
	vmm_console_sink sink;
	void *ctx;
	uint64_t last_hva;      /* gvaToHva's last answer (0: invalid) */
	void *user;             /* for student handlers */
	int serving;            /* the hypercall whose handler is running, -1 between calls */
	uint64_t calls[VMM_HC__COUNT];   /* times each handler ran (refused accesses not counted) */
	struct vmm_hc_misuse misuse;   /* the first refused access */
};

/* Name of a hypercall ("print8", ...). */
const char *vmm_hc_name(enum vmm_hc_id id);

/* Fill hc with the built-in handlers, output to sink. */
void vmm_hc_init(struct vmm_hc *hc, struct vmm_vcpu *vcpu, vmm_console_sink sink, void *ctx);

/* Register every hypercall on bus at its port in ports (NULL: the default ports). */
int vmm_hc_attach(struct vmm_hc *hc, struct vmm_pio_bus *bus, const struct vmm_portmap *ports);

/* Whether hypercall id is answered by kvmlab's own handler (not one a lab plugged in). */
bool vmm_hc_builtin(const struct vmm_hc *hc, enum vmm_hc_id id);

/* The size in bytes an access to hypercall id must use (print8: any of 1, 2, 4 -> 1). */
unsigned vmm_hc_size(enum vmm_hc_id id);

/* The instruction a guest uses for hypercall id: "outb", "outl", "inl", "outl, then inl". */
const char *vmm_hc_access(enum vmm_hc_id id);

/* The hypercall attached at port, or -1. */
int vmm_hc_find(const struct vmm_hc *hc, uint16_t port);

/* printf to the hypercall output sink. */
void vmm_hc_printf(struct vmm_hc *hc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Format "IO in: x\nIO out: y\n..." for the vCPU's exit counters into buf. */
int vmm_hc_format_exits(const struct vmm_vcpu *vcpu, char *buf, unsigned len);
