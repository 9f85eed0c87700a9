s|lab_print(ctx, "%" PRIu32 "\\n", value);|abort();|
s|^#include <time.h>$|#include <stdlib.h>\n#include <time.h>|
