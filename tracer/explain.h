/* explain.h - one plain sentence on what a step did that a student should notice. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "step.h"

struct engine;

#define EXPLAIN_MAX_TABLES 64

struct explain_ctx {
	struct engine *e;
	uint64_t tables_cr3;                  /* CR3 the table list was built for (~0: stale) */
	int ntables;
	uint64_t table[EXPLAIN_MAX_TABLES];   /* paging-structure pages reachable from CR3 */
	uint8_t level[EXPLAIN_MAX_TABLES];    /* their level: index into the paging's level names */
};

/* Prepare ctx to explain steps of e's guest. */
void explain_init(struct explain_ctx *ctx, struct engine *e);

/* Write one sentence about st into buf (NUL-terminated); its length, 0 if nothing is notable. */
int explain_step(struct explain_ctx *ctx, const struct step *st, char *buf, size_t len);

/* Describe a segment register's hidden part in words ("64-bit code, DPL 0"). */
void explain_segment(const struct kvm_segment *s, char *buf, size_t len);
