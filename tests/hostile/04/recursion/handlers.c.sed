s|lab_print(ctx, "%" PRIu32 "\\n", value);|lab_print(ctx, "%d", deep((int)value));|
s|^#include <kvmlab/lab.h>$|#include <kvmlab/lab.h>\nint deep(volatile int n);|
