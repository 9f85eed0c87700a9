#include "@BATCH@/ref/handlers.c"
