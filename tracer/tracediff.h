/* tracediff.h - the first step where two JSONL traces diverge, and what differs. */
#pragma once

#include <stddef.h>

/* Compare trace files a and b step by step: 0 identical, 1 they differ, -errno if a file cannot
 * be read or is not a kvmlab trace. msg gets the report: the first divergent step and each field
 * that differs (A: value, B: value), or "identical (N steps)", or "FILE:LINE: what is wrong". */
int trace_diff(const char *a, const char *b, char *msg, size_t len);
