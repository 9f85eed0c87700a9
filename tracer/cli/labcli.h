/* labcli.h - what `kvmlab grade` and `kvmlab lab` share: finding labs. */
#pragma once

#include <stddef.h>

/* The folder labs are looked for in (datadir_find): $KVMLAB_LABS, <exe dir>/labs,
 * <exe dir>/../labs (the source tree when run from build/), <exe dir>/../share/kvmlab/labs
 * (a relocated install), then KVMLAB_LABDIR; the first that holds a lab. */
int labcli_labs_dir(char *out, size_t len);

/* LAB (a lab folder, a lab.yaml path, or a lab id/prefix under the labs dir) -> lab.yaml path.
 * 0 or -ENOENT with a message printed. */
int labcli_find(const char *name, char *yaml, size_t len);
