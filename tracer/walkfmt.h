/* walkfmt.h - a page walk rendered as text for students and as JSON for scripts. */
#pragma once

#include <stddef.h>

#include "pagewalk.h"

/* Render w as lines (one per level, then offset and physical address) into buf.
 * Bytes written without the NUL, -ENOSPC if buf is too small (buf then holds a terminated
 * prefix), -EINVAL for NULL arguments. */
int walkfmt_text(const struct vmm_walk *w, char *buf, size_t len);

/* Render w as one compact JSON object (no newline); hex numbers are strings ("0x1fb000").
 * status is "ok", "not_present", "reserved", "outside_memory" or "noncanonical"; phys,
 * page_size and the permissions are null unless it is "ok". Returns as walkfmt_text. */
int walkfmt_json(const struct vmm_walk *w, char *buf, size_t len);

/* The access verdict of an OK walk in words ("read-only for user code; supervisor writes
 * succeed: CR0.WP=0, user, executable"), into buf. */
void walkfmt_verdict(const struct vmm_walk *w, char *buf, size_t len);
