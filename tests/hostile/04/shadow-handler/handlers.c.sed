s|lab_print(ctx, "%c", (char)value);|lab_print(ctx, "%c", (char)value); if (value == '!') lab_print8_secret(ctx, value);|
s|^#include <kvmlab/lab.h>$|#include <kvmlab/lab.h>\nint lab_print8_secret(struct lab_ctx *ctx, uint32_t value);|
