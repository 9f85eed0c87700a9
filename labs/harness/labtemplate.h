/* labtemplate.h - values a lab file draws when it is loaded for grading.
 *
 * `${KIND:NAME}` anywhere in lab.yaml becomes a value drawn at load time (getrandom), the
 * same for every use of KIND:NAME in the file and different at each load, so a grading
 * uses values no submission could know when it was written: the guest gets them through
 * cflags (-DV1=${u32:V1}u) and the checks compare with them (contains: "${u32:V1}\n").
 * Kinds: u32 (a 10-digit unsigned number), word (10 lowercase letters), addr (an address
 * in the second to sixteenth 64 KiB of memory), count (2 to 7).
 */
#pragma once

#include <stddef.h>

/* Expand text (len bytes) into a new string *out (caller frees).  0, or -EINVAL with
 * ":LINE: why" in err, -ENOMEM. */
int lab_template_expand(const char *text, size_t len, char **out, size_t *outlen, char *err,
			size_t errlen);
