/* execflow.h - `kvmlab exec --flow FILE`: the logical actions a KVM program took, drawn as a
 * Graphviz flowchart (the 2024 course's Part 1a, from an observed run): one box per action,
 * each with the KVM call behind it and its inputs; runs of KVM_RUN become one box with the
 * exits it saw and a loop back.  Render with `dot -Tsvg FILE -o flow.svg` (or -Tpng). */
#pragma once

#include <stdio.h>

#include "observe.h"

#define EXECFLOW_MAX 256

struct execflow_box {
	char obj[64];             /* "kvm", "vm1", "vm1.vcpu0" */
	char action[96];          /* what the VMM does, in words */
	char call[64];            /* the KVM call (or mmap) */
	char inputs[256];         /* its inputs and result */
	unsigned count;           /* consecutive calls merged */
	/* a KVM_RUN box: the exits seen, by kind and port */
	struct { char what[48]; unsigned n; } exits[8];
	unsigned nexits;
};

struct execflow {
	struct execflow_box box[EXECFLOW_MAX];
	unsigned n;
	unsigned dropped;         /* boxes past EXECFLOW_MAX */
	struct obs_sink inner;    /* the log's sink, fed too */
};

/* Wrap inner (the ioctl log's sink): *sink feeds both the flow and inner. */
void execflow_init(struct execflow *f, const struct obs_sink *inner, struct obs_sink *sink);

/* Write the flowchart in Graphviz's DOT language; 0 or -errno. */
int execflow_write(const struct execflow *f, FILE *out, const char *title);
