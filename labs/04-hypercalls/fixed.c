/* fixed.c - the fixed block of 04-hypercalls.  Do not change it: the grader builds this
 * copy, not yours.
 *
 * The block is the course's, of the edition lab.yaml names (the grader passes
 * -DKVMLAB_EDITION=2023 or 2024; a build of your own gets 2023): its greeting, then the
 * lines the course marks "Don't modify this section".  Around it, values the grader draws
 * each time it grades (lab.yaml passes them as -D flags), so no output can be written in
 * advance: before it a drawn number of silent numExits calls, after it a drawn number, word
 * and address.  Without them (a build of your own) nothing is drawn. */
#include "hypercalls.h"

#ifndef KVMLAB_EDITION
#define KVMLAB_EDITION 2023
#endif

void fixed_block(void);

static void greet(const char *p)
{
	for (; *p; ++p)
		HC_print8bit((uint8_t)*p);
}

#if KVMLAB_EDITION == 2024
/* CS695 2024, Assignment 2, Part 1b */
static void course_block(void)
{
	greet("Hello 695!\n");

	HC_print32bit(2048);
	HC_print32bit(4294967295);

	uint32_t num_exits_a, num_exits_b;
	num_exits_a = HC_numExits();

	char *str = "CS695 Assignment 2\n";
	HC_printStr(str);
	num_exits_b = HC_numExits();

	HC_print32bit(num_exits_a);
	HC_print32bit(num_exits_b);

	char *firststr = HC_numExitsByType();
	uint32_t hva;
	hva = HC_gvaToHva(1024);
	HC_print32bit(hva);
	hva = HC_gvaToHva(4294967295);
	HC_print32bit(hva);
	char *secondstr = HC_numExitsByType();

	HC_printStr(firststr);
	HC_printStr(secondstr);
}
#elif KVMLAB_EDITION == 2023
/* CS695 2023, Assignment 3, Part 2 */
static void course_block(void)
{
	greet("Hello, world!\n");

	HC_print32bit(2048);
	HC_print32bit(4294967295);

	uint32_t num_exits_a, num_exits_b;
	num_exits_a = HC_numExits();
	HC_printStr("CS 695 Assignment 3\n");
	num_exits_b = HC_numExits();

	HC_print32bit(num_exits_a);
	HC_print32bit(num_exits_b);

	HC_print32bit(HC_gvaToHva(1024));
	HC_print32bit(HC_gvaToHva(4294967295));

	HC_print32bit(HC_getTimestamp());
}
#else
#error "lab.yaml's edition: this lab has the fixed blocks of 2023 and 2024"
#endif

void fixed_block(void)
{
#ifdef KVMLAB_V1
	for (int i = 0; i < KVMLAB_COUNT; i++)
		(void)HC_numExits();
#endif
	course_block();
#ifdef KVMLAB_V1
	HC_printStr("drawn:\n");
	HC_print32bit(KVMLAB_V1);
	HC_printStr(KVMLAB_WORD "\n");
	HC_print32bit(HC_gvaToHva(KVMLAB_ADDR));
#endif
}
