/* unit-check.h - the few assertion macros the unit tests share.
 *
 * Each CHECK counts one pass or one failure; a failure prints file:line, the
 * expression and both values.  A test's main() ends with check_summary(), which
 * prints "N passed, M failed" and gives the exit status (1 if anything failed).
 */
#pragma once

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                       \
	do {                                                                               \
		if (cond) {                                                                \
			check_passed++;                                                    \
		} else {                                                                   \
			check_failed++;                                                    \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__,   \
				#cond);                                                    \
		}                                                                          \
	} while (0)

#define CHECK_EQ(actual, expected)                                                        \
	do {                                                                               \
		unsigned long long a_ = (unsigned long long)(actual);                      \
		unsigned long long e_ = (unsigned long long)(expected);                    \
		if (a_ == e_) {                                                            \
			check_passed++;                                                    \
		} else {                                                                   \
			check_failed++;                                                    \
			fprintf(stderr, "%s:%d: %s: expected %llu (0x%llx), got %llu (0x%llx)\n", \
				__FILE__, __LINE__, #actual, e_, e_, a_, a_);              \
		}                                                                          \
	} while (0)

#define CHECK_STR(actual, expected)                                                       \
	do {                                                                               \
		const char *a_ = (actual), *e_ = (expected);                               \
		if (a_ && strcmp(a_, e_) == 0) {                                           \
			check_passed++;                                                    \
		} else {                                                                   \
			check_failed++;                                                    \
			fprintf(stderr, "%s:%d: %s: expected \"%s\", got \"%s\"\n",        \
				__FILE__, __LINE__, #actual, e_, a_ ? a_ : "(null)");      \
		}                                                                          \
	} while (0)

/* haystack contains needle (a message names the thing it is about). */
#define CHECK_CONTAINS(haystack, needle)                                                  \
	do {                                                                               \
		const char *h_ = (haystack), *n_ = (needle);                               \
		if (h_ && strstr(h_, n_)) {                                                \
			check_passed++;                                                    \
		} else {                                                                   \
			check_failed++;                                                    \
			fprintf(stderr, "%s:%d: %s: \"%s\" does not contain \"%s\"\n",    \
				__FILE__, __LINE__, #haystack, h_ ? h_ : "(null)", n_);    \
		}                                                                          \
	} while (0)

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}
