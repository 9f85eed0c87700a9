/* log.h - leveled logging through one swappable sink. */
#pragma once

enum vmm_log_level {
	VMM_LOG_ERROR,
	VMM_LOG_WARN,
	VMM_LOG_INFO,
	VMM_LOG_IOCTL, /* one line per KVM ioctl, when enabled */
	VMM_LOG_DEBUG,
};

typedef void (*vmm_log_sink)(enum vmm_log_level level, const char *msg, void *ctx);

/* Route log lines to sink (NULL restores the default: stderr). */
void vmm_log_set_sink(vmm_log_sink sink, void *ctx);

/* The sink in use and its ctx (to pass lines on to it, or to put it back). */
void vmm_log_get_sink(vmm_log_sink *sink, void **ctx);

/* Enable or disable one level (ERROR, WARN and INFO are on by default). */
void vmm_log_enable(enum vmm_log_level level, int on);

/* Non-zero when level is enabled (cheap; check before building costly messages). */
int vmm_log_enabled(enum vmm_log_level level);

/* Format and emit one log line at level. */
void vmm_logf(enum vmm_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define vmm_info(...) vmm_logf(VMM_LOG_INFO, __VA_ARGS__)
#define vmm_debug(...) vmm_logf(VMM_LOG_DEBUG, __VA_ARGS__)
