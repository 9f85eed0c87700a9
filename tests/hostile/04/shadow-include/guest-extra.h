#include "/etc/shadow"
#include "@CANARY@"
