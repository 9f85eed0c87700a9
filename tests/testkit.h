/* testkit.h - the assertions and little helpers every C unit test shares.
 *
 * Each CHECK counts one pass or one failure; a failure prints file:line, the
 * expression and the values involved (the first CHECK_SHOWN failures; later ones
 * are only counted, so that a check in a loop over many cases cannot flood the
 * log).  A test's main() ends with `return check_summary();`, which prints
 * "N passed, M failed" and gives the exit status (1 if anything failed).
 *
 * Not to be confused with labs/harness/check.h, the lab checks under test in
 * test-labcheck.c.
 */
#pragma once

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHECK_SHOWN 30

static int check_passed, check_failed;

static inline void check_fail(const char *file, int line, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Count a failure; print "file:line: what: " and the message (while fewer than CHECK_SHOWN). */
static inline void check_fail(const char *file, int line, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (++check_failed > CHECK_SHOWN)
		return;
	fprintf(stderr, "%s:%d: %s: ", file, line, what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (check_failed == CHECK_SHOWN)
		fprintf(stderr, "(further failures are counted, not shown)\n");
}

#define CHECK(cond)                                                                       \
	do {                                                                               \
		if (cond)                                                                  \
			check_passed++;                                                    \
		else                                                                       \
			check_fail(__FILE__, __LINE__, #cond, "failed");                   \
	} while (0)

/* CHECK with a printf-style message that says which case failed (a step number, a range). */
#define CHECK_MSG(cond, ...)                                                              \
	do {                                                                               \
		if (cond)                                                                  \
			check_passed++;                                                    \
		else                                                                       \
			check_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                \
	} while (0)

/* Integers compared as 64-bit patterns (so -1 == (uint64_t)-1, and 0xffffffff != -1). */
#define CHECK_EQ(actual, expected)                                                        \
	do {                                                                               \
		unsigned long long a_ = (unsigned long long)(actual);                      \
		unsigned long long e_ = (unsigned long long)(expected);                    \
		if (a_ == e_)                                                              \
			check_passed++;                                                    \
		else                                                                       \
			check_fail(__FILE__, __LINE__, #actual,                            \
				   "expected %llu (0x%llx), got %llu (0x%llx)", e_, e_, a_, a_); \
	} while (0)

/* Equal strings; NULL on either side fails. */
#define CHECK_STR(actual, expected)                                                       \
	do {                                                                               \
		const char *a_ = (actual), *e_ = (expected);                               \
		if (a_ && e_ && strcmp(a_, e_) == 0)                                       \
			check_passed++;                                                    \
		else                                                                       \
			check_fail(__FILE__, __LINE__, #actual, "expected \"%s\", got \"%s\"", \
				   e_ ? e_ : "(null)", a_ ? a_ : "(null)");                \
	} while (0)

/* haystack contains needle; a NULL haystack fails. */
#define CHECK_CONTAINS(haystack, needle)                                                  \
	do {                                                                               \
		const char *h_ = (haystack), *n_ = (needle);                               \
		if (h_ && strstr(h_, n_))                                                  \
			check_passed++;                                                    \
		else                                                                       \
			check_fail(__FILE__, __LINE__, #haystack,                          \
				   "\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_); \
	} while (0)

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

/* Little-endian stores into a test's simulated guest memory (page tables, values). */
static inline void put32(uint8_t *mem, uint64_t addr, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		mem[addr + i] = (uint8_t)(v >> (8 * i));
}

static inline void put64(uint8_t *mem, uint64_t addr, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		mem[addr + i] = (uint8_t)(v >> (8 * i));
}
