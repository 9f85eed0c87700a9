/* execlog.h - `kvmlab exec`'s log: one line per KVM ioctl, the program's life, statistics. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "fieldw.h"
#include "observe.h"
#include "outbuf.h"

#define EXECLOG_LAST 5

struct execlog {
	struct outbuf out;
	enum fieldw_format fmt;
	pid_t main_pid;
	bool flush_each;          /* write every line at once (a terminal or a pipe) */
	/* the last KVM lines, as text, for the report of a program killed by a signal */
	char last[EXECLOG_LAST][512];
	unsigned nlast;
	struct obs_how how;       /* how the program is observed */
	char why[256];
	uint64_t lost;            /* tracepoint records the kernel dropped */
};

/* Log to f in fmt; flush_each writes each line as it is made. */
void execlog_init(struct execlog *l, FILE *f, enum fieldw_format fmt, bool flush_each);

/* The sink observe.c feeds (ctx = l). */
void execlog_sink(struct execlog *l, struct obs_sink *sink);

/* Per VM and vCPU: KVM_RUN calls, exits by kind, time in KVM_RUN. */
void execlog_stats(struct execlog *l, const struct obs_obj *objs);

/* The last KVM lines, oldest first: up to EXECLOG_LAST; returns how many. */
unsigned execlog_last(const struct execlog *l, const char **lines);

/* Write out what is buffered; 0 or -errno. */
int execlog_flush(struct execlog *l);
