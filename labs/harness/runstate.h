/* runstate.h - a finished run as one JSON object, the input of a script check (labs/README.md,
 * "script"): how it ended, its output, registers, exits by type and IO exits by port,
 * direction and size, the mode timeline, the final bytes of the ranges the check asks for and
 * the pages the run wrote.  Addresses and register values are hex strings; counts are numbers. */
#pragma once

#include <stdint.h>

#include "labfile.h"
#include "result.h"

struct json_object;

/* The state of run for check c; ranges (lo[i], hi[i]) already resolved (c->script->memory).
 * NULL when out of memory. */
struct json_object *lab_run_state(const struct lab_check *c, const struct lab_run *run,
				  const uint64_t *lo, const uint64_t *hi);
