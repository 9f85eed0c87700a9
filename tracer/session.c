/* session.c - from a configuration (vm_opts) to a guest ready to run, and how its run ended. */
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datadir.h"
#include "engine.h"
#include "error.h"
#include "log.h"
#include "probe.h"
#include "run.h"

static int mode_bits(enum vmm_mode m)
{
	return m == VMM_MODE_REAL ? 16 : m == VMM_MODE_LONG ? 64 : 32;
}

/* Try NAME-BITS (when a mode is given) or NAME, NAME-64, NAME-32, NAME-16 in dir. */
static int try_dir(const char *dir, const char *name, const struct vm_opts *o, char *path, size_t len)
{
	int bits[4], n = 0;

	if (o->mode_set)
		bits[n++] = mode_bits(o->mode);
	bits[n++] = 0;
	if (!o->mode_set) {
		bits[n++] = 64;
		bits[n++] = 32;
		bits[n++] = 16;
	}
	for (int i = 0; i < n; i++) {
		if (bits[i])
			snprintf(path, len, "%s/%s-%d", dir, name, bits[i]);
		else
			snprintf(path, len, "%s/%s", dir, name);
		if (access(path, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

struct guest_query {
	const char *name;
	const struct vm_opts *o;
	char *path;
	size_t len;
};

static bool has_guest(const char *dir, void *ctx)
{
	struct guest_query *q = ctx;

	return try_dir(dir, q->name, q->o, q->path, q->len) == 0;
}

int session_find_guest(const char *name, const struct vm_opts *o, char *path, size_t len)
{
	struct guest_query q = { name, o, path, len };
	char dir[PATH_MAX];

	if (strchr(name, '/') || access(name, F_OK) == 0 || o->flat) {
		snprintf(path, len, "%s", name);
		return 0;
	}
	/* $KVMLAB_GUESTS, guests/ next to the binary (the build tree), share/kvmlab/guests */
	if (datadir_find("guests", "KVMLAB_GUESTS", KVMLAB_GUESTDIR, has_guest, &q,
			 dir, sizeof(dir)) == 0)
		return 0;
	return vmm_fail(-ENOENT, "no guest named '%s': give a file path, or one of the built-in "
			"guests (kvmlab run --help lists them)", name);
}

/* Record where session_open failed, tear down what was built; ret. */
static int open_failed(struct session *s, enum session_stage stage, int ret)
{
	session_close(s);
	s->failed = stage;
	return ret;
}

int session_open(struct session *s, const struct vm_opts *o, vmm_console_sink sink, void *ctx)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->vm.kvm_fd = s->vm.vm_fd = s->vcpu.fd = -1;
	vmm_fc_init(&s->fc, &s->vcpu);
	vmm_log_enable(VMM_LOG_IOCTL, o->show_ioctls);
	vmm_clear_error();
	ret = session_find_guest(o->guest, o, s->path, sizeof(s->path));
	if (ret < 0) {
		s->failed = SESSION_GUEST;
		return ret;
	}
	ret = vmm_vm_create(&s->vm, o->dev, o->mem);
	if (ret < 0) {  /* a bad size is the user's; anything else is the host's */
		s->failed = ret == -EINVAL ? SESSION_CONFIG : SESSION_HOST;
		return ret;
	}
	if (getenv("KVMLAB_NO_SYNC_REGS"))  /* exercise the GET_REGS/GET_SREGS fallback */
		s->vm.caps &= ~(unsigned)VMM_CAP_SYNC_REGS;
	ret = vmm_vcpu_create(&s->vcpu, &s->vm);
	if (ret < 0)
		return open_failed(s, SESSION_HOST, ret);
	ret = vmm_console_attach(&s->con, &s->vm.pio, VMM_CONSOLE_PORT, sink, ctx);
	vmm_hc_init(&s->hc, &s->vcpu, sink, ctx);
	if (ret == 0)
		ret = vmm_hc_attach(&s->hc, &s->vm.pio, &o->ports);
	if (ret == 0)
		ret = vmm_fc_attach(&s->fc, &s->vm.pio, &o->ports);
	if (ret == 0 && o->files)
		ret = vmm_fc_enable(&s->fc, o->files);
	if (ret < 0)
		return open_failed(s, SESSION_CONFIG, ret);
	ret = o->flat ? vmm_load_flat(&s->vm, s->path, o->flat_addr, &s->img)
		      : vmm_load_elf(&s->vm, s->path, &s->img);
	if (ret < 0)
		return open_failed(s, SESSION_GUEST, ret);
	s->mode = o->mode_set ? o->mode
		: s->img.has_mode ? s->img.mode
		: s->img.elf_class == 64 ? VMM_MODE_LONG
		: s->img.elf_class == 32 ? VMM_MODE_PROTECTED : VMM_MODE_REAL;
	ret = vmm_mode_setup(&s->vcpu, s->mode, &s->img, o->small_pages, &s->layout);
	if (ret < 0) {
		char why[sizeof(s->path)];

		snprintf(why, sizeof(why), "%s", vmm_last_error());
		vmm_fail(ret, "%s: %s", s->path, why);
		return open_failed(s, SESSION_GUEST, ret);
	}
	tvcpu_local_init(&s->cpu, &s->vcpu);
	if (getenv("KVMLAB_TVCPU_INDIRECT"))  /* exercise the path a foreign vCPU takes */
		tvcpu_local_indirect(&s->cpu);
	return 0;
}

int session_engine_init(struct session *s, struct engine *e, bool record)
{
	int ret = engine_init(e, &s->cpu, record);

	e->hc = &s->hc;
	e->fc = &s->fc;
	/* Symbols only name things: a guest whose tables cannot be read runs without them. */
	symbols_free(&s->syms);
	if (!s->no_symbols && symbols_load(&s->syms, s->path) == 0) {
		e->syms = &s->syms;
		e->dis.syms = &s->syms;
	}
	return ret;
}

void session_close(struct session *s)
{
	symbols_free(&s->syms);
	vmm_fc_close(&s->fc);
	if (s->vcpu.vm)
		vmm_vcpu_destroy(&s->vcpu);
	vmm_vm_destroy(&s->vm);
}

enum ending_kind session_report(struct session *s, enum vmm_stop stop, int err, char *msg,
				size_t len)
{
	const uint8_t *at400 = vmm_vm_gpa(&s->vm, 0x400, 1);
	struct ending e = {
		.stop = stop, .regs = &s->vcpu.regs, .sregs = &s->vcpu.sregs, .run = s->vcpu.run,
		.exits = s->vcpu.stats.total, .at400 = at400 ? *at400 : -1, .start_mode = s->mode,
		.device_error = vmm_last_error(),
	};

	if (len == 0)
		return ENDING_HOST;
	if (err < 0 || vmm_vcpu_load(&s->vcpu) < 0) {
		snprintf(msg, len, "%s", vmm_last_error());
		return ENDING_HOST;
	}
	return ending_text(&e, msg, len);
}

void session_print_stats(struct session *s, FILE *f)
{
	const struct vmm_exit_stats *st = &s->vcpu.stats;

	fprintf(f, "exits by type:\n");
	for (int e = 0; e < VMM_EXIT__COUNT; e++)
		if (st->count[e])
			fprintf(f, "  %-15s %llu\n", vmm_exit_name(e), (unsigned long long)st->count[e]);
	fprintf(f, "  %-15s %llu\n", "total", (unsigned long long)st->total);
	fprintf(f, "start mode:  %s\nfinal mode:  %s\nfinal RIP:   0x%llx\nfinal RAX:   0x%llx\n",
		vmm_mode_name(s->mode), vmm_cpu_mode_name(vmm_cpu_mode(&s->vcpu.sregs)),
		(unsigned long long)s->vcpu.regs.rip, (unsigned long long)s->vcpu.regs.rax);
}
