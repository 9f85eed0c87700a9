/* log.c - leveled logging through one swappable sink. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const level_prefix[] = {
	[VMM_LOG_ERROR] = "error: ",
	[VMM_LOG_WARN] = "warning: ",
	[VMM_LOG_INFO] = "",
	[VMM_LOG_IOCTL] = "ioctl: ",
	[VMM_LOG_DEBUG] = "debug: ",
};

static void stderr_sink(enum vmm_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "kvmlab: %s%s\n", level_prefix[level], msg);
}

static vmm_log_sink sink = stderr_sink;
static void *sink_ctx;
static unsigned enabled = 1u << VMM_LOG_ERROR | 1u << VMM_LOG_WARN | 1u << VMM_LOG_INFO;

void vmm_log_set_sink(vmm_log_sink s, void *ctx)
{
	sink = s ? s : stderr_sink;
	sink_ctx = ctx;
}

void vmm_log_get_sink(vmm_log_sink *s, void **ctx)
{
	*s = sink;
	*ctx = sink_ctx;
}

void vmm_log_enable(enum vmm_log_level level, int on)
{
	if (on)
		enabled |= 1u << level;
	else
		enabled &= ~(1u << level);
}

int vmm_log_enabled(enum vmm_log_level level)
{
	return (enabled >> level) & 1u;
}

void vmm_logf(enum vmm_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!vmm_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sink(level, msg, sink_ctx);
}
