/* datadir.h - finding a folder of kvmlab's data (guests, labs, headers) from wherever kvmlab runs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Whether dir is the folder wanted (e.g. it holds the file asked for). */
typedef bool (*datadir_accept)(const char *dir, void *ctx);

/*
 * A folder of kvmlab's data (WHAT: "guests", "labs", ...), tried in this order:
 *   $ENV (when env is not NULL and the variable is set),
 *   <exe dir>/WHAT                  the build tree (build/guests),
 *   <exe dir>/../WHAT               the source tree when run from build/ (labs/),
 *   <exe dir>/../share/kvmlab/WHAT  a relocated or DESTDIR install,
 *   INSTALLED                       the compiled-in install path (may be NULL).
 * The first that is a folder and that accept(dir, ctx) takes (accept NULL: any folder)
 * goes to out.  0, or -ENOENT (out then holds INSTALLED).
 */
int datadir_find(const char *what, const char *env, const char *installed,
		 datadir_accept accept, void *ctx, char *out, size_t len);
