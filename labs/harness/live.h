/* live.h - values read from the running system, for `answers` checks.
 *
 * A lab's answers check says `expect: live:NAME` or `live:NAME:ARG`; the grader
 * computes the value on the machine it grades on (KVM's vcpu mmap size, the
 * fields of a request code, what kvmlab does when it runs hello), so no answer
 * is a constant typed into the lab.  The harness computes what it can by itself
 * (lab_live_builtin: /dev/kvm, request codes, the VMM's defaults); the runner
 * plugs in a provider that also runs the hello guest (lab_live_set).
 */
#pragma once

#include <stddef.h>

/* How an answer is compared with a live value. */
enum lab_live_kind {
	LAB_LIVE_NUMBER,   /* integers: "12288", "0x3000", "12K" are the same answer */
	LAB_LIVE_DIR,      /* an _IOC direction: none, read, write, read/write (and _IOR, ...) */
	LAB_LIVE_LIST,     /* names in order, case-insensitive: a YAML list or "A, B, C" */
	LAB_LIVE_BYTE,     /* a byte: a number (72, 0x48) or the character itself (H) */
	LAB_LIVE_ENTRY,    /* a page-table entry: a number, the Accessed and Dirty bits (which
			    * the CPU sets as it walks) ignored on both sides */
};

enum lab_live_arg {
	LAB_LIVE_ARG_NONE,
	LAB_LIVE_ARG_IOCTL,   /* a KVM ioctl name: KVM_RUN */
	LAB_LIVE_ARG_COUNT,   /* a count, 1 to 64 */
	LAB_LIVE_ARG_GUEST,   /* optional: a built-in guest name (default hello) */
	LAB_LIVE_ARG_LEVEL,   /* a page-table level as walks name it: PML4, PDPT, PD, PT */
};

struct lab_live_name {
	const char *name;
	enum lab_live_kind kind;
	enum lab_live_arg arg;
	const char *what;     /* for messages: "%s" is the argument */
};

/* The names an answers check may use; NULL-terminated by name. */
extern const struct lab_live_name lab_live_names[];

/* Index of name in lab_live_names, or -1. */
int lab_live_find(const char *name);

/*
 * Compute live value `name` (with arg, or NULL) as text into out: a decimal
 * number, a direction ("read/write") or names separated by ", ".
 * 0, or -errno with a message in err.
 */
typedef int (*lab_live_fn)(const char *name, const char *arg, char *out, size_t len,
			   char *err, size_t errlen);

/* What the harness knows alone: api_version, vcpu_mmap_size, ioctl_* fields,
 * guest_mem_size.  Other names fail with -ENOTSUP. */
int lab_live_builtin(const char *name, const char *arg, char *out, size_t len, char *err,
		     size_t errlen);

/* Use fn for live values (NULL: lab_live_builtin again). */
void lab_live_set(lab_live_fn fn);

/* The provider in use. */
lab_live_fn lab_live(void);
