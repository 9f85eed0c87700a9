/* execlog.c - the lines of `kvmlab exec` (see execlog.h). */
#include "execlog.h"

#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "exits.h"
#include "ioctl.h"

void execlog_init(struct execlog *l, FILE *f, enum fieldw_format fmt, bool flush_each)
{
	memset(l, 0, sizeof(*l));
	outbuf_init(&l->out, f);
	l->fmt = fmt;
	l->flush_each = flush_each;
}

int execlog_flush(struct execlog *l)
{
	return outbuf_flush(&l->out);
}

static void line_end(struct execlog *l)
{
	outbuf_put(&l->out, "\n", 1);
	if (l->flush_each || l->out.n > sizeof(l->out.buf) / 2)
		outbuf_flush(&l->out);
}

/* "[pid N] " in text when the call is not the program's first thread. */
static void begin_line(struct execlog *l, struct fieldw *w, pid_t pid, pid_t tid)
{
	fieldw_init(w, &l->out, l->fmt);
	if (l->fmt == FIELDW_JSON) {
		fieldw_begin(w, NULL);
		fieldw_i64(w, "pid", pid);
		fieldw_i64(w, "tid", tid);
	} else if (tid != l->main_pid) {
		char pfx[32];

		snprintf(pfx, sizeof(pfx), "[pid %d] ", (int)tid);
		outbuf_str(&l->out, pfx);
	}
}

static void end_line(struct execlog *l, struct fieldw *w)
{
	if (l->fmt == FIELDW_JSON)
		fieldw_end(w);
	line_end(l);
}

/* The request's name, or its _IOC fields when kvmlab does not know it. */
static void request_name(unsigned long req, char *buf, size_t len)
{
	const char *name = vmm_ioctl_name(req);
	struct vmm_ioctl_info info;

	if (name) {
		snprintf(buf, len, "%s", name);
		return;
	}
	vmm_ioctl_decode(req, &info);
	snprintf(buf, len, "KVM_IOC_0x%lx(nr=0x%x,%s,size=%u)", req, info.nr, info.dir, info.size);
}

static void remember(struct execlog *l, const struct obs_call *c, const char *obj, const char *req)
{
	char *s = l->last[l->nlast++ % EXECLOG_LAST];
	size_t n = (size_t)snprintf(s, sizeof(l->last[0]), "%s %s", obj, req);

	if (n >= sizeof(l->last[0]))
		return;
	if (c->unfinished)
		snprintf(s + n, sizeof(l->last[0]) - n, " (unfinished)");
	else if (c->c.ret < 0)
		snprintf(s + n, sizeof(l->last[0]) - n, " = -1 errno %ld", -c->c.ret);
	else if (c->has_exit && c->run.exit_reason == KVM_EXIT_IO)
		snprintf(s + n, sizeof(l->last[0]) - n, " = %ld, KVM_EXIT_IO %s port 0x%x", c->c.ret,
			 c->run.io.direction == KVM_EXIT_IO_OUT ? "out" : "in", c->run.io.port);
	else if (c->has_exit)
		snprintf(s + n, sizeof(l->last[0]) - n, " = %ld, %s", c->c.ret,
			 vmm_kvm_exit_reason_name(c->run.exit_reason));
	else
		snprintf(s + n, sizeof(l->last[0]) - n, " = %ld", c->c.ret);
}

static void on_call(void *ctx, const struct obs_call *c)
{
	struct execlog *l = ctx;
	char obj[64], req[96];
	struct fieldw w;

	if (c->obj)
		snprintf(obj, sizeof(obj), "%s", c->obj->name);
	else
		snprintf(obj, sizeof(obj), "fd%d", c->fd);
	request_name(c->c.req, req, sizeof(req));
	remember(l, c, obj, req);
	begin_line(l, &w, c->pid, c->tid);
	if (l->fmt == FIELDW_JSON) {
		fieldw_str(&w, "obj", obj);
		fieldw_i64(&w, "fd", c->fd);
		fieldw_str(&w, "ioctl", req);
	} else {
		outbuf_str(&l->out, obj);
		outbuf_put(&l->out, " ", 1);
		outbuf_str(&l->out, req);
		w.first[w.depth] = false;
	}
	if (c->c.req == KVM_RUN && !c->no_immediate_exit)
		fieldw_u64(&w, "immediate_exit", c->immediate_exit);
	if (c->in_reply_len)  /* what the program answered to the IN exit before this call */
		fieldw_bytes(&w, "in_answer", c->in_reply, c->in_reply_len);
	kvmdec_args(&w, &c->c);
	if (c->unfinished) {
		fieldw_str(&w, "unfinished", c->note ? c->note : "the program ended inside the call");
	} else {
		kvmdec_result(&w, &c->c);
		if (c->has_exit && (c->c.ret >= 0 || c->run.exit_reason == KVM_EXIT_INTR))
			kvmdec_exit(&w, &c->run, c->io, c->io_len);
	}
	if (c->note && !c->unfinished)
		fieldw_str(&w, "note", c->note);
	if (c->created)
		fieldw_str(&w, "new", c->created->name);
	if (c->c.req == KVM_RUN) {
		if (l->fmt == FIELDW_JSON) {
			fieldw_u64(&w, "ns", c->ns);
		} else {
			char us[32];

			snprintf(us, sizeof(us), "%.1f", (double)c->ns / 1000.0);
			fieldw_str(&w, "us", us);
		}
	}
	end_line(l, &w);
}

static void on_mapped(void *ctx, pid_t tid, const struct obs_obj *vcpu, uint64_t addr, uint64_t len)
{
	struct execlog *l = ctx;
	struct fieldw w;

	begin_line(l, &w, vcpu->pid, tid);
	if (l->fmt == FIELDW_JSON) {
		fieldw_str(&w, "obj", vcpu->name);
		fieldw_str(&w, "call", "mmap");
	} else {
		outbuf_str(&l->out, vcpu->name);
		outbuf_str(&l->out, " mmap");
		w.first[w.depth] = false;
	}
	fieldw_hex(&w, "len", len);
	fieldw_hex(&w, "kvm_run", addr);
	end_line(l, &w);
}

static void on_proc(void *ctx, enum obs_proc_event ev, pid_t pid, int status, const char *what)
{
	static const char *const names[] = {
		[OBS_PROC_START] = "start", [OBS_PROC_FORK] = "fork",
		[OBS_PROC_EXEC] = "exec", [OBS_PROC_EXIT] = "exit",
	};
	struct execlog *l = ctx;
	struct fieldw w;

	if (ev == OBS_PROC_START)
		l->main_pid = pid;
	begin_line(l, &w, pid, pid);
	if (l->fmt == FIELDW_JSON) {
		fieldw_str(&w, "process", names[ev]);
	} else {
		outbuf_str(&l->out, "process ");
		outbuf_str(&l->out, names[ev]);
		w.first[w.depth] = false;
	}
	fieldw_i64(&w, "pid", pid);
	if (ev == OBS_PROC_FORK)
		fieldw_i64(&w, "parent", status);
	if (what)
		fieldw_str(&w, "program", what);
	if (ev == OBS_PROC_EXIT) {
		if (WIFEXITED(status))
			fieldw_i64(&w, "status", WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			fieldw_i64(&w, "signal", WTERMSIG(status));
	}
	end_line(l, &w);
}

/* "observer ..." lines: how the program is watched, and records the kernel dropped. */
static void observer_line(struct execlog *l, struct fieldw *w)
{
	fieldw_init(w, &l->out, l->fmt);
	if (l->fmt == FIELDW_JSON) {
		fieldw_begin(w, NULL);
		fieldw_str(w, "observer", l->how.mode == OBS_MODE_TRACEPOINTS ? "tracepoints" : "ptrace");
	} else {
		outbuf_str(&l->out, "observer ");
		outbuf_str(&l->out, l->how.mode == OBS_MODE_TRACEPOINTS ? "tracepoints" : "ptrace");
		w->first[w->depth] = false;
	}
}

static void how_fields(struct execlog *l, struct fieldw *w)
{
	if (l->how.mode == OBS_MODE_TRACEPOINTS) {
		fieldw_u64(w, "ring_bytes_per_cpu", l->how.ring_bytes);
		fieldw_str(w, "note", "KVM_RUN passes the seccomp filter and is seen through the kernel's "
			   "KVM tracepoints: immediate_exit is not read at the call, data_offset is KVM's "
			   "fixed PIO offset, a rep outs shows its first element");
		return;
	}
	if (l->how.cpu >= 0)
		fieldw_i64(w, "cpu", l->how.cpu);
	if (l->how.why[0])
		fieldw_str(w, "tracepoints_unavailable", l->how.why);
}

static void on_how(void *ctx, const struct obs_how *how)
{
	struct execlog *l = ctx;
	struct fieldw w;

	l->how = *how;
	snprintf(l->why, sizeof(l->why), "%s", how->why ? how->why : "");
	l->how.why = l->why;
	observer_line(l, &w);
	how_fields(l, &w);
	end_line(l, &w);
}

static void on_lost(void *ctx, pid_t tid, uint64_t n, const char *tampered)
{
	struct execlog *l = ctx;
	struct fieldw w;

	observer_line(l, &w);
	if (tampered) {
		fieldw_str(&w, "tampered", tampered);
		fieldw_str(&w, "note", "the recording was changed while the program ran: KVM_RUN lines "
			   "may be missing from here on");
	} else {
		l->lost += n;
		fieldw_u64(&w, "lost", n);
		fieldw_i64(&w, "tid", tid);
		fieldw_str(&w, "note", "the kernel dropped these tracepoint records (a ring was full): "
			   "KVM_RUN lines around here are missing or incomplete");
	}
	end_line(l, &w);
}

void execlog_sink(struct execlog *l, struct obs_sink *sink)
{
	*sink = (struct obs_sink){ .call = on_call, .mapped = on_mapped, .proc = on_proc,
				   .how = on_how, .lost = on_lost, .ctx = l };
}

void execlog_stats(struct execlog *l, const struct obs_obj *objs)
{
	struct fieldw ow;

	fieldw_init(&ow, &l->out, l->fmt);
	if (l->fmt == FIELDW_JSON) {
		fieldw_begin(&ow, NULL);
		fieldw_str(&ow, "stats", "observer");
		fieldw_str(&ow, "mode", l->how.mode == OBS_MODE_TRACEPOINTS ? "tracepoints" : "ptrace");
	} else {
		outbuf_str(&l->out, "stats observer ");
		outbuf_str(&l->out, l->how.mode == OBS_MODE_TRACEPOINTS ? "tracepoints" : "ptrace");
		ow.first[ow.depth] = false;
	}
	if (l->how.mode == OBS_MODE_TRACEPOINTS)
		fieldw_u64(&ow, "lost_records", l->lost);
	else if (l->how.cpu >= 0)
		fieldw_i64(&ow, "cpu", l->how.cpu);
	if (l->fmt == FIELDW_JSON)
		fieldw_end(&ow);
	line_end(l);
	for (const struct obs_obj *x = objs; x; x = x->next) {
		struct fieldw w;

		if (x->kind == OBS_SYSTEM)
			continue;
		fieldw_init(&w, &l->out, l->fmt);
		if (l->fmt == FIELDW_JSON) {
			fieldw_begin(&w, NULL);
			fieldw_str(&w, "stats", x->name);
		} else {
			outbuf_str(&l->out, x->kind == OBS_VM ? "stats " : "stats   ");
			outbuf_str(&l->out, x->name);
			w.first[w.depth] = false;
		}
		fieldw_i64(&w, "pid", x->pid);
		if (x->kind == OBS_VM) {
			uint64_t bytes = 0;

			for (int i = 0; i < x->nslots; i++)
				bytes += x->slots[i].size;
			fieldw_u64(&w, "memory_slots", (uint64_t)x->nslots);
			fieldw_hex(&w, "memory_bytes", bytes);
		} else {
			fieldw_u64(&w, "KVM_RUN", x->runs);
			fieldw_u64(&w, "exits", x->exits.total);
			fieldw_begin(&w, "by_type");
			for (int e = 0; e < VMM_EXIT__COUNT; e++) {
				char key[32];

				if (!x->exits.count[e])
					continue;
				snprintf(key, sizeof(key), "%s", vmm_exit_name(e));
				for (char *s = key; *s; s++)
					if (*s == ' ')
						*s = '_';
				fieldw_u64(&w, key, x->exits.count[e]);
			}
			fieldw_end(&w);
			if (l->fmt == FIELDW_JSON) {
				fieldw_u64(&w, "ns_in_KVM_RUN", x->guest_ns);
			} else {
				char ms[32];

				snprintf(ms, sizeof(ms), "%.3f", (double)x->guest_ns / 1e6);
				fieldw_str(&w, "ms_in_KVM_RUN", ms);
			}
		}
		if (l->fmt == FIELDW_JSON)
			fieldw_end(&w);
		line_end(l);
	}
}

unsigned execlog_last(const struct execlog *l, const char **lines)
{
	unsigned n = l->nlast < EXECLOG_LAST ? l->nlast : EXECLOG_LAST;

	for (unsigned i = 0; i < n; i++)
		lines[i] = l->last[(l->nlast - n + i) % EXECLOG_LAST];
	return n;
}
