/* liverun.c - live values for answers checks that need a run of a guest (live.h):
 * what kvmlab does to run `hello`, recorded once per process the way
 * `kvmlab run hello --show-ioctls` logs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "labbuf.h"
#include "log.h"
#include "runner.h"
#include "session.h"

#define REC_MAX_IOCTLS 4096

/* What kvmlab did to run one built-in guest, as `kvmlab run GUEST --show-ioctls` does it. */
static struct {
	bool done;
	int err;
	char guest[64];
	char msg[256];
	uint64_t entry;
	char (*names)[32];            /* the ioctls in order */
	size_t n;
} rec;

/* The sink that was in place: lines other than ioctls go on to it. */
struct prev_sink {
	vmm_log_sink sink;
	void *ctx;
};

static void rec_log(enum vmm_log_level level, const char *msg, void *ctx)
{
	struct prev_sink *prev = ctx;
	size_t len;

	if (level != VMM_LOG_IOCTL) {
		prev->sink(level, msg, prev->ctx);
		return;
	}
	if (rec.n == REC_MAX_IOCTLS)
		return;
	if (!rec.names && !(rec.names = calloc(REC_MAX_IOCTLS, sizeof(*rec.names))))
		return;
	len = strcspn(msg, " ");
	snprintf(rec.names[rec.n++], sizeof(rec.names[0]), "%.*s", (int)(len < 31 ? len : 31), msg);
}

static void rec_discard(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

static int record_guest(const char *guest, char *err, size_t errlen)
{
	struct vm_opts o = { .guest = guest, .mem = VMM_MEM_DEFAULT, .show_ioctls = true };
	struct vmm_limits lim = { .max_exits = 10000, .timeout_ms = 5000 };
	enum vmm_stop stop;
	struct prev_sink prev;
	struct session s;

	if (!rec.done || strcmp(rec.guest, guest) != 0) {
		rec.done = true;
		rec.err = 0;
		rec.n = 0;
		rec.msg[0] = '\0';
		snprintf(rec.guest, sizeof(rec.guest), "%s", guest);
		vmm_log_get_sink(&prev.sink, &prev.ctx);
		vmm_log_set_sink(rec_log, &prev);
		vmm_clear_error();
		if (session_open(&s, &o, rec_discard, NULL) < 0) {
			rec.err = -EIO;
			snprintf(rec.msg, sizeof(rec.msg), "running the %s guest failed: %s", guest,
				 vmm_last_error());
		} else {
			rec.entry = s.img.entry;
			if (vmm_run(&s.vcpu, &lim, &stop) < 0 || stop != VMM_STOP_HLT) {
				rec.err = -EIO;
				snprintf(rec.msg, sizeof(rec.msg), "the %s guest did not halt", guest);
			}
			session_close(&s);
		}
		vmm_log_enable(VMM_LOG_IOCTL, 0);
		vmm_log_set_sink(prev.sink, prev.ctx);
	}
	if (rec.err < 0)
		snprintf(err, errlen, "%s", rec.msg);
	return rec.err;
}

int lab_runner_live(const char *name, const char *arg, char *out, size_t len, char *err,
		    size_t errlen)
{
	int ret;

	if (strcmp(name, "guest_entry") == 0) {
		ret = record_guest(arg ? arg : "hello", err, errlen);
		if (ret == 0)
			snprintf(out, len, "%llu", (unsigned long long)rec.entry);
		return ret;
	}
	if (strcmp(name, "first_ioctls") == 0 || strcmp(name, "ioctl_count") == 0) {
		struct labbuf b = { 0 };
		unsigned long k = 0;

		ret = record_guest("hello", err, errlen);
		if (ret < 0)
			return ret;
		if (name[0] == 'i') {
			for (size_t i = 0; i < rec.n; i++)
				k += arg && strcmp(rec.names[i], arg) == 0;
			snprintf(out, len, "%lu", k);
			return 0;
		}
		k = arg ? strtoul(arg, NULL, 10) : 0;
		if (k > rec.n) {
			snprintf(err, errlen, "kvmlab made only %zu ioctls", rec.n);
			return -ERANGE;
		}
		for (size_t i = 0; i < k; i++)
			labbuf_printf(&b, "%s%s", i ? ", " : "", rec.names[i]);
		snprintf(out, len, "%s", b.s ? b.s : "");
		labbuf_release(&b);
		return 0;
	}
	return lab_live_builtin(name, arg, out, len, err, errlen);
}
