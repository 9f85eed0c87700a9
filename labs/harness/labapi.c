/* labapi.c - the student handler API (kvmlab/lab.h) and the trampolines that call
 * student handlers from the hypercall device.  The lab_* helpers are exported
 * from the kvmlab executable (linked with -rdynamic) so the student's shared
 * object resolves them when it is loaded. */
#include "labapi.h"

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "exits.h"
#include "guestmem.h"
#include "vcpu.h"
#include "vm.h"

#define EXPORT __attribute__((visibility("default"), used))

struct lab_ctx {
	struct vmm_hc *hc;
	void *dl;
	void *fn[VMM_HC__COUNT];
};

static const char *const sym[VMM_HC__COUNT] = {
	[VMM_HC_PRINT8] = "lab_print8",
	[VMM_HC_PRINT32] = "lab_print32",
	[VMM_HC_PRINTSTR] = "lab_printStr",
	[VMM_HC_NUMEXITS] = "lab_numExits",
	[VMM_HC_NUMEXITSBYTYPE] = "lab_numExitsByType",
	[VMM_HC_GVATOHVA] = "lab_gvaToHva",
	[VMM_HC_GETTIMESTAMP] = "lab_getTimestamp",
};

/* ---- the API students call ------------------------------------------------ */

EXPORT int lab_read(struct lab_ctx *ctx, uint64_t gva, void *buf, size_t len)
{
	return vmm_read_gva(ctx->hc->vcpu, gva, buf, len);
}

EXPORT int lab_write(struct lab_ctx *ctx, uint64_t gva, const void *buf, size_t len)
{
	return vmm_write_gva(ctx->hc->vcpu, gva, buf, len);
}

EXPORT int lab_translate(struct lab_ctx *ctx, uint64_t gva, uint64_t *gpa)
{
	return vmm_gva_to_gpa(ctx->hc->vcpu, gva, gpa);
}

EXPORT void *lab_hva(struct lab_ctx *ctx, uint64_t gpa)
{
	return vmm_vm_gpa(ctx->hc->vcpu->vm, gpa, 1);
}

EXPORT uint64_t lab_exits(struct lab_ctx *ctx, const char *type)
{
	for (int e = 0; e < VMM_EXIT__COUNT; e++)
		if (strcasecmp(type, vmm_exit_name(e)) == 0)
			return ctx->hc->vcpu->stats.count[e];
	if (strcasecmp(type, "total") == 0)
		return ctx->hc->vcpu->stats.total;
	return 0;
}

EXPORT uint64_t lab_exits_total(struct lab_ctx *ctx)
{
	return ctx->hc->vcpu->stats.total;
}

EXPORT void lab_print(struct lab_ctx *ctx, const char *fmt, ...)
{
	char small[512], *p = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		if (n > 65536)
			n = 65536;
		p = malloc((size_t)n + 1);
		if (!p)
			return;
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	ctx->hc->sink(ctx->hc->ctx, p, (size_t)n);
	if (p != small)
		free(p);
}

/* ---- trampolines ------------------------------------------------------------ */

static sigjmp_buf *crash_jmp;
static volatile sig_atomic_t crash_sig;

static void on_crash(int sig)
{
	crash_sig = sig;
	if (crash_jmp)
		siglongjmp(*crash_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int call_student(struct vmm_hc *hc, enum vmm_hc_id id, bool in, uint32_t *v)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	struct lab_ctx *ctx = hc->user;
	struct sigaction sa = { .sa_handler = on_crash }, old[4];
	sigjmp_buf jb;
	volatile int ret = 0;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	crash_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		crash_jmp = &jb;
		switch (id) {
		case VMM_HC_NUMEXITS:
		case VMM_HC_GETTIMESTAMP:
			if (in)
				*v = ((uint32_t (*)(struct lab_ctx *))ctx->fn[id])(ctx);
			break;
		case VMM_HC_GVATOHVA:
			if (in) {
				*v = (uint32_t)hc->last_hva;
				break;
			}
			/* fall through */
		default:
			ret = ((int (*)(struct lab_ctx *, uint32_t))ctx->fn[id])(ctx, *v);
			break;
		}
	}
	crash_jmp = NULL;
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (crash_sig)
		return vmm_fail(-EFAULT, "your handler %s crashed with signal %d (%s)", sym[id],
				(int)crash_sig, strsignal(crash_sig));
	if (ret < 0)
		return vmm_fail(-EIO, "your handler %s returned %d", sym[id], ret);
	return 0;
}

#define TRAMPOLINE(name, id) \
	static int name(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v) \
	{ (void)size; return call_student(hc, id, in, v); }
TRAMPOLINE(t_print8, VMM_HC_PRINT8)
TRAMPOLINE(t_print32, VMM_HC_PRINT32)
TRAMPOLINE(t_printstr, VMM_HC_PRINTSTR)
TRAMPOLINE(t_numexits, VMM_HC_NUMEXITS)
TRAMPOLINE(t_bytype, VMM_HC_NUMEXITSBYTYPE)
TRAMPOLINE(t_gvatohva, VMM_HC_GVATOHVA)
TRAMPOLINE(t_timestamp, VMM_HC_GETTIMESTAMP)

static const vmm_hc_fn tramp[VMM_HC__COUNT] = {
	t_print8, t_print32, t_printstr, t_numexits, t_bytype, t_gvatohva, t_timestamp,
};

int lab_ctx_load(struct lab_ctx **out, struct vmm_hc *hc, const char *so, char *err, size_t len)
{
	struct lab_ctx *ctx = calloc(1, sizeof(*ctx));

	*out = NULL;
	if (!ctx)
		return -ENOMEM;
	ctx->hc = hc;
	ctx->dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!ctx->dl) {
		snprintf(err, len, "cannot load the handlers: %s", dlerror());
		free(ctx);
		return -EINVAL;
	}
	for (int id = 0; id < VMM_HC__COUNT; id++) {
		ctx->fn[id] = dlsym(ctx->dl, sym[id]);
		if (ctx->fn[id])
			hc->fn[id] = tramp[id];
	}
	hc->user = ctx;
	*out = ctx;
	return 0;
}

void lab_ctx_free(struct lab_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->hc)
		ctx->hc->user = NULL;
	dlclose(ctx->dl);
	free(ctx);
}
