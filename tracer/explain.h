/* explain.h - one plain sentence on what a step did that a student should notice. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "step.h"

struct engine;

#define EXPLAIN_MAX_TABLES 64

/* Read guest physical memory as of the step being explained; 0 or -errno. */
typedef int (*explain_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

struct explain_ctx {
	struct engine *e;
	explain_read_fn read;                 /* NULL: the guest's memory now */
	void *read_ctx;
	uint64_t tables_cr3;                  /* CR3 the table list was built for (~0: stale) */
	int ntables;
	uint64_t table[EXPLAIN_MAX_TABLES];   /* paging-structure pages reachable from CR3 */
	uint8_t level[EXPLAIN_MAX_TABLES];    /* their level: index into the paging's level names */
	int host_paged32;                     /* this host runs 32-bit/PAE paging: 1, 0, -1 not probed */
	int start_mode;                       /* enum vmm_mode kvmlab set the guest up in; -1: unknown */
};

/* Prepare ctx to explain steps of e's guest. */
void explain_init(struct explain_ctx *ctx, struct engine *e);

/* Read memory through fn from now on (a past step's memory), and forget what was read before. */
void explain_set_reader(struct explain_ctx *ctx, explain_read_fn fn, void *fn_ctx);

/* Write one sentence about st into buf (NUL-terminated); its length, 0 if nothing is notable. */
int explain_step(struct explain_ctx *ctx, const struct step *st, char *buf, size_t len);

/* Describe a segment register's hidden part in words ("64-bit code, DPL 0"). */
void explain_segment(const struct kvm_segment *s, char *buf, size_t len);

/* The instruction at st->flow.skip[i] (one the host retired past the single-step trap) as text. */
void explain_skip_text(struct explain_ctx *ctx, const struct step *st, int i, char *buf, size_t len);
