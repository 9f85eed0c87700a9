/* session.h - a guest ready to run: VM, vCPU, console, image and start mode from vm_opts. */
#pragma once

#include <limits.h>
#include <stdio.h>

#include "console.h"
#include "filecalls.h"
#include "hypercall.h"
#include "loader.h"
#include "mode.h"
#include "options.h"
#include "run.h"
#include "tvcpu.h"
#include "vcpu.h"
#include "vm.h"

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
};

/* Find a guest by path or built-in name (hello -> hello-64 for long mode, ...) into path. */
int session_find_guest(const char *name, const struct vm_opts *o, char *path, size_t len);

/* Build everything; console output goes to sink (NULL: stdout). Exit status on failure, message printed. */
int session_open(struct session *s, const struct vm_opts *o, vmm_console_sink sink, void *ctx);

struct engine;

/* engine_init on the session's vCPU, with its hypercall and file-call ports named. */
int session_engine_init(struct session *s, struct engine *e, bool record);

/* Tear down. */
void session_close(struct session *s);

/* One line on how the run ended ("halted in long mode, RAX=42 ..."); returns the exit status. */
int session_report(struct session *s, enum vmm_stop stop, int err);

/* Print exits by type and the final state (--stats). */
void session_print_stats(struct session *s, FILE *f);
