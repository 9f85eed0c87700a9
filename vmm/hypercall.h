/* hypercall.h - hypercalls over port I/O, ports from a map (portmap.h).
 *
 * Several hypercalls may share a port when each exit still names one of them: by its
 * direction (print32 OUT and numExits IN) or its access size (print8 outb and print32 outl).
 * vmm_hc_can_share() is that rule; the port map refuses any other sharing. */
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

/* A whole exit on a hypercall port, as KVM reported it. */
struct vmm_hc_exit {
	uint16_t port;
	bool in;
	unsigned size;          /* bytes per item: 1, 2 or 4 */
	unsigned count;         /* items: 1, or more for string I/O */
	uint8_t *data;          /* size * count bytes: the OUT data, or where the IN result goes */
	int call;               /* the hypercall it is (enum vmm_hc_id), or -1 if the port's
				 * hypercalls cannot tell */
};

/* Takes every exit on every hypercall port instead of fn[] (a lab's student handlers). */
typedef int (*vmm_hc_exit_fn)(struct vmm_hc *hc, struct vmm_hc_exit *e);

#define VMM_HC_SEEN 2   /* the first calls of each hypercall whose IO counts are kept */

/* An access a hypercall port refused: the wrong direction or size. */
struct vmm_hc_misuse {
	int id;                 /* the hypercall */
	uint16_t port;
	unsigned size;          /* bytes the guest used; 0: no refused access so far */
	bool in;                /* the guest read (IN) */
};

struct vmm_hc {
	struct vmm_pio_dev dev[VMM_HC__COUNT];   /* one per port in use, ndev of them */
	int ndev;
	uint16_t port[VMM_HC__COUNT];            /* each call's port once attached */
	vmm_hc_fn fn[VMM_HC__COUNT];
	vmm_hc_exit_fn on_exit;                  /* NULL: fn[] */
	uint64_t calls[VMM_HC__COUNT];           /* exits each hypercall took */
	uint64_t io_seen[VMM_HC__COUNT][VMM_HC_SEEN][2];   /* IO in, IO out exits KVM had
							    * reported at its first calls */
	struct vmm_hc_clocks {             /* with on_exit: the host's clocks just before and */
		uint64_t s, tsc, kvm_ns;   /* just after the last getTimestamp exit was answered:
					    * seconds since 1970, the TSC, KVM_GET_CLOCK */
	} ts_before, ts_after;
	struct vmm_vcpu *vcpu;
	vmm_console_sink sink;
	void *ctx;
	uint64_t last_hva;      /* gvaToHva's last answer (0: invalid) */
	void *user;             /* for student handlers */
	int serving;            /* the hypercall whose handler is running, -1 between calls */
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

/* The hypercall attached at port (the first, when several share it), or -1. */
int vmm_hc_find(const struct vmm_hc *hc, uint16_t port);

/* The hypercall an access of size bytes at port is (by direction and size where several
 * share the port), else the port's first, or -1. */
int vmm_hc_which(const struct vmm_hc *hc, uint16_t port, bool in, unsigned size);

/* Can a and b share a port (every exit still names one of them)? */
bool vmm_hc_can_share(enum vmm_hc_id a, enum vmm_hc_id b);

/* Do e's direction and size suit its hypercall? */
bool vmm_hc_fits(const struct vmm_hc_exit *e);

/* 0 if they do (vmm_hc_fits), else -EPROTO with the reason set. */
int vmm_hc_check(const struct vmm_hc_exit *e);

/* printf to the hypercall output sink. */
void vmm_hc_printf(struct vmm_hc *hc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Format "IO in: x\nIO out: y\n..." for the vCPU's exit counters into buf. */
int vmm_hc_format_exits(const struct vmm_vcpu *vcpu, char *buf, unsigned len);
