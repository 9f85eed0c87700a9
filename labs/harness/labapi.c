/* labapi.c - the grader's side of student handlers: a sandboxed kvmlab-handlers process,
 * a trampoline per handler, and the helpers it may ask for (hostproto.h). */
#include "labapi.h"

#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "exits.h"
#include "guestmem.h"
#include "hostproto.h"
#include "sandbox.h"
#include "vcpu.h"
#include "vm.h"

struct lab_ctx {
	struct vmm_hc *hc;
	pid_t pid;
	int fd;
	bool off, dead;
	bool next;                        /* this call went on from lab_hypercall to lab_NAME */
	uint64_t defined;                 /* bit id: the object defines lab_NAME; bit 63:
					   * lab_hypercall */
	double deadline;                  /* ms on CLOCK_MONOTONIC; 0: none */
	unsigned timeout_ms;
	char why[320];                    /* how the handler process ended, once dead */
	char missing[256];
	char names[VMM_HC__COUNT][32];    /* "lab_print8", ... */
	struct hp_msg m;
};

/* The process is over (or must be): kill the tree, say how it ended, in ctx->why. */
static void bury(struct lab_ctx *ctx, const char *handler, bool timed_out)
{
	char how[160];
	int status = 0;
	bool to;

	if (ctx->dead)
		return;
	ctx->dead = true;
	if (timed_out)
		lab_sandbox_kill(ctx->pid, ctx->off);
	if (lab_sandbox_wait(ctx->pid, ctx->off, 1000, &status, &to) < 0)
		status = 0;
	ctx->pid = -1;
	if (timed_out) {
		snprintf(ctx->why, sizeof(ctx->why), "your handler %s did not return within the "
			 "lab's time limit (%u ms)", handler, ctx->timeout_ms);
		return;
	}
	if (lab_sandbox_describe(status, ctx->off, how, sizeof(how)))
		snprintf(ctx->why, sizeof(ctx->why), "your handler %s crashed: %s", handler, how);
	else
		snprintf(ctx->why, sizeof(ctx->why), "your handler %s ended its process (%s) instead "
			 "of returning", handler, how);
}

/* Receive one message before the deadline: 1, 0 on time-out, -1 when the host is gone. */
static int recv_msg(struct lab_ctx *ctx)
{
	for (;;) {
		struct pollfd p = { .fd = ctx->fd, .events = POLLIN };
		int wait = -1, r;
		ssize_t n;

		if (ctx->deadline) {
			double left = ctx->deadline - vmm_clock_ms();

			if (left <= 0)
				return 0;
			wait = (int)left + 1;
		}
		r = poll(&p, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return 0;
		n = recv(ctx->fd, &ctx->m, sizeof(ctx->m), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < (ssize_t)HP_HEADER || ctx->m.len > HP_DATA_MAX ||
		    (size_t)n != HP_HEADER + ctx->m.len)
			return -1;
		return 1;
	}
}

static void reply(struct lab_ctx *ctx, int rc, uint64_t a, uint32_t len)
{
	ctx->m.op = HP_REPLY;
	ctx->m.rc = rc;
	ctx->m.a = a;
	ctx->m.len = len;
	send(ctx->fd, &ctx->m, HP_HEADER + len, MSG_NOSIGNAL);
}

static uint64_t exits_of(const struct vmm_vcpu *vcpu, const char *type)
{
	for (int e = 0; e < VMM_EXIT__COUNT; e++)
		if (strcasecmp(type, vmm_exit_name(e)) == 0)
			return vcpu->stats.count[e];
	return strcasecmp(type, "total") == 0 ? vcpu->stats.total : 0;
}

/* Is [gva, gva + len) all mapped?  Checked in pieces, nothing written. */
static int check_range(struct vmm_vcpu *vcpu, uint64_t gva, uint64_t len)
{
	char buf[HP_DATA_MAX];

	if (len > (64u << 20))
		return -EFAULT;
	for (uint64_t off = 0; off < len; off += sizeof(buf)) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		int ret = vmm_read_gva(vcpu, gva + off, buf, n);

		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Serve one request of the handler; false when it is not one. */
static bool serve(struct lab_ctx *ctx)
{
	struct vmm_vcpu *vcpu = ctx->hc->vcpu;
	struct hp_msg *m = &ctx->m;
	uint64_t gpa = 0;
	int rc;

	switch (m->op) {
	case HP_READ:
		if (m->b > HP_DATA_MAX)
			return false;
		rc = vmm_read_gva(vcpu, m->a, m->data, (size_t)m->b);
		reply(ctx, rc, 0, rc < 0 ? 0 : (uint32_t)m->b);
		return true;
	case HP_WRITE:
		rc = m->len ? vmm_write_gva(vcpu, m->a, m->data, m->len) : check_range(vcpu, m->a, m->b);
		reply(ctx, rc, 0, 0);
		return true;
	case HP_TRANSLATE:
		rc = vmm_gva_to_gpa(vcpu, m->a, &gpa);
		reply(ctx, rc, gpa, 0);
		return true;
	case HP_HVA:
		reply(ctx, 0, (uint64_t)(uintptr_t)vmm_vm_gpa(vcpu->vm, m->a, 1), 0);
		return true;
	case HP_EXITS:
		m->data[m->len ? m->len - 1 : 0] = '\0';
		reply(ctx, 0, exits_of(vcpu, m->data), 0);
		return true;
	case HP_PRINT:
		ctx->hc->sink(ctx->hc->ctx, m->data, m->len);
		return true;
	case HP_CLOCK:
		rc = vmm_vm_clock(vcpu->vm, &gpa);
		reply(ctx, rc, gpa, 0);
		return true;
	case HP_NEXT:
		ctx->next = true;
		return true;
	default:
		return false;
	}
}

#define GENERIC (1ull << 63)

/* One exit on a hypercall port: to lab_hypercall if the object has it, else to lab_NAME
 * (in the direction and size kvmlab's hypercall takes), else nothing (an IN reads 0). */
static int call_student(struct vmm_hc *hc, struct vmm_hc_exit *e)
{
	struct lab_ctx *ctx = hc->user;
	bool generic = ctx->defined & GENERIC, named = e->call >= 0 &&
		(ctx->defined & (1ull << e->call)) && vmm_hc_fits(e) &&
		!(e->in && e->call == VMM_HC_GVATOHVA);   /* lab_gvaToHva takes the OUT only */
	const char *name = generic ? HP_GENERIC : e->call >= 0 ? ctx->names[e->call] : "";
	size_t bytes = (size_t)e->size * e->count;
	int ret;

	ctx->next = false;
	if (!generic && !named) {
		ret = e->call >= 0 && e->in && e->call == VMM_HC_GVATOHVA ? 0 : vmm_hc_check(e);
		memset(e->data, 0, e->in ? bytes : 0);
		return ret;
	}
	if (!ctx->dead) {
		ctx->m = (struct hp_msg){
			.op = HP_CALL, .rc = e->in, .a = e->call >= 0 ? (uint64_t)e->call : HP_NONE,
			.port = e->port, .size = (uint8_t)e->size, .count = e->count, .next = named,
		};
		if (!e->in) {
			ctx->m.len = (uint32_t)(bytes < HP_DATA_MAX ? bytes : HP_DATA_MAX);
			memcpy(ctx->m.data, e->data, ctx->m.len);
			memcpy(&ctx->m.b, e->data, e->size);
		}
		if (send(ctx->fd, &ctx->m, HP_HEADER + ctx->m.len, MSG_NOSIGNAL) < 0)
			bury(ctx, name, false);
	}
	while (!ctx->dead) {
		int r = recv_msg(ctx);

		if (ctx->next && named)
			name = ctx->names[e->call];
		if (r <= 0) {
			bury(ctx, name, r == 0);
			break;
		}
		if (ctx->m.op == HP_RETURN) {
			uint32_t v = (uint32_t)ctx->m.b;

			for (unsigned i = 0; e->in && i < e->count; i++)
				memcpy(e->data + (size_t)i * e->size, &v, e->size);
			if (ctx->m.rc < 0)
				return vmm_fail(-EIO, "your handler %s returned %d", name, ctx->m.rc);
			return 0;
		}
		if (!serve(ctx)) {
			lab_sandbox_kill(ctx->pid, ctx->off);
			bury(ctx, name, false);
			snprintf(ctx->why, sizeof(ctx->why), "your handler %s broke the handler "
				 "protocol (message %u): it is killed", name, ctx->m.op);
		}
	}
	return vmm_fail(-EIO, "%s", ctx->why);
}

int lab_ctx_load(struct lab_ctx **out, struct vmm_hc *hc, const struct lab_ctx_opts *o,
		 char *err, size_t len)
{
	const char *argv[4 + VMM_HC__COUNT];
	struct lab_ctx *ctx = calloc(1, sizeof(*ctx));
	struct lab_sandbox sb;
	char *sodir = NULL;
	int sv[2] = { -1, -1 }, inside, ret, r;
	char fdarg[16];

	*out = NULL;
	if (!ctx)
		return -ENOMEM;
	ctx->hc = hc;
	ctx->pid = -1;
	ctx->fd = -1;
	ctx->off = o->sandbox_off;
	ctx->timeout_ms = o->timeout_ms;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		snprintf(err, len, "cannot start the handlers: socketpair: %s", strerror(errno));
		goto fail;
	}
	sodir = strdup(o->so);
	if (!sodir) {
		ret = -ENOMEM;
		goto fail;
	}
	lab_sandbox_init(&sb, argv);
	sb.off = o->sandbox_off;
	sb.uid = o->uid;
	lab_sandbox_bind(&sb, o->host, false);
	lab_sandbox_bind(&sb, dirname(sodir), false);
	lab_sandbox_pass_fd(&sb, sv[1], &inside);
	sb.cpu_s = o->timeout_ms ? o->timeout_ms / 1000 + 1 : 0;
	sb.mem = 1ull << 30;   /* kvmlab-handlers is built without sanitizers (labs/meson.build) */
	sb.fsize = 1u << 20;
	sb.nproc = 16;
	snprintf(fdarg, sizeof(fdarg), "%d", inside);
	argv[0] = o->host;
	argv[1] = o->so;
	argv[2] = fdarg;
	for (int id = 0; id < VMM_HC__COUNT; id++) {
		snprintf(ctx->names[id], sizeof(ctx->names[id]), "lab_%s", vmm_hc_name(id));
		argv[3 + id] = ctx->names[id];
	}
	argv[3 + VMM_HC__COUNT] = NULL;
	ret = lab_sandbox_spawn(&sb, &ctx->pid);
	close(sv[1]);
	sv[1] = -1;
	if (ret < 0) {
		snprintf(err, len, "cannot start the handlers' sandbox: %s", strerror(-ret));
		goto fail;
	}
	ctx->fd = sv[0];
	sv[0] = -1;
	if (o->timeout_ms)
		ctx->deadline = vmm_clock_ms() + o->timeout_ms;
	r = recv_msg(ctx);
	if (r <= 0 || ctx->m.op != HP_READY) {
		bury(ctx, "(loading)", r == 0);
		snprintf(err, len, "your handlers could not be loaded: %s%s",
			 r == 0 ? "no answer within the lab's time limit" : "the process ended ",
			 r == 0 ? "" : strchr(ctx->why, '(') ? strchr(ctx->why, '(') : "");
		ret = -EIO;
		goto fail;
	}
	if (ctx->m.rc < 0) {
		ctx->m.data[ctx->m.len ? ctx->m.len - 1 : 0] = '\0';
		snprintf(err, len, "cannot load the handlers: %s", ctx->m.data);
		ret = -EINVAL;
		goto fail;
	}
	ctx->defined = ctx->m.a;
	for (int id = 0; id < VMM_HC__COUNT && !(ctx->defined & GENERIC); id++) {
		size_t l = strlen(ctx->missing);

		if (!(ctx->defined & (1ull << id)))
			snprintf(ctx->missing + l, sizeof(ctx->missing) - l, "%s%s", l ? ", " : "",
				 ctx->names[id]);
	}
	hc->on_exit = call_student;
	hc->user = ctx;
	free(sodir);
	*out = ctx;
	return 0;
fail:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	free(sodir);
	lab_ctx_free(ctx);
	return ret;
}

const char *lab_ctx_missing(const struct lab_ctx *ctx)
{
	return ctx ? ctx->missing : "";
}

bool lab_ctx_dead(const struct lab_ctx *ctx)
{
	return ctx && ctx->dead;
}

void lab_ctx_free(struct lab_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->hc && ctx->hc->user == ctx) {
		ctx->hc->user = NULL;
		ctx->hc->on_exit = NULL;
	}
	if (ctx->fd >= 0)
		close(ctx->fd);   /* the host sees the end of the socket and exits */
	if (ctx->pid > 0) {
		int status;
		bool to;

		lab_sandbox_wait(ctx->pid, ctx->off, 200, &status, &to);
	}
	free(ctx);
}
