/* fixed.c - the fixed block of 04-hypercalls.  Do not change it: the grader
 * builds this copy, not yours. */
#include "hypercalls.h"

void fixed_block(void);

void fixed_block(void)
{
	const char *p;
	uint32_t a, b;

	for (p = "Hello, world!\n"; *p; p++)
		print8((uint8_t)*p);

	print32(2048);
	print32(4294967295u);

	a = numExits();
	printStr("CS 695 Assignment 3\n");
	b = numExits();
	printStr("exits before and after:\n");
	print32(a);
	print32(b);

	printStr("gvaToHva(1024):\n");
	gvaToHva(1024);
	printStr("gvaToHva(4294967295):\n");
	gvaToHva(4294967295u);

	printStr("timestamp:\n");
	print32(getTimestamp());

	printStr(numExitsByType());
}
