#include <kvmlab/lab.h>
