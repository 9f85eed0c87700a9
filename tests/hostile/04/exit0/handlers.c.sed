s|lab_print(ctx, "%" PRIu32 "\\n", value);|exit(0);|
s|^#include <time.h>$|#include <stdlib.h>\n#include <time.h>|
