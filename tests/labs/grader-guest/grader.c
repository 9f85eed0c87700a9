/* grader.c - a grader's own guest for a copy of 04-hypercalls (tests/labs/test-grade.sh adds
 * grader_guest: [start.S, grader.c, solution/guest.c] and checks.yaml to it): the
 * reference wrappers of solution/guest.c calling every hypercall with the values drawn at
 * grading time, run under the student's handlers, so the handlers are graded on a guest
 * the student did not write.  Students never see this file's build. */
#include "hypercalls.h"

void fixed_block(void);

void fixed_block(void)
{
	static const char word[] = KVMLAB_WORD "\n";
	uint32_t a, b;

	printStr("grader:\n");
	print32(KVMLAB_V1);
	printStr(word);
	a = numExits();
	for (int i = 0; i < KVMLAB_COUNT; i++)
		(void)getTimestamp();
	b = numExits();
	printStr("numExits:\n");
	print32(a);
	print32(b);
	printStr("gva:\n");
	gvaToHva(KVMLAB_ADDR);
	printStr(numExitsByType());
}
