/* session.h - a guest ready to run: VM, vCPU, console, image and start mode from vm_opts. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "console.h"
#include "cpumode.h"
#include "ending.h"
#include "filecalls.h"
#include "hypercall.h"
#include "loader.h"
#include "mode.h"
#include "portmap.h"
#include "run.h"
#include "symbols.h"
#include "tvcpu.h"
#include "vcpu.h"
#include "vm.h"

/* What to run and how: the configuration of a session (the command line's guest options,
 * or a lab file's settings). */
struct vm_opts {
	const char *guest;         /* name or path */
	bool mode_set;
	enum vmm_mode mode;
	uint64_t mem;
	bool flat;
	uint64_t flat_addr;
	bool small_pages;
	uint64_t max_exits;
	unsigned timeout_ms;
	bool show_ioctls;
	const char *dev;
	struct vmm_portmap ports;  /* the (file) hypercalls' ports; zeroed: the defaults */
	const char *files;         /* the file hypercalls' directory, or NULL (off) */
};

/* The stage at which session_open() failed. */
enum session_stage {
	SESSION_OK,
	SESSION_GUEST,       /* no such guest, or its image could not be loaded or set up */
	SESSION_HOST,        /* KVM is missing or refused the VM or vCPU */
	SESSION_CONFIG,      /* the configuration is wrong: memory size, port map, files folder */
};

struct session {
	struct vmm_vm vm;
	struct vmm_vcpu vcpu;
	struct tvcpu cpu;              /* vcpu as the step engine reaches it */
	struct vmm_console con;
	struct vmm_image img;
	struct vmm_layout layout;
	enum vmm_mode mode;            /* the start mode */
	struct vmm_hc hc;              /* the hypercall ports */
	struct vmm_fc fc;              /* the file hypercall ports (--files) */
	char path[PATH_MAX];           /* the guest file actually loaded */
	struct symbols syms;           /* its symbols and lines (session_engine_init loads them) */
	bool no_symbols;               /* set before session_engine_init: do not read them (the
					  grader: a submission's debug information is not parsed
					  in the grader's process; its traces need no names) */
	enum session_stage failed;     /* after a failed session_open(): where */
};

/* Find a guest by path or built-in name (hello -> hello-64 for long mode, ...) into path. */
int session_find_guest(const char *name, const struct vm_opts *o, char *path, size_t len);

/* Build everything; console output goes to sink (NULL: stdout).  0, or -errno with the
 * message in vmm_last_error() and the stage that failed in s->failed (nothing printed). */
int session_open(struct session *s, const struct vm_opts *o, vmm_console_sink sink, void *ctx);

struct engine;

/* engine_init on the session's vCPU, with its hypercall and file-call ports named and the
 * guest's symbols and source lines loaded (an image without them gives empty tables). */
int session_engine_init(struct session *s, struct engine *e, bool record);

/* Tear down. */
void session_close(struct session *s);

/* How the run ended: one line into msg ("halted in long mode, RAX=42 ..."; a failed run,
 * err < 0, says vmm_last_error()), and what kind of end it was. */
enum ending_kind session_report(struct session *s, enum vmm_stop stop, int err, char *msg,
				size_t len);

/* Print exits by type and the final state (--stats). */
void session_print_stats(struct session *s, FILE *f);
