/* check.h - the tiny assertion kit the unit tests share. */
#pragma once

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) \
	do { \
		if (cond) { \
			check_passed++; \
		} else { \
			check_failed++; \
			fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

#define CHECK_STR(got, want) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		if (g_ && strcmp(g_, w_) == 0) { \
			check_passed++; \
		} else { \
			check_failed++; \
			fprintf(stderr, "%s:%d: FAILED: %s\n  got:  %s\n  want: %s\n", __FILE__, __LINE__, \
				#got, g_ ? g_ : "(null)", w_); \
		} \
	} while (0)

#define CHECK_CONTAINS(got, want) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		if (g_ && strstr(g_, w_)) { \
			check_passed++; \
		} else { \
			check_failed++; \
			fprintf(stderr, "%s:%d: FAILED: %s\n  got:  %s\n  should contain: %s\n", __FILE__, \
				__LINE__, #got, g_ ? g_ : "(null)", w_); \
		} \
	} while (0)

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}
